# ShopGuard: `make demo` runs the service on the bundled demo camera, `make test` runs CI.
# Every target creates or updates what it needs (.venv/, web/node_modules, the built UI).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= dev,train,watsonml
STATIC := src/shopguard/static/index.html
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/package-lock.json -type f 2>/dev/null)

.PHONY: demo test test-python test-web lint bench venv web system-deps clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	# torch==2.13.0 resolves to the CPU build (train extra); serving needs no torch.
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web: $(STATIC)

$(STATIC): web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

# Debian packages the tests need (chromium, mosquitto, a GStreamer RTSP server).
system-deps:
	scripts/install_system_deps.sh

lint: venv
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/mypy

test-python: venv web system-deps
	$(VENV)/bin/pytest -q

test-web: venv web system-deps
	cd web && npm run lint && npm test
	cd web && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm run e2e

test: lint test-python test-web

bench: venv
	$(PY) bench/pipeline.py

demo: venv web
	$(VENV)/bin/shopguard demo

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache web/node_modules src/shopguard/static
