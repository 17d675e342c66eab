# One command to set up and run; one to set up and test. Everything lands in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench lint bench-env clean chromium explore

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/allegiance run scenarios/syria-2014-2016.yaml --seed 1 --out out/demo --force
	$(BIN)/allegiance report out/demo

# The explorer in the browser, on http://127.0.0.1:8765 (Ctrl-C stops it).
explore: $(STAMP)
	$(BIN)/allegiance explore

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 -m "not slow"

# The report test opens the HTML page in Debian's chromium through Playwright (no browser download).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

bench: $(STAMP) bench-env
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Mesa lives in its own environment (Python 3.12+), never as a dependency of the package.
# Plain python3.12 may be a pyenv shim that refuses to run unless told which 3.12 to use.
MESA_VENV := .venv-mesa
MESA_PYTHON ?= $(shell PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -m1 '^3\.1[2-9]') pyenv which python3 2>/dev/null || command -v python3.12 || command -v python3.13)
$(MESA_VENV)/.installed:
	test -x $(MESA_VENV)/bin/python || $(MESA_PYTHON) -m venv $(MESA_VENV)
	$(MESA_VENV)/bin/python -m pip install -q --upgrade pip
	# Mesa 3.5.1 imports networkx without declaring it
	$(MESA_VENV)/bin/python -m pip install -q "mesa==3.5.1" "numpy==2.4.6" "pandas==3.1.1" "networkx==3.7"
	touch $@

bench-env: $(MESA_VENV)/.installed

clean:
	rm -rf $(VENV) $(MESA_VENV) out .pytest_cache
