# ShopGuard: `make demo` runs the service on the bundled demo camera, `make test` runs CI.
# Every target creates or updates the virtual environment in .venv/ by itself.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= dev,train

.PHONY: demo test lint bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	# torch==2.13.0 resolves to the CPU build (train extra); serving needs no torch.
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest -q

bench: venv
	$(PY) bench/pipeline.py

demo: venv
	$(VENV)/bin/shopguard demo

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
