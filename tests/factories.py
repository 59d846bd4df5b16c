"""factory-boy factories for accounts and programs; each app adds its own below."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory, Password

from simulator.accounts.models import Membership, Program, Role

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = Password(PASSWORD)


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Residency {n}")
    slug = factory.LazyAttribute(lambda program: slugify(program.name))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Role.RESIDENT


# --- programs: cohorts and assignments -------------------------------------------------


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = "scoring.Cohort"

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"PGY-1 {2026 + n}")


class CohortMemberFactory(DjangoModelFactory):
    """A resident on a cohort, holding the program's resident role as every
    way onto a cohort gives it (scoring.roster.enrol, an LMS launch)."""

    class Meta:
        model = "scoring.CohortMember"
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def resident_role(self, create: bool, extracted, **kwargs) -> None:
        if create:
            from simulator.accounts.models import Membership, Role

            Membership.objects.get_or_create(
                user=self.user, program=self.cohort.program, role=Role.RESIDENT
            )


class AssignmentFactory(DjangoModelFactory):
    """An assignment open since yesterday and due in a week; pass ``cases=[...]``."""

    class Meta:
        model = "scoring.Assignment"
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Assignment {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    mode = "practice"
    pass_mark = 70
    counts = "best"

    @factory.post_generation
    def cases(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.cases.set(extracted)


# --- authoring: cases written in the browser -------------------------------------------


def import_test_content() -> None:
    """The library, algorithm and case of tests/cases/valid, imported as the command does."""
    from io import StringIO
    from pathlib import Path

    from django.core.management import call_command

    valid = Path(__file__).parent / "cases" / "valid"
    call_command("import_content", str(valid), stdout=StringIO())


def authored_case(*, program, author, slug: str = "heel-lump", title: str = "A lump on the heel"):
    """A valid draft of a case of ``program``: the test case of tests/cases/valid under
    ``slug`` (call ``import_test_content`` first). Returns its first CaseVersion."""
    from pathlib import Path

    from cases import authoring
    from cases.models import Algorithm

    text = (Path(__file__).parent / "cases" / "valid" / "case.yaml").read_text(encoding="utf-8")
    text = text.replace("slug: test-case", f"slug: {slug}", 1)
    text = text.replace("title: A lump on the foot", f"title: {title}", 1)
    draft = authoring.case_create(
        user=author, program=program, slug=slug, title=title, algorithm=Algorithm.objects.get()
    )
    return authoring.case_version_save(version=draft, text=text).version


# --- cases, versions, attempts and scores ------------------------------------------------

# Paths through tests/cases/valid/case.yaml and what rubric v2 makes of them. The
# steps judged weigh radiograph 2 + culture 2 + the optional follow-up 1 when done.
# 100: films, tissue culture, follow-up, each on time.
REFERENCE = [["films"], ["tissue"], ["good"]]
# 20: films missed, culture late (2 x 1/2), follow-up done: 100 x 2/5 = 40, less MRI
# before films (minor, 5) and the swab (major, 15).
SWAB = [["mri"], ["swab"], ["review", "tissue"]]
# 57: culture missed: 100 x 3/5 = 60, less 3 for a CRP no step calls for.
CRP = [["films"], ["crp"], ["good"]]


def the_test_case():
    """The published test case of tests/cases/valid, imported on first use."""
    from cases.models import Case

    if not Case.objects.filter(slug="test-case").exists():
        import_test_content()
    return Case.objects.select_related("published").get(slug="test-case")


class CaseVersionFactory(DjangoModelFactory):
    """A published case version: the test case's, or (with ``program`` and
    ``author``) a program's own case approved through the review flow."""

    class Meta:
        model = "cases.CaseVersion"

    @classmethod
    def _create(cls, model_class, *, program=None, author=None, **kwargs):
        if program is None:
            return the_test_case().published
        from cases import authoring

        the_test_case()  # the algorithm and library it is written against
        version = authored_case(program=program, author=author, **kwargs)
        reviewer = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
        authoring.case_version_submit(version=version, user=author)
        version = authoring.case_version_start_review(version=version, user=reviewer)
        authoring.case_version_approve(version=version, user=reviewer)
        version.refresh_from_db()
        return version


class AttemptFactory(DjangoModelFactory):
    """An attempt at the test case, played through the services: pass
    ``choices`` (REFERENCE by default, [] for a fresh attempt); a finished one
    is scored as the player scores it. ``finished_at`` backdates it."""

    class Meta:
        model = "simulator.Attempt"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    case_version = factory.LazyFunction(lambda: CaseVersionFactory())
    assignment = None

    @classmethod
    def _create(cls, model_class, *, user, case_version, assignment, mode="practice", **kwargs):
        from simulator.services import attempt_start

        return attempt_start(user=user, case=case_version.case, mode=mode, assignment=assignment)

    @factory.post_generation
    def choices(self, create: bool, extracted, **kwargs) -> None:
        from simulator.services import attempt_choose

        for seq, options in enumerate(REFERENCE if extracted is None else extracted):
            assert attempt_choose(attempt=self, seq=seq, options=options).recorded
        self.refresh_from_db()

    @factory.post_generation
    def finished_at(self, create: bool, extracted, **kwargs) -> None:
        if extracted is not None:
            type(self).objects.filter(pk=self.pk).update(finished_at=extracted)
            self.refresh_from_db()


def ScoreFactory(**kwargs):  # noqa: N802 - reads like the factories beside it
    """The score of a finished attempt (AttemptFactory's arguments)."""
    return AttemptFactory(**kwargs).scores.get()
