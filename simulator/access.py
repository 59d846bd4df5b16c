"""The one place that answers "may this user see this case or attempt?".

Anything a user may not see is a 404, so "forbidden" and "missing" look alike.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import Case
from simulator import documents
from simulator.accounts.access import AnyUser, programs_for
from simulator.models import Attempt


def playable_cases(user: AnyUser) -> QuerySet[Case]:
    """Published cases the user may play: the bundled ones open to every
    program, and those of the programs the user belongs to."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(
        Q(program__isnull=True) | Q(program__in=programs_for(user)), published__isnull=False
    )


def get_playable_case(user: AnyUser, slug: str) -> Case:
    try:
        return playable_cases(user).select_related("published__algorithm_version").get(slug=slug)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def get_attempt_for_user(user: AnyUser, pk: int) -> Attempt:
    """The user's own attempt, with its frozen case and algorithm, in one query
    (two the first time a worker process sees that case version)."""
    if not user.is_authenticated:
        raise Http404("No such attempt.")
    try:
        attempt = (
            Attempt.objects.select_related("case_version__case", "case_version__algorithm_version")
            .defer(*documents.DEFERRED)
            .get(pk=pk, user=user)
        )
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    documents.prime(attempt.case_version)
    return attempt
