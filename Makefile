# Two commands do everything on a fresh Debian/Ubuntu machine: `make run`, `make test`.
# Every target is one verb; `make help` lists them.

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

export FLASK_APP := wsgi:app
export DATABASE_URL ?= postgresql+psycopg://co2:co2@127.0.0.1:5432/co2
export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key

.DEFAULT_GOAL := help
.PHONY: help setup db db-stop migrate revision demo run jobs test lint fmt bench lock compose-check clean i18n-extract i18n-update i18n-compile vendor browser audit

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml requirements-dev.lock
	@echo "==> Python environment in $(VENV) (pinned by requirements-dev.lock)"
	@$(PY) -m venv $(VENV) 2>/dev/null || { scripts/setup-python.sh && $(PY) -m venv $(VENV); }
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/pip install --quiet --disable-pip-version-check -c requirements-dev.lock -e '.[dev]'
	@touch $@

var/secret_key:
	@mkdir -p var && umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	@echo "==> generated a local SECRET_KEY in $@"

VENDOR := app/static/vendor
UPLOT := $(VENDOR)/uplot/uPlot.iife.min.js

TRANSLATIONS := app/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

API_DOCS_ASSETS := $(VENDOR)/redoc/redoc.standalone.js

setup: $(BIN)/.installed var/secret_key $(MO_FILES) $(UPLOT) $(API_DOCS_ASSETS)  ## Python venv with the app and its dev tools

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(BIN)/.installed
	@$(BIN)/pybabel -q compile -l $* -d $(TRANSLATIONS)

vendor: $(UPLOT)  ## the back office's chart library, from the npm registry (package-lock.json)

$(UPLOT): package.json package-lock.json
	@command -v npm >/dev/null || scripts/install-apt-packages.sh npm
	@echo "==> vendoring uPlot from the npm registry into $(VENDOR)/uplot"
	@npm ci --ignore-scripts --no-audit --no-fund --silent
	@mkdir -p $(VENDOR)/uplot
	@cp node_modules/uplot/dist/uPlot.min.css $(VENDOR)/uplot/
	@cp node_modules/uplot/dist/uPlot.iife.min.js $@

browser:  ## headless Chromium from the distribution, for the browser tests
	@command -v chromium >/dev/null || scripts/install-apt-packages.sh chromium

$(API_DOCS_ASSETS): scripts/vendor_api_docs.py $(BIN)/.installed
	@$(BIN)/python scripts/vendor_api_docs.py

db:  ## install PostgreSQL + TimescaleDB if missing, start the cluster, create role and database
	@scripts/db/setup.sh

db-stop:  ## stop the local PostgreSQL cluster
	@scripts/db/stop-cluster.sh

migrate: setup db  ## apply the database migrations
	@echo "==> migrating the database"
	@$(BIN)/flask db upgrade

revision: setup  ## autogenerate a migration: make revision m="add calibration"
	@$(BIN)/flask db revision --autogenerate -m "$(m)"

demo: migrate  ## load the demo data (idempotent)
	@$(BIN)/flask demo load

run: migrate  ## set up everything, load demo data if empty, serve on http://127.0.0.1:8000 with the jobs process
	@$(BIN)/flask demo load --if-empty
	@$(BIN)/flask series refresh
	@echo "==> serving on http://$(HOST):$(PORT)/  (readiness: http://$(HOST):$(PORT)/readyz); jobs process beside it"
	@BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) scripts/serve.sh

jobs: migrate  ## run only the jobs process (scheduler) in the foreground
	@$(BIN)/flask jobs run

test: setup db browser  ## set up everything and run the whole test suite
	@echo "==> running the tests"
	@$(BIN)/pytest

lint: setup  ## ruff, ruff format --check, mypy
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy

fmt: setup  ## format and auto-fix
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

lock: setup  ## re-pin requirements.lock and requirements-dev.lock from pyproject.toml
	@$(BIN)/pip install --quiet pip-tools
	@$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	@$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

compose-check:  ## validate docker-compose.yml (installs the distribution's docker-compose if missing)
	@command -v docker-compose >/dev/null || scripts/install-apt-packages.sh docker-compose
	@docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"

bench: migrate  ## run the benchmarks and write bench-report.json
	@$(BIN)/python -m tests.bench --report bench-report.json

clean:  ## remove the venv and caches (the database stays)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR)

i18n-extract: $(BIN)/.installed  ## collect marked strings into app/translations/messages.pot
	@$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project airq --version 0.1.0 --copyright-holder "airq developers" \
		--msgid-bugs-address noreply@localhost -o $(TRANSLATIONS)/messages.pot .

i18n-update: i18n-extract  ## merge new strings into the catalogues (then translate them)
	@$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

i18n-compile: $(BIN)/.installed  ## compile the catalogues (.po -> .mo; make setup does this)
	@$(BIN)/pybabel compile -d $(TRANSLATIONS)

audit: setup  ## pip-audit the locked dependencies (needs the vulnerability service; says so when unreachable)
	@BIN=$(BIN) scripts/audit.sh
