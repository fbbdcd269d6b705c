# EIP Tracker. `make run` serves a demo on http://127.0.0.1:5000; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.DEFAULT_GOAL := help
AUDIT_VENV := .venv-audit
PIP_AUDIT_VERSION := 2.10.1

.PHONY: help run test test-suite lint format audit assets bench bench-pg bench-concurrency bench-concurrency-pg clean

help:
	@echo "make run     - install, migrate a local SQLite database, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    - install test tools and run lint and the whole test suite"
	@echo "make lint    - ruff lint and format check"
	@echo "make format  - ruff format and safe fixes"
	@echo "make audit   - pip-audit the installed, pinned packages against known vulnerabilities (needs the network)"
	@echo "make assets  - rebuild static/ from govuk-frontend with npm and Sass (needs Node)"
	@echo "make bench   - each page against a bare Flask page, alternated in one run (SQLite)"
	@echo "make bench-pg - the same on PostgreSQL (DATABASE_URL=...eip_bench...)"
	@echo "make bench-concurrency - 20 clients reading and writing at once for 60 s (SQLite; -pg: PostgreSQL)"
	@echo "make clean   - remove the virtualenv and the local database"

# A fresh Debian/Ubuntu Python lacks the venv module; install it when we can, else say how.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "EIP Tracker needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing python3-venv with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else \
	    echo "Python's venv module is missing: run 'sudo apt-get install python3-venv' (or your system's equivalent) and try again." >&2; exit 1; \
	  fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-app: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-app pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# The scheduler runs as its own process beside the web server, as in production;
# stopping `make run` stops both.
run: $(VENV)/.installed-app
	$(FLASK) eip init-db
	$(FLASK) eip seed-demo
	@echo ""
	@echo "EIP Tracker is starting on http://$(HOST):$(PORT) with its scheduler (Ctrl+C stops both)"
	@echo ""
	@$(FLASK) eip scheduler & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT) --no-reload

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint test-suite

# pytest exits 5 when it collected no tests; that is not a failure of the suite.
# The suite runs on SQLite, or on PostgreSQL when EIP_TEST_DATABASE_URL is set.
test-suite: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

# pip-audit lives in its own virtualenv so that its dependencies never move the app's pins.
# It audits exactly what is installed in .venv (the pins of pyproject.toml, what they pull in,
# and the test tools once installed), with no resolving or installing of its own. It asks PyPI's vulnerability service, so it needs the
# network and is not part of CI: run it before a release and when an advisory is announced.
# --strict: a package the service cannot look up fails the run instead of passing unaudited.
$(AUDIT_VENV)/.installed:
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet pip-audit==$(PIP_AUDIT_VERSION)
	@touch $@

audit: $(VENV)/.installed-app $(AUDIT_VENV)/.installed
	$(BIN)/pip freeze --exclude-editable > $(AUDIT_VENV)/requirements.txt
	$(AUDIT_VENV)/bin/pip-audit --requirement $(AUDIT_VENV)/requirements.txt --no-deps --disable-pip --strict --progress-spinner off

# BENCH_CASES (default 1000), BENCH_PLACEMENTS, BENCH_REPEATS: see docs/testing.md.
bench: $(VENV)/.installed-app
	env -u DATABASE_URL $(BIN)/python bench/run.py

# The same on PostgreSQL: DATABASE_URL names a database it may empty (its name contains "bench").
bench-pg: $(VENV)/.installed-app
	@test -n "$(DATABASE_URL)" || { echo "make bench-pg needs DATABASE_URL=postgresql+psycopg://user:password@host/eip_bench" >&2; exit 1; }
	DATABASE_URL="$(DATABASE_URL)" $(BIN)/python bench/run.py

# BENCH_SECONDS, BENCH_CLIENTS, BENCH_READERS/BENCH_WRITERS, BENCH_WORKERS, BENCH_THREADS: docs/testing.md.
bench-concurrency: $(VENV)/.installed-app
	env -u DATABASE_URL $(BIN)/python bench/concurrency.py

bench-concurrency-pg: $(VENV)/.installed-app
	@test -n "$(DATABASE_URL)" || { echo "make bench-concurrency-pg needs DATABASE_URL=postgresql+psycopg://user:password@host/eip_bench" >&2; exit 1; }
	DATABASE_URL="$(DATABASE_URL)" $(BIN)/python bench/concurrency.py

assets:
	npm ci
	npm run build

clean:
	rm -rf $(VENV) $(AUDIT_VENV) instance/eip.sqlite3 instance/eip.sqlite3-wal instance/eip.sqlite3-shm
