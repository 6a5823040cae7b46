# Two commands for a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

# Test environment: production-like settings (DEBUG off) without HTTPS, plain static files.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-not-secret \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver \
	DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_PLAIN_STATIC=1 \
	DJANGO_ALLOW_ASYNC_UNSAFE=true PUBLIC_DASHBOARD=1
DEV_ENV := DJANGO_DEBUG=1

.PHONY: install run test test-fast lint format bench lighthouse migrations-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py bootstrap_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(TEST_ENV) $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(TEST_ENV) $(PY) tests/perf/bench.py $(BENCH_ARGS)
	$(TEST_ENV) $(PY) tests/perf/bench_import.py
	$(TEST_ENV) $(VENV)/bin/pytest tests/perf/bench_first_chart.py -s -q
	$(TEST_ENV) $(PY) tests/perf/load.py $(LOAD_ARGS)

# Lighthouse scores of /, /program/gbrss/ and /wilayah/16.07/ (desktop and mobile presets)
# against gunicorn + compressed static files with demo data; installs Lighthouse from npm
# into tools/lighthouse/node_modules. A measurement, not a test (see tools/lighthouse/run.sh).
lighthouse: $(STAMP)
	bash tools/lighthouse/run.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
