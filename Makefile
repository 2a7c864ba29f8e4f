# MiiWrap Infrastructure — the front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run run-secure test test-fast fuzz chaos lint fmt typecheck bench bench-xapi clean-data

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment and install everything

run: $(STAMP) ## Start PostgreSQL, NATS JetStream and the four services (Ctrl-C stops all)
	$(BIN)/miiwrap run

run-secure: $(STAMP) ## Like run, with NATS users per service and per agency app (deploy/nats)
	$(BIN)/miiwrap run --secure-nats

test: $(STAMP) ## Run the whole test suite against real PostgreSQL and NATS
	$(BIN)/pytest

test-fast: $(STAMP) ## Run only the pure unit tests (no servers)
	$(BIN)/pytest tests -k unit

bench: $(STAMP) ## Benchmarks: kernel throughput/latency and certification intake beside raw ceilings
	$(BIN)/python -m tests.bench.kernel_bench
	$(BIN)/python -m tests.bench.intake_bench
	$(BIN)/python -m tests.bench.keepup_bench

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

clean-data: ## Delete the local data of `make run` (.data/)
	rm -rf .data
