"""Sending queued xAPI statements to a Learning Record Store.

Statements are written to the outbox in the transaction that stores a score
(scoring.services), so a score never exists without its statements. This
module posts them in batches and marks them sent only when the LRS answers
2xx: an LRS that is down, slow or refusing loses nothing. Within a run a
batch is retried with exponential backoff; after that it waits, longer each
time, for a later run (``next_try_at``).
"""

from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from scoring.models import XapiStatement
from scoring.xapi import XAPI_VERSION

logger = logging.getLogger(__name__)

BATCH = 50
TRIES_PER_RUN = 4  # waits 0.5, 1, 2 seconds between them
FIRST_WAIT = 0.5
TIMEOUT = 10
MAX_DELAY = timedelta(hours=6)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0  # statements left pending after this run's tries
    error: str = ""


class LrsError(Exception):
    pass


def _post(url: str, body: bytes, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the operator's LRS URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise LrsError(f"the LRS answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LrsError(f"the LRS could not be reached: {reason}") from None
    if not 200 <= status < 300:
        raise LrsError(f"the LRS answered {status}")


def pending_statements():
    now = timezone.now()
    return XapiStatement.objects.filter(
        Q(next_try_at__isnull=True) | Q(next_try_at__lte=now), sent_at__isnull=True
    ).order_by("id")


def xapi_send_pending(
    *,
    endpoint: str,
    username: str = "",
    password: str = "",
    batch: int = BATCH,
    tries: int = TRIES_PER_RUN,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """POST every due statement to ``<endpoint>/statements``, a batch at a time."""
    url = endpoint.rstrip("/") + "/statements"
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
    if username or password:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    result = SendResult()
    while True:
        rows = list(pending_statements()[:batch])
        if not rows:
            return result
        body = json.dumps([r.statement for r in rows]).encode()
        wait = FIRST_WAIT
        for attempt in range(1, tries + 1):
            try:
                _post(url, body, headers)
            except LrsError as exc:
                result.error = str(exc)
                if attempt < tries:
                    sleep(wait)
                    wait *= 2
                continue
            XapiStatement.objects.filter(pk__in=[r.pk for r in rows]).update(
                sent_at=timezone.now(), last_error=""
            )
            result.sent += len(rows)
            break
        else:
            _postpone(rows, result.error)
            result.failed += len(rows)
            logger.warning("xAPI: %d statements left pending: %s", len(rows), result.error)
            return result  # the LRS is down: try the rest on a later run


def _postpone(rows: list[XapiStatement], error: str) -> None:
    now = timezone.now()
    for row in rows:
        row.tries += 1
        row.next_try_at = now + min(timedelta(minutes=2**row.tries), MAX_DELAY)
        row.last_error = error[:300]
    XapiStatement.objects.bulk_update(rows, ["tries", "next_try_at", "last_error"])
