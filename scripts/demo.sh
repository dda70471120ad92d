#!/usr/bin/env bash
# One-command local demo: build sift, start a local Kafka-compatible broker (tansu) on loopback,
# create the topics, produce the sample pages, run the worker until they are processed, print
# the clean records and a metrics summary, then stop everything it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
samples="${SIFT_DEMO_PAGES:-$root/../shared/seeds/pages.jsonl}"
[ -f "$samples" ] || { echo "sample pages not found at $samples (set SIFT_DEMO_PAGES)" >&2; exit 1; }

echo "==> building sift (release)"
cargo build --release --quiet
sift="$root/target/release/sift"

work="$(mktemp -d -t sift-demo.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
http_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  "$root/scripts/broker.sh" stop "$work" || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> starting tansu on 127.0.0.1:$port (storage: $work)"
"$root/scripts/broker.sh" start "$work" "$port"
export SIFT__KAFKA__BROKERS="127.0.0.1:$port" SIFT__HTTP__HOST=127.0.0.1 SIFT__HTTP__PORT="$http_port"
export SIFT__LOG__LEVEL="${SIFT__LOG__LEVEL:-warn}" SIFT__KAFKA__SESSION_TIMEOUT_MS=6000 SIFT__PIPELINE__DRAIN_TIMEOUT_MS=3000

echo "==> creating topics"
"$sift" topics --partitions 1 >/dev/null

echo "==> producing sample pages from $samples (+ a verbatim copy under another id, + one bad message)"
input="$work/input.jsonl"
cp "$samples" "$input"
python3 - "$samples" >>"$input" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
copy = json.loads(lines[-1]); copy["id"] = "demo-copy-of-last-page"
print(json.dumps(copy))
print('{"id": "demo-bad", "body": 42}')
PY
total=$(grep -c . "$input")
"$sift" produce "$input"

echo "==> running the worker (ops: http://127.0.0.1:$http_port/metrics)"
"$sift" run >"$work/worker.log" 2>&1 &
worker_pid=$!
metric() { curl -fs "http://127.0.0.1:$http_port/metrics" 2>/dev/null | awk -v m="$1" '$1 ~ "^"m"({|$)" {s+=$2} END {print s+0}'; }
done_count=0
for _ in $(seq 1 600); do
  done_count=$(( $(metric 'sift_records_produced_total{output="clean"}') + $(metric 'sift_records_produced_total{output="duplicates"}') + $(metric 'sift_records_produced_total{output="rejected"}') ))
  [ "$done_count" -ge "$total" ] && break
  kill -0 "$worker_pid" 2>/dev/null || { echo "worker died:"; cat "$work/worker.log"; exit 1; }
  sleep 0.2
done
[ "$done_count" -ge "$total" ] || { echo "timed out; worker log:"; cat "$work/worker.log"; exit 1; }

echo
echo "==> pages.clean"
"$sift" tail pages.clean --idle-seconds 1 | python3 "$root/scripts/show_records.py" clean
echo
echo "==> pages.duplicates"
"$sift" tail pages.duplicates --idle-seconds 1 | python3 "$root/scripts/show_records.py" duplicates
echo
echo "==> pages.rejected"
"$sift" tail pages.rejected --idle-seconds 1 | python3 "$root/scripts/show_records.py" rejected
echo
echo "==> metrics summary"
curl -fs "http://127.0.0.1:$http_port/metrics" | grep -E '^sift_(records_consumed_total|records_produced_total|records_rejected_total\{reason="invalid_envelope"|dedup_verdicts_total|events_created_total|commits_total|consumer_lag|stage_duration_seconds_(sum|count))' || true
echo
echo "==> stopping (SIGTERM: drain, commit, exit 0)"
kill -TERM "$worker_pid"
wait "$worker_pid" && echo "worker exited cleanly"
worker_pid=""
