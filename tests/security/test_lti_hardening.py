"""The LTI findings of the security review, each reproduction turned into a
test: account squatting (F4), requests to any URL an instructor registers
(F5) and, for platforms such as Canvas cloud that answer on other hosts than
their issuer's, only those a site administrator approved; an ``aud`` list
without ``azp`` and a state not bound to the browser (F6), issuer squatting
and the registration oracle across programs (F7), and malformed launch data
(F8).

They run against the platform simulated in ``tests/scoring/test_lti.py``,
whose DNS and connections the test controls: no request leaves the machine.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
import urllib.parse
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from scoring import lti
from scoring.lti import AGS_CLAIM, AGS_SCORE_SCOPE, CLAIM, LTI_USERNAME_PREFIX
from scoring.models import LtiLineItem, LtiNonce, LtiPlatform
from simulator.accounts.models import Membership, Role
from simulator.models import Attempt
from tests.factories import (
    REFERENCE,
    AssignmentFactory,
    CohortFactory,
    MembershipFactory,
    UserFactory,
)
from tests.scoring import test_lti as harness
from tests.scoring.test_lti import (
    CLIENT_ID,
    DEPLOYMENT,
    FORGED_KEY,
    PLATFORM_ADDRESS,
    PLATFORM_FORM,
    PLATFORM_HOST,
    Platform,
    login_initiation,
    refused,
)

pytestmark = pytest.mark.django_db

# The simulated platform and its registration, shared with the LTI tests.
tool_key = harness.tool_key
platform = harness.platform
registered = harness.registered

KEYS_NOT_CHECKED = "keys could not be checked; try again later."


def launch(client: Client, platform: Platform, **changes: Any) -> HttpResponse:
    """A whole launch from ``client``: login initiation, then the id_token post."""
    auth = login_initiation(client, platform)
    token = platform.id_token(auth["nonce"], **changes)
    return client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})


def refused_launch(client: Client, platform: Platform, **changes: Any) -> str:
    """A whole launch that must be refused: no attempt, nobody (else) signed in."""
    signed_in = client.session.get("_auth_user_id")
    attempts = Attempt.objects.count()
    auth = login_initiation(client, platform)
    token = platform.id_token(auth["nonce"], **changes)
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert response.status_code == 400
    assert Attempt.objects.count() == attempts
    assert client.session.get("_auth_user_id") == signed_in
    return response.content.decode()


def finish(client: Client, attempt: Attempt, capture: Any) -> None:
    with capture(execute=True):
        for seq, options in enumerate(REFERENCE):
            client.post(f"/attempts/{attempt.pk}/choose/", {"seq": seq, "option": options})
    attempt.refresh_from_db()
    assert attempt.finished


# --- F4: account squatting -----------------------------------------------------------


def test_an_account_holding_the_lti_name_first_does_not_block_the_learner(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    digest = hashlib.sha256(f"{registered.pk}:lms-user-42".encode()).hexdigest()[:16]
    squatter = UserFactory(username=f"{LTI_USERNAME_PREFIX}{digest}")  # as a roster made it

    assert launch(client, platform).status_code == 302
    learner = Attempt.objects.get().user
    assert learner != squatter
    assert learner.username.startswith(f"{LTI_USERNAME_PREFIX}{digest}-")
    assert client.session["_auth_user_id"] == str(learner.pk)
    # The next launch finds the learner's account through the link, not the name.
    assert launch(client, platform).status_code == 302
    assert set(Attempt.objects.values_list("user", flat=True)) == {learner.pk}
    assert not Membership.objects.filter(user=squatter).exists()


def test_accounts_made_by_launches_carry_the_reserved_prefix(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    assert LTI_USERNAME_PREFIX == "lti-"
    assert launch(client, platform).status_code == 302
    assert Attempt.objects.get().user.username.startswith(LTI_USERNAME_PREFIX)


# --- F5: requests only to the platform's public https host ----------------------------


def on_host(host: str) -> dict[str, str]:
    return PLATFORM_FORM | {
        "issuer": f"https://{host}",
        "auth_login_url": f"https://{host}/auth",
        "auth_token_url": f"https://{host}/token",
        "key_set_url": f"https://{host}/jwks",
    }


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (PLATFORM_FORM | {"issuer": f"http://{PLATFORM_HOST}"}, "https address"),
        (PLATFORM_FORM | {"key_set_url": f"http://{PLATFORM_HOST}/jwks"}, "Use an https URL."),
        (PLATFORM_FORM | {"key_set_url": f"ftp://{PLATFORM_HOST}/jwks"}, "Use an https URL."),
        (
            PLATFORM_FORM | {"auth_token_url": "https://elsewhere.example/token"},
            "issuer&#x27;s host",
        ),
        (PLATFORM_FORM | {"key_set_url": "https://127.0.0.1:8061/jwks"}, "issuer&#x27;s host"),
        (PLATFORM_FORM | {"auth_login_url": f"https://{PLATFORM_HOST}.evil.example/"}, "host"),
        (on_host("127.0.0.1:8061"), "public host"),
        (on_host("[::1]"), "public host"),
        (on_host("169.254.169.254"), "public host"),
        (on_host("10.0.0.5"), "public host"),
        (on_host("0.0.0.0"), "public host"),  # noqa: S104 - the address refused
    ],
    ids=[
        "http-issuer",
        "http-key-set",
        "ftp-key-set",
        "other-host",
        "loopback-key-set",
        "lookalike-host",
        "loopback",
        "ipv6-loopback",
        "link-local",
        "private",
        "unspecified",
    ],
)
def test_a_platform_is_registered_only_on_a_public_https_host(
    client: Client, instructor: Any, form: dict[str, str], message: str
) -> None:
    client.force_login(instructor)
    response = client.post("/programs/northfield/lti/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LtiPlatform.objects.exists()


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        [PLATFORM_ADDRESS, "127.0.0.1"],
        ["10.0.0.7"],
        ["169.254.169.254"],
        ["::1"],
        ["0.0.0.0"],  # noqa: S104 - the address refused
    ],
)
def test_a_platform_host_resolving_to_a_private_address_is_not_contacted(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    addresses: list[str],
) -> None:
    platform.dns[PLATFORM_HOST] = addresses  # say, rebound after registration
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        html = refused_launch(client, platform)
    assert KEYS_NOT_CHECKED in html
    assert platform.connections == []
    assert "resolves to" in caplog.text


def test_a_key_set_url_stored_before_the_checks_is_not_fetched(
    client: Client, platform: Platform, registered: LtiPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    LtiPlatform.objects.update(key_set_url="http://127.0.0.1:1/jwks")
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        html = refused_launch(client, platform)
    assert KEYS_NOT_CHECKED in html
    assert "Connection refused" not in html
    assert platform.connections == []
    assert "Use an https URL." in caplog.text


@pytest.mark.parametrize(
    ("answer", "logged"),
    [
        ((404, {}, b"Not Found"), "HTTP 404"),
        ((503, {}, b""), "HTTP 503"),
        ((200, {"Content-Type": "text/plain"}, b"ok"), "not JSON"),
        ((302, {"Location": "https://elsewhere.example/jwks"}, b""), "HTTP 302"),
        ((302, {"Location": f"https://{PLATFORM_HOST}/jwks2"}, b""), "HTTP 302"),
        ((200, {}, b"{" + b" " * (64 * 1024) + b"}"), "bytes"),
    ],
    ids=["not-found", "unavailable", "not-json", "redirect-away", "redirect-home", "too-big"],
)
def test_a_failed_key_set_fetch_shows_a_generic_message_and_is_logged(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    answer: tuple[int, dict[str, str], bytes],
    logged: str,
) -> None:
    platform.key_set_answer = answer
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        html = refused_launch(client, platform)
    assert KEYS_NOT_CHECKED in html
    assert logged in caplog.text
    assert logged not in html
    # Never followed: the only connection was the one to the key set.
    assert platform.connections == [(PLATFORM_HOST, PLATFORM_ADDRESS)]


@pytest.mark.parametrize("slowness", ["silent", "drip"])
def test_a_slow_key_set_is_given_up_on_promptly(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    slowness: str,
) -> None:
    monkeypatch.setattr(lti, "HTTP_TIMEOUT", 0.3)
    if slowness == "silent":
        platform.key_set_delay = 3.0
    else:
        platform.drip = 0.1  # each byte in time, the whole far too late
    auth = login_initiation(client, platform)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        html = refused(client, platform.id_token(auth["nonce"]), auth["state"])
    assert time.monotonic() - started < 2.0  # the platform would take 3 s and more
    assert KEYS_NOT_CHECKED in html
    assert "key set of platform" in caplog.text


def test_the_key_set_is_fetched_once_for_many_launches(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    for _ in range(3):
        assert launch(client, platform).status_code == 302
    assert platform.key_set_requests == 1


def test_a_rotated_key_is_fetched_again_but_at_most_once_a_minute(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 302
    platform.key, platform.kid = FORGED_KEY, "platform-key-2"  # the platform rotates its key
    assert "does not publish" in refused_launch(client, platform)
    assert platform.key_set_requests == 1  # the stored copy is under a minute old
    LtiPlatform.objects.update(key_set_fetched_at=timezone.now() - timedelta(minutes=2))
    assert launch(client, platform).status_code == 302
    assert platform.key_set_requests == 2
    # After ten minutes the key set is fetched again even for a key it has.
    LtiPlatform.objects.update(key_set_fetched_at=timezone.now() - timedelta(minutes=11))
    assert launch(client, platform).status_code == 302
    assert platform.key_set_requests == 3


@pytest.mark.parametrize(
    "lineitem",
    [
        "http://127.0.0.1:8061/internal-only/admin/",
        "https://127.0.0.1/internal-only/admin/",
        f"http://{PLATFORM_HOST}/courses/9/lineitems/7/lineitem",
        "https://elsewhere.example/courses/9/lineitems/7/lineitem",
        f"https://{PLATFORM_HOST}/" + "x" * 500,
    ],
    ids=["loopback-http", "loopback", "plain-http", "other-host", "too-long"],
)
def test_a_line_item_off_the_platforms_host_gets_no_score(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
    lineitem: str,
) -> None:
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        response = launch(
            client, platform, **{AGS_CLAIM: {"scope": [AGS_SCORE_SCOPE], "lineitem": lineitem}}
        )
    assert response.status_code == 302  # the case opens, without grade passback
    assert "line item of platform" in caplog.text
    finish(client, Attempt.objects.get(), django_capture_on_commit_callbacks)
    assert not LtiLineItem.objects.exists()
    assert (platform.token_requests, platform.scores) == ([], [])
    assert platform.connections == [(PLATFORM_HOST, PLATFORM_ADDRESS)]  # the key set only


def test_a_line_item_stored_before_the_checks_is_checked_again_before_sending(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert launch(client, platform).status_code == 302
    LtiLineItem.objects.update(lineitem_url="http://127.0.0.1:8061/internal-only/admin/")
    platform.connections.clear()
    finish(client, Attempt.objects.get(), django_capture_on_commit_callbacks)
    line = LtiLineItem.objects.get()
    assert line.score_sent_at is None
    assert "Use an https URL." in line.last_error
    out = StringIO()
    call_command("send_lti_scores", stdout=out)
    assert "Sent 0 score(s); 1 still pending." in out.getvalue()
    assert platform.connections == []
    assert (platform.token_requests, platform.scores) == ([], [])


def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """Connecting does not resolve the name again, so a second DNS answer
    (rebinding) cannot send the request elsewhere."""
    accepted: list[bool] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(5)

        def answer() -> None:
            peer, _ = listener.accept()
            accepted.append(True)
            peer.close()  # no TLS here: the handshake fails, after the connection

        thread = threading.Thread(target=answer)
        thread.start()
        connection = lti.open_connection(
            PLATFORM_HOST, listener.getsockname()[1], "127.0.0.1", timeout=5
        )
        with pytest.raises(OSError) as failure:
            connection.connect()
        connection.close()
        thread.join()
    assert accepted == [True]
    assert not isinstance(failure.value, socket.gaierror)


# --- F5: further hosts, only those a site administrator approved ----------------------

CANVAS_SSO = "sso.canvaslms.com"
CANVAS_SCHOOL = "school.instructure.com"
# Canvas cloud's shape: the issuer on one host, its endpoints on another.
CANVAS_FORM = PLATFORM_FORM | {
    "name": "Canvas",
    "issuer": "https://canvas.instructure.com",
    "auth_login_url": f"https://{CANVAS_SSO}/auth",
    "auth_token_url": f"https://{CANVAS_SSO}/token",
    "key_set_url": f"https://{CANVAS_SSO}/jwks",
}
MUST_APPROVE = "a site administrator must approve it for this platform first."


@pytest.fixture
def canvas(platform: Platform) -> Platform:
    """The simulated platform as Canvas cloud: its endpoints on the sign-on
    host, its line items on the school's, each resolving to a public address."""
    platform.url = CANVAS_FORM["issuer"]
    platform.endpoints = f"https://{CANVAS_SSO}"
    platform.lineitems = f"https://{CANVAS_SCHOOL}"
    for host, address in [(CANVAS_SSO, "1.2.3.5"), (CANVAS_SCHOOL, "1.2.3.6")]:
        platform.dns[host] = [address]
        platform.served.add((host, address))
    return platform


def admin_registers(
    admin_client: Client,
    program: Any,
    approved_hosts: str,
    *,
    platform: LtiPlatform | None = None,
    **changes: str,
) -> HttpResponse:
    """A site administrator adds the Canvas registration, with its deployment,
    in the admin (or, given ``platform``, saves that one again)."""
    path, deployment = "/admin/scoring/ltiplatform/add/", {"deployments-INITIAL_FORMS": "0"}
    if platform is not None:
        path = f"/admin/scoring/ltiplatform/{platform.pk}/change/"
        deployment = {
            "deployments-INITIAL_FORMS": "1",
            "deployments-0-id": str(platform.deployments.get().pk),
            "deployments-0-platform": str(platform.pk),
        }
    return admin_client.post(
        path,
        {k: v for k, v in CANVAS_FORM.items() if k != "deployment_id"}
        | changes
        | deployment
        | {
            "program": program.pk,
            "approved_hosts": approved_hosts,
            "deployments-TOTAL_FORMS": "1",
            "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000",
            "deployments-0-deployment_id": DEPLOYMENT,
        },
    )


@pytest.fixture
def canvas_registered(
    admin_client: Client, canvas: Platform, program: Any, case: Any
) -> LtiPlatform:
    response = admin_registers(admin_client, program, f"{CANVAS_SSO}\n{CANVAS_SCHOOL}")
    assert response.status_code == 302
    return LtiPlatform.objects.get()


def test_a_canvas_like_registration_waits_for_a_site_administrator_to_approve_its_host(
    client: Client, canvas: Platform, instructor: Any, program: Any, case: Any, admin_client: Client
) -> None:
    client.force_login(instructor)
    # The instructor is told why; posting the admin's field approves nothing.
    response = client.post(
        "/programs/northfield/lti/", CANVAS_FORM | {"approved_hosts": CANVAS_SSO}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f"{CANVAS_SSO} is not the issuer&#x27;s host (canvas.instructure.com): " in html
    assert MUST_APPROVE in html
    assert not LtiPlatform.objects.exists()
    # The admin checks the URLs the same way: not without the host approved ...
    response = admin_registers(admin_client, program, approved_hosts="")
    assert response.status_code == 200
    assert MUST_APPROVE in response.content.decode()
    assert not LtiPlatform.objects.exists()
    # ... and with it approved (in any case), the registration is made.
    response = admin_registers(admin_client, program, approved_hosts="SSO.CanvasLMS.com\n")
    assert response.status_code == 302
    registered = LtiPlatform.objects.get()
    assert registered.approved_hosts == CANVAS_SSO
    assert registered.deployments.get().deployment_id == DEPLOYMENT
    page = client.get("/programs/northfield/lti/").content.decode()
    assert f"<td>{CANVAS_SSO}</td>" in page

    client.logout()
    assert launch(client, canvas).status_code == 302  # the login went to sso.canvaslms.com
    assert canvas.connections == [(CANVAS_SSO, "1.2.3.5")]  # for the key set


def test_a_line_item_on_an_approved_host_gets_the_score(
    client: Client,
    canvas: Platform,
    canvas_registered: LtiPlatform,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert launch(client, canvas).status_code == 302
    finish(client, Attempt.objects.get(), django_capture_on_commit_callbacks)
    assert LtiLineItem.objects.get().score_sent_at is not None
    (score,) = canvas.scores
    assert score["body"]["scoreGiven"] == 100
    assert (CANVAS_SCHOOL, "1.2.3.6") in canvas.connections


@pytest.mark.parametrize(
    "lineitem",
    [
        "https://instructure.com/courses/9/lineitems/7/lineitem",
        f"https://evil.{CANVAS_SCHOOL}/courses/9/lineitems/7/lineitem",
        f"https://{CANVAS_SCHOOL}.evil.example/courses/9/lineitems/7/lineitem",
        f"http://{CANVAS_SCHOOL}/courses/9/lineitems/7/lineitem",
    ],
    ids=["parent-domain", "subdomain", "suffix", "plain-http"],
)
def test_an_approved_host_is_matched_exactly_and_over_https_only(
    client: Client,
    canvas: Platform,
    canvas_registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    lineitem: str,
) -> None:
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        response = launch(
            client, canvas, **{AGS_CLAIM: {"scope": [AGS_SCORE_SCOPE], "lineitem": lineitem}}
        )
    assert response.status_code == 302
    assert "line item of platform" in caplog.text
    assert not LtiLineItem.objects.exists()


def test_an_approved_host_resolving_to_a_private_address_is_not_contacted(
    client: Client,
    canvas: Platform,
    canvas_registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    canvas.dns[CANVAS_SSO] = ["10.0.0.7"]
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        assert KEYS_NOT_CHECKED in refused_launch(client, canvas)
    assert canvas.connections == []
    assert "resolves to 10.0.0.7" in caplog.text

    # The line item's host, rebound after the launch took it.
    canvas.dns[CANVAS_SSO] = ["1.2.3.5"]
    assert launch(client, canvas).status_code == 302
    canvas.dns[CANVAS_SCHOOL] = ["1.2.3.6", "127.0.0.1"]
    finish(client, Attempt.objects.get(), django_capture_on_commit_callbacks)
    line = LtiLineItem.objects.get()
    assert line.score_sent_at is None
    assert "resolves to 1.2.3.6, 127.0.0.1" in line.last_error
    assert canvas.scores == []
    assert not [c for c in canvas.connections if c[0] == CANVAS_SCHOOL]


def test_withdrawing_an_approval_takes_effect_at_once(
    client: Client,
    admin_client: Client,
    canvas: Platform,
    canvas_registered: LtiPlatform,
    program: Any,
) -> None:
    assert launch(client, canvas).status_code == 302
    assert LtiPlatform.objects.get().key_set is not None
    # The administrator withdraws sso.canvaslms.com (the URLs must leave it too).
    issuer = CANVAS_FORM["issuer"]
    urls = {
        "auth_login_url": f"{issuer}/auth",
        "auth_token_url": f"{issuer}/token",
        "key_set_url": f"{issuer}/jwks",
    }
    response = admin_registers(
        admin_client, program, CANVAS_SCHOOL, platform=canvas_registered, **urls
    )
    assert response.status_code == 302
    assert LtiPlatform.objects.get().key_set is None  # not trusted for its ten minutes
    canvas.endpoints = issuer
    canvas.connections.clear()
    assert KEYS_NOT_CHECKED in refused_launch(client, canvas)
    assert canvas.connections == []  # canvas.instructure.com does not resolve in this test


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (f"https://{CANVAS_SSO}", "without scheme, port, path or wildcard"),
        (f"{CANVAS_SSO}:443", "without scheme, port, path or wildcard"),
        (f"{CANVAS_SSO}/api", "without scheme, port, path or wildcard"),
        ("*.instructure.com", "without scheme, port, path or wildcard"),
        (".instructure.com", "without scheme, port, path or wildcard"),
        (f"user@{CANVAS_SSO}", "without scheme, port, path or wildcard"),
        ("canvas_lms.example", "without scheme, port, path or wildcard"),
        ("[2606:4700::1111]", "without scheme, port, path or wildcard"),
        ("127.0.0.1", "not a private or local address"),
        ("10.0.0.5", "not a private or local address"),
        ("169.254.169.254", "not a private or local address"),
        ("::1", "not a private or local address"),
        ("localhost", "enter a full host name"),
        ("2130706433", "enter a full host name"),
        ("10.0.0.256", "enter a full host name"),
    ],
    ids=[
        "scheme",
        "port",
        "path",
        "wildcard",
        "leading-dot",
        "user",
        "underscore",
        "bracketed-ipv6",
        "loopback",
        "private",
        "link-local",
        "ipv6-loopback",
        "single-label",
        "numeric",
        "numeric-label",
    ],
)
def test_the_admin_refuses_a_malformed_host_entry(
    admin_client: Client, canvas: Platform, program: Any, entry: str, message: str
) -> None:
    response = admin_registers(admin_client, program, f"{CANVAS_SSO}\n{entry}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LtiPlatform.objects.exists()


def test_the_admin_keeps_each_host_once_in_lower_case(
    admin_client: Client, canvas: Platform, program: Any
) -> None:
    hosts = f"  {CANVAS_SSO.upper()}\r\n{CANVAS_SSO}\n\n2606:4700::1111\n{CANVAS_SCHOOL}"
    assert admin_registers(admin_client, program, hosts).status_code == 302
    assert LtiPlatform.objects.get().approved_host_names() == (
        CANVAS_SSO,
        "2606:4700::1111",
        CANVAS_SCHOOL,
    )


def test_another_programs_approved_hosts_change_nothing_for_this_program(
    client: Client, canvas_registered: LtiPlatform, other_program: Any
) -> None:
    other = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    client.force_login(other)
    form = CANVAS_FORM | {"client_id": "southgate-client"}
    response = client.post("/programs/southgate/lti/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count(MUST_APPROVE) == 3  # one for each URL, as for any program
    for leak in ("Northfield", CANVAS_SCHOOL, "already"):
        assert leak not in html
    assert LtiPlatform.objects.count() == 1


# --- F6: azp, and the state bound to the browser ---------------------------------------


def test_a_token_for_several_audiences_without_azp_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    html = refused_launch(client, platform, aud=["someone-else", CLIENT_ID])
    assert "no authorized party (azp)" in html


def test_a_token_whose_azp_is_another_client_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    html = refused_launch(client, platform, aud=["someone-else", CLIENT_ID], azp="someone-else")
    assert "issued to another client" in html


def test_a_token_for_several_audiences_naming_us_as_azp_is_accepted(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    response = launch(client, platform, aud=["someone-else", CLIENT_ID], azp=CLIENT_ID)
    assert response.status_code == 302


def test_a_launch_posted_from_another_browser_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    auth = login_initiation(client, platform)
    post = {"id_token": platform.id_token(auth["nonce"]), "state": auth["state"]}
    victim = Client()
    response = victim.post("/lti/launch/", post)
    assert response.status_code == 400
    assert "did not start in this browser" in response.content.decode()
    assert "_auth_user_id" not in victim.session
    assert not Attempt.objects.exists()
    # The browser that started the login still can.
    assert client.post("/lti/launch/", post).status_code == 302


@pytest.mark.parametrize(("secure", "samesite"), [(False, "Lax"), (True, "None")])
def test_the_login_binds_its_state_to_the_browser_until_the_launch(
    client: Client, platform: Platform, registered: LtiPlatform, secure: bool, samesite: str
) -> None:
    params = {"iss": platform.url, "login_hint": "lms-user-42"}
    response = client.get("/lti/login/", params, secure=secure)
    (name,) = [name for name in response.cookies if name.startswith("lti-state-")]
    cookie = response.cookies[name]
    assert (cookie["max-age"], cookie["path"], cookie["samesite"]) == (600, "/lti/", samesite)
    assert cookie["httponly"] is True
    assert bool(cookie["secure"]) is secure
    auth = urllib.parse.parse_qs(response["Location"].split("?", 1)[1])
    assert auth["state"][0] not in cookie.value  # a hash of it, not the state

    token = platform.id_token(auth["nonce"][0])
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"][0]})
    assert response.status_code == 302
    assert response.cookies[name]["max-age"] == 0  # cleared


def test_a_forged_cookie_value_is_refused(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    auth = login_initiation(client, platform)
    (name,) = [name for name in client.cookies if name.startswith("lti-state-")]
    client.cookies[name] = "é" * 64
    refused(client, platform.id_token(auth["nonce"]), auth["state"])
    assert "_auth_user_id" not in client.session


# --- F7: issuer squatting and the registration oracle ---------------------------------


def test_registering_another_programs_issuer_and_client_id_confirms_nothing(
    client: Client, registered: LtiPlatform, other_program: Any
) -> None:
    other = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    client.force_login(other)
    response = client.post("/programs/southgate/lti/", PLATFORM_FORM | {"name": "Ours"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "CasePath cannot register this issuer and client id." in html
    for leak in ("is registered", "Hospital LMS", "Northfield", "already"):
        assert leak not in html
    assert LtiPlatform.objects.count() == 1


def test_a_program_is_told_it_registered_the_pair_itself(
    client: Client, registered: LtiPlatform, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post("/programs/northfield/lti/", PLATFORM_FORM | {"name": "Again"})
    assert response.status_code == 400
    assert "Hospital LMS has this issuer and client id already." in response.content.decode()


def test_another_program_registering_the_same_issuer_does_not_block_launches(
    client: Client, platform: Platform, registered: LtiPlatform, other_program: Any
) -> None:
    other = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    client.force_login(other)
    form = PLATFORM_FORM | {"name": "Squat", "client_id": "other-client-2"}
    assert client.post("/programs/southgate/lti/", form).status_code == 302
    client.logout()

    # Without client_id the issuer's first registration still gets its launches.
    assert login_initiation(client, platform)["client_id"] == CLIENT_ID
    assert launch(client, platform).status_code == 302
    learner = Attempt.objects.get().user
    assert set(Membership.objects.filter(user=learner).values_list("program__slug", flat=True)) == {
        "northfield"
    }
    # With a client_id the named registration answers.
    assert login_initiation(client, platform, client_id="other-client-2")["client_id"] == (
        "other-client-2"
    )


def test_a_program_with_two_registrations_of_one_issuer_is_asked_for_client_id(
    client: Client, platform: Platform, registered: LtiPlatform, instructor: Any
) -> None:
    client.force_login(instructor)
    form = PLATFORM_FORM | {"name": "Second", "client_id": "second-client"}
    assert client.post("/programs/northfield/lti/", form).status_code == 302
    client.logout()
    response = client.get("/lti/login/", {"iss": platform.url, "login_hint": "lms-user-42"})
    assert response.status_code == 400
    assert "send its client_id" in response.content.decode()
    assert login_initiation(client, platform, client_id="second-client")["client_id"] == (
        "second-client"
    )


# --- F8: malformed launch data ----------------------------------------------------------


@pytest.mark.parametrize(
    "assignment",
    ["²", "9" * 5000, "10" * 10, "-1", "1e3", " 1", "١", [1], {"id": 1}, True],
    ids=[
        "superscript",
        "5000-digits",
        "20-digits",
        "negative",
        "exponent",
        "space",
        "arabic-indic",
        "list",
        "object",
        "boolean",
    ],
)
def test_a_malformed_assignment_parameter_is_a_clean_refusal(
    client: Client, platform: Platform, registered: LtiPlatform, assignment: object
) -> None:
    custom = {"case": "test-case", "assignment": assignment}
    html = refused_launch(client, platform, **{CLAIM + "custom": custom})
    assert "names an assignment this program does not have" in html
    assert not LtiNonce.objects.exists()  # the refused launch used nothing up


def test_an_assignment_number_sent_as_a_json_number_is_understood(
    client: Client, platform: Platform, registered: LtiPlatform, program: Any, case: Any
) -> None:
    assignment = AssignmentFactory(cohort=CohortFactory(program=program), cases=[case])
    custom = {"case": "test-case", "assignment": assignment.pk}
    assert launch(client, platform, **{CLAIM + "custom": custom}).status_code == 302
    assert Attempt.objects.get().assignment == assignment


@pytest.mark.parametrize(
    "body",
    [
        b'{"keys": []}',
        b'{"keys": [{"kty": "RSA"}]}',
        b'{"keys": [{"kty": "RSA", "alg": ["RS256"]}]}',
        b'{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}',
        b'{"keys": "none"}',
        b"[1, 2]",
        b"not json",
        b"[" * 30_000,
    ],
    ids=[
        "no-keys",
        "unusable-key",
        "unhashable-alg",
        "shared-secret",
        "keys-not-a-list",
        "array",
        "not-json",
        "deep-nesting",
    ],
)
def test_a_malformed_key_set_is_a_clean_refusal(
    client: Client,
    platform: Platform,
    registered: LtiPlatform,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    platform.key_set_answer = (200, {"Content-Type": "application/json"}, body)
    with caplog.at_level(logging.WARNING, logger="scoring.lti"):
        html = refused_launch(client, platform)
    assert KEYS_NOT_CHECKED in html
    assert "key set of platform" in caplog.text
    assert LtiPlatform.objects.get().key_set is None  # nothing kept


def test_a_good_key_set_is_kept_for_every_app_server(
    client: Client, platform: Platform, registered: LtiPlatform
) -> None:
    assert launch(client, platform).status_code == 302
    stored = LtiPlatform.objects.get()
    assert stored.key_set == platform.jwks()
    assert stored.key_set_fetched_at is not None


def test_a_missing_tool_key_does_not_show_the_servers_paths(client, settings, tmp_path) -> None:
    settings.LTI_PRIVATE_KEY_FILE = tmp_path / "nowhere" / "lti-private-key.pem"
    response = client.get("/lti/jwks/")
    assert response.status_code == 503
    assert str(tmp_path) not in response.content.decode()
    assert "not set up yet" in response.json()["error"]
