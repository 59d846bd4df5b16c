"""Send to their learning platforms the scores of LTI-launched attempts not sent yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from scoring.lti import score_publish_pending


class Command(BaseCommand):
    help = "Retry grade passback (LTI AGS) for finished attempts whose score the platform has not accepted."

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = score_publish_pending()
        self.stdout.write(f"Sent {sent} score(s); {failed} still pending.")
