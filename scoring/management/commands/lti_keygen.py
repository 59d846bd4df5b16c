"""Create the LTI tool's RSA key pair (LTI_PRIVATE_KEY_FILE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from scoring.lti import tool_key_generate


class Command(BaseCommand):
    help = "Write a new RSA private key for LTI 1.3 to LTI_PRIVATE_KEY_FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when the key exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.LTI_PRIVATE_KEY_FILE
        if path.exists() and options["if_missing"]:
            self.stdout.write(f"The LTI key exists: {path}.")
            return
        tool_key_generate(path)
        self.stdout.write(f"Wrote a new LTI key to {path}. Platforms read it from /lti/jwks/.")
