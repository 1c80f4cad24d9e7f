# Two commands set everything up: `make run` (platform + worker + demo data) and
# `make test` (the whole suite). Both honour DATABASE_URL; SQLite is the default.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is for a laptop: debug pages, demo logins, the sandbox payment buttons.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: install run test lint messages worker bench bench-sqlite bench-load clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

install: $(VENV)/.installed

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py setup_schedules
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "  Merchant center:    http://$(HOST):$(PORT)/seller/"
	@echo "  Support workbench:  http://$(HOST):$(PORT)/support/"
	@echo "  Review back office: http://$(HOST):$(PORT)/admin/"
	@echo "  API docs:           http://$(HOST):$(PORT)/api/docs/"
	@echo "  Health:             http://$(HOST):$(PORT)/healthz"
	@echo ""
# seed_demo has just printed the demo logins and their password (once).
# The web server is gunicorn (config/gunicorn.py: WEB_WORKERS processes of WEB_THREADS
# threads), which holds a crowd of writers on SQLite where the development server did not.
# `manage.py worker` stops qcluster within seconds on Ctrl-C, `timeout`'s SIGTERM or a
# closed terminal (it gets them along with the web server); the trap stops it when the web
# server exits on its own, and waits for it.
	@$(RUN_ENV) $(PY) manage.py worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT; trap 'exit 143' TERM HUP; \
	  HOST=$(HOST) PORT=$(PORT) $(RUN_ENV) $(VENV)/bin/gunicorn -c config/gunicorn.py

worker: install
	$(RUN_ENV) $(PY) manage.py worker

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans -i ".venv/*" -i "staticfiles/*"
	DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans -i ".venv"

# Every benchmark (bench/run_all.py): screening, then datagen on a fresh PostgreSQL database
# (BENCH_PG_URL, BENCH_DB, BENCH_SCALE), the lists, the sweeps, the order path, the flash sale.
bench: install
	$(PY) bench/run_all.py

bench-sqlite: install
	$(PY) bench/sqlite_load.py

# Mixed buyer traffic against gunicorn + PostgreSQL (a fresh database on LOAD_DATABASE_URL's
# server, default postgres://postgres@127.0.0.1:5432/); LOAD_SECONDS long, 300 by default.
LOAD_SECONDS ?= 300
bench-load: install
	$(PY) bench/load.py --seconds $(LOAD_SECONDS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
