# sift — the two commands that matter:
#   make demo   run the worker on a local broker it starts itself, with sample pages
#   make test   the whole test suite (lint, unit, mock-cluster and real-broker tests)
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: demo test lint unit build release tansu eval bench clean deploy-check

demo:
	bash scripts/demo.sh

test: lint tansu
	SIFT_TANSU_BIN="$$(scripts/ensure-tansu.sh)" $(CARGO) test --lib --bins --tests --examples --locked -- --test-threads=2
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
	./target/release/sift eval dedup --gold $(SHARED)/datasets/wcxb-dev-articles.jsonl.gz

bench:
	$(CARGO) bench --locked

clean:
	$(CARGO) clean
