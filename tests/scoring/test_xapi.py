"""xAPI: the statement builder against the spec's required fields, the
outbox written with the score, and sending to a real local HTTP server
that refuses before it accepts."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from scoring.items import Decision, Pick
from scoring.models import XapiStatement
from scoring.outbox import xapi_send_pending
from scoring.xapi import AttemptRecord, attempt_statements
from tests.factories import REFERENCE, SWAB

SITE = "https://casepath.example"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def record(**changes: Any) -> AttemptRecord:
    values: dict[str, Any] = {
        "attempt_id": 7,
        "username": "rita",
        "full_name": "Rita Moreno",
        "case_slug": "test-case",
        "case_title": "A lump on the foot",
        "case_version": 2,
        "mode": "assessment",
        "started_at": START,
        "finished_at": START + timedelta(minutes=12, seconds=5),
        "score": 65,
        "critical_errors": 0,
        "rubric_version": 1,
        "pass_mark": 70,
        "decisions": (
            Decision(0, "intro", (Pick("films", "indicated", "", ""),)),
            Decision(1, "films", (Pick("crp", "not_indicated", "", ""),)),
            Decision(2, "plan", (Pick("good", "", "", ""),)),
        ),
        "prompts": {"intro": "What do you do first?"},
    }
    return AttemptRecord(**(values | changes))


def test_every_statement_has_the_required_fields() -> None:
    statements = attempt_statements(record(), site_url=SITE)
    assert len(statements) == 4
    for s in statements:
        assert uuid.UUID(s["id"]).version == 5
        assert s["actor"] == {
            "objectType": "Agent",
            "name": "Rita Moreno",
            "account": {"homePage": SITE, "name": "rita"},
        }
        assert s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert s["verb"]["display"]["en"]
        assert s["object"]["objectType"] == "Activity"
        assert s["object"]["id"].startswith(SITE + "/")
        assert s["timestamp"] == "2026-03-02T09:12:05+00:00"
        assert uuid.UUID(s["context"]["registration"])
        json.dumps(s)  # plain JSON


def test_the_attempt_statement_has_the_case_as_object_and_the_score_as_result() -> None:
    completed = attempt_statements(record(), site_url=SITE)[0]
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["object"]["id"] == f"{SITE}/cases/test-case/"
    assert completed["object"]["definition"]["name"] == {"en": "A lump on the foot"}
    assert completed["result"]["score"] == {"scaled": 0.65, "raw": 65, "min": 0, "max": 100}
    assert completed["result"]["success"] is False  # below the pass mark of 70
    assert completed["result"]["completion"] is True
    assert completed["result"]["duration"] == "PT725S"
    assert "success" not in attempt_statements(record(pass_mark=None), site_url=SITE)[0]["result"]


def test_each_decision_is_an_answered_statement_under_the_case() -> None:
    _, intro, films, plan = attempt_statements(record(), site_url=SITE)
    assert intro["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert intro["object"]["id"] == f"{SITE}/cases/test-case/v2/decisions/intro"
    assert intro["object"]["definition"]["description"] == {"en": "What do you do first?"}
    assert intro["result"] == {"response": "films", "completion": True, "success": True}
    assert films["result"]["success"] is False
    assert "success" not in plan["result"]  # performs no action: neither right nor wrong
    assert intro["context"]["contextActivities"]["parent"][0]["id"] == f"{SITE}/cases/test-case/"


def test_statement_ids_are_stable_so_a_resend_is_harmless() -> None:
    assert [s["id"] for s in attempt_statements(record(), site_url=SITE)] == [
        s["id"] for s in attempt_statements(record(), site_url=SITE)
    ]
    assert (
        attempt_statements(record(), site_url=SITE)[0]["id"]
        != attempt_statements(record(attempt_id=8), site_url=SITE)[0]["id"]
    )


@pytest.mark.django_db
def test_statements_are_queued_with_the_score(resident: Any, play: Any) -> None:
    attempt = play(resident, REFERENCE)
    queued = XapiStatement.objects.filter(score__attempt=attempt)
    assert queued.count() == 4
    assert all(s.sent_at is None for s in queued)
    first = queued.first()
    assert first.statement["id"] == str(first.statement_id)


# --- sending to an LRS -----------------------------------------------------------------


class FakeLrs(ThreadingHTTPServer):
    """A real HTTP server: answers 503 to the first `refuse` posts, then 200."""

    def __init__(self, refuse: int) -> None:
        super().__init__(("127.0.0.1", 0), LrsHandler)
        self.refuse = refuse
        self.posts: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/xapi"


class LrsHandler(BaseHTTPRequestHandler):
    server: FakeLrs

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": json.loads(body),
            }
        )
        if len(self.server.posts) <= self.server.refuse:
            self.send_response(503)
            self.end_headers()
            return
        ids = json.dumps([s["id"] for s in json.loads(body)]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ids)))
        self.end_headers()
        self.wfile.write(ids)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def lrs(request: pytest.FixtureRequest) -> Generator[FakeLrs, None, None]:
    server = FakeLrs(refuse=getattr(request, "param", 0))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
@pytest.mark.parametrize("lrs", [2], indirect=True)
def test_a_refusing_lrs_is_retried_with_backoff_until_it_accepts(
    lrs: FakeLrs, resident: Any, play: Any
) -> None:
    play(resident, REFERENCE)
    waits: list[float] = []
    result = xapi_send_pending(
        endpoint=lrs.url, username="casepath", password="s3cret", sleep=waits.append
    )
    assert (result.sent, result.failed) == (4, 0)
    assert waits == [0.5, 1.0]
    assert len(lrs.posts) == 3
    post = lrs.posts[-1]
    assert post["path"] == "/xapi/statements"
    assert post["headers"]["x-experience-api-version"] == "1.0.3"
    assert (
        post["headers"]["authorization"] == "Basic " + base64.b64encode(b"casepath:s3cret").decode()
    )
    assert [s["id"] for s in post["body"]] == [
        str(i) for i in XapiStatement.objects.values_list("statement_id", flat=True)
    ]
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("lrs", [100], indirect=True)
def test_statements_stay_pending_while_the_lrs_is_down(
    lrs: FakeLrs, resident: Any, play: Any
) -> None:
    play(resident, REFERENCE)
    result = xapi_send_pending(endpoint=lrs.url, batch=2, sleep=lambda _: None)
    assert (result.sent, result.failed) == (0, 2)
    assert "503" in result.error
    assert len(lrs.posts) == 4  # one batch, four tries; the rest waits for the next run
    assert XapiStatement.objects.filter(sent_at__isnull=True).count() == 4
    postponed = XapiStatement.objects.filter(tries=1)
    assert postponed.count() == 2
    assert all(s.next_try_at > timezone.now() for s in postponed)
    # On the next run the LRS is back: the postponed batch waits its turn, the rest go.
    lrs.refuse = 0
    assert xapi_send_pending(endpoint=lrs.url, sleep=lambda _: None).sent == 2
    XapiStatement.objects.update(next_try_at=None)
    assert xapi_send_pending(endpoint=lrs.url, sleep=lambda _: None).sent == 2
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_an_unreachable_lrs_loses_nothing(resident: Any, play: Any) -> None:
    play(resident, SWAB)
    server = FakeLrs(refuse=0)
    url = server.url
    server.server_close()  # nothing listens there any more: connection refused
    result = xapi_send_pending(endpoint=url, sleep=lambda _: None)
    assert result.sent == 0
    assert "could not be reached" in result.error
    assert XapiStatement.objects.filter(sent_at__isnull=True).count() == 4


@pytest.mark.django_db
def test_the_send_xapi_command(lrs: FakeLrs, resident: Any, play: Any, settings: Any) -> None:
    play(resident, REFERENCE)
    settings.XAPI_ENDPOINT = ""
    out = StringIO()
    call_command("send_xapi", stdout=out)
    assert "XAPI_ENDPOINT is not set: 4 statement(s) wait in the outbox." in out.getvalue()
    settings.XAPI_ENDPOINT = lrs.url
    call_command("send_xapi", stdout=out)
    assert "Sent 4 statement(s)." in out.getvalue()
