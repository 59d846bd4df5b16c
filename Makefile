# CasePath: `make run` to try it, `make test` to check it.
# Every target installs what it needs first; running one twice is safe and fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
HOST := 127.0.0.1:8000

# Development only: `make run` is never a deployment.
DEV_ENV := DEBUG=1 SECRET_KEY=dev-only-insecure-make-run-key-0123456789-abcdefghijklmnop

.PHONY: run test test-postgres lint serve install chromium

run: install
	mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	@# A broken `manage.py help` stops here (set -e); only a missing command is skipped.
	commands="$$($(DEV_ENV) $(PY) manage.py help --commands)"; \
	if grep -qx import_content <<<"$$commands"; then \
		$(DEV_ENV) $(PY) manage.py import_content cases/content; \
	else \
		echo "import_content is not available yet: starting without bundled content."; \
	fi
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver $(HOST)

test: install chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest

test-postgres: DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casepath
test-postgres: install chromium
	DATABASE_URL=$(DATABASE_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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

install: $(STAMP)

$(PY):
	python3 -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet 'uv<1'

# Reinstall only when the lock file is newer than the last install.
$(STAMP): requirements.lock | $(UV)
	$(UV) pip install --python $(PY) -r requirements.lock
	touch $(STAMP)

# Playwright drives Debian's Chromium; it cannot download a browser of its own here.
chromium:
	@command -v chromium >/dev/null || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update && $$sudo apt-get install -y chromium; \
	}
