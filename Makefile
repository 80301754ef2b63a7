# make run   - venv, dependencies, demo data (scale M) if missing, then the app
# make test  - venv, dependencies, Chromium and CJK fonts if missing, then the whole suite
# make data SCALE=S|M|L - (re)generate and build one scale
# make bench SCALE=M|L - generate (cached) and build one scale, then benchmark every page
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= M
SEED ?= 42
DEMO_DB := sample_data/demo_M.duckdb
DATA_DB := sample_data/demo_$(SCALE).duckdb
STAMP := $(VENV)/.installed

.PHONY: run test data bench venv browser-deps lint typecheck clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

$(DEMO_DB): | $(STAMP)
	$(BIN)/python -m sample_data.generate --scale M --seed $(SEED) --out $(DEMO_DB)
	$(BIN)/python -m crm_core build --db $(DEMO_DB)

run: $(STAMP) $(DEMO_DB)
	CRM_DB=$${CRM_DB:-$(DEMO_DB)} $(BIN)/streamlit run app.py

data: $(STAMP)
	$(BIN)/python -m sample_data.generate --scale $(SCALE) --seed $(SEED) --out $(DATA_DB)
	$(BIN)/python -m crm_core build --db $(DATA_DB)

bench: $(STAMP) browser-deps
	$(BIN)/python -m bench --scale $(SCALE)

# Debian's Chromium and CJK fonts for the browser tests (installed only where missing).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy crm_core

test: $(STAMP) browser-deps lint typecheck
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/artifacts
