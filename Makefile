# Yishiting: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi:app

.PHONY: run test test-fast install translations lint e2e-deps clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/python tools/i18n.py compile

PORT ?= 5000

run: translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	if $(BIN)/flask db-empty; then $(BIN)/flask demo; else $(BIN)/flask demo | tail -n +2; fi
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: translations lint
	$(BIN)/python tools/i18n.py check
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the tests marked slow (the real Wieliczka election); CI runs `make test`.
test-fast: translations lint
	$(BIN)/python tools/i18n.py check
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

# Issue 13's pages and ballots against a hello-world and the database's raw insert rate, on
# PostgreSQL (BENCH_DATABASE=both adds SQLite); knobs in README, "Benchmarks". Not part of CI.
bench: translations
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get install -y -q wrk >/dev/null 2>&1; } \
		|| echo "make bench: no wrk; the Python load generator measures the pages instead"
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance/*.db* .pytest_cache .ruff_cache
