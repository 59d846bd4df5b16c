"""Repeated failed log-ins lock the account for a while, telling nobody
whether the account exists."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from simulator.accounts.login import FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, LOCKED
from simulator.accounts.models import LoginFailure
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


def test_behind_a_balancer_failures_count_per_client_not_per_balancer(
    client, resident, other_resident, settings
) -> None:
    settings.TRUST_X_FORWARDED_FOR = True

    for n in range(FAILURES_PER_ADDRESS):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            headers={"X-Forwarded-For": "198.51.100.7"},
            REMOTE_ADDR="10.0.0.2",
        )

    # Another client behind the same balancer is not locked out.
    ok = Client().post(
        LOGIN,
        {"username": "omar", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
        REMOTE_ADDR="10.0.0.2",
    )
    blocked = Client().post(
        LOGIN,
        {"username": "rita", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
        REMOTE_ADDR="10.0.0.2",
    )
    assert ok.status_code == 302
    assert LOCKED in blocked.content.decode()


def test_the_admin_log_in_counts_failures_with_the_sites(client, db) -> None:
    """F3: the admin's log-in was a second door with no throttle."""
    from tests.factories import UserFactory

    UserFactory(username="staffer", is_staff=True)
    for _ in range(FAILURES_PER_ACCOUNT):
        log_in(client, "staffer", "wrong")
    locked = client.post("/admin/login/", {"username": "staffer", "password": PASSWORD})
    assert locked.status_code == 200
    assert LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_at_the_admin_lock_the_site_log_in_too(client, db) -> None:
    from tests.factories import UserFactory

    UserFactory(username="staffer", is_staff=True)
    for _ in range(FAILURES_PER_ACCOUNT):
        client.post("/admin/login/", {"username": "staffer", "password": "wrong"})
    assert LOCKED in log_in(client, "staffer", PASSWORD).content.decode()
    assert "_auth_user_id" not in client.session
