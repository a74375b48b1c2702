# Two commands matter: `make run` and `make test`. Both build .venv from nothing when needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-shifted setup lint typecheck i18n-extract i18n-update diagram clean bench crisis-train crisis-bench

setup: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages -l $* >/dev/null

run: setup
	$(BIN)/tsunagu serve

test: setup
	$(BIN)/python -m pytest -q

# The suite with the clock sent elsewhere (tests/timeshift.py): a year on in New York, half a year back, and
# the end-to-end tests at half past midnight on New Year's Day in Tokyo (a holiday, the year-end break, night).
test-shifted: setup
	TZ=America/New_York TSUNAGU_TEST_TIME=+400d $(BIN)/python -m pytest -q tests/unit tests/integration
	TSUNAGU_TEST_TIME=-200d $(BIN)/python -m pytest -q tests/unit tests/integration
	TSUNAGU_TEST_TIME=2027-01-01T00:30+09:00 TSUNAGU_TEST_POSTGRES_URL= $(BIN)/python -m pytest -q tests/e2e -m "not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy tests

i18n-extract: setup
	$(BIN)/pybabel extract -F pyproject.toml -k N_ -k say:2 --sort-by-file --no-wrap -o locales/messages.pot bot dialogs

i18n-update: i18n-extract
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-wrap

bench: setup
	$(BIN)/python bench/run.py --write

# The crisis check's model: cross-validated by writer, then fitted on every labelled message (docs/crisis.md).
crisis-train: setup
	$(BIN)/python bench/crisis_train.py

# Detection time per message, and the time until a served Tsunagu is ready with the check loaded.
crisis-bench: setup
	$(BIN)/python bench/crisis_speed.py --write

diagram: setup
	$(BIN)/python -c "from dialogs.steps import mermaid; open('docs/dialog.mmd','w').write(mermaid())"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(MO)
