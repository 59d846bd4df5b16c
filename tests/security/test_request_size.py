"""F11 of the security review: a 200 MB anonymous post was read and spooled
to disk before CSRF refused it. A body over the limit is now refused from
its Content-Length, before anything reads it."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client


def test_a_body_over_the_limit_is_refused_before_it_is_read(db) -> None:
    # The test client's payload refuses to be read past its real length, so
    # a view or CSRF check that read the claimed 200 MB would fail loudly.
    response = Client().generic(
        "POST",
        "/authoring/import/",
        b"x" * 10,
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "at most 3 MB" in response.content.decode()


@pytest.mark.parametrize("length", ["", "-1", "²", "9" * 50])
def test_a_malformed_length_is_refused_or_read_as_empty(db, length: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.generic("POST", "/accounts/login/", b"", CONTENT_LENGTH=length)
    assert response.status_code in (403, 413)  # CSRF refuses an empty post; never a 500


def test_a_body_under_the_limit_still_reaches_the_site(db) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x" * 1000, "password": "y"})
    assert response.status_code == 403  # CSRF, reached because the size is fine


@pytest.mark.django_db(transaction=True)
def test_a_live_server_answers_413_without_waiting_for_the_body(live_server) -> None:
    """Over a real socket: the refusal comes back while the client has sent
    headers only, so no worker waits for (or stores) 200 MB."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            b"POST /authoring/import/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            + f"Content-Length: {200 * 1024 * 1024}\r\n\r\n".encode()
        )
        reply = sock.recv(4096).decode("latin-1")
    assert reply.startswith("HTTP/1.1 413")
    assert settings.MAX_REQUEST_BYTES == 3 * 1024 * 1024
