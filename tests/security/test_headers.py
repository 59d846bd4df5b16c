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
