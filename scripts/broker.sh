#!/usr/bin/env bash
# Start or stop a local tansu broker on loopback (SQLite storage in DIR; TANSU_STORAGE=memory://tansu/
# keeps everything in the broker's memory instead).
#   scripts/broker.sh start DIR PORT   -> starts in background, waits until it accepts, writes DIR/tansu.pid
#   scripts/broker.sh stop DIR
set -euo pipefail
cmd="${1:?start|stop}"; dir="${2:?dir}"
here="$(cd "$(dirname "$0")" && pwd)"
case "$cmd" in
  start)
    port="${3:?port}"
    bin="$("$here/ensure-tansu.sh")"
    mkdir -p "$dir"
    # tansu resolves sqlite:// paths against its working directory.
    (cd "$dir" && exec "$bin" broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" \
      --storage-engine "${TANSU_STORAGE:-sqlite://tansu.db}" >tansu.log 2>&1) &
    pid=$!
    echo "$pid" >"$dir/tansu.pid"
    for _ in $(seq 1 100); do
      if grep -q "ready in" "$dir/tansu.log" 2>/dev/null; then exit 0; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "tansu did not start; see $dir/tansu.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/tansu.pid" ]; then
      kill "$(cat "$dir/tansu.pid")" 2>/dev/null || true
      rm -f "$dir/tansu.pid"
    fi
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
