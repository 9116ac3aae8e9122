# dockbot build plumbing. `make test` is what CI runs (.ci/run); it brings up everything it needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp inside the venv: reinstall when pyproject.toml changes, and never trust a half-made venv.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: .venv venv engine fixtures test lint run bench clean stop-fixtures

.venv: $(STAMP)
venv: $(STAMP)

$(STAMP): pyproject.toml
	@# Debian's python3 ships venv without ensurepip until python3-venv is installed.
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
	    if [[ $$(id -u) == 0 ]]; then \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	    else echo "python3 -m venv is unavailable: sudo apt-get install python3-venv" >&2; exit 1; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

engine:
	scripts/ensure-engine.sh

fixtures: engine
	scripts/test-fixtures.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Lint first: it is fast and needs no engine. e.g. make test PYTEST_ARGS='-x tests/engine'
test: $(STAMP) lint fixtures
	$(BIN)/pytest $(PYTEST_ARGS)

run: $(STAMP) engine
	$(BIN)/python -m bot

bench: $(STAMP) fixtures
	$(BIN)/python -m bench

# Stops the registry started by scripts/test-fixtures.sh (the engine is left alone: others may use it).
stop-fixtures:
	scripts/test-fixtures.sh stop

# Build outputs and caches only; .cache (registry data, daemon logs and pidfiles) stays.
clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache ./*.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -exec rm -rf {} +
