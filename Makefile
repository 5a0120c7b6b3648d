# leaguebot — the commands a newcomer and a deployer need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config.toml

.PHONY: install install-dev sandbox test lint typecheck run migrate bench clean lock

# The venv is rebuilt only when a lock file changes; stamps keep repeated runs fast.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The sandbox's own command wires it to the bot (`leaguebot sandbox` hands over to the same).
sandbox: install
	$(BIN)/python -m sandbox run

run: install
	$(BIN)/leaguebot run --config $(CONFIG)

migrate: install
	$(BIN)/leaguebot migrate --config $(CONFIG)

# lint-imports checks the import contracts of pyproject's [tool.importlinter] (the layering).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

typecheck: install-dev
	$(BIN)/mypy

# pytest exits 5 when it collected nothing; that is a failure here, never a silent pass.
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Every benchmark, full size (minutes); `make bench BENCH_ARGS=--quick` for the short runs.
bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

# Regenerates both lock files (needs network access to PyPI and uv).
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml build-requirements.in --python-version 3.11 --generate-hashes --universal --no-header -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml build-requirements.in --extra dev --python-version 3.11 --generate-hashes --universal --no-header -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
