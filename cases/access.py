"""The one place that answers "may this user author or review this case?".

Instructors author and review the cases of the programs they teach in. The
bundled cases (no program) are changed through the content folder, never in
the browser. Anything else is a 404, so a draft's existence is not revealed.
Ids and numbers from a URL are read with ``parse_whole``: one that is not a
whole number becomes None, which matches no row.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import HEAVY_FIELDS, Case, CaseVersion, ReviewComment
from simulator.accounts.access import AnyUser, programs_for
from simulator.accounts.models import Program, Role
from simulator.params import parse_whole


def author_programs(user: AnyUser) -> QuerySet[Program]:
    return programs_for(user, Role.INSTRUCTOR)


def get_programs_for_author(user: AnyUser) -> QuerySet[Program]:
    """The programs the user teaches in; Http404 for anyone who teaches in none."""
    programs = author_programs(user)
    if not programs.exists():
        raise Http404("Authoring is for instructors.")
    return programs


def authorable_cases(user: AnyUser) -> QuerySet[Case]:
    return Case.objects.filter(program__in=author_programs(user))


def newest_versions_for_author(user: AnyUser) -> list[CaseVersion]:
    """The version worked on of every case the user may author, by title."""
    versions = (
        CaseVersion.objects.filter(case__in=authorable_cases(user))
        .select_related("case__program", "author", "reviewer")
        .defer(*HEAVY_FIELDS)
        .order_by("case__slug", "number")
    )
    newest: dict[int, CaseVersion] = {}
    for version in versions:
        newest[version.case_id] = version
    return sorted(newest.values(), key=lambda v: (v.title.lower(), v.case.slug))


def get_case_for_author(user: AnyUser, slug: str) -> Case:
    try:
        return (
            authorable_cases(user)
            .select_related("program", "published")
            .defer("published__document", "published__source", "published__references")
            .get(slug=slug)
        )
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def newest_version(case: Case) -> CaseVersion:
    """The version worked on, the newest, with ``case`` as its case; Http404 if it has none."""
    version = (
        case.versions.select_related("algorithm_version__algorithm", "author", "reviewer")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404("No such case.")
    version.case = case
    return version


def get_newest_version_for_author(user: AnyUser, slug: str) -> CaseVersion:
    """The version worked on of a case the user may author; Http404 otherwise."""
    return newest_version(get_case_for_author(user, slug))


def get_version_for_author(user: AnyUser, slug: str, number: object) -> CaseVersion:
    try:
        return (
            CaseVersion.objects.filter(case__in=authorable_cases(user))
            .select_related("case", "algorithm_version__algorithm", "author", "reviewer")
            .get(case__slug=slug, number=parse_whole(str(number)))
        )
    except CaseVersion.DoesNotExist:
        raise Http404("No such version.") from None


def copyable_versions(user: AnyUser) -> QuerySet[CaseVersion]:
    """Published versions an instructor may copy into a new case: the bundled
    cases and the published cases of the programs they teach in."""
    programs = author_programs(user)
    return CaseVersion.objects.filter(
        Q(case__program__isnull=True) | Q(case__program__in=programs),
        pk__in=Case.objects.filter(published__isnull=False).values("published"),
    )


def get_comment_for_author(user: AnyUser, pk: object) -> ReviewComment:
    try:
        return ReviewComment.objects.select_related("version__case").get(
            pk=parse_whole(str(pk)), version__case__in=authorable_cases(user)
        )
    except ReviewComment.DoesNotExist:
        raise Http404("No such comment.") from None
