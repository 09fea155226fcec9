# Wahaj: `make run` serves the whole system, `make test` runs the whole suite (README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export DJANGO_SETTINGS_MODULE := wahaj.settings

.PHONY: run test lint messages makemessages system-deps bench screenshots backup restore clean

# What running needs (requirements.txt); tests, lint and the browser add requirements-dev.txt.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

system-deps:
	@bash scripts/system-deps.sh run

messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py compilemessages --verbosity 0 --ignore '.venv' --ignore 'var'

# Development defaults when nothing is set: DEBUG on (so no SECRET_KEY is needed), SQLite and
# the file-system broker. DATABASE_URL / REDIS_URL in the environment move it to the servers.
run: export DEBUG ?= 1
run: system-deps messages
	mkdir -p var/broker/queue var/broker/processed var/broker/control var/private-media
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo "Wahaj: http://127.0.0.1:$${WAHAJ_PORT:-8000}  (Ctrl-C stops web, worker and beat)"
	@bash scripts/serve.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: export DEBUG ?= 1
# TEST_WORKERS: pytest-xdist processes (each has its own test database); 0 runs in one process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-dev messages lint
	@bash scripts/system-deps.sh test
	mkdir -p test-artifacts
	$(VENV)/bin/pytest -m "not screenshots" -n $(TEST_WORKERS)

# The main pages of every role and of the portal, Arabic and English, desktop and phone, as PNG
# files in test-artifacts/screenshots/ for people to look at (tests/test_screenshots.py).
screenshots: export DEBUG ?= 1
screenshots: $(VENV)/.installed-dev messages
	@bash scripts/system-deps.sh test
	rm -rf test-artifacts/screenshots
	WAHAJ_SCREENSHOTS=1 $(VENV)/bin/pytest -m screenshots -p no:randomly tests/test_screenshots.py

# collectstatic reads no field, but production settings need keys (any valid ones).
BENCH_FIELD_KEY := YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=
bench: $(VENV)/.installed messages
	@bash scripts/system-deps.sh bench
	DEBUG=0 SECRET_KEY=bench-collectstatic-only FIELD_ENCRYPTION_KEYS=$(BENCH_FIELD_KEY) \
	  FIELD_HASH_KEY=bench-collectstatic-only-hash-key-0000 \
	  $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) bench/run.py

backup: $(VENV)/.installed
	@bash scripts/backup.sh

restore: $(VENV)/.installed
	@bash scripts/restore.sh "$(BACKUP)"

clean:
	rm -rf var test-artifacts .pytest_cache
