# Citizen assistant: every task a developer or operator runs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
# Rasa 3.6 needs Python 3.10: the first candidate that really runs 3.10 (pyenv's installs, then
# PATH; a pyenv shim on PATH may exist without working).
PYTHON310 ?= $(shell for p in $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 2>/dev/null | sort -rV) \
	$$(command -v python3.10 2>/dev/null); do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null \
	&& echo "$$p" && break; done)
PYTEST_ARGS ?=

# Browser tests use Debian's Chromium (never a downloaded browser) and Noto fonts for diacritics.
CHROMIUM  ?= /usr/bin/chromium
# make cluster and its tests put Debian's nginx-light in front of the Rasa servers.
NGINX     ?= /usr/sbin/nginx

.PHONY: help install browser axe run train test gate lint format clean evaluate admin bench nlu-data

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON310)" || { echo "error: Python 3.10 not found (install it, e.g. 'pyenv install 3.10')"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip==24.0"
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## Create the virtual environment from the pinned requirements

browser: ## Install Debian's Chromium for the browser tests (needs root; skipped if present)
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; } \
		|| echo "warning: no Chromium at $(CHROMIUM); browser tests will be skipped"

.PHONY: nginx cluster
nginx: ## Install Debian's nginx-light for make cluster and its tests (needs root; skipped if present)
	@test -x $(NGINX) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; } \
		|| echo "warning: no nginx at $(NGINX); make cluster cannot start and cluster tests will be skipped"

# CLUSTER_RASA_SERVERS=3 etc. (README, "Cluster mode"); PostgreSQL, Redis and RabbitMQ must be running.
cluster: install nginx ## Run nginx + 2 Rasa servers on PostgreSQL/Redis/RabbitMQ, actions, portal, console, web
	NGINX=$(NGINX) $(PY) -m launcher.cluster

# axe-core (accessibility engine of the browser tests), pinned, from the npm registry into a
# git-ignored folder; tests/axe.py reads it (same version). No CDN at test time.
AXE_VERSION := 4.10.2
AXE_JS := tests/assets/vendor/node_modules/axe-core/axe.min.js
axe: ## Vendor axe-core for the accessibility tests (npm registry, pinned; skipped if present)
	@grep -qs '"version": "$(AXE_VERSION)"' tests/assets/vendor/node_modules/axe-core/package.json \
		|| { command -v npm >/dev/null && npm install --no-save --no-package-lock --no-audit --no-fund \
			--prefix tests/assets/vendor axe-core@$(AXE_VERSION) >/dev/null; } \
		|| echo "warning: npm not found; accessibility tests will be skipped (failed under CI=true)"

train: install ## Train a model unless one matches the current data and config
	$(PY) -m bot.train

# Variants first: the Rasa synonyms of procedure_lookup.yml leave out surfaces the data maps elsewhere.
nlu-data: install ## Regenerate data/nlu/generated/ and the unaccented test copy after editing data/nlu/*.yml
	$(PY) scripts/generate_nlu_variants.py
	$(PY) scripts/generate_nlu_variants.py --test-copy
	$(PY) scripts/generate_nlu_lookups.py
	$(PY) scripts/generate_nlu_vocabulary.py

evaluate: install ## Train if needed, evaluate NLU vs Rasa's default pipeline (reports/nlu/) and answer quality (reports/answer_quality/)
	$(PY) -m bot.evaluation

run: install ## Run the whole assistant on embedded defaults (Ctrl-C stops it)
	$(PY) -m launcher

USERNAME ?= admin
admin: install ## Create the staff console's first admin (USERNAME=..., password prompted)
	$(PY) -m console create-admin --username "$(USERNAME)"

BENCH_ARGS ?=
bench: install ## Measure search, dossier lookup, NLU and load (Locust) against their targets (reports/bench/bench.json)
	$(PY) -m bench $(BENCH_ARGS)

# The model is trained before pytest starts, so no test's time limit includes training.
test: install browser nginx axe ## Run the test suite and validate the Rasa data
	@mkdir -p var
	$(PY) -m rasa data validate --fail-on-warnings > var/validate.log 2>&1 || { tail -n 20 var/validate.log; exit 1; }
	$(PY) -m bot.train
	$(PY) -m pytest $(PYTEST_ARGS)

gate: install ## Only the quality gates of make test (NLU intent/entity F1, answer facts, no artefact; common/quality_gates.py)
	$(PY) -m bot.train
	$(PY) -m pytest tests/nlu/test_quality_gate.py tests/answer_quality/test_answer_quality.py

lint: install ## Check style with ruff
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install ## Format the code with ruff
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean: ## Remove build outputs (models, databases, logs, reports)
	rm -rf models var reports results .pytest_cache
