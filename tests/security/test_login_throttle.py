"""Repeated failed log-ins lock the account for a while, telling nobody
whether the account exists."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from scoring.login import FAILURES_PER_ACCOUNT, LOCKED
from scoring.models import LoginFailure
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def log_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, resident) -> None:
    for _ in range(FAILURES_PER_ACCOUNT):
        assert "correct username and password" in log_in(client, "rita", "wrong").content.decode()

    response = log_in(client, "rita", PASSWORD)

    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_account_is_locked_with_the_same_message(client, db) -> None:
    for _ in range(FAILURES_PER_ACCOUNT):
        log_in(client, "nobody-here", "guess")
    assert LOCKED in log_in(client, "nobody-here", "guess").content.decode()


def test_the_lock_counts_one_account_and_leaves_others_alone(
    client, resident, other_resident
) -> None:
    for _ in range(FAILURES_PER_ACCOUNT):
        log_in(client, "RITA", "wrong")  # the username's case does not dodge the count

    response = log_in(client, "omar", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_success_before_the_limit_clears_the_count(client, resident) -> None:
    for _ in range(FAILURES_PER_ACCOUNT - 1):
        log_in(client, "rita", "wrong")
    assert log_in(client, "rita", PASSWORD).status_code == 302
    client.logout()
    log_in(client, "rita", "wrong")

    assert log_in(client, "rita", PASSWORD).status_code == 302


def test_the_lock_lifts_when_the_window_has_passed(client, resident) -> None:
    for _ in range(FAILURES_PER_ACCOUNT):
        log_in(client, "rita", "wrong")
    LoginFailure.objects.update(
        created_at=LoginFailure.objects.first().created_at - timedelta(minutes=16)
    )

    assert log_in(client, "rita", PASSWORD).status_code == 302
