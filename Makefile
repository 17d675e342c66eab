# One command to set up and run; one to set up and test. Everything lands in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench lint bench-env clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/allegiance run scenarios/syria-2014-2016.yaml --seed 1 --out out/demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow"

bench: $(STAMP) bench-env
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Mesa lives in its own environment (Python 3.12+), never as a dependency of the package.
MESA_VENV := .venv-mesa
$(MESA_VENV)/.installed:
	test -x $(MESA_VENV)/bin/python || python3.12 -m venv $(MESA_VENV)
	$(MESA_VENV)/bin/python -m pip install -q --upgrade pip
	$(MESA_VENV)/bin/python -m pip install -q "mesa==3.5.1" "numpy==2.4.6" "pandas==3.1.1"
	touch $@

bench-env: $(MESA_VENV)/.installed

clean:
	rm -rf $(VENV) $(MESA_VENV) out .pytest_cache
