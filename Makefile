# The project's verbs. Python tools live in a project-local .venv (created on demand).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
ARM64_TARGET := aarch64-unknown-linux-gnu

.PHONY: bench demo docs screenshot help venv venv-build test lint fmt unit e2e emulator-test template-lint build deploy emulator clean rust-target lambda-artifact new-rule regenerate

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

lint: venv ## rustfmt check, clippy -D warnings, cfn-lint, sam validate --lint
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(MAKE) --no-print-directory template-lint

template-lint: venv-build
	$(VENV)/bin/cfn-lint template.yaml member-role.yaml conformance-pack.yaml demo/template.yaml
	$(VENV)/bin/sam validate --lint --template template.yaml --region us-east-1

# One rule built for Lambda the way `make build` builds every rule (cargo-lambda and zig, zip,
# debug to stay quick) and checked: x86_64, so this machine can also run it (tests/artifact.rs).
# `make build` checks every arm64 artifact the same way (tests/check_artifacts.py); building an
# arm64 one here too would add about 2.5 minutes and 1 GB to every clean `make test`.
lambda-artifact: venv-build
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) lambda build --x86-64 --output-format zip \
	  --lambda-dir target/lambda-check --bin lambda-timeout-within-limit
	$(VPY) tests/check_artifacts.py --arch x86_64 --dir target/lambda-check --extract lambda-timeout-within-limit

emulator-test: venv ## The emulator's own tests (and the rule scaffold's)
	set -o pipefail; cd tests/emulator && ../../$(VPY) -m unittest discover -v 2>&1 | tail -n 3
	set -o pipefail; $(VPY) -m unittest tools/test_new_rule.py 2>&1 | tail -n 3

unit: ## Rust unit and integration tests (no emulator needed)
	$(CARGO) test --workspace --exclude e2e-tests

e2e: venv ## End-to-end tests: rule binaries under a Lambda Runtime API against the emulator
	$(CARGO) build --workspace --bins
	$(CARGO) test -p e2e-tests

test: lint emulator-test lambda-artifact ## Everything CI runs: lint, then every test
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace --exclude config-rules-bench
	$(CARGO) test -p e2e-tests --test artifact -- --ignored
	set -o pipefail; $(VPY) -m unittest tests/reports/test_reports.py 2>&1 | tail -n 3
	set -o pipefail; $(VPY) -m unittest tests/parity/test_template_parity.py 2>&1 | tail -n 3
	$(CARGO) run -q -p config-rules-bench -- --smoke --bin-dir target/debug
	set -o pipefail; $(VPY) demo/demo.py > target/demo.out && grep -q "evaluates again: COMPLIANT" target/demo.out \
		&& grep -q "^Total (3 accounts)" target/demo.out \
		&& grep -q "^Evaluated template demo/template.yaml" target/demo.out \
		|| { cat target/demo.out; echo "make demo's template check, remediation run or organization scan did not finish as expected"; exit 1; }

$(VENV)/.bench-tools: bench/peers/requirements.txt $(VENV)/.test-tools
	$(VPY) -m pip install --quiet --disable-pip-version-check -r bench/peers/requirements.txt
	touch $@

BENCH_RULES := lambda-timeout-within-limit iam-no-wildcard-permissions lambda-execution-role-not-shared kms-key-rotation-enabled

bench: $(VENV)/.bench-tools ## Benchmarks of release builds, side by side with rdklib peers (not part of make test)
	$(CARGO) build --release -p config-rules $(foreach r,$(BENCH_RULES),-p $(r))
	@if rustup target list --installed 2>/dev/null | grep -qx '$(ARM64_TARGET)' && [ -x $(VENV)/bin/cargo-lambda ]; then \
	  PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) lambda build --release --arm64 --output-format zip $(foreach r,$(BENCH_RULES),--bin $(r)); \
	else echo "note: arm64 Lambda zips not built (needs 'rustup target add $(ARM64_TARGET)' and 'make venv-build'); sizes are of the host build"; fi
	$(CARGO) bench -q -p config-rules-bench --bench evaluation -- --warm-up-time 1 --measurement-time 3
	$(CARGO) run -q -p config-rules-bench

screenshot: demo ## Render docs/report.png from the demo's HTML report (installs Debian's chromium when missing)
	command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1250 \
		--screenshot=docs/report.png file://$(CURDIR)/target/demo-report.html

emulator: venv ## Run the local AWS account alone on 127.0.0.1:4566 (Ctrl-C stops it)
	$(VPY) tests/emulator/server.py --port $${PORT:-4566}

# The instruction set of `make build` / `make deploy`: arm64 (Graviton, the default) or x86_64.
ARCH ?= arm64
RULES := $(notdir $(wildcard crates/rules/*))
LAMBDA_TARGET := $(if $(filter x86_64,$(ARCH)),x86_64-unknown-linux-gnu,$(ARM64_TARGET))
LAMBDA_FLAG := $(if $(filter x86_64,$(ARCH)),--x86-64,--arm64)
# `make build BUILD=debug` builds unoptimised (fast; what `make test` checks).
BUILD ?= release

rust-target: ## Install the Rust standard library for ARCH (rustup downloads it once)
	@if ! rustup target list --installed 2>/dev/null | grep -qx '$(LAMBDA_TARGET)'; then \
	  rustup target add $(LAMBDA_TARGET) || { \
	    echo "The $(LAMBDA_TARGET) Rust standard library could not be installed. Install it with:"; \
	    echo "    rustup target add $(LAMBDA_TARGET)"; \
	    echo "then run 'make build' again (or 'make build ARCH=x86_64')."; exit 1; }; \
	fi

build: venv-build rust-target ## Build every rule once for Lambda (ARCH=arm64|x86_64): target/lambda/<rule>/bootstrap.zip
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) lambda build $(if $(filter release,$(BUILD)),--release,) $(LAMBDA_FLAG) \
	  --output-format zip --lambda-dir target/lambda $(foreach r,$(RULES),--bin $(r))
	$(VPY) tests/check_artifacts.py --arch $(ARCH) $(RULES)

deploy: build ## sam deploy the built artifacts (first time: make deploy GUIDED=1)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam deploy --parameter-overrides Architecture=$(ARCH) $(if $(GUIDED),--guided,)

clean: ## Remove build output and .venv
	$(CARGO) clean
	rm -rf $(VENV) .aws-sam

demo: venv ## The main job: a local account in the emulator, scanned by every rule, with a report
	$(CARGO) build -p config-rules
	$(VPY) demo/demo.py

new-rule: ## Scaffold a rule: make new-rule ID=<rule-id> (crate, samples, expected results, registry line)
	@test -n "$(ID)" || { echo "usage: make new-rule ID=<rule-id>"; exit 2; }
	$(PYTHON) tools/new_rule.py $(ID)

regenerate: venv ## Everything derived: docs, README tables, template blocks, and the CLI's expected outputs
	$(MAKE) --no-print-directory docs
	$(CARGO) build -q --workspace --bins
	UPDATE_EXPECT=1 $(CARGO) test -q -p config-rules --test cli
	UPDATE_EXPECT=1 $(CARGO) test -q -p config-rules --test templates every_rule_judges_its_template_fixture_exactly

docs: ## Regenerate docs/rules/*.md, the README tables and template.yaml's rule blocks from the rule sources
	$(CARGO) run -q -p config-rules -- docs --write
	$(CARGO) run -q -p config-rules -- template --write
