#!/usr/bin/env bash
# End-to-end benchmark (issue 7), fully automatic: starts its own tansu broker on a free loopback
# port, tears it down on exit. Side by side in one run, on the same generated pages:
#   1. passthrough baseline (examples/passthrough.rs: same client settings, no processing)
#   2. `sift process FILE` (file path) and `sift run` draining the backlog through the broker,
#      alternated over BENCH_TPUT_ROUNDS rounds (a fresh worker each round): pages/s, pages per
#      CPU-second, ratio kafka/process per round and its median, sift/passthrough
#   3. end-to-end latency p50/p99 at 50 % and 90 % of the worker's saturation rate (worker
#      histogram), and the passthrough's latency at the same rates (the broker + client floor)
#   4. peak RSS of the worker; RSS of the stateful window (real Deduplicator + EventTracker)
#      at 100k and 1M documents (examples/window_rss.rs)
#   5. trafilatura (PyPI, in a venv under ~/.cache/sift) vs sift on the WCXB dev HTML pages:
#      body F1 with sift's own scorer (`sift eval extract --predictions`), pages per CPU-second
# Every phase records `uptime` load. Results: bench/results/e2e-<UTC stamp>.{json,md}.
#
# usage: scripts/bench-broker.sh [N]     (or BENCH_N=N; default 50000)
#   BENCH_HTML_SHARE=0.5   share of HTML pages (WCXB dev pages, cycled); 20 % are copies
#   BENCH_STORAGE=memory   tansu storage: memory | sqlite
#   BENCH_PARTITIONS=4     input partitions
#   BENCH_LAT_SECONDS=20   length of each latency phase
#   BENCH_TPUT_ROUNDS=3    alternating process/Kafka throughput rounds (median reported)
#   BENCH_WINDOW="100000 250000 500000 1000000"   window RSS checkpoints ("" skips)
#   BENCH_TRAFILATURA=1    0 skips the trafilatura comparison
#   BENCH_BIN_DIR=DIR      use prebuilt sift, passthrough, window_rss from DIR (no cargo build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"; cd "$root"
n="${1:-${BENCH_N:-50000}}"
html_share="${BENCH_HTML_SHARE:-0.5}"
storage="${BENCH_STORAGE:-memory}"
partitions="${BENCH_PARTITIONS:-4}"
lat_secs="${BENCH_LAT_SECONDS:-20}"
window="${BENCH_WINDOW-100000 250000 500000 1000000}"
with_traf="${BENCH_TRAFILATURA:-1}"
shared="${SHARED:-$root/../shared}"
wcxb="$shared/datasets/wcxb-dev-articles.jsonl.gz"
cache="${SIFT_CACHE_DIR:-$HOME/.cache/sift}"
out_dir="$root/bench/results"; mkdir -p "$out_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
json="$out_dir/e2e-$stamp.json"; md="$out_dir/e2e-$stamp.md"

if [ -n "${BENCH_BIN_DIR:-}" ]; then   # prebuilt sift, passthrough and window_rss side by side
  sift="$BENCH_BIN_DIR/sift"; passthrough="$BENCH_BIN_DIR/passthrough"; window_rss="$BENCH_BIN_DIR/window_rss"
else
  cargo build --release --locked --quiet --bin sift --example passthrough --example window_rss
  sift="$root/target/release/sift"
  passthrough="$root/target/release/examples/passthrough"
  window_rss="$root/target/release/examples/window_rss"
fi
work="$(mktemp -d -t sift-bench.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); http=$(free_port); wpid=""; ppid_=""
cleanup() {
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
  [ -n "$ppid_" ] && kill "$ppid_" 2>/dev/null
  "$root/scripts/broker.sh" stop "$work"; rm -rf "$work"
}
trap cleanup EXIT
py() { python3 -c "import sys; print($1)"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
declare -A R   # results, written as JSON at the end
note() { echo "[$(date -u +%H:%M:%S) load $(load)] $*"; }

case "$storage" in
  memory) TANSU_STORAGE="memory://tansu/" ;;
  sqlite) TANSU_STORAGE="sqlite://tansu.db" ;;
  *) echo "BENCH_STORAGE must be memory or sqlite" >&2; exit 2 ;;
esac
export TANSU_STORAGE
"$root/scripts/broker.sh" start "$work" "$port"
export SIFT__KAFKA__BROKERS="127.0.0.1:$port" SIFT__HTTP__HOST=127.0.0.1 SIFT__HTTP__PORT="$http"
export SIFT__LOG__LEVEL=warn SIFT__KAFKA__SESSION_TIMEOUT_MS=6000 SIFT__PIPELINE__DRAIN_TIMEOUT_MS=3000
export SIFT__KAFKA__PRODUCER_PROPERTIES__MESSAGE_MAX_BYTES=16000000
export SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_MAX_BYTES=52428800
# Client settings for this broker, used by every client of the run (worker, passthrough,
# producer); see README "Performance" for why. Override any of them from the environment.
export SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_WAIT_MAX_MS="${SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_WAIT_MAX_MS:-10}"
export SIFT__KAFKA__CONSUMER_PROPERTIES__MAX_PARTITION_FETCH_BYTES="${SIFT__KAFKA__CONSUMER_PROPERTIES__MAX_PARTITION_FETCH_BYTES:-16777216}"
client_env=$(env | grep '^SIFT__KAFKA__\(CONSUMER\|PRODUCER\)_PROPERTIES\|^SIFT__KAFKA__LINGER' | sort | tr '\n' ' ')
"$sift" topics --partitions "$partitions" >/dev/null
for t in pages.raw.passthrough pages.lat pages.lat.passthrough; do
  SIFT__TOPICS__INPUT=$t "$sift" topics --partitions "$partitions" >/dev/null
done

python3 "$root/scripts/gen_pages.py" "$n" --html-share "$html_share" --shared "$shared" >"$work/pages.jsonl"
mib=$(( $(stat -c %s "$work/pages.jsonl") / 1024 / 1024 ))
note "input: $n pages ($html_share HTML, 20 % copies), $mib MiB; tansu storage $storage; port $port"
R[load_start]="\"$(load)\""

# measure OUT CMD...: run CMD, write "wall_s cpu_s maxrss_mib" of it (children included) to OUT.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.time()
rc = subprocess.call(sys.argv[2:])
wall = time.time() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss / 1024:.0f}\n")
sys.exit(rc)
PY
}

# 1. Produce the backlog.
measure "$work/m.txt" "$sift" produce "$work/pages.jsonl" >/dev/null 2>&1
read -r pr_wall _ _ <"$work/m.txt"
note "produced $n pages in ${pr_wall}s ($(py "round($n/$pr_wall,1)") pages/s)"
R[produce_pages_per_s]=$(py "round($n/$pr_wall,1)")

# 2. Passthrough baseline over the backlog.
pt=$("$passthrough" "$n" 2>/dev/null | tail -1)
pt_rate=$(echo "$pt" | sed -E 's/.*= ([0-9.]+) msg\/s.*/\1/')
pt_cpu=$(echo "$pt" | sed -E 's/.*cpu ([0-9.]+) s.*/\1/')
note "$pt"
R[passthrough_msgs_per_s]=$pt_rate; R[passthrough_cpu_s]=$pt_cpu
R[passthrough_load]="\"$(load)\""

# 3. Throughput, file path vs Kafka path, in alternating rounds: each round runs `sift process`
# on the pages, then a fresh worker (its own consumer group and an empty state topic of its own,
# so it does the same work as the file path) drains the whole backlog. A round at BENCH_N=5000
# lasts only ~6 s per path, and the machine's load changes between runs, so the ratio of each
# round (two measurements minutes apart would not pair) and the median over rounds are reported.
metrics() { curl -fs "http://127.0.0.1:$http/metrics"; }
done_count() { metrics | awk '/^sift_records_produced_total\{output="(clean|duplicates|rejected)"\}/ {s+=$2} END {print s+0}'; }
cpu_of() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }   # utime+stime (USER_HZ = 100)
median() { python3 -c 'import statistics, sys; print(round(statistics.median(float(x) for x in sys.argv[1:]), 3))' "$@"; }
rounds=$(py "max(1, int('${BENCH_TPUT_ROUNDS:-3}'))")
p_rates=(); p_cores=(); k_rates=(); k_cores=(); k_cpus=(); r_wall=(); r_cpu=()
for r in $(seq 1 "$rounds"); do
  measure "$work/m.txt" "$sift" process "$work/pages.jsonl" >/dev/null 2>"$work/process.err"
  read -r p_wall p_cpu p_rss <"$work/m.txt"
  p_rate=$(py "round($n/$p_wall,1)"); p_core=$(py "round($n/max($p_cpu,1e-9),1)")
  note "round $r/$rounds: sift process: $p_rate pages/s wall, $p_core pages per CPU-second, peak RSS $p_rss MiB"
  R[process_rss_mib]=$p_rss
  # The last round's worker keeps the default group and state topic and stays up for step 4.
  if [ "$r" -lt "$rounds" ]; then
    export SIFT__KAFKA__GROUP_ID="sift-tput-$r" SIFT__TOPICS__STATE="sift.state.tput$r"
    "$sift" topics --partitions "$partitions" >/dev/null
  fi
  "$sift" run >"$work/worker.log" 2>&1 &
  wpid=$!
  start=""; c=0
  for _ in $(seq 1 36000); do
    c=$(done_count 2>/dev/null || echo 0)
    if [ -z "$start" ] && [ "$c" -gt 0 ]; then start=$(date +%s.%N); first=$c; cpu0=$(cpu_of "$wpid"); fi
    [ "$c" -ge "$n" ] && break
    kill -0 "$wpid" 2>/dev/null || { echo "worker died; see log:" >&2; tail -20 "$work/worker.log" >&2; exit 1; }
    sleep 0.1
  done
  end=$(date +%s.%N); cpu1=$(cpu_of "$wpid")
  [ "$c" -ge "$n" ] || { echo "worker processed only $c of $n pages" >&2; exit 1; }
  tput=$(py "round(($n-$first)/($end-$start),1)")
  w_cpu=$(py "round($cpu1-$cpu0,2)")
  w_core=$(py "round(($n-$first)/max($cpu1-$cpu0,1e-9),1)")
  note "round $r/$rounds: kafka path: $tput pages/s over $(py "round($end-$start,1)") s, $w_core pages per CPU-second of the worker ($w_cpu CPU-s); kafka/process $(py "round($tput/$p_rate,3)") wall, $(py "round($w_core/$p_core,3)") per CPU-second"
  p_rates+=("$p_rate"); p_cores+=("$p_core"); k_rates+=("$tput"); k_cores+=("$w_core"); k_cpus+=("$w_cpu")
  r_wall+=("$(py "$tput/$p_rate")"); r_cpu+=("$(py "$w_core/$p_core")")
  if [ "$r" -lt "$rounds" ]; then
    kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
    unset SIFT__KAFKA__GROUP_ID SIFT__TOPICS__STATE
  fi
done
jlist() { python3 -c 'import json, sys; print(json.dumps([round(float(x), 3) for x in sys.argv[1:]]))' "$@"; }
p_rate=$(median "${p_rates[@]}"); p_core=$(median "${p_cores[@]}")
tput=$(median "${k_rates[@]}"); w_core=$(median "${k_cores[@]}")
R[process_pages_per_s]=$p_rate; R[process_pages_per_cpu_s]=$p_core
R[process_load]="\"$(load)\""
R[kafka_pages_per_s]=$tput; R[kafka_pages_per_cpu_s]=$w_core; R[kafka_worker_cpu_s]=$(median "${k_cpus[@]}")
R[kafka_load]="\"$(load)\""
R[tput_rounds]=$rounds
R[kafka_vs_process_wall]=$(median "${r_wall[@]}")
R[kafka_vs_process_per_cpu]=$(median "${r_cpu[@]}")
R[kafka_vs_process_wall_rounds]=$(jlist "${r_wall[@]}")
R[kafka_vs_process_per_cpu_rounds]=$(jlist "${r_cpu[@]}")
R[kafka_vs_passthrough_wall]=$(py "round($tput/$pt_rate,3)")
note "median of $rounds rounds: sift process $p_rate pages/s ($p_core per CPU-s), kafka path $tput pages/s ($w_core per CPU-s); kafka/process ${R[kafka_vs_process_wall]} wall (rounds ${R[kafka_vs_process_wall_rounds]}), ${R[kafka_vs_process_per_cpu]} per CPU-second (rounds ${R[kafka_vs_process_per_cpu_rounds]})"

# 4. Latency at 50 % and 90 % of saturation, worker then passthrough at the same rates.
hq="$root/scripts/hist_quantiles.py"
quantiles() { # BEFORE AFTER -> end-to-end latency p50 p99 count (seconds) between two /metrics dumps
  python3 "$hq" sift_end_to_end_latency_seconds "$2" "$1"
}
phases() { # where the latency went (sift_latency_phase_seconds delta, src/kafka/timing.rs): p50/p99 per phase
  python3 "$hq" sift_latency_phase_seconds "$2" "$1" --phases
}
for share in 0.5 0.9; do
  pct=$(py "int($share*100)")
  rate=$(py "round($tput*$share,1)")
  m=$(py "max(100, int($tput*$share*$lat_secs))")
  python3 "$root/scripts/gen_pages.py" "$m" --html-share "$html_share" --shared "$shared" --seed "$pct" \
    | sed "s/\"bench-/\"lat$pct-/g" >"$work/lat$pct.jsonl"
  metrics >"$work/before.txt"; before=$(done_count)
  bpid=$(cat "$work/tansu.pid"); w0=$(cpu_of "$wpid"); b0=$(cpu_of "$bpid"); t0=$(date +%s.%N)
  measure "$work/m.txt" "$sift" produce "$work/lat$pct.jsonl" --rate "$rate" >/dev/null 2>&1
  for _ in $(seq 1 600); do [ "$(done_count)" -ge $((before + m)) ] && break; sleep 0.1; done
  metrics >"$work/after.txt"
  w1=$(cpu_of "$wpid"); b1=$(cpu_of "$bpid"); t1=$(date +%s.%N); read -r _ g_cpu _ <"$work/m.txt"
  read -r p50 p99 cnt < <(quantiles "$work/before.txt" "$work/after.txt")
  note "worker latency at $pct % ($rate pages/s, $cnt pages): p50 ${p50}s p99 ${p99}s"
  # How busy the machine was with this benchmark alone: "50 % of saturation" is half the drain
  # rate of a backlog, but at a steady rate the broker (tansu's memory storage lists a partition's
  # stored batches on every fetch) and the load generator need CPU beside the worker.
  busy=$(py "round(($w1-$w0+$b1-$b0+$g_cpu)/(($t1-$t0)*$(nproc)),2)")
  note "CPU during it: worker $(py "round($w1-$w0,1)") s, broker $(py "round($b1-$b0,1)") s, load generator $g_cpu s over $(py "round($t1-$t0,1)") s: $busy of the $(nproc) cores"
  R[lat_cpu_share_at_$pct]=$busy
  phases "$work/before.txt" "$work/after.txt"
  R[rate_at_$pct]=$rate; R[p50_at_$pct]=$p50; R[p99_at_$pct]=$p99; R[lat_pages_at_$pct]=$cnt
  R[lat_load_at_$pct]="\"$(load)\""
done
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
R[worker_peak_rss_mib]=$((rss_kb / 1024))
note "worker peak RSS: $((rss_kb / 1024)) MiB"
kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
for share in 0.5 0.9; do
  pct=$(py "int($share*100)")
  m=$(wc -l <"$work/lat$pct.jsonl")
  SIFT__TOPICS__INPUT=pages.lat SIFT__KAFKA__GROUP_ID="pt-lat-$pct" "$passthrough" "$m" >"$work/pt$pct.txt" 2>/dev/null &
  ppid_=$!
  sleep 6   # let it join the group before the first message
  SIFT__TOPICS__INPUT=pages.lat "$sift" produce "$work/lat$pct.jsonl" --rate "${R[rate_at_$pct]}" 2>/dev/null
  for _ in $(seq 1 600); do kill -0 "$ppid_" 2>/dev/null || break; sleep 0.1; done
  kill "$ppid_" 2>/dev/null || true; wait "$ppid_" 2>/dev/null || true; ppid_=""
  line=$(tail -1 "$work/pt$pct.txt")
  pp50=$(echo "$line" | sed -nE 's/.*p50 ([0-9.]+) s.*/\1/p'); pp99=$(echo "$line" | sed -nE 's/.*p99 ([0-9.]+) s.*/\1/p')
  note "passthrough latency at the $pct % rate: p50 ${pp50:-?}s p99 ${pp99:-?}s"
  R[passthrough_p50_at_$pct]=${pp50:-null}; R[passthrough_p99_at_$pct]=${pp99:-null}
done

# 5. RSS of the stateful window.
if [ -n "$window" ]; then
  # shellcheck disable=SC2086
  "$window_rss" $window | tee "$work/window.txt"
  while read -r _ docs rss _; do
    d=${docs#docs=}; r=${rss#rss_mib=}
    R[window_rss_mib_at_$d]=$r
  done < <(grep '^window_rss: docs=' "$work/window.txt")
  R[window_load]="\"$(load)\""
fi

# 6. trafilatura vs sift on the HTML pages (WCXB dev), same scorer.
if [ "$with_traf" = 1 ]; then
  venv="$cache/trafilatura-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import trafilatura' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "trafilatura==2.3.1" "lxml_html_clean==0.4.6"
  fi
  "$venv/bin/python" "$root/scripts/trafilatura_extract.py" "$wcxb" "$work/traf.jsonl" 2>"$work/traf.err"
  t_speed=$(sed -nE 's/.* ([0-9.]+) pages per CPU-second.*/\1/p' "$work/traf.err")
  "$sift" eval extract --gold "$wcxb" --predictions "$work/traf.jsonl" >"$work/traf.score"
  "$sift" eval extract --gold "$wcxb" >"$work/sift.score" 2>/dev/null
  t_f1=$(awk '$1=="all" {print $5}' "$work/traf.score"); s_f1=$(awk '$1=="all" {print $5}' "$work/sift.score")
  s_speed=$(sed -nE 's/^speed: ([0-9.]+) pages\/s per core.*/\1/p' "$work/sift.score")
  note "extraction on WCXB dev HTML: sift F1 $s_f1 at $s_speed pages per CPU-second; trafilatura F1 $t_f1 at $t_speed"
  R[sift_extract_f1]=$s_f1; R[sift_extract_pages_per_cpu_s]=$s_speed
  R[trafilatura_extract_f1]=$t_f1; R[trafilatura_extract_pages_per_cpu_s]=${t_speed:-null}
  R[extract_load]="\"$(load)\""
fi

R[load_end]="\"$(load)\""
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
{
  printf '{"stamp": "%s", "pages": %s, "input_mib": %s, "html_share": %s, "partitions": %s, "tansu_storage": "%s", "cores": %s, "cpu": "%s", "client_env": "%s"' \
    "$stamp" "$n" "$mib" "$html_share" "$partitions" "$storage" "$(nproc)" "$cpu_model" "$client_env"
  for k in $(printf '%s\n' "${!R[@]}" | sort); do printf ', "%s": %s' "$k" "${R[$k]}"; done
  echo "}"
} >"$json"
python3 - "$json" "$md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = lambda k: r.get(k, "n/a")
rows = [
    ("sift process (file path)", f"{g('process_pages_per_s')} pages/s, {g('process_pages_per_cpu_s')} pages/CPU-s", g("process_load")),
    ("passthrough (no processing)", f"{g('passthrough_msgs_per_s')} msg/s", g("passthrough_load")),
    ("sift run (Kafka path)", f"{g('kafka_pages_per_s')} pages/s, {g('kafka_pages_per_cpu_s')} pages/CPU-s of the worker", g("kafka_load")),
    ("kafka / process", f"{g('kafka_vs_process_wall')} wall, {g('kafka_vs_process_per_cpu')} per CPU-second (target >= 0.75; median of {g('tput_rounds')} alternating rounds: wall {g('kafka_vs_process_wall_rounds')}, per CPU-second {g('kafka_vs_process_per_cpu_rounds')})", ""),
    ("kafka / passthrough", f"{g('kafka_vs_passthrough_wall')}", ""),
    ("latency at 50 % (worker / passthrough)", f"p50 {g('p50_at_50')} s p99 {g('p99_at_50')} s at {g('rate_at_50')} pages/s / p50 {g('passthrough_p50_at_50')} s p99 {g('passthrough_p99_at_50')} s (target p99 <= 0.1 s)", g("lat_load_at_50")),
    ("CPU share of the benchmark's processes at 50 % / 90 % (worker + broker + load generator)", f"{g('lat_cpu_share_at_50')} / {g('lat_cpu_share_at_90')} of all cores", ""),
    ("latency at 90 % (worker / passthrough)", f"p50 {g('p50_at_90')} s p99 {g('p99_at_90')} s at {g('rate_at_90')} pages/s / p50 {g('passthrough_p50_at_90')} s p99 {g('passthrough_p99_at_90')} s", g("lat_load_at_90")),
    ("worker peak RSS", f"{g('worker_peak_rss_mib')} MiB", ""),
    ("window RSS 100k / 1M docs", f"{g('window_rss_mib_at_100000')} / {g('window_rss_mib_at_1000000')} MiB (target <= 400 at 1M)", g("window_load")),
    ("extraction, WCXB dev HTML: sift", f"F1 {g('sift_extract_f1')}, {g('sift_extract_pages_per_cpu_s')} pages/CPU-s", g("extract_load")),
    ("extraction, WCXB dev HTML: trafilatura 2.3.1", f"F1 {g('trafilatura_extract_f1')}, {g('trafilatura_extract_pages_per_cpu_s')} pages/CPU-s", ""),
]
with open(sys.argv[2], "w") as f:
    f.write(f"# e2e bench {r['stamp']}\n\n{r['pages']} pages ({r['input_mib']} MiB, {r['html_share']} HTML, 20 % copies), "
            f"{r['partitions']} partitions, tansu {r['tansu_storage']} storage, {r['cores']} cores ({r['cpu']}); "
            f"load {r.get('load_start')} at start, {r.get('load_end')} at end.\nClient settings: `{r['client_env']}`\n\n"
            "| what | result | load (1/5/15 min) |\n|---|---|---|\n")
    for a, b, c in rows:
        f.write(f"| {a} | {b} | {c} |\n")
print(open(sys.argv[2]).read())
PY
echo "results: $json $md"
