# The two commands every user types first: `make demo` and `make test`.
# `make help` lists every target; `make test-fast` is the quick loop while coding.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Extra pytest options for any test target, e.g. `make unit PYTEST_ARGS="-x -k scan"`.
PYTEST_ARGS ?=

# Every target is a command, not a file: tests/integration and tests/e2e are also folders,
# and without this `make integration` would find them "up to date" and run nothing.
.PHONY: help venv demo lint format test test-fast unit integration e2e clean
.DEFAULT_GOAL := help

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Doorstep needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z0-9-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## create .venv and install Doorstep with its test tools
	@:

demo: $(STAMP) ## start Doorstep on SQLite with London demo data
	$(BIN)/doorstep demo

lint: $(STAMP) ## ruff, ruff format --check, mypy --strict, import-linter contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP) ## fix what ruff can fix and reformat
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

test: lint ## lint, then every test (slow and browser ones too) on two workers, as CI does
	$(BIN)/pytest -n 2 --dist loadgroup --durations=25 $(PYTEST_ARGS)

test-fast: $(STAMP) ## unit and integration tests without the slow ones; no lint
	$(BIN)/pytest -q -m "not slow" tests/unit tests/integration $(PYTEST_ARGS)

unit: $(STAMP) ## unit tests only (no I/O, seconds)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

integration: $(STAMP) ## integration tests: real SQLite, PostgreSQL, Redis and HTTP
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

# pytest exits with 5 when it collects no test: an empty e2e folder is not a failure.
e2e: $(STAMP) ## browser tests (Chromium)
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS) || test $$? -eq 5

clean: ## remove .venv and tool caches
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
