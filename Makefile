# Shopkeeper: `make run` and `make test` do all set-up on a fresh machine (Python 3.11+, Node, make).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SK := $(BIN)/shopkeeper
VENDOR := shopkeeper/static/vendor
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup migrate demo lint types contracts migrations-check pytest browser bench clean help

help:
	@echo "make run   - set up, migrate, load demo data once, start web + worker"
	@echo "make test  - set up, then lint, types, import contracts, migrations check, all tests"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.built: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	@touch $@

setup: $(VENV)/.installed $(VENDOR)/.built
	$(SK) compile_translations

migrate: setup
	$(SK) migrate --no-input

run: migrate
	$(SK) collectstatic --no-input --verbosity 0
	$(SK) demo --if-empty --scale small
	$(SK) run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: setup
	$(BIN)/mypy

contracts: setup
	PYTHONPATH=. $(BIN)/lint-imports

migrations-check: setup
	$(SK) makemigrations --check --dry-run

# The suite runs on every core (pytest-xdist; each worker has its own test database); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
pytest: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: migrate lint types contracts migrations-check pytest

bench: migrate
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .mypy_cache .ruff_cache .pytest_cache
