PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint i18n clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP) $(RUN_STAMP)

## make run: start the bot with the settings in .env
run: $(RUN_STAMP)
	$(BIN)/python -m bot $(ARGS)

## make test: the whole suite, then ruff and mypy
test: $(TEST_STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python -m ruff check bot cogs tests benchmarks
	$(BIN)/python -m mypy

## make bench: every benchmark, each printing its figures beside its goals
bench: $(TEST_STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make i18n: extract every message, update each language's .po and compile its .mo
i18n: $(RUN_STAMP)
	$(BIN)/python -m bot.i18n update

lint: $(TEST_STAMP)
	$(BIN)/python -m ruff check bot cogs tests benchmarks
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
