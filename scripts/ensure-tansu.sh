#!/usr/bin/env bash
# Print the path of a tansu broker binary, building it once into a cache outside the clone.
# Cache: $SIFT_CACHE_DIR (default ~/.cache/sift). First build takes ~17 min on 2 cores.
set -euo pipefail
cache="${SIFT_CACHE_DIR:-$HOME/.cache/sift}"
version="${TANSU_VERSION:-0.6.0}"
bin="$cache/tansu/bin/tansu"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$version"; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
echo "building tansu $version into $cache/tansu (one time, ~17 min on 2 cores)..." >&2
cargo install tansu --version "$version" --locked --features dynostore,libsql \
  --root "$cache/tansu" >&2
echo "$bin"
