"""Every POST in the project needs the CSRF token, htmx posts included."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.conftest import World
from tests.security.test_authorization_matrix import OBJECT_URLS, OWN_URLS, PUBLIC_URLS

# The LMS posts these across sites, so they cannot carry our token; each is
# verified by a signed, single-use token from the platform instead.
CROSS_SITE = {"scoring:lti_login", "scoring:lti_launch"}


def urls(world: World) -> list[str]:
    found = [reverse(name, kwargs=build(world)) for name, build in OBJECT_URLS.items()]
    return found + [reverse(name) for name in sorted(OWN_URLS | PUBLIC_URLS - CROSS_SITE)]


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_post_without_the_csrf_token_is_refused_everywhere(world, resident, htmx) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    headers = {"HX-Request": "true"} if htmx else {}
    refused = {url: client.post(url, {}, headers=headers).status_code for url in urls(world)}
    assert {url: status for url, status in refused.items() if status != 403} == {}


def test_an_htmx_post_with_the_token_in_its_header_gets_through(world) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.resident)
    client.get(reverse("simulator:catalogue"))  # sets the CSRF cookie, as any page does
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("simulator:start", kwargs={"slug": world.slug}),
        {"mode": "practice"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 302  # the attempt started
