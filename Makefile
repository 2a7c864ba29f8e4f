# MiiWrap Infrastructure — the front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.DEFAULT_GOAL := help
.PHONY: help browser run run-secure test test-fast fuzz chaos lint fmt typecheck bench bench-xapi conformance clean-data

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment and install everything

# The portal's browser tests drive Debian's chromium (Playwright downloads no browser here).
$(CHROMIUM):
	@echo "installing Debian's chromium for the portal's browser tests …"
	@apt-get install -y chromium >/dev/null 2>&1 \
	  || { apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1; } \
	  || { echo "make: cannot install chromium; the portal's browser tests need $(CHROMIUM):" \
	       "run 'apt-get install -y chromium' as root, then make test again" >&2; exit 1; }
	@test -x $(CHROMIUM) || { echo "make: chromium installed, yet $(CHROMIUM) is missing" >&2; exit 1; }

browser: $(CHROMIUM) ## Install Debian's chromium for the portal's browser tests (when missing)

run: $(STAMP) ## Start PostgreSQL, NATS, the four services and the portal on :8000 (Ctrl-C stops all)
	$(BIN)/miiwrap run

run-secure: $(STAMP) ## Like run, with NATS users per service and per agency app (deploy/nats)
	$(BIN)/miiwrap run --secure-nats

test: $(STAMP) $(CHROMIUM) ## Run the whole test suite against real PostgreSQL and NATS (and chromium)
	$(BIN)/pytest

test-fast: $(STAMP) ## Run only the pure unit tests (no servers)
	$(BIN)/pytest tests -k unit

bench: $(STAMP) ## Benchmarks: kernel, certification intake beside raw ceilings, portal page render, start-up migration
	$(BIN)/python -m tests.bench.kernel_bench
	$(BIN)/python -m tests.bench.intake_bench
	$(BIN)/python -m tests.bench.keepup_bench
	$(BIN)/python -m tests.bench.portal_bench
	$(BIN)/python -m tests.bench.migration_bench

fuzz: $(STAMP) ## Fuzz every service's OpenAPI with schemathesis (50 examples per operation)
	$(BIN)/python -m tests.security.fuzz --examples 50

chaos: $(STAMP) ## Faults at load (kill -9, NATS down 30 s, PostgreSQL restarts, 1 and 2 replicas)
	$(BIN)/python -m tests.chaos.run

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP) ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-xapi: $(STAMP) ## xAPI statements/s for batches of 1, 10, 100 vs a raw INSERT (real servers)
	$(BIN)/python -m services.learning.xapi.bench

XAPI_ENDPOINT ?= http://127.0.0.1:8001/xapi
XAPI_KEY ?= demo-lms
conformance: ## ADL LRS conformance suite (checkout in $$ADL_SUITE, npm install done) against `make run`'s LRS
	@test -n "$(ADL_SUITE)" || { echo "set ADL_SUITE to a checkout of adlnet/lrs-conformance-test-suite (npm install in it)"; exit 2; }
	@test -f "$(ADL_SUITE)/bin/console_runner.js" || { echo "$(ADL_SUITE) is not the ADL suite"; exit 2; }
	@secret="$${XAPI_SECRET:-$$(cat .data/demo-xapi-secret 2>/dev/null)}"; \
	  test -n "$$secret" || { echo "no secret: start make run (or set XAPI_SECRET)"; exit 2; }; \
	  cd "$(ADL_SUITE)" && node bin/console_runner.js -e "$(XAPI_ENDPOINT)" -a -u "$(XAPI_KEY)" \
	    -p "$$secret" -x 1.0.3 -z > "$(CURDIR)/.data/conformance.out" 2>&1; \
	  summary=$$(grep -E '^\{"total"' "$(CURDIR)/.data/conformance.out" | tail -1); \
	  echo "ADL LRS conformance (1.0.3): $$summary"; \
	  echo "full output: .data/conformance.out"; \
	  node -e 'const s=JSON.parse(process.argv[1]); console.log(`passed $${s.passed} of $${s.total}`); process.exit(s.failed ? 1 : 0)' "$$summary"

clean-data: ## Delete the local data of `make run` (.data/)
	rm -rf .data
