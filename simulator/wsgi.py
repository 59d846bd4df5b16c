"""WSGI entry point: `gunicorn simulator.wsgi`."""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simulator.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # One line naming the variable to set, rather than a traceback per worker.
    print(f"CasePath cannot start: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
