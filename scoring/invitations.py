"""Invitations: how a program puts on a cohort someone it cannot reach yet.

The director makes a link and sends it by any channel; the person signs in
with the account they already have and accepts. Nothing here tells the
director whether an account exists, or whose it is, before it is accepted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from scoring.models import Cohort, Invitation
from scoring.roster import enrol

LIFETIME = timedelta(days=14)


class InvitationRefused(Exception):
    """The account cannot accept; the message is safe to show."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, cohort: Cohort, user) -> tuple[Invitation, str]:
    """A new invitation and its token, which is shown once and never stored."""
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        cohort=cohort,
        token_hash=_hash(token),
        created_by=user,
        expires_at=timezone.now() + LIFETIME,
    )
    return invitation, token


def pending_invitations(cohort: Cohort) -> list[Invitation]:
    return list(
        cohort.invitations.filter(
            accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("created_by")
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation this token names, or None (unknown, used,
    withdrawn and expired tokens alike)."""
    return (
        Invitation.objects.filter(
            token_hash=_hash(token),
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("cohort__program")
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user) -> Invitation:
    """Put the user on the invitation's cohort and close the invitation.

    The row is locked, so two tabs (or two people) accepting the same link
    enrol one account; the second gets InvitationRefused.
    """
    invitation = invitation_for_token(token)
    if invitation is not None:
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("cohort__program")
            .get(pk=invitation.pk)
        )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationRefused("This invitation has been used, withdrawn or has expired.")
    if user.is_staff or user.is_superuser:
        raise InvitationRefused(
            "Staff accounts cannot join a cohort as a resident; sign in with your own account."
        )
    enrol(invitation.cohort, [user])
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return invitation


def invitation_withdraw(*, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
