"""Log in, log out, change password."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BAD_LOGIN = "Please enter a correct username and password."


def test_the_login_page_has_labelled_fields(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_a_resident_logs_in_and_lands_on_home(client: Client, resident: Any) -> None:
    response = client.post(
        "/accounts/login/", {"username": "rita", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [("/", 302)]
    assert b"Signed in as <strong>rita</strong>" in response.content


def test_login_honours_a_safe_next_url(client: Client, resident: Any) -> None:
    response = client.post(
        "/accounts/login/?next=/accounts/password/",
        {"username": "rita", "password": PASSWORD, "next": "/accounts/password/"},
    )
    assert response["Location"] == "/accounts/password/"


def test_login_ignores_a_next_url_on_another_site(client: Client, resident: Any) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": "rita", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_bad_login_says_so_without_revealing_whether_the_account_exists(
    client: Client, resident: Any
) -> None:
    wrong_password = client.post("/accounts/login/", {"username": "rita", "password": "nope"})
    no_such_user = client.post("/accounts/login/", {"username": "nobody", "password": "nope"})
    assert wrong_password.status_code == no_such_user.status_code == 200
    assert BAD_LOGIN in wrong_password.content.decode()
    assert BAD_LOGIN in no_such_user.content.decode()
    assert wrong_password.context["form"].errors == no_such_user.context["form"].errors
    assert not get_user(client).is_authenticated


def test_an_inactive_account_cannot_log_in(client: Client, resident: Any) -> None:
    resident.is_active = False
    resident.save()
    response = client.post("/accounts/login/", {"username": "rita", "password": PASSWORD})
    assert BAD_LOGIN in response.content.decode()


def test_log_out_is_post_only(client: Client, resident: Any) -> None:
    client.force_login(resident)
    assert client.get("/accounts/logout/").status_code == 405
    assert get_user(client).is_authenticated


def test_logging_out_returns_to_the_login_page(client: Client, resident: Any) -> None:
    client.force_login(resident)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not get_user(client).is_authenticated


def test_changing_password_needs_a_login(client: Client) -> None:
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"


def test_a_resident_changes_their_password(client: Client, resident: Any) -> None:
    client.force_login(resident)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-and-long-passphrase",
            "new_password2": "a-new-and-long-passphrase",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/accounts/password/done/", 302)]
    assert b"Your password has been changed" in response.content
    resident.refresh_from_db()
    assert resident.check_password("a-new-and-long-passphrase")
    # Django keeps the session that changed the password signed in.
    assert get_user(client).is_authenticated


def test_a_wrong_old_password_changes_nothing(client: Client, resident: Any) -> None:
    client.force_login(resident)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "wrong",
            "new_password1": "a-new-and-long-passphrase",
            "new_password2": "a-new-and-long-passphrase",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_the_admin_refuses_people_who_are_not_staff(client: Client, director: Any) -> None:
    client.force_login(director)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
