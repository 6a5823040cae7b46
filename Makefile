# Two commands for a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Locked dependencies with hashes (`make lock` writes both from pyproject.toml):
# requirements.lock for production (Dockerfile), requirements-test.lock adds the test extra.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
LOCK_VENV := .venv-lock
UV := $(LOCK_VENV)/bin/uv
UV_SPEC := uv>=0.5,<1
# Any platform (universal markers), Python 3.11 and newer; keeps the versions already
# locked unless LOCK_ARGS=--upgrade (or --upgrade-package NAME) asks for newer ones.
UV_COMPILE := $(UV) pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock" $(LOCK_ARGS)

# Test environment: production-like settings (DEBUG off) without HTTPS, plain static files.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-not-secret \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver \
	DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_PLAIN_STATIC=1 \
	DJANGO_ALLOW_ASYNC_UNSAFE=true PUBLIC_DASHBOARD=1
DEV_ENV := DJANGO_DEBUG=1
# pytest-xdist workers: one per core of the 2-core CI machine. Each worker has its own
# test database (and Redis database, tests/pagecache_helpers.py); 1 runs in-process.
PYTEST_WORKERS ?= 2
# A state a module's tests share (tests/shared_db.py) is built once by each worker that
# runs them. (--dist loadgroup cannot group under pytest 9.2: pytest-xdist 3.8 renames a
# node id pytest no longer reads. --dist loadfile ran tests/programs/test_ytd.py after a
# test that leaves a dirty slice behind on SQLite: not yet found, see the stop 35 note.)
PYTEST_N := $(if $(filter 1,$(PYTEST_WORKERS)),-p no:xdist,-n $(PYTEST_WORKERS))

.PHONY: install lock run worker test test-fast lint format bench lighthouse migrations-check clean

# Exactly the locked versions, each checked against its hash; then the project itself
# (no packages of its own, no dependencies to resolve).
$(STAMP): pyproject.toml $(TEST_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(TEST_LOCK)
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet '$(UV_SPEC)'

# Re-resolve after changing dependencies in pyproject.toml (or merging branches that
# did): the test lock first, then production constrained to the same versions. A lock
# left with merge conflict markers is resolved afresh.
lock: $(UV)
	@for f in $(LOCK) $(TEST_LOCK); do \
		if grep -qs '^<<<<<<<' $$f; then echo "$$f has conflict markers: resolving afresh"; rm -f $$f; fi; \
	done
	$(UV_COMPILE) --extra test --extra s3 -o $(TEST_LOCK)
	$(UV_COMPILE) --extra s3 --constraint $(TEST_LOCK) -o $(LOCK)

run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py bootstrap_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Sends queued e-mails (django-tasks database backend); run beside `make run`.
worker: $(STAMP)
	$(DEV_ENV) $(PY) manage.py db_worker

test: $(STAMP)
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_N) $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_N) -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(TEST_ENV) $(PY) tests/perf/bench.py $(BENCH_ARGS)
	$(TEST_ENV) $(PY) tests/perf/bench_import.py
	$(TEST_ENV) $(PY) tests/perf/bench_writers.py $(WRITERS_ARGS)
	$(TEST_ENV) $(VENV)/bin/pytest tests/browser/bench_first_chart.py -s -q
	$(TEST_ENV) $(PY) tests/perf/load.py $(LOAD_ARGS)

# Lighthouse scores of /, /program/gbrss/ and /wilayah/16.07/ (desktop and mobile presets)
# against gunicorn + compressed static files with demo data; installs Lighthouse from npm
# into tools/lighthouse/node_modules. A measurement, not a test (see tools/lighthouse/run.sh).
lighthouse: $(STAMP)
	bash tools/lighthouse/run.sh

clean:
	rm -rf $(VENV) $(LOCK_VENV) staticfiles db.sqlite3 db.sqlite3.lock
