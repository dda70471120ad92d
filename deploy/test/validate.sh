#!/usr/bin/env bash
# Offline validation of everything under deploy/ (no cluster, no Docker):
#   hadolint on the Dockerfile; every Kubernetes manifest against the Kubernetes schemas
#   (kubernetes-validate, strict) or, for CRDs and the Kustomization, against deploy/test/schemas/;
#   cross-checks between manifests, config and rules; the mounted config file through
#   `sift config`; promtool check rules + test rules; Grafana dashboard structure; and that every
#   alert has a unit test and a runbook section in docs/operations.md.
# Installs its tools on first use (see lib.sh). Uses the sift binary from $SIFT_BIN, else
# target/release/sift, else target/debug/sift (builds nothing).
# Prints PASS/FAIL lines and ends with `deploy checks: N passed, M failed`; exits non-zero on
# any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=deploy/test/lib.sh
. deploy/test/lib.sh

ensure_venv
ensure_prometheus
SIFT="$(find_sift "$ROOT")"
say "== tools: $("$DEPLOY_VENV/bin/hadolint" --version | head -n1); $(promtool --version 2>&1 | head -n1); sift at $SIFT"

say "== Dockerfile"
run_step "hadolint deploy/Dockerfile" "$DEPLOY_VENV/bin/hadolint" --failure-threshold info deploy/Dockerfile
if grep -qx 'target/' .dockerignore && grep -qx '.git/' .dockerignore; then
  pass ".dockerignore keeps target/ and .git/ out of the build context"
else
  fail ".dockerignore must exclude target/ and .git/"
fi
for want in 'USER 10001' 'EXPOSE 9464' 'HEALTHCHECK' 'AS build' 'AS runtime'; do
  if grep -q "$want" deploy/Dockerfile; then pass "Dockerfile has $want"; else fail "Dockerfile lacks $want"; fi
done

say "== Kubernetes manifests"
run_checks "$PY" deploy/test/checks.py manifests
if command -v kubectl >/dev/null 2>&1; then
  run_step "kubectl kustomize deploy/k8s renders" kubectl kustomize deploy/k8s --output /dev/null
else
  skip "kubectl kustomize render: kubectl not installed (the kustomization is checked by checks.py)"
fi

say "== sift configuration"
if out="$(env -u SIFT_CONFIG SIFT_CONFIG="$ROOT/deploy/k8s/sift.toml" "$SIFT" config 2>&1)" \
  && printf '%s\n' "$out" | grep -q 'group_id = "sift"'; then
  pass "deploy/k8s/sift.toml is accepted by \`sift config\`"
else
  printf '%s\n' "$out" | sed 's/^/    /'
  fail "deploy/k8s/sift.toml rejected by \`sift config\`"
fi
# The Deployment's per-pod client id and a secret-style librdkafka property from the environment.
if out="$(SIFT_CONFIG="$ROOT/deploy/k8s/sift.toml" SIFT__KAFKA__CLIENT_ID=sift-abc \
  SIFT__KAFKA__PROPERTIES__SASL_PASSWORD=hunter2 "$SIFT" config 2>&1)" \
  && printf '%s\n' "$out" | grep -q 'client_id = "sift-abc"' \
  && ! printf '%s\n' "$out" | grep -q hunter2; then
  pass "environment overrides the mounted file (client id set, secret redacted)"
else
  printf '%s\n' "$out" | sed 's/^/    /'
  fail "environment overrides of the mounted file"
fi
if env -u SIFT_CONFIG SIFT_CONFIG=/nonexistent/sift.toml "$SIFT" config >/dev/null 2>&1; then
  fail "a missing config file must be an error"
else
  pass "a missing config file is an error"
fi

say "== Prometheus rules"
run_step "promtool check rules deploy/prometheus/alerts.yml" promtool check rules deploy/prometheus/alerts.yml
run_step "promtool test rules deploy/prometheus/alerts_test.yml" promtool test rules deploy/prometheus/alerts_test.yml
run_checks "$PY" deploy/test/checks.py alerts-coverage

say "== Grafana dashboard"
run_checks "$PY" deploy/test/checks.py dashboard

summary
