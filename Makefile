# sift — the two commands that matter:
#   make demo   run the worker on a local broker it starts itself, with sample pages
#   make test   the whole test suite (lint, unit, mock-cluster and real-broker tests)
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: demo test lint unit build release tansu eval bench clean deploy-check soak

demo:
	bash scripts/demo.sh

test: lint tansu
	SIFT_TANSU_BIN="$$(scripts/ensure-tansu.sh)" $(CARGO) test --locked --lib --bins --examples \
	  --test e2e_broker --test output_failure --test exactly_once \
	  --test security --test fuzz_decode_normalize --test hostile_input -- --test-threads=2
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

bench:
	$(CARGO) bench --locked

clean:
	$(CARGO) clean
