# Two commands set everything up on a fresh machine: `make run` and `make test`.
VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
HOST     ?= 127.0.0.1
PORT     ?= 5000
export FLASK_APP := run.py

.PHONY: run test install translations i18n db demo lint bench bench-inprocess browser clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Compiled catalogs are build output (.mo files are not committed).
translations: install
	$(BIN)/pybabel compile -d app/translations

# Re-extract messages after changing user-facing strings, then translate the new
# entries in app/translations/zh_Hans_CN/LC_MESSAGES/messages.po (Babel spells zh_CN
# as zh_Hans_CN, so that is the catalog folder).
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

db: translations
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo

run: demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: translations browser
	$(BIN)/ruff check .
	$(BIN)/pytest

# Figures for the README (see bench/README.md): starts gunicorn, Redis and the scheduler on
# its own PostgreSQL database (BENCH_DATABASE_URL, default cadre_bench, created and emptied;
# never the test database), loads data at SCALE (full or small), puts each scenario under
# Locust load, then stops everything it started. `make bench-inprocess`: the in-process table.
SCALE ?= full
bench: translations
	$(BIN)/python -m bench --scale $(SCALE)

bench-inprocess: translations
	$(BIN)/python -m bench inprocess

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache
