#!/usr/bin/env bash
# End-to-end check of the monitoring setup against a real worker and a real Prometheus, all on
# 127.0.0.1 and bounded in time (~1-2 minutes, hard limit E2E_TIMEOUT_S, default 170 s):
#   1. a local tansu broker (scripts/broker.sh) on a free port; topics; the seed pages (twice,
#      so dedup sees copies) and some malformed messages (so dead-letter metrics move);
#   2. Prometheus (Debian's binary) scraping the worker every second, with alerts.yml loaded;
#   3. `sift run`; the Dockerfile's HEALTHCHECK command, /healthz and /readyz against it;
#   4. every dashboard and alert expression through Prometheus' HTTP API (must evaluate; the
#      dashboard's must return data), key series must have moved, the loaded rules must
#      evaluate; every metric the dashboard and alerts name must be in the worker's /metrics;
#   5. SIGTERM: the worker must drain and exit 0 within pipeline.shutdown_timeout_ms.
# Set E2E_KEEP=1 to keep the work directory (logs, /metrics dump, Prometheus data).
# Builds nothing: the binary is $SIFT_BIN, else target/release/sift, else target/debug/sift.
# Everything started here is stopped on exit. Ends with `deploy checks: N passed, M failed`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=deploy/test/lib.sh
. deploy/test/lib.sh

SIFT="$(find_sift "$ROOT")"
ensure_venv
ensure_prometheus
SEEDS="${SIFT_SEEDS:-$ROOT/../shared/seeds/pages.jsonl}"
[ -f "$SEEDS" ] || die "seed pages not found at $SEEDS (set SIFT_SEEDS)"
TANSU="$(scripts/ensure-tansu.sh)" || die "no tansu broker binary (scripts/ensure-tansu.sh)"
[ -x "$TANSU" ] || die "no tansu broker binary (scripts/ensure-tansu.sh)"

LIMIT="${E2E_TIMEOUT_S:-170}"
START=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sift-deploy-e2e.XXXXXX")"
SIFT_PID=""
PROM_PID=""
WATCHDOG_PID=""
PARTITIONS=2

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$WATCHDOG_PID" ] && kill -TERM "$WATCHDOG_PID" 2>/dev/null || true
  if [ -n "$SIFT_PID" ] && kill -0 "$SIFT_PID" 2>/dev/null; then
    kill -TERM "$SIFT_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SIFT_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SIFT_PID" 2>/dev/null || true
  fi
  if [ -n "$PROM_PID" ] && kill -0 "$PROM_PID" 2>/dev/null; then
    kill -TERM "$PROM_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PROM_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$PROM_PID" 2>/dev/null || true
  fi
  local broker_pid=""
  [ -f "$WORK/broker/tansu.pid" ] && broker_pid="$(cat "$WORK/broker/tansu.pid")"
  bash scripts/broker.sh stop "$WORK/broker" 2>/dev/null || true
  if [ -n "$broker_pid" ]; then
    for _ in $(seq 1 50); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
    for log in sift.log prometheus.log broker/tansu.log; do
      if [ -s "$WORK/$log" ]; then
        say "---- last lines of $log"
        tail -n 25 "$WORK/$log"
      fi
    done
  fi
  if [ -n "${E2E_KEEP:-}" ]; then say "kept $WORK (E2E_KEEP)"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Hard time limit: the watchdog signals this script, whose EXIT trap stops everything else.
# Its output is closed so that a pipe reading this script's output is not held open.
trap 'fail "e2e exceeded its time limit of ${LIMIT}s"; exit 124' USR1
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$LIMIT" & sleeper=$!
  wait "$sleeper" && kill -USR1 $$
) >/dev/null 2>&1 &
WATCHDOG_PID=$!

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Wait up to $1 seconds for a command to succeed.
wait_for() {
  local secs="$1"; shift
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.5
  done
}

KAFKA_PORT="$(free_port)"
OPS_PORT="$(free_port)"
PROM_PORT="$(free_port)"
while [ "$OPS_PORT" = "$KAFKA_PORT" ]; do OPS_PORT="$(free_port)"; done
while [ "$PROM_PORT" = "$KAFKA_PORT" ] || [ "$PROM_PORT" = "$OPS_PORT" ]; do PROM_PORT="$(free_port)"; done

# Worker settings: loopback only, fast group and stats timings for a test.
unset SIFT_CONFIG
export SIFT__KAFKA__BROKERS="127.0.0.1:$KAFKA_PORT"
export SIFT__KAFKA__GROUP_ID="sift-e2e"
export SIFT__KAFKA__SESSION_TIMEOUT_MS=6000
export SIFT__KAFKA__STATISTICS_INTERVAL_MS=1000
export SIFT__PIPELINE__DRAIN_TIMEOUT_MS=3000
export SIFT__PIPELINE__SHUTDOWN_TIMEOUT_MS=15000
export SIFT__HTTP__HOST=127.0.0.1
export SIFT__HTTP__PORT="$OPS_PORT"
export SIFT__LOG__FORMAT=text
export SIFT__LOG__LEVEL=info

say "== broker 127.0.0.1:$KAFKA_PORT, worker ops 127.0.0.1:$OPS_PORT, prometheus 127.0.0.1:$PROM_PORT ($SIFT)"
if bash scripts/broker.sh start "$WORK/broker" "$KAFKA_PORT"; then
  pass "tansu broker started"
else
  fail "tansu broker did not start"; exit 1
fi
if "$SIFT" topics --partitions "$PARTITIONS" >"$WORK/topics.log" 2>&1; then
  pass "sift topics created the topics ($PARTITIONS partitions)"
else
  cat "$WORK/topics.log"; fail "sift topics"; exit 1
fi
# First batch before the worker starts; the second (copies and malformed messages) once
# Prometheus has seen the worker's counters, so the dead-letter and dedup counters move in view.
cat "$SEEDS" "$SEEDS" >"$WORK/batch1.jsonl"
{
  cat "$SEEDS"
  printf '%s\n' '{"url": "http://example.invalid/a"' '{"id": 42, "body": []}' \
    '{"url": "http://example.invalid/empty", "body": ""}' '{"body": "x", "content_type": "application/pdf"}'
} >"$WORK/batch2.jsonl"
EXPECTED=$(grep -c . "$WORK/batch1.jsonl")
if "$SIFT" produce "$WORK/batch1.jsonl" >"$WORK/produce.log" 2>&1; then
  pass "produced $EXPECTED seed messages (each page twice)"
else
  cat "$WORK/produce.log"; fail "sift produce"; exit 1
fi

mkdir -p "$WORK/prom"
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $ROOT/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: sift
    static_configs:
      - targets: ["127.0.0.1:$OPS_PORT"]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
if wait_for 30 curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready"; then
  pass "prometheus ready (alert rules loaded)"
else
  fail "prometheus did not become ready"; exit 1
fi

"$SIFT" run >"$WORK/sift.log" 2>&1 &
SIFT_PID=$!
if wait_for 20 curl -fsS "http://127.0.0.1:$OPS_PORT/healthz"; then
  pass "worker /healthz answers 200"
else
  fail "worker /healthz did not answer"; exit 1
fi
# The Dockerfile's HEALTHCHECK command, run as Docker would (exec form), against this worker.
HC_JSON="$(sed -n 's/^ *CMD \(\[.*\]\)$/\1/p' deploy/Dockerfile | head -n1)"
mapfile -t HC < <("$PY" -c 'import json,sys; [print(a) for a in json.loads(sys.argv[1])]' "$HC_JSON")
if [ "${#HC[@]}" -gt 0 ] && timeout 5 "${HC[@]}"; then
  pass "Dockerfile HEALTHCHECK command succeeds against the worker"
else
  fail "Dockerfile HEALTHCHECK command failed against the worker: ${HC[*]:-not found}"
fi
if SIFT__HTTP__PORT="$KAFKA_PORT" timeout 5 "${HC[@]}" 2>/dev/null; then
  fail "HEALTHCHECK must fail when /healthz does not answer 200"
else
  pass "HEALTHCHECK fails against a port that is not the ops server"
fi

# Readiness needs the state replay and a partition assignment (tansu may take ~30 s for it).
if wait_for 90 curl -fsS "http://127.0.0.1:$OPS_PORT/readyz"; then
  pass "worker /readyz answers 200 after $((SECONDS - START)) s"
else
  curl -sS "http://127.0.0.1:$OPS_PORT/readyz" || true
  fail "worker did not become ready"; exit 1
fi
consumed() {
  curl -fsS "http://127.0.0.1:$OPS_PORT/metrics" | awk '$1 == "sift_records_consumed_total" {print $2}'
}
all_consumed() { [ "$(consumed)" = "$EXPECTED" ]; }
if wait_for 45 all_consumed; then
  pass "worker consumed all $EXPECTED messages"
else
  fail "worker consumed $(consumed || echo '?') of $EXPECTED messages"
fi
# Let Prometheus scrape the settled counters, then the second batch, then a few more scrapes.
sleep 3
N2=$(grep -c . "$WORK/batch2.jsonl")
if "$SIFT" produce "$WORK/batch2.jsonl" >>"$WORK/produce.log" 2>&1; then
  EXPECTED=$((EXPECTED + N2))
  pass "produced $N2 more messages (seed copies and 4 malformed)"
else
  fail "sift produce (second batch)"
fi
if wait_for 45 all_consumed; then
  pass "worker consumed all $EXPECTED messages"
else
  fail "worker consumed $(consumed || echo '?') of $EXPECTED messages"
fi
sleep 5

say "== queries through the Prometheus HTTP API"
run_checks "$PY" deploy/test/checks.py query "http://127.0.0.1:$PROM_PORT" \
  --job sift --rate-interval 30s --partitions "$PARTITIONS" --wait 25

say "== metric names"
curl -fsS "http://127.0.0.1:$OPS_PORT/metrics" >"$WORK/metrics.txt"
run_checks "$PY" deploy/test/checks.py metric-names "$WORK/metrics.txt"

say "== graceful shutdown"
T0=$SECONDS
kill -TERM "$SIFT_PID"
set +e
wait "$SIFT_PID"
RC=$?
set -e
SIFT_PID=""
if [ "$RC" -eq 0 ] && [ $((SECONDS - T0)) -le 16 ]; then
  pass "worker exited 0 within $((SECONDS - T0)) s of SIGTERM (shutdown limit 15 s)"
else
  fail "worker exit after SIGTERM: code $RC after $((SECONDS - T0)) s"
fi

say "(e2e took $((SECONDS - START)) s)"
summary
