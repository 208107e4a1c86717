# Vertebra: `make run` and `make test` are the whole set-up (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format install install-dev browser services oidc-provider docs-cli clean messages compilemessages

# `make run` installs what the application needs; the tests' and linters' tools come with
# the first `make test` (or `make install-dev`).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

install: $(STAMP) compilemessages

install-dev: $(DEV_STAMP)

run: $(STAMP) compilemessages
	$(BIN)/vertebra init --first-run
	PORT=$(PORT) $(BIN)/vertebra serve --port $(PORT)

# Debian's Chromium for the end-to-end tests (Playwright drives it; it downloads no browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; \
	fi

# Debian's Redis and nginx for the several-servers test (tests/test_deploy.py), and openssl
# for its certificate; the S3-compatible server is moto's, from the dev extra.
services:
	@if ! command -v redis-server >/dev/null || ! command -v nginx >/dev/null || ! command -v openssl >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server nginx openssl >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server nginx openssl >/dev/null; fi; \
	fi

# The OpenID provider the single sign-on tests start (tests/oidc): Node.js packages from the
# npm registry, exactly as package-lock.json names them.
OIDC_STAMP := tests/oidc/node_modules/.package-lock.json
$(OIDC_STAMP): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error

oidc-provider: $(OIDC_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check vertebra tests bench
	$(BIN)/ruff format --check vertebra tests bench
	$(BIN)/mypy vertebra
	$(BIN)/lint-imports --no-cache

format: $(DEV_STAMP)
	$(BIN)/ruff format vertebra tests bench
	$(BIN)/ruff check --fix vertebra tests bench

# The suite's own key: the tests never read or write a data folder's key file.
TEST_ENV := VERTEBRA_DATA_DIR=$(CURDIR)/var/test VERTEBRA_SECRET_KEY=not-secret-tests-only

test: $(DEV_STAMP) browser services $(OIDC_STAMP) compilemessages lint
	$(TEST_ENV) $(BIN)/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)
	$(TEST_ENV) $(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

# --- Languages (docs/TRANSLATING.md) ------------------------------------------------------
# `make messages` brings every catalogue (the django and djangojs domains) up to date with the
# code: it needs GNU gettext (xgettext, msgmerge). `make compilemessages` compiles the catalogues
# into the .mo files Django reads, with Babel (no gettext needed); install, run and test do it.
LOCALES := $(shell sed -n 's/^    ("\([a-z-]*\)", ".*"),$$/\1/p' vertebra/settings.py | grep -v '^en$$')
PO_FILES := $(wildcard vertebra/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
MESSAGES_ENV := VERTEBRA_DATA_DIR=$(CURDIR)/var/messages VERTEBRA_SECRET_KEY=messages-only DJANGO_SETTINGS_MODULE=vertebra.settings
MESSAGES_IGNORE := --ignore=tests --ignore=bench --ignore=var --ignore=build --ignore=docs --ignore='*/vendor/*'

messages: $(STAMP)
	$(MESSAGES_ENV) $(BIN)/python -m vertebra.translations extract $(LOCALES)
	$(MAKE) compilemessages

%.mo: %.po $(STAMP)
	$(BIN)/pybabel --quiet compile --input-file $< --output-file $@

compilemessages: $(MO_FILES)

docs-cli: $(DEV_STAMP)
	$(BIN)/python -m vertebra.cli.docs > docs/CLI.md

clean:
	rm -rf $(VENV) var/test tests/oidc/node_modules
