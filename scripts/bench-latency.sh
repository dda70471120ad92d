#!/usr/bin/env bash
# Latency A/B at a fixed input rate through a real tansu broker (issue 7's p99 target), for
# comparing worker builds on a loaded machine: the same pages at the same rate go through each
# given build of `sift run` in turn, then through the passthrough baseline (examples/passthrough.rs,
# same client settings, no processing), all against one broker, in one run. Prints p50/p99 of
# each worker's end-to-end histogram and, when the build exports it, of each phase of
# `sift_latency_phase_seconds` (src/kafka/timing.rs), plus the passthrough's exact p50/p99.
#
# usage: scripts/bench-latency.sh RATE SECONDS BIN_DIR [BIN_DIR...]
#   each BIN_DIR holds `sift` (its own `sift produce` feeds its worker) and the last one also
#   `passthrough`; e.g. a copy of an older build and target/release. Env: BENCH_HTML_SHARE (0.5), BENCH_PARTITIONS (4), BENCH_ROUNDS (1: how
#   many times to alternate the builds), BENCH_PORT (a free port), SIFT__... client overrides.
#   Like scripts/bench-broker.sh, each worker first drains BENCH_WARMUP (500) other pages produced
#   at full speed, idles BENCH_IDLE (3) seconds, and only the timed pages count (histogram delta).
#   Worker logs (with `sift::latency=debug` slow-page lines) stay in $BENCH_KEEP if set.
#   A BIN_DIR may hold a file `env` (VAR=value lines, e.g. SIFT__KAFKA__STATE_LINGER_MS=5): set
#   for that worker only (not its load generator), so settings can be A/B'd like builds. Each
#   worker's CPU seconds and the broker's during its timed phase are printed (tansu's memory
#   storage lists every stored batch of a partition on each fetch, so its CPU grows with a run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"; cd "$root"
rate="${1:?RATE}"; secs="${2:?SECONDS}"; shift 2
[ $# -ge 1 ] || { echo "usage: $0 RATE SECONDS BIN_DIR..." >&2; exit 2; }
bins=("$@")
shared="${SHARED:-$root/../shared}"
partitions="${BENCH_PARTITIONS:-4}"
rounds="${BENCH_ROUNDS:-1}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="${BENCH_PORT:-$(free_port)}"; http=$(free_port)
work="$(mktemp -d -t sift-lat.XXXXXX)"; wpid=""
cleanup() {
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
  "$root/scripts/broker.sh" stop "$work"
  if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP"; cp "$work"/*.log "$work"/*.prom "$BENCH_KEEP"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
py() { python3 -c "print($1)"; }
cpu_of() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }   # utime+stime (USER_HZ = 100)
threads_cpu() { # PID -> "tid name ticks" per thread (name may contain spaces: kept between parens)
  for t in /proc/"$1"/task/*; do
    sed -E 's/^([0-9]+) \((.*)\) [A-Za-z] (([^ ]+ ){10})([0-9]+) ([0-9]+).*/\1 \2|\5 \6/' "$t/stat" 2>/dev/null |
      awk -F'|' '{split($2, a, " "); print $1 "|" a[1] + a[2]}'
  done
}
note() { echo "[$(date -u +%H:%M:%S) load $(load)] $*"; }
export TANSU_STORAGE="${TANSU_STORAGE:-memory://tansu/}"
"$root/scripts/broker.sh" start "$work" "$port"
export SIFT__KAFKA__BROKERS="127.0.0.1:$port" SIFT__HTTP__HOST=127.0.0.1 SIFT__HTTP__PORT="$http"
export SIFT__KAFKA__SESSION_TIMEOUT_MS=6000 SIFT__PIPELINE__DRAIN_TIMEOUT_MS=3000
export SIFT__KAFKA__PRODUCER_PROPERTIES__MESSAGE_MAX_BYTES=16000000
export SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_MAX_BYTES=52428800
export SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_WAIT_MAX_MS="${SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_WAIT_MAX_MS:-10}"
export SIFT__KAFKA__CONSUMER_PROPERTIES__MAX_PARTITION_FETCH_BYTES="${SIFT__KAFKA__CONSUMER_PROPERTIES__MAX_PARTITION_FETCH_BYTES:-16777216}"
m=$(python3 -c "print(max(50, int($rate*$secs)))")
warm="${BENCH_WARMUP:-500}"
python3 "$root/scripts/gen_pages.py" "$m" --html-share "${BENCH_HTML_SHARE:-0.5}" --shared "$shared" --seed 50 >"$work/pages.jsonl"
python3 "$root/scripts/gen_pages.py" "$warm" --html-share "${BENCH_HTML_SHARE:-0.5}" --shared "$shared" --seed 51 \
  | sed 's/"bench-/"warm-/g' >"$work/warm.jsonl"
note "$m pages at $rate pages/s, $partitions partitions, broker port $port"

quantiles() { # ID METRIC [PHASE] -> "p50 p99 count" (seconds) of the timed phase (after - before)
  python3 "$root/scripts/hist_quantiles.py" "$2" "$work/$1.after.prom" "$work/$1.before.prom" ${3:+--phase "$3"}
}
done_count() { curl -fs "http://127.0.0.1:$http/metrics" | awk '/^sift_records_produced_total\{output="(clean|duplicates|rejected)"\}/ {s+=$2} END {print s+0}'; }

run_worker() { # RUN_ID BIN_DIR
  local id=$1 dir=$2
  export SIFT__TOPICS__INPUT="lat.$id" SIFT__TOPICS__STATE="lat.$id.state" SIFT__KAFKA__GROUP_ID="lat-$id"
  "$dir/sift" topics --partitions "$partitions" >/dev/null
  : >"$work/$id.log"   # appended to by the worker and by the timed-phase marker below
  local extra=()
  [ -f "$dir/env" ] && mapfile -t extra < <(grep -v '^\s*\(#\|$\)' "$dir/env")
  env ${extra[@]+"${extra[@]}"} SIFT__LOG__LEVEL="warn,sift::latency=debug" "$dir/sift" run >>"$work/$id.log" 2>&1 &
  wpid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$http/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 4   # group join and assignment
  if [ "$warm" -gt 0 ]; then
    "$dir/sift" produce "$work/warm.jsonl" 2>/dev/null
    for _ in $(seq 1 1200); do [ "$(done_count)" -ge "$warm" ] && break; sleep 0.1; done
    sleep "${BENCH_IDLE:-3}"
  fi
  curl -fs "http://127.0.0.1:$http/metrics" >"$work/$id.before.prom"
  local w0 b0; w0=$(cpu_of "$wpid"); b0=$(cpu_of "$(cat "$work/tansu.pid")")
  threads_cpu "$wpid" >"$work/$id.threads0"
  echo "--- timed phase $(date -u +%H:%M:%S.%N)" >>"$work/$id.log"
  "$dir/sift" produce "$work/pages.jsonl" --rate "$rate" 2>"$work/$id.produce.log"
  for _ in $(seq 1 600); do [ "$(done_count)" -ge "$((m + warm))" ] && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$http/metrics" >"$work/$id.after.prom"
  local w1 b1; w1=$(cpu_of "$wpid"); b1=$(cpu_of "$(cat "$work/tansu.pid")")
  threads_cpu "$wpid" >"$work/$id.threads1"
  kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
  read -r p50 p99 cnt < <(quantiles "$id" sift_end_to_end_latency_seconds)
  note "worker $dir: end-to-end p50 ${p50}s p99 ${p99}s ($cnt pages); slow pages (>= 100 ms) logged: $(grep -c 'slow page' "$work/$id.log" || true)"
  echo "    producer: $(grep -o '"records.*' "$work/$id.produce.log" | head -1)"
  echo "    cpu during the timed phase: worker $(py "round($w1-$w0,2)") s, broker $(py "round($b1-$b0,2)") s${extra[*]+; env ${extra[*]}}"
  # The busiest threads of the worker during the timed phase (CPU seconds).
  echo "    threads: $(join -t'|' <(sort "$work/$id.threads0") <(sort "$work/$id.threads1") |
    awk -F'|' '{printf "%s|%.2f\n", $1, ($3 - $2) / 100}' | sort -t'|' -k2 -rn | head -7 |
    sed -E 's/^[0-9]+ //; s/\|/ /' | paste -sd, | sed 's/,/, /g')"
  if grep -q sift_latency_phase_seconds_bucket "$work/$id.after.prom"; then
    for ph in broker pool_wait prepare sequencer_wait state_ack output_ack; do
      read -r a b _ < <(quantiles "$id" sift_latency_phase_seconds "$ph")
      printf '    %-15s p50 %ss p99 %ss\n' "$ph" "$a" "$b"
    done
  fi
  unset SIFT__TOPICS__INPUT SIFT__TOPICS__STATE SIFT__KAFKA__GROUP_ID
}

for r in $(seq 1 "$rounds"); do
  i=0
  for dir in "${bins[@]}"; do
    run_worker "r$r-b$i" "$dir"; i=$((i + 1))
  done
done
# Passthrough at the same rate on the same pages (binaries of the last BIN_DIR).
sift0="${bins[-1]}/sift"
export SIFT__TOPICS__INPUT="lat.pt" SIFT__KAFKA__GROUP_ID="lat-pt"
"$sift0" topics --partitions "$partitions" >/dev/null
SIFT__TOPICS__INPUT="lat.pt.passthrough" "$sift0" topics --partitions "$partitions" >/dev/null
"${bins[-1]}/passthrough" "$m" >"$work/pt.log" 2>&1 &
ppid_=$!
sleep 6
"$sift0" produce "$work/pages.jsonl" --rate "$rate" 2>"$work/pt.produce.log"
echo "    producer: $(grep -o '"records.*' "$work/pt.produce.log" | head -1)"
for _ in $(seq 1 600); do kill -0 "$ppid_" 2>/dev/null || break; sleep 0.1; done
kill "$ppid_" 2>/dev/null || true; wait "$ppid_" 2>/dev/null || true
note "$(tail -2 "$work/pt.log")"
