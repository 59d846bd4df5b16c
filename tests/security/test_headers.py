"""The security headers a production deployment sends."""

from __future__ import annotations

from django.test import Client, override_settings

PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@override_settings(**PRODUCTION)
def test_https_pages_carry_hsts_and_refuse_framing_and_inline_script(db) -> None:
    response = Client().get("/accounts/login/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = dict(p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response.cookies["csrftoken"]["secure"]


@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https_but_the_health_probe_is_not(db) -> None:
    client = Client()
    page = client.get("/accounts/login/")
    probe = client.get("/healthz")

    assert page.status_code == 301
    assert page.url.startswith("https://")
    assert probe.status_code == 200
    assert "Strict-Transport-Security" not in probe  # HSTS is only sent over HTTPS


def test_exports_are_never_stored_by_a_browser_or_proxy(client, db) -> None:
    """F13: score exports carry personal data; nothing may keep a copy."""
    from simulator.accounts.models import Role
    from tests.factories import AssignmentFactory, CohortFactory, MembershipFactory

    director = MembershipFactory(role=Role.DIRECTOR).user
    cohort = CohortFactory(program=director.memberships.get().program)
    assignment = AssignmentFactory(cohort=cohort, cases=[])
    client.force_login(director)
    for url in (
        f"/cohorts/{cohort.pk}/scores.csv",
        f"/cohorts/{cohort.pk}/xapi.json",
        f"/assignments/{assignment.pk}/scores.csv",
        f"/assignments/{assignment.pk}/xapi.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_case_exported_as_yaml_is_never_stored(client, db) -> None:
    from simulator.accounts.models import Role
    from tests.factories import MembershipFactory, authored_case, import_test_content

    import_test_content()
    author = MembershipFactory(role=Role.INSTRUCTOR).user
    authored_case(program=author.memberships.get().program, author=author)
    client.force_login(author)
    response = client.get("/authoring/heel-lump/export/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
