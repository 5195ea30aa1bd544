# 红管家 — the two commands: `make run` and `make test`.
PY ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The intent model, trained at build time from the training data (see nlp/model_store.py).
MODEL := nlp/data/model.pickle
# axe-core (npm registry, pinned) for the console's accessibility tests in tests/browser; into
# node_modules/ here (ignored by git), loaded into Debian's chromium by the tests.
AXE_VERSION := 4.14.1
AXE := node_modules/axe-core/axe.min.js

# The suite runs on every core (pytest-xdist; each worker has its own PostgreSQL database, see
# tests/support/pg_workers.py). WORKERS=0 runs it in this one process.
WORKERS ?= auto

.PHONY: install run test test-future smoke lint format bench clean

install: $(STAMP) $(MODEL) $(AXE)

# Without npm (a machine that only serves) the accessibility tests skip, or fail under CI's
# HGJ_REQUIRE_BROWSER; nothing else needs it.
$(AXE): Makefile
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-audit --no-fund --no-save --no-package-lock --prefix . axe-core@$(AXE_VERSION) \
		&& test -f $(AXE) && touch $(AXE); \
	else echo "npm not found: axe-core not installed (only the accessibility tests need it)"; fi

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

$(MODEL): $(STAMP) nlp/data/train.tsv $(wildcard nlp/data/train/*.tsv) nlp/data/userdict.txt \
		nlp/intent.py nlp/learners.py nlp/tokenise.py nlp/normalise.py nlp/spelling.py nlp/model_store.py
	$(BIN)/python -m nlp.model_store

run: install
	$(BIN)/hgj config init --if-missing
	$(BIN)/hgj db upgrade
	$(BIN)/hgj import examples/demo-community.toml
	$(BIN)/hgj demo seed
	$(BIN)/hgj serve

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup

# The SQLite suite with the machine's clock a year ahead (libfaketime, Debian package `faketime`):
# a test that depends on today's date fails here before the calendar gets to it. Monotonic clocks
# (timeouts, event loops) stay real: they measure durations, not dates. With the monotonic clock
# real, libfaketime's "monotonic fix" for timed waits is not needed, and left on it re-checks the C
# library on every timed lock wait: two xdist workers then ran 2.5 times slower than without it.
test-future: install
	HGJ_TEST_POSTGRES_URL= FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0 faketime -f '+365d' $(BIN)/python -m pytest -p no:cacheprovider -n $(WORKERS) --dist loadgroup

# The production layout of deploy/README.md on this machine: PostgreSQL (a fresh database,
# hgj_smoke; HGJ_SMOKE_URL to change it), two web processes, one worker, a fake WeChat; dropped after.
smoke: install
	$(BIN)/python deploy/smoke.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data $(MODEL) node_modules
