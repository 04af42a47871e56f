# The README's two commands: `make lab` and `make test`. Both need only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab test notebooks benchmarks clean

lab: $(VENV)/.installed
	$(BIN)/cors-lab lab

test: $(VENV)/.installed-test
	@chromium="$$($(BIN)/python scripts/ensure_chromium.py)" && \
	  CHROMIUM="$$chromium" $(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-run every notebook in place so the committed outputs are current (then commit them).
notebooks: $(VENV)/.installed-test
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.store_widget_state=False \
	  --ExecutePreprocessor.record_timing=False \
	  notebooks/[0-9]*.ipynb

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

clean:
	rm -rf $(VENV) test-artifacts
