# Two commands do all set-up: `make run` and `make test` (see README.md).
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= $(shell bin/find-python)
HOST   ?= 127.0.0.1:8000

.PHONY: run test venv migrate demo messages lint clean

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.12+ found: see the message above." >&2; exit 1; }
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Development server on SQLite with Celery tasks run eagerly, whatever the shell has set.
run: venv
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VPY) manage.py migrate --noinput
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VPY) manage.py load_demo
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VPY) manage.py runserver $(HOST)

test: venv
	$(VPY) -m pytest $(PYTEST_ARGS)

messages: venv
	$(VPY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(VPY) manage.py compilemessages -l en --ignore=.venv

lint: venv
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
