"""simulator.accounts.access answers "may this user see it?" branch by branch."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from simulator.accounts import access
from simulator.accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_member_gets_their_program(resident: Any, program: Any) -> None:
    assert access.get_program_for_user(resident, "northfield") == program


def test_a_resident_of_another_program_gets_404(other_resident: Any, program: Any) -> None:
    with pytest.raises(Http404):
        access.get_program_for_user(other_resident, "northfield")


def test_an_outsider_gets_404(outsider: Any, program: Any) -> None:
    with pytest.raises(Http404):
        access.get_program_for_user(outsider, "northfield")


def test_anonymous_gets_404(program: Any) -> None:
    with pytest.raises(Http404):
        access.get_program_for_user(AnonymousUser(), "northfield")


def test_an_unknown_program_is_404_too(resident: Any) -> None:
    with pytest.raises(Http404):
        access.get_program_for_user(resident, "no-such-program")


def test_the_wrong_role_in_the_right_program_gets_404(resident: Any, program: Any) -> None:
    with pytest.raises(Http404):
        access.get_program_for_user(resident, "northfield", roles=[Role.DIRECTOR])


def test_any_of_several_roles_is_enough(instructor: Any, program: Any) -> None:
    found = access.get_program_for_user(
        instructor, "northfield", roles=[Role.INSTRUCTOR, Role.DIRECTOR]
    )
    assert found == program


def test_an_inactive_member_gets_nothing(resident: Any, program: Any) -> None:
    resident.is_active = False
    resident.save()
    assert list(access.programs_for(resident)) == []
    assert access.roles_for(resident) == frozenset()


def test_staff_get_no_extra_reach_outside_the_admin(outsider: Any, program: Any) -> None:
    outsider.is_staff = outsider.is_superuser = True
    outsider.save()
    with pytest.raises(Http404):
        access.get_program_for_user(outsider, "northfield")


def test_programs_for_lists_each_program_once(instructor: Any, program: Any) -> None:
    MembershipFactory(user=instructor, program=program, role=Role.DIRECTOR)
    assert list(access.programs_for(instructor)) == [program]
    assert list(access.programs_for(instructor, Role.DIRECTOR)) == [program]
    assert list(access.programs_for(instructor, Role.RESIDENT)) == []


def test_role_predicates(
    resident: Any, instructor: Any, director: Any, other_program: Any, program: Any
) -> None:
    assert access.is_resident(resident)
    assert not access.is_instructor(resident)
    assert access.is_instructor(instructor, program)
    assert not access.is_instructor(instructor, other_program)
    assert access.is_director(director)
    assert not access.is_resident(AnonymousUser())
    assert access.roles_for(director) == {Role.DIRECTOR}
