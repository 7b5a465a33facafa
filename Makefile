# Two commands for a newcomer: `make run` and `make test`. Everything they need
# is installed here, into .venv, from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check install chromium clean bench bench-load bench-peer

# Reinstall only when the declared dependencies change.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Debian's Chromium, which the page and TimelineJS tests drive with playwright.
# Installed as root where apt-get is available; elsewhere those tests skip and
# say why.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "Chromium is not installed (apt-get install chromium): browser tests will skip."; \
	  fi; }

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed
	$(BIN)/python manage.py ensure_editor --admin-url http://$(HOST):$(PORT)/admin/
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install chromium
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The read and write paths under wrk against a floor (a Django view) and a
# ceiling (nginx), at 100k and 1M events (bench/README.md); writes
# bench/RESULTS.md. `make bench BENCH_ARGS=--quick` for a short try.
bench: install
	$(PYTHON) bench/run.py $(BENCH_ARGS)

# 60 s of wrk load on gunicorn + PostgreSQL, steady and with the database
# restarted mid-run (bench/README.md); writes bench/RESULTS-load.md.
bench-load: install
	$(PYTHON) bench/load.py

# This service against Directus 12.4.0 on the same data, cold and warm
# (bench/README.md); installs Node 22 and Directus into bench/.peer/ the first
# time, writes its section of bench/RESULTS.md. PEER_ARGS="--rounds 1" for a try.
bench-peer: install
	$(PYTHON) bench/peer.py $(PEER_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache *.egg-info
