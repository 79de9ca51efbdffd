# The project's verbs. Python tools live in a project-local .venv (created on demand).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
ARM64_TARGET := aarch64-unknown-linux-gnu

.PHONY: bench demo docs help venv venv-build test lint fmt unit e2e emulator-test template-lint build deploy emulator clean

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.test-tools: tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

$(VENV)/.build-tools: requirements-build.txt $(VENV)/.test-tools
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements-build.txt
	touch $@

venv: $(VENV)/.test-tools ## Create .venv with the emulator (moto) and cfn-lint

venv-build: $(VENV)/.build-tools ## Add the SAM CLI, cargo-lambda and zig to .venv

fmt: ## Format the Rust code
	$(CARGO) fmt --all

lint: venv ## rustfmt check, clippy -D warnings, cfn-lint
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(MAKE) --no-print-directory template-lint

template-lint: venv
	$(VENV)/bin/cfn-lint template.yaml

emulator-test: venv ## The emulator's own tests
	cd tests/emulator && ../../$(VPY) -m unittest discover -v 2>&1 | tail -n 3

unit: ## Rust unit and integration tests (no emulator needed)
	$(CARGO) test --workspace --exclude e2e-tests

e2e: venv ## End-to-end tests: rule binaries under a Lambda Runtime API against the emulator
	$(CARGO) build --workspace --bins
	$(CARGO) test -p e2e-tests

test: lint emulator-test ## Everything CI runs: lint, then every test
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace --exclude config-rules-bench
	$(CARGO) run -q -p config-rules-bench -- --smoke --bin-dir target/debug

$(VENV)/.bench-tools: bench/peers/requirements.txt $(VENV)/.test-tools
	$(VPY) -m pip install --quiet --disable-pip-version-check -r bench/peers/requirements.txt
	touch $@

BENCH_RULES := lambda-timeout-within-limit iam-no-wildcard-permissions lambda-execution-role-not-shared

bench: $(VENV)/.bench-tools ## Benchmarks of release builds, side by side with rdklib peers (not part of make test)
	$(CARGO) build --release $(foreach r,$(BENCH_RULES),-p $(r))
	@if rustup target list --installed 2>/dev/null | grep -qx '$(ARM64_TARGET)' && [ -x $(VENV)/bin/cargo-lambda ]; then \
	  PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) lambda build --release --arm64 --output-format zip $(foreach r,$(BENCH_RULES),--bin $(r)); \
	else echo "note: arm64 Lambda zips not built (needs 'rustup target add $(ARM64_TARGET)' and 'make venv-build'); sizes are of the host build"; fi
	$(CARGO) bench -q -p config-rules-bench --bench evaluation -- --warm-up-time 1 --measurement-time 3
	$(CARGO) run -q -p config-rules-bench

emulator: venv ## Run the local AWS account alone on 127.0.0.1:4566 (Ctrl-C stops it)
	$(VPY) tests/emulator/server.py --port $${PORT:-4566}

build: venv-build ## sam build: cross-compile every rule for arm64 with cargo-lambda and zig
	@if ! rustup target list --installed 2>/dev/null | grep -qx '$(ARM64_TARGET)'; then \
	  echo "The arm64 Rust standard library is missing. Install it once with:"; \
	  echo "    rustup target add $(ARM64_TARGET)"; \
	  echo "then run 'make build' again."; exit 1; fi
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam build

deploy: build ## sam deploy (first time: make deploy GUIDED=1)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam deploy $(if $(GUIDED),--guided,)

clean: ## Remove build output and .venv
	$(CARGO) clean
	rm -rf $(VENV) .aws-sam

demo: venv ## The main job: a local account in the emulator, scanned by every rule, with a report
	$(CARGO) build -p config-rules
	$(VPY) demo/demo.py

docs: ## Regenerate docs/rules/*.md and the README rule table from the rule sources
	$(CARGO) run -q -p config-rules -- docs --write
