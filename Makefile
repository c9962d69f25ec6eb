# Two commands: `make run` serves the demo portal, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Exported so that the settings make mail links point at this port (SITE_URL).
export PORT

.PHONY: run test setup demo lint messages chromium clean production

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.12 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: setup
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The production shape on one machine: gunicorn, task workers and the scheduler against
# PostgreSQL and Redis (bin/production; docs/DEPLOY.md for several machines).
production: $(VENV)/.installed
	bin/production

# The Nu HTML checker (vnu-jar from the npm registry) that the tests run over every main page.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --silent
	@touch $@

test: $(VENV)/.installed node_modules/.installed
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check .

# Regenerate the translation catalogues after changing visible text.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale ru --locale de --locale sv --ignore '.venv/*' --ignore 'e2e/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Debian's Chromium for the browser journeys (needs root; CI runs this).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The benchmark (bench/README.md): Debian's wrk (needs root), then the portal under
# gunicorn against PostgreSQL. Options through BENCH_ARGS, e.g. BENCH_ARGS="--duration 5".
.PHONY: bench
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(PY) bench/run.py $(BENCH_ARGS)

# The write benchmark (bench/README.md, "Writes"): gunicorn and task workers, eight writers.
.PHONY: bench-writes
bench-writes: $(VENV)/.installed
	$(PY) bench/writes.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles node_modules
