#!/usr/bin/env python
"""Django's command-line entry point for CasePath."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simulator.settings")
    # A machine with no SECRET_KEY is a developer's or an author's: let the
    # commands run there (validate_content, import_content) in development
    # mode. A server has SECRET_KEY set and keeps DEBUG off unless told; the
    # web server (wsgi.py) never takes this default.
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Load the settings up front: a bad environment then stops start-up with the one
    # line that says what to set, instead of a traceback (or Django quietly listing
    # only its core commands).
    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        sys.exit(f"CasePath cannot start: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
