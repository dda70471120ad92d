#!/usr/bin/env bash
# End-to-end benchmark through a local tansu broker:
#   1. backlog throughput: N pages produced first, then one worker drains them (pages/s, per core)
#   2. latency at 50 % and 90 % of that throughput (p50/p99 from the worker's histogram)
#   3. peak RSS of the worker; and `sift process` on the same file for comparison.
# usage: scripts/bench-broker.sh [N] [HTML_SHARE]   (defaults 5000, 0.5; 20 % copies)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"; cd "$root"
n="${1:-5000}"; html_share="${2:-0.5}"
shared="${SHARED:-$root/../shared}"
out_dir="$root/bench/results"; mkdir -p "$out_dir"
cargo build --release --quiet --bin sift --example passthrough
sift="$root/target/release/sift"
passthrough="$root/target/release/examples/passthrough"
work="$(mktemp -d -t sift-bench.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); http=$(free_port); wpid=""
cleanup() { [ -n "$wpid" ] && kill "$wpid" 2>/dev/null; "$root/scripts/broker.sh" stop "$work"; rm -rf "$work"; }
trap cleanup EXIT
"$root/scripts/broker.sh" start "$work" "$port"
export SIFT__KAFKA__BROKERS="127.0.0.1:$port" SIFT__HTTP__HOST=127.0.0.1 SIFT__HTTP__PORT="$http"
export SIFT__LOG__LEVEL=warn SIFT__KAFKA__SESSION_TIMEOUT_MS=6000 SIFT__PIPELINE__DRAIN_TIMEOUT_MS=3000
export SIFT__KAFKA__PRODUCER_PROPERTIES__MESSAGE_MAX_BYTES=16000000
export SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_MAX_BYTES=52428800
"$sift" topics --partitions 4 >/dev/null
SIFT__TOPICS__INPUT=pages.raw.passthrough "$sift" topics --partitions 4 >/dev/null
python3 "$root/scripts/gen_pages.py" "$n" --html-share "$html_share" --shared "$shared" >"$work/pages.jsonl"
bytes=$(stat -c %s "$work/pages.jsonl")
echo "input: $n pages, $((bytes / 1024 / 1024)) MiB"

# File mode on the same pages.
pstats=$("$sift" process "$work/pages.jsonl" --summary 2>&1 >/dev/null | tail -1)
echo "sift process: $pstats"

t0=$(date +%s.%N); "$sift" produce "$work/pages.jsonl" 2>/dev/null; t1=$(date +%s.%N)
echo "produced in $(python3 -c "print(round($t1-$t0,2))") s"

pt=$("$passthrough" "$n" 2>/dev/null | tail -1)
pt_rate=$(echo "$pt" | awk '{print $(NF-1)}')
echo "$pt (same client settings, no processing)"

metrics() { curl -fs "http://127.0.0.1:$http/metrics"; }
done_count() { metrics | awk '/^sift_records_produced_total\{output="(clean|duplicates|rejected)"\}/ {s+=$2} END {print s+0}'; }
"$sift" run >"$work/worker.log" 2>&1 &
wpid=$!
start=""; for _ in $(seq 1 3000); do
  c=$(done_count 2>/dev/null || echo 0)
  if [ -z "$start" ] && [ "$c" -gt 0 ]; then start=$(date +%s.%N); first=$c; fi
  [ "$c" -ge "$n" ] && break
  sleep 0.1
done
end=$(date +%s.%N)
cpus=$(nproc)
tput=$(python3 -c "print(round(($n-$first)/($end-$start),1))")
echo "kafka path: $tput pages/s on $cpus cores ($(python3 -c "print(round($tput/$cpus,1))") per core); $(python3 -c "print(round(100*$tput/$pt_rate,1))") % of passthrough"

quantiles() { # histogram delta between two /metrics dumps -> p50 p99 (seconds)
  python3 - "$1" "$2" <<'PY'
import re, sys
def load(p):
    b = {}
    for l in open(p):
        m = re.match(r'sift_end_to_end_latency_seconds_bucket\{le="([^"]+)"\} (\S+)', l)
        if m: b[float(m.group(1))] = float(m.group(2))
    return b
a, z = load(sys.argv[1]), load(sys.argv[2])
les = sorted(z); d = [(le, z[le] - a.get(le, 0)) for le in les]
total = d[-1][1]
def q(p):
    want = p * total; prev_le, prev_c = 0.0, 0.0
    for le, c in d:
        if c >= want:
            if le == float("inf"): return prev_le
            return prev_le + (le - prev_le) * ((want - prev_c) / max(c - prev_c, 1e-9))
        prev_le, prev_c = le, c
    return prev_le
print("%.4f %.4f %d" % (q(0.5), q(0.99), total))
PY
}
lat=""
for load in 0.5 0.9; do
  rate=$(python3 -c "print(round($tput*$load,1))")
  m=$(python3 -c "print(max(200, int($tput*$load*15)))")
  python3 "$root/scripts/gen_pages.py" "$m" --html-share "$html_share" --shared "$shared" --seed $RANDOM \
    | sed "s/\"bench-/\"lat$load-/g" >"$work/lat.jsonl"
  metrics >"$work/before.txt"
  "$sift" produce "$work/lat.jsonl" --rate "$rate" 2>/dev/null
  sleep 2
  metrics >"$work/after.txt"
  read -r p50 p99 cnt < <(quantiles "$work/before.txt" "$work/after.txt")
  echo "latency at $(python3 -c "print(int($load*100))") % load ($rate pages/s, $cnt pages): p50 ${p50}s p99 ${p99}s"
  lat="$lat\"p50_at_${load}\": $p50, \"p99_at_${load}\": $p99, "
done
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$wpid/status)
echo "peak RSS: $((rss_kb / 1024)) MiB"
kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
stamp=$(date -u +%Y%m%dT%H%M%SZ)
cat >"$out_dir/broker-$stamp.json" <<JSON
{"pages": $n, "html_share": $html_share, "cores": $cpus, "kafka_pages_per_s": $tput, "passthrough_msgs_per_s": $pt_rate, $lat "peak_rss_mib": $((rss_kb / 1024)), "process": "$pstats", "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"}
JSON
echo "results: $out_dir/broker-$stamp.json"
