# Two commands do all set-up: `make run` and `make test` (see README.md).
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= $(shell bin/find-python)
HOST   ?= 127.0.0.1:8000

.PHONY: run test venv system-runtime system-test fonts migrate demo messages lint clean bench-data bench bench-import bench-forecast load backup restore

# Debian packages (bin/system-packages holds the list): installed when missing, or a stop naming the command.
system-runtime:
	@bin/system-packages runtime
system-test:
	@bin/system-packages runtime test

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.12+ found: see the message above." >&2; exit 1; }
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Printed forms' CJK faces, cut once per machine at set-up rather than on a user's first PDF.
# Without the font (SYSTEM_PACKAGES=skip) the app still runs: the warning says what PDFs lack.
fonts: venv
	-@$(VPY) manage.py print_fonts --verbosity 0

# Development server on SQLite with Celery tasks run eagerly, whatever the shell has set.
run: system-runtime venv fonts
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VPY) manage.py migrate --noinput
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VPY) manage.py load_demo
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VPY) manage.py runserver $(HOST)

# The suite on every core (pytest-xdist). loadgroup hands tests out in pytest-django's order (each
# worker runs its transactional tests last, after the rows they flush are no longer needed) and keeps
# an xdist_group's tests on one worker. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
test: system-test venv fonts
	$(VPY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

messages: venv
	$(VPY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(VPY) manage.py compilemessages -l en --ignore=.venv

# ruff (with the security and timezone rules) and mypy (django-stubs) on the Python, djLint on the templates.
lint: venv
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	$(VPY) -m mypy .
	$(VENV)/bin/djlint --lint templates */templates */jinja2

# The benchmark runs against PostgreSQL: BENCH_DATABASE_URL, a database of its own (see README.md).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
SCALE ?= 0.01

bench-data: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) $(VPY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(VPY) manage.py bench_data --scale $(SCALE)

# Production settings (DEBUG off, manifest static files), plain HTTP for the in-process client.
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 SECRET_KEY=bench-only SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 ALLOWED_HOSTS=testserver,localhost

bench: venv
	$(BENCH_ENV) $(VPY) manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(VPY) manage.py bench $(BENCH_ARGS)

# Import N customer lines from a workbook (check, import, undo) on the bench database: the time and memory.
IMPORT_ROWS ?= 10000
bench-import: venv
	$(BENCH_ENV) $(VPY) manage.py bench_import --rows $(IMPORT_ROWS)

# The win model against synthetic histories with known truth (bench/forecast_world.py), on a scratch SQLite file.
FORECAST_DB ?= /tmp/crm-bench-forecast.sqlite3
bench-forecast: venv
	rm -f $(FORECAST_DB)
	DATABASE_URL=sqlite:///$(FORECAST_DB) $(VPY) manage.py migrate --noinput --verbosity 0
	DATABASE_URL=sqlite:///$(FORECAST_DB) $(VPY) manage.py bench_forecast $(BENCH_FORECAST_ARGS)

# 200 simulated users for 10 minutes against gunicorn + a Celery worker (installs locust into the venv).
LOAD_USERS ?= 200
LOAD_MINUTES ?= 10
load: venv
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) bench/load.sh $(LOAD_USERS) $(LOAD_MINUTES)

# Backups: the database (pg_dump, or the SQLite file), media/ and a manifest of row counts and checksums.
BACKUP_DIR ?= backups
backup: venv
	$(VPY) manage.py backup --to $(BACKUP_DIR)
restore: venv
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=$(BACKUP_DIR)/<folder>" >&2; exit 2; }
	$(VPY) manage.py restore $(BACKUP)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
