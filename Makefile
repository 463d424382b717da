# EventHub: `make run` serves the demo event, `make test` runs the suite (DESIGN §5),
# `make serve` runs the production profile (docs/production.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format bench-fanout clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-sentry.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Debug defaults on only for the embedded demo (no DATABASE_URL); pointed at real services,
# `make run` runs with debug off and seeds no demo logins unless DJANGO_DEBUG=1 says it is a demo
# (seed_demo --if-demo; docs/decisions.md "Demo data only on a demo").
RUN_DEBUG = $${DJANGO_DEBUG:-$$(test -n "$$DATABASE_URL" && echo 0 || echo 1)}

run: $(VENV)/.runtime
	DJANGO_DEBUG=$(RUN_DEBUG) $(BIN)/python manage.py migrate --noinput -v0
	DJANGO_DEBUG=$(RUN_DEBUG) $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=$(RUN_DEBUG) HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py seed_demo --if-demo
	DJANGO_DEBUG=$(RUN_DEBUG) HOST=$(HOST) PORT=$(PORT) scripts/serve

# The production profile on PostgreSQL and Redis (DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY,
# ALLOWED_HOSTS, PORT...): migrations and static files first, then every process, supervised.
serve: $(VENV)/.runtime
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { echo "make serve needs DATABASE_URL and REDIS_URL (docs/production.md)"; exit 1; }
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) scripts/serve --production

# Both cores: pytest-xdist workers, each with its own test database, Redis database, stream
# channel prefix and block of ports (eventhub/testing/plugin.py, live.py); work stealing evens
# out the long live tests. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= auto

test: $(VENV)/.dev
	scripts/ensure-test-services
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check-inline-imports

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-fanout: $(VENV)/.dev
	scripts/ensure-test-services
	$(BIN)/python bench/fanout.py

clean:
	rm -rf $(VENV) var/static
