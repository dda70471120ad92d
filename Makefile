# sift — the two commands that matter:
#   make demo   run the worker on a local broker it starts itself, with sample pages
#   make test   the whole test suite (lint, unit, mock-cluster and real-broker tests)
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: demo test lint unit build release tansu eval bench bench-stages bench-e2e clean deploy-check soak window

demo:
	bash scripts/demo.sh

test: lint tansu
	SIFT_TANSU_BIN="$$(scripts/ensure-tansu.sh)" $(CARGO) test --locked --lib --bins --examples \
	  --test e2e_broker --test output_failure --test exactly_once \
	  --test security --test fuzz_decode_normalize --test hostile_input --test consistency_window \
	  -- --test-threads=2
	# Mock-cluster fault injection, one cluster at a time (timing-sensitive by nature).
	$(CARGO) test --locked --test mock_cluster -- --test-threads=1
	# Reliability under kill -9 (20 rounds under load), a broker restart and scaling 1 -> 3 -> 1:
	# one test at a time, each with its own broker and worker processes (5-8 min on 2 cores).
	SIFT_TANSU_BIN="$$(scripts/ensure-tansu.sh)" SIFT_CRASH_ROUNDS=20 \
	  $(CARGO) test --locked --test crash_recovery --test scaling -- --test-threads=1
	$(MAKE) deploy-check

# Dockerfile lint, manifest schemas, alert rules and their unit tests, and a real Prometheus
# scraping a running worker (installs hadolint/kubernetes-validate/prometheus if missing).
deploy-check:
	$(CARGO) build --locked
	SIFT_BIN=target/debug/sift bash deploy/test/validate.sh
	SIFT_BIN=target/debug/sift bash deploy/test/prometheus-e2e.sh

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --locked -- -D warnings

# Long reliability runs: 200 kill -9 rounds, 5x the hostile corpus, 20,000 proptest cases.
# (The 20-round kill -9, broker-restart and scaling tests run in `make test`.)
soak: tansu
	SIFT_TANSU_BIN="$$(scripts/ensure-tansu.sh)" SIFT_CRASH_ROUNDS=200 SIFT_HOSTILE_SCALE=5 PROPTEST_CASES=20000 \
	  $(CARGO) test --release --locked --test crash_recovery --test hostile_input --test fuzz_decode_normalize -- --test-threads=1
	$(MAKE) window

# Dedup's consistency window between two replicas on a real tansu broker (docs/dedup.md):
# miss rate of cross-replica copies by gap and input rate, state propagation p50/p99. Tables are
# appended to target/consistency-window.md. Override SIFT_WINDOW_RATES / _GAPS / _SECONDS /
# _WORKER_ENV (e.g. SIFT__KAFKA__STATE_FETCH_WAIT_MAX_MS=500) to compare settings.
window: tansu release
	SIFT_TANSU_BIN="$$(scripts/ensure-tansu.sh)" SIFT_BIN=target/release/sift \
	  SIFT_WINDOW_REPORT=$${SIFT_WINDOW_REPORT:-target/consistency-window.md} \
	  $(CARGO) test --locked --test consistency_window -- --ignored --nocapture consistency_window_full

unit:
	$(CARGO) test --lib --locked

build:
	$(CARGO) build --locked

release:
	$(CARGO) build --release --locked

tansu:
	@scripts/ensure-tansu.sh >/dev/null

eval: release
	./target/release/sift eval extract --gold $(SHARED)/datasets/wcxb-dev-articles.jsonl.gz
	./target/release/sift eval events --gold $(SHARED)/datasets/ecbplus-dev-events.jsonl.gz
	./target/release/sift eval dedup --gold $(SHARED)/datasets/wcxb-dev-articles.jsonl.gz \
	  --gold $(SHARED)/datasets/ecbplus-dev-events.jsonl.gz

# Performance (issue 7): criterion stage benchmarks, then the end-to-end run through a local
# broker it starts itself (scripts/bench-broker.sh: sift process vs Kafka path vs passthrough,
# latency at 50/90 % of saturation, RSS, window RSS at 100k/1M documents, trafilatura).
# Smaller run: make bench-e2e BENCH_N=5000. Results: bench/results/e2e-*.{json,md}.
BENCH_N ?= 50000
bench: bench-stages bench-e2e

bench-stages:
	$(CARGO) bench --locked

bench-e2e: tansu
	BENCH_N=$(BENCH_N) bash scripts/bench-broker.sh

clean:
	$(CARGO) clean
