# Yishiting: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi:app

.PHONY: run test install translations lint e2e-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/python tools/i18n.py compile

run: translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	if $(BIN)/flask db-empty; then $(BIN)/flask demo; else $(BIN)/flask demo | tail -n +2; fi
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .

test: translations lint
	$(BIN)/python tools/i18n.py check
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance/*.db* .pytest_cache .ruff_cache
