"""The one place that answers "who is this, what may they do?".

Deny by default: a user holds a role only through a Membership row. Views get
programs through get_program_for_user, which raises Http404 for anything the
user may not see, so "forbidden" and "does not exist" look the same from
outside. Staff and superusers work through the Django admin and get no extra
reach here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from simulator.accounts.models import Membership, Program, Role

AnyUser = AbstractBaseUser | AnonymousUser

ALL_ROLES: frozenset[Role] = frozenset(Role)


def _as_roles(roles: Role | Iterable[Role] | None) -> frozenset[Role]:
    if roles is None:
        return ALL_ROLES
    if isinstance(roles, Role):
        return frozenset([roles])
    return frozenset(roles)


def memberships_for(user: AnyUser) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("program")


def roles_for(user: AnyUser) -> frozenset[Role]:
    """Every role the user holds, in any program."""
    return frozenset(Role(role) for role in memberships_for(user).values_list("role", flat=True))


def programs_for(user: AnyUser, roles: Role | Iterable[Role] | None = None) -> QuerySet[Program]:
    """Programs in which the user holds one of `roles` (any role when None)."""
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    return Program.objects.filter(
        memberships__user=user, memberships__role__in=_as_roles(roles)
    ).distinct()


def get_program_for_user(
    user: AnyUser, slug: str, roles: Role | Iterable[Role] | None = None
) -> Program:
    """The program `slug` if the user holds one of `roles` in it; Http404 otherwise."""
    try:
        return programs_for(user, roles).get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def has_role(user: AnyUser, role: Role, program: Program | None = None) -> bool:
    """Whether the user holds `role`, in `program` or (when None) in any program."""
    memberships = memberships_for(user).filter(role=role)
    if program is not None:
        memberships = memberships.filter(program=program)
    return memberships.exists()


def is_resident(user: AnyUser, program: Program | None = None) -> bool:
    return has_role(user, Role.RESIDENT, program)


def is_instructor(user: AnyUser, program: Program | None = None) -> bool:
    return has_role(user, Role.INSTRUCTOR, program)


def is_director(user: AnyUser, program: Program | None = None) -> bool:
    return has_role(user, Role.DIRECTOR, program)
