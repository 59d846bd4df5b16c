"""Send the xAPI statements waiting in the outbox to the configured LRS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from scoring.models import XapiStatement
from scoring.outbox import BATCH, xapi_send_pending


class Command(BaseCommand):
    help = (
        "POST pending xAPI statements to XAPI_ENDPOINT, retrying with backoff; run it from "
        "cron or a timer. Statements are marked sent only when the LRS accepts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help="Statements per request.")

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = XapiStatement.objects.filter(sent_at__isnull=True).count()
        if not settings.XAPI_ENDPOINT:
            self.stdout.write(
                f"XAPI_ENDPOINT is not set: {waiting} statement(s) wait in the outbox."
            )
            return
        result = xapi_send_pending(
            endpoint=settings.XAPI_ENDPOINT,
            username=settings.XAPI_USERNAME,
            password=settings.XAPI_PASSWORD,
            batch=options["batch"],
        )
        self.stdout.write(f"Sent {result.sent} statement(s).")
        if result.failed:
            self.stderr.write(
                f"{result.failed} statement(s) left pending for a later run: {result.error}"
            )
