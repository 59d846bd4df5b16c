# CasePath: `make run` to try it, `make test` to check it.
# Every target installs what it needs first; running one twice is safe and fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Where `make run` and `make serve` listen: `make run HOST=0.0.0.0:8080`.
HOST ?= 127.0.0.1:8000
# Loopback ports of `make bench` and `make proof` (never 8000, which developers use).
BENCH_PORT ?= 8101
PROOF_LB_PORT ?= 8100
PROOF_PORTS ?= 8101 8102

# Development only: `make run` is never a deployment.
DEV_ENV := DEBUG=1 SECRET_KEY=dev-only-insecure-make-run-key-0123456789-abcdefghijklmnop

.PHONY: run test test-postgres lint serve install install-dev chromium bench proof postgres-up haproxy

run: install
	mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py import_content cases/content
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py lti_keygen --if-missing
	@echo "CasePath is served at http://$(HOST)/ (log in at http://$(HOST)/accounts/login/)"
	$(DEV_ENV) $(PY) manage.py runserver $(HOST)

# The suite on tables made from the models, then the migration tests on real migrations.
PYTEST := DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest

test: install-dev chromium
	$(PYTEST)
	$(PYTEST) --migrations -m migrations

test-postgres: DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casepath
test-postgres: install-dev chromium
	DATABASE_URL=$(DATABASE_URL) $(PYTEST)
	DATABASE_URL=$(DATABASE_URL) $(PYTEST) --migrations -m migrations

# On SQLite then PostgreSQL, each a fresh database seeded with 300 residents and
# 100,000 scored attempts: the program pages timed against a plain query (each
# within 3x), then the load: gunicorn (2 sync workers, DEBUG off) on
# 127.0.0.1:$(BENCH_PORT), driven by 50 simulated residents, the choice and stage
# rows again with FRAGMENT_CACHE=database, and residents per core on one worker.
# Exits 1 on a missed target.
bench: install-dev postgres-up
	$(PY) -m tests.bench.run --port $(BENCH_PORT)

# Scale-out and faults (docs/operations.md): two gunicorn servers behind haproxy on
# one PostgreSQL, a worker SIGKILLed, PostgreSQL restarted, pg_dump/pg_restore and
# an SQLite backup-API copy, each checked choice by choice; exits 1 on a failure.
proof: install-dev postgres-up haproxy
	$(PY) -m tests.bench.proof --lb-port $(PROOF_LB_PORT) --ports $(PROOF_PORTS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Production-like: DEBUG off, hashed static files, gunicorn. It listens on plain
# HTTP on the loopback interface, so the HTTPS redirect, HSTS and Secure cookies
# are off here; a real deployment keeps them on (README, "Deploying").
serve: install
	mkdir -p var
	test -s var/secret_key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
	export DEBUG=0 SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0; \
	$(PY) manage.py collectstatic --noinput -v0; \
	$(PY) manage.py migrate --noinput; \
	exec $(VENV)/bin/gunicorn simulator.wsgi --workers 2 --bind $(HOST) --access-logfile -

# `make run` and `make serve` install what running needs; the test, lint and
# benchmark targets add the developer tools.
install: $(STAMP)

install-dev: $(DEV_STAMP)

$(PY):
	python3 -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet 'uv<1'

# Reinstall only when the lock file is newer than the last install.
$(STAMP): requirements.lock | $(UV)
	$(UV) pip install --python $(PY) -r requirements.lock
	touch $(STAMP)

$(DEV_STAMP): requirements-dev.lock | $(UV)
	$(UV) pip install --python $(PY) -r requirements-dev.lock
	touch $(STAMP) $(DEV_STAMP)

# Playwright drives Debian's Chromium; it cannot download a browser of its own here.
chromium:
	@command -v chromium >/dev/null || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update && $$sudo apt-get install -y chromium; \
	}

# The local PostgreSQL cluster on 127.0.0.1:5432, started if it is not answering.
postgres-up:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		for version in $$(ls /etc/postgresql); do \
			pg_ctlcluster --skip-systemctl-redirect "$$version" main start || true; \
		done; \
		for _ in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
		pg_isready -h 127.0.0.1 -p 5432; \
	}

# `make proof`'s load balancer, from Debian's packages.
haproxy:
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update && $$sudo apt-get install -y haproxy; \
	}
