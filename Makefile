# One command to run the bot, one to run the tests. Both create .venv with the project's own dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest -n auto -p no:cacheprovider
# On PostgreSQL the tests wait on the server's round trips, leaving a core idle half the time: one worker more than
# cores (2 cores: 17:21 with 2 workers, 13:32 with 3).
PYTEST_PG := $(BIN)/python -m pytest -n $$(( $$(nproc) + 1 )) -p no:cacheprovider

LOCALES := bot/locale
BABEL := "Babel>=2.14,<3"

.PHONY: run serve test lint install install-test bench docs-chart docs-messages docs-form catalogs messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: catalogs
	$(BIN)/pip install --quiet .

install-test: catalogs
	$(BIN)/pip install --quiet -e ".[test]"
	@# axe-core, the accessibility checker the browser tests inject into the walk-up form (needs npm; without it,
	@# and without Debian's chromium and chromium-driver, those tests are skipped outside CI).
	@if command -v npm >/dev/null 2>&1 && [ ! -f .tools/node_modules/axe-core/axe.min.js ]; then \
		npm install --silent --no-save --no-audit --no-fund --prefix .tools axe-core@4.11 >/dev/null; fi

# The compiled catalogs (bot/locale/*/LC_MESSAGES/kaizen.mo) from their sources (.po): the project's build step, run
# by both installs (Babel is installed first, as it compiles them). tests/test_catalogs.py fails on a stale one.
catalogs: $(BIN)/python
	$(BIN)/pip install --quiet $(BABEL)
	$(BIN)/pybabel compile --domain kaizen --directory $(LOCALES) --statistics

# After changing words in the code: extract them (babel.cfg) and merge them into every catalog, for translation.
messages: $(BIN)/python
	$(BIN)/pip install --quiet $(BABEL)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _ --keywords n_:1,2 --keywords N_ --add-comments Translators: --no-location --sort-output \
		--project kaizen-bot --msgid-bugs-address "" --output-file $(LOCALES)/kaizen.pot .
	$(BIN)/pybabel update --domain kaizen --input-file $(LOCALES)/kaizen.pot --output-dir $(LOCALES) --no-fuzzy-matching

run: install
	$(BIN)/kaizen-bot run

serve: install
	$(BIN)/kaizen-bot serve --host 0.0.0.0 --port 3000

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# The suite on SQLite; then, when KAIZEN_TEST_POSTGRES names a PostgreSQL server (CI sets it), on PostgreSQL.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	env -u KAIZEN_TEST_POSTGRES $(PYTEST) $(PYTEST_ARGS)
	@if [ -n "$$KAIZEN_TEST_POSTGRES" ]; then \
		echo "--- the same suite on PostgreSQL"; \
		$(PYTEST_PG) $(PYTEST_ARGS); \
	fi

bench: install-test
	$(BIN)/python -m bench

# The README's chart (docs/measures.png), drawn from a seeded demo team by the code /kaizen stats uses.
docs-chart: install-test
	$(BIN)/python docs/demo_chart.py docs/measures.png
	$(BIN)/python docs/demo_chart.py docs/measures-ja.png ja

# The README's pictures of a huddle and a card (docs/huddle.png, docs/card.png), drawn from the bot's own render
# code at a phone's width by headless Chromium (apt-get install chromium fonts-noto-color-emoji fonts-lato).
docs-messages: install-test
	$(BIN)/python docs/demo_messages.py docs

# The README's picture of the walk-up form (docs/walkup-form.png), served by the bot's own web server to headless
# Chromium (apt-get install chromium chromium-driver).
docs-form: install-test
	$(BIN)/python docs/demo_form.py docs/walkup-form.png
