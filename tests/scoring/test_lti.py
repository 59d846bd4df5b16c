"""LTI 1.3 end to end against a platform simulated in the test: a real RSA key
pair, a real key set served over HTTP, real signed id_tokens, a real token
endpoint that checks our signed client assertion, and a real AGS endpoint
that receives the score.

The platform answers as https://lms.hospital.example (a test may move its
endpoints and line items to other hosts, as Canvas cloud has them). The test
stands in for DNS (each name resolves to a public address) and for the
connection to that address, which reaches the simulated platform on a
loopback port over plain HTTP; everything between (URL and address checks,
the request, redirects, size and time limits) runs as in production.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Generator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.test import Client

from scoring import lti
from scoring.lti import AGS_CLAIM, AGS_SCORE_SCOPE, CLAIM, LEARNER, tool_key_generate
from scoring.models import CohortMember, LtiLineItem, LtiPlatform
from simulator.accounts.models import Membership, Role
from simulator.models import Attempt
from tests.factories import REFERENCE, AssignmentFactory, CohortFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "casepath-client"
DEPLOYMENT = "deployment-1"
INSTRUCTOR_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
PLATFORM_HOST = "lms.hospital.example"
# What the simulated DNS answers for the platform: any public address will do,
# since the connection to it is simulated too.
PLATFORM_ADDRESS = "1.2.3.4"


# Generated once: RSA key generation is the slow part of these tests.
PLATFORM_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
FORGED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def tool_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lti") / "lti.pem"
    tool_key_generate(path)
    return path


class Platform(ThreadingHTTPServer):
    """The learning platform: key set, token endpoint and line items, over real HTTP.

    ``url`` is its issuer, ``endpoints`` where its authentication, token and
    key set URLs are and ``lineitems`` where its line items are (all three the
    issuer unless a test moves them). ``dns`` is what each name resolves to,
    ``served`` the (host, address) pairs it answers at, ``connections`` every
    (host, address) CasePath connected to, and ``key_set_answer`` (status,
    headers, body) replaces the key set's answer; ``key_set_delay`` holds it
    back and ``drip`` sends every body a byte at a time, that many seconds
    apart.
    """

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PlatformHandler)
        self.key = PLATFORM_KEY
        self.kid = "platform-key-1"
        self.tool_jwks: dict[str, Any] = {}
        self.token_requests: list[dict[str, str]] = []
        self.scores: list[dict[str, Any]] = []
        self.key_set_requests = 0
        self.key_set_answer: tuple[int, dict[str, str], bytes] | None = None
        self.key_set_delay = 0.0
        self.drip = 0.0
        self.down = False
        self.url = f"https://{PLATFORM_HOST}"
        self.endpoints = self.url
        self.lineitems = self.url
        self.dns: dict[str, list[str]] = {PLATFORM_HOST: [PLATFORM_ADDRESS]}
        self.served: set[tuple[str, str]] = {(PLATFORM_HOST, PLATFORM_ADDRESS)}
        self.connections: list[tuple[str, str]] = []

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [jwk | {"kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.dns:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.dns[host]

    def open_connection(
        self, host: str, port: int, address: str, timeout: float
    ) -> http.client.HTTPConnection:
        self.connections.append((host, address))
        if (host, address) not in self.served:
            raise ConnectionRefusedError(f"nothing listens at {address} in this test")
        return http.client.HTTPConnection("127.0.0.1", self.server_address[1], timeout=timeout)

    def id_token(self, expected_nonce: str, key: Any = None, **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": "lms-user-42",
            "iat": now,
            "exp": now + 300,
            "nonce": expected_nonce,
            "given_name": "Lena",
            "family_name": "Marsh",
            "email": "lena@hospital.example",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT,
            CLAIM + "roles": [LEARNER],
            CLAIM + "resource_link": {"id": "link-1"},
            CLAIM + "custom": {"case": "test-case"},
            AGS_CLAIM: {
                "scope": [AGS_SCORE_SCOPE],
                "lineitem": f"{self.lineitems}/courses/9/lineitems/7/lineitem?type=casepath",
            },
        }
        claims.update(changes)
        return jwt.encode(
            {k: v for k, v in claims.items() if v is not None},
            key or self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )


class PlatformHandler(BaseHTTPRequestHandler):
    server: Platform

    def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.server.drip:
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    time.sleep(self.server.drip)
            else:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # CasePath hung up, as it does on a platform over its time limit

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(body).encode())

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path != "/jwks":
            self._json(404, {})
            return
        self.server.key_set_requests += 1
        time.sleep(self.server.key_set_delay)
        if self.server.key_set_answer is not None:
            self._send(*self.server.key_set_answer)
        else:
            self._json(200, self.server.jwks())

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.down:
            self._json(503, {})
        elif self.path == "/token":
            form = dict(urllib.parse.parse_qsl(body.decode()))
            self.server.token_requests.append(form)
            key = jwt.PyJWKSet.from_dict(self.server.tool_jwks).keys[0].key
            try:
                jwt.decode(
                    form["client_assertion"],
                    key,
                    algorithms=["RS256"],
                    audience=f"{self.server.endpoints}/token",
                    issuer=CLIENT_ID,
                )
            except jwt.PyJWTError:
                self._json(401, {"error": "invalid_client"})
                return
            self._json(200, {"access_token": "platform-token", "token_type": "Bearer"})
        elif self.path.startswith("/courses/9/lineitems/7/lineitem/scores"):
            self.server.scores.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": json.loads(body),
                }
            )
            self._json(200, {})
        else:
            self._json(404, {})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def platform(
    tool_key: Path, settings: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> Generator[Platform, None, None]:
    settings.LTI_PRIVATE_KEY_FILE = tool_key
    settings.SITE_URL = "http://testserver"
    server = Platform()
    server.tool_jwks = client.get("/lti/jwks/").json()  # as a platform reads our key set
    monkeypatch.setattr(lti, "resolve", server.resolve)
    monkeypatch.setattr(lti, "open_connection", server.open_connection)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


PLATFORM_FORM = {
    "name": "Hospital LMS",
    "issuer": f"https://{PLATFORM_HOST}",
    "client_id": CLIENT_ID,
    "deployment_id": DEPLOYMENT,
    "auth_login_url": f"https://{PLATFORM_HOST}/auth",
    "auth_token_url": f"https://{PLATFORM_HOST}/token",
    "key_set_url": f"https://{PLATFORM_HOST}/jwks",
}


@pytest.fixture
def registered(client: Client, platform: Platform, instructor: Any, case: Any) -> LtiPlatform:
    """The instructor registers the platform through the page."""
    client.force_login(instructor)
    response = client.post("/programs/northfield/lti/", PLATFORM_FORM)
    assert response.status_code == 302
    client.logout()
    return LtiPlatform.objects.get()


def login_initiation(client: Client, platform: Platform, **params: str) -> dict[str, str]:
    """The platform starts the OIDC login; we answer with a redirect to its auth URL."""
    response = client.get(
        "/lti/login/",
        {
            "iss": platform.url,
            "login_hint": "lms-user-42",
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_message_hint": "link-1",
            **params,
        },
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{platform.endpoints}/auth?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def test_a_launch_logs_the_resident_in_opens_the_case_and_sends_the_score_back(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    program: Any,
    case: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = CohortFactory(program=program)
    assignment = AssignmentFactory(cohort=cohort, cases=[case], mode="assessment")
    auth = login_initiation(client, platform)
    assert auth["client_id"] == CLIENT_ID
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    assert (auth["response_mode"], auth["scope"], auth["lti_message_hint"]) == (
        "form_post",
        "openid",
        "link-1",
    )
    token = platform.id_token(
        auth["nonce"], **{CLAIM + "custom": {"case": "test-case", "assignment": str(assignment.pk)}}
    )
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})

    attempt = Attempt.objects.get()
    assert response["Location"] == f"/attempts/{attempt.pk}/"
    user = attempt.user
    assert (user.get_full_name(), user.email) == ("Lena Marsh", "lena@hospital.example")
    assert (attempt.assignment, attempt.mode) == (assignment, "assessment")
    assert Membership.objects.filter(user=user, program=program, role=Role.RESIDENT).exists()
    assert CohortMember.objects.filter(cohort=cohort, user=user).exists()
    # The browser is now signed in as that resident.
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        for seq, options in enumerate(REFERENCE):
            client.post(f"/attempts/{attempt.pk}/choose/", {"seq": seq, "option": options})
    attempt.refresh_from_db()
    assert attempt.finished

    (request,) = platform.token_requests
    assert request["grant_type"] == "client_credentials"
    assert request["scope"] == AGS_SCORE_SCOPE
    (score,) = platform.scores
    assert score["path"] == "/courses/9/lineitems/7/lineitem/scores?type=casepath"
    assert score["authorization"] == "Bearer platform-token"
    assert score["content_type"] == "application/vnd.ims.lis.v1.score+json"
    body = score["body"]
    assert (body["userId"], body["scoreGiven"], body["scoreMaximum"]) == ("lms-user-42", 100, 100)
    assert (body["activityProgress"], body["gradingProgress"]) == ("Completed", "FullyGraded")
    assert LtiLineItem.objects.get().score_sent_at is not None


def test_a_second_launch_resumes_the_unfinished_attempt_as_the_same_user(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    for _ in range(2):
        auth = login_initiation(client, platform)
        token = platform.id_token(auth["nonce"])
        assert (
            client.post("/lti/launch/", {"id_token": token, "state": auth["state"]}).status_code
            == 302
        )
    assert Attempt.objects.count() == 1
    assert LtiLineItem.objects.count() == 1


def test_a_score_the_platform_could_not_take_is_sent_later(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    django_capture_on_commit_callbacks: Any,
) -> None:
    auth = login_initiation(client, platform)
    client.post(
        "/lti/launch/", {"id_token": platform.id_token(auth["nonce"]), "state": auth["state"]}
    )
    attempt = Attempt.objects.get()
    platform.down = True
    with django_capture_on_commit_callbacks(execute=True):
        for seq, options in enumerate(REFERENCE):
            client.post(f"/attempts/{attempt.pk}/choose/", {"seq": seq, "option": options})
    line = LtiLineItem.objects.get()
    assert line.score_sent_at is None
    assert "503" in line.last_error
    platform.down = False
    out = StringIO()
    call_command("send_lti_scores", stdout=out)
    assert "Sent 1 score(s); 0 still pending." in out.getvalue()
    assert platform.scores[0]["body"]["scoreGiven"] == 100


def refused(client: Client, token: str, state: str) -> str:
    response = client.post("/lti/launch/", {"id_token": token, "state": state})
    assert response.status_code == 400
    assert not Attempt.objects.exists() or "already used" in response.content.decode()
    return response.content.decode()


def test_a_token_signed_with_another_key_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    auth = login_initiation(client, platform)
    html = refused(client, platform.id_token(auth["nonce"], key=FORGED_KEY), auth["state"])
    assert "Signature verification failed" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"aud": "someone-else"}, "Audience doesn"),
        ({"iss": "https://evil.example"}, "Invalid issuer"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({CLAIM + "deployment_id": "unknown"}, "deployment is not registered"),
        ({CLAIM + "roles": [INSTRUCTOR_ROLE]}, "launched by learners"),
        ({CLAIM + "message_type": "LtiDeepLinkingRequest"}, "Only resource-link launches"),
        ({CLAIM + "custom": {"case": "no-such-case"}}, "does not name a case"),
        ({"nonce": "not-the-one-we-sent"}, "nonce does not match"),
    ],
)
def test_a_launch_that_fails_a_check_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform, changes: dict, message: str
) -> None:
    auth = login_initiation(client, platform)
    html = refused(client, platform.id_token(auth["nonce"], **changes), auth["state"])
    assert message in html


def test_a_replayed_launch_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    auth = login_initiation(client, platform)
    token = platform.id_token(auth["nonce"])
    # A copy of the browser's cookies, taken before the launch clears them.
    replayer = Client()
    for name, morsel in client.cookies.items():
        replayer.cookies[name] = morsel.value
    assert (
        client.post("/lti/launch/", {"id_token": token, "state": auth["state"]}).status_code == 302
    )
    assert "already used" in refused(replayer, token, auth["state"])


def test_a_tampered_state_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    auth = login_initiation(client, platform)
    html = refused(client, platform.id_token(auth["nonce"]), auth["state"] + "x")
    assert "state is not one CasePath issued" in html


def test_a_login_from_an_unregistered_platform_is_refused(client: Client, case: Any) -> None:
    response = client.get("/lti/login/", {"iss": "https://unknown.example", "login_hint": "x"})
    assert response.status_code == 400
    assert "not registered" in response.content.decode()


@pytest.mark.parametrize("cast", ["resident", "outsider", "other_resident"])
def test_only_the_programs_instructors_and_directors_register_platforms(
    client: Client, request: pytest.FixtureRequest, cast: str
) -> None:
    client.force_login(request.getfixturevalue(cast))
    assert client.get("/programs/northfield/lti/").status_code == 404
    assert client.post("/programs/northfield/lti/", {}).status_code == 404


def test_the_platform_page_shows_what_to_enter(client: Client, director: Any) -> None:
    client.force_login(director)
    html = client.get("/programs/northfield/lti/").content.decode()
    assert "/lti/login/" in html
    assert "/lti/jwks/" in html
