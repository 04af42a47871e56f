# The README's two commands: `make lab` and `make test`. Both need only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOWEST := .venv-lowest
# uv installs in seconds what pip takes minutes for: use one on PATH, else the venv's own (from PyPI).
# Without either, pip does the work (slower, same result).
UV = $(or $(shell command -v uv 2>/dev/null),$(wildcard $(BIN)/uv))
INSTALL = $(if $(UV),$(UV) pip install --quiet --python $(BIN)/python,$(BIN)/python -m pip install --quiet)

.PHONY: lab test lint lowest notebooks benchmarks docs clean

lab: $(VENV)/.installed
	$(BIN)/cors-lab lab

# Lint and types, the unit tests on the lowest dependency versions allowed, then every test:
# unit, browser engines, notebooks (nbval) and JupyterLab, on every core (pytest-xdist).
test: lint lowest $(VENV)/node/.installed
	@browsers="$$($(BIN)/python scripts/ensure_browsers.py)" && set -a && eval "$$browsers" && set +a && \
	  $(BIN)/python -m pytest -n auto --durations=15 $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The declared lower bounds, tested: the unit tests on the lowest direct versions (no browsers, and
# not the whole-system tests of the wheel, the docs site, nbgrader and JupyterHub, which run below).
lowest: $(LOWEST)/.installed
	$(LOWEST)/bin/python -m pytest -n auto -m "not browser" -o addopts="-p no:cacheprovider" -q tests \
	  $(foreach t,wheel docs classroom hub,--ignore=tests/test_$(t).py)

# Re-run every notebook in place so the committed outputs are current (then commit them).
notebooks: $(VENV)/.installed-test
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.store_widget_state=False \
	  --ExecutePreprocessor.record_timing=False \
	  notebooks/[0-9]*.ipynb

# The course as a web site, from the notebooks' committed outputs (never executed).
docs: $(VENV)/.installed-test
	$(BIN)/sphinx-build -q -b html docs docs/_build/html
	@echo "The site: docs/_build/html/index.html"

benchmarks: $(VENV)/.installed-test
	@browsers="$$($(BIN)/python scripts/ensure_browsers.py)" && set -a && eval "$$browsers" && set +a && \
	  for bench in benchmarks/[a-z]*.py; do $(BIN)/python $$bench || exit 1; echo; done

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	@command -v uv >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet uv || \
	  echo "uv could not be installed: using pip (slower)"

# A stamp per install: re-running is instant until pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(INSTALL) -e '.[test]'
	touch $@ $(VENV)/.installed

$(LOWEST)/.installed: pyproject.toml | $(BIN)/python
	@test -n "$(UV)" || { echo "make lowest needs uv (pip cannot resolve lowest versions): pip install uv"; exit 1; }
	$(UV) venv --quiet --allow-existing --python $(BIN)/python $(LOWEST)
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e '.[test]'
	touch $@

# configurable-http-proxy, which JupyterHub runs (tests/test_hub.py), from npm.
$(VENV)/node/.installed: | $(BIN)/python
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node configurable-http-proxy@4
	touch $@

clean:
	rm -rf $(VENV) $(LOWEST) test-artifacts
