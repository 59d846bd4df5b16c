from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from simulator.accounts.models import Membership, Program, Role

pytestmark = pytest.mark.django_db


def seed(**options: Any) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_the_demo_program_and_accounts(settings: Any) -> None:
    settings.DEBUG = True
    output = seed()
    program = Program.objects.get()
    assert program.name == "Demo Residency"
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "resident": Role.RESIDENT,
        "instructor": Role.INSTRUCTOR,
        "instructor2": Role.INSTRUCTOR,
        "director": Role.DIRECTOR,
    }
    assert get_user_model().objects.get(username="resident").check_password("casepath-demo")
    # `make run` prints the address it serves; the command does not guess it.
    assert "Log in at /accounts/login/" in output
    assert "password casepath-demo" in output


def test_seed_demo_run_twice_changes_nothing(settings: Any) -> None:
    settings.DEBUG = True
    seed()
    user = get_user_model().objects.get(username="resident")
    user.set_password("my-own-password")
    user.save()
    output = seed()
    assert "already exist" in output
    assert Program.objects.count() == 1
    assert Membership.objects.count() == 4
    assert get_user_model().objects.count() == 4
    # Someone who changed the demo password keeps theirs.
    user.refresh_from_db()
    assert user.check_password("my-own-password")


def test_seed_demo_refuses_to_run_in_production(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs with DEBUG=1 only"):
        seed()
    assert not Program.objects.exists()
    seed(force=True)
    assert Program.objects.count() == 1


def test_seed_demo_puts_the_demo_resident_on_a_cohort_once(settings: Any) -> None:
    from scoring.models import CohortMember

    settings.DEBUG = True
    seed()
    seed()
    member = CohortMember.objects.get()
    assert (member.cohort.name, member.user.username) == ("PGY-1 demo", "resident")
    assert member.cohort.program.slug == "demo-residency"
