# Two commands do all the set-up on a fresh machine (Debian + Python 3.11 + Node):
#   make run   install everything, start anvil, deploy + seed, serve http://localhost:3000
#   make test  install everything (and Chromium from apt), run the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUN_BIN := $(CURDIR)/tools/node_modules/@oven/bun-linux-x64/bin
ANVIL := contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
PYTEST_ARGS ?=
# Test modules run on this many workers (pytest-xdist; a module's tests stay together,
# so they share its chain and app server). 1 runs them in one process.
TEST_WORKERS ?= 2

export REFLEX_CHECK_LATEST_VERSION := 0
export PATH := $(BUN_BIN):$(PATH)

.PHONY: install run test lint format chromium clean

install: $(VENV)/.installed contracts/node_modules/.installed tools/node_modules/.installed \
	tests/js/node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

# npm 11 skips anvil's postinstall (it only checks the binary): make sure it can run.
contracts/node_modules/.installed: contracts/package.json contracts/package-lock.json
	cd contracts && npm ci --no-audit --no-fund --loglevel=error
	chmod +x $(ANVIL)
	touch $@

# Reflex wants bun >= 1.4.4 and would download it; npm ships the same binary.
tools/node_modules/.installed: tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch $@

# Test-only: the reference IPFS implementations the content-store tests compare CIDs
# and CAR files with (ipfs-unixfs-importer, ipfs-only-hash, @ipld/car).
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(BIN)/coop up --nodes

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium from apt for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy coop_dashboard

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf .web .states .coop contracts/out test-artifacts
