# The README's two commands: `make lab` and `make test`. Both need only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab test notebooks benchmarks docs clean

lab: $(VENV)/.installed
	$(BIN)/cors-lab lab

test: $(VENV)/.installed-test $(VENV)/node/.installed
	@chromium="$$($(BIN)/python scripts/ensure_chromium.py)" && \
	  CHROMIUM="$$chromium" $(BIN)/python -m pytest $(PYTEST_ARGS)

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
	$(BIN)/python benchmarks/servers.py
	$(BIN)/python benchmarks/browser.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per install: re-running is instant until pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# configurable-http-proxy, which JupyterHub runs (tests/test_hub.py), from npm.
$(VENV)/node/.installed: | $(BIN)/python
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node configurable-http-proxy@4
	touch $@

clean:
	rm -rf $(VENV) test-artifacts
