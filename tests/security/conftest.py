"""The world the security tests attack: a home program and its intruders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cases import authoring
from scoring.invitations import invitation_create
from scoring.models import LtiPlatform, Mode
from simulator.accounts.models import Role
from simulator.services import attempt_choose, attempt_start
from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    CohortMemberFactory,
    MembershipFactory,
    ProgramFactory,
    UserFactory,
    authored_case,
    import_test_content,
)

SECRET = "home-secret-case"
SAME_PROGRAM = "resident of another cohort"


@dataclass
class World:
    resident: Any
    program: str
    slug: str
    attempt: int
    cohort: int
    member: int
    assignment: int
    comment: int
    stage: str
    algorithm: str
    step: str
    invitation: int


@pytest.fixture
def world(db) -> World:
    import_test_content()
    home = ProgramFactory(slug="home-program", name="Home Residency")
    resident = MembershipFactory(
        program=home, role=Role.RESIDENT, user__username="home-resident"
    ).user
    author = MembershipFactory(program=home, role=Role.INSTRUCTOR).user
    cohort = CohortFactory(program=home, name="Home cohort")
    member = CohortMemberFactory(cohort=cohort, user=resident)
    version = authored_case(program=home, author=author, slug=SECRET, title="Home secret case")
    authoring.case_version_submit(version=version, user=author)
    reviewer = MembershipFactory(program=home, role=Role.INSTRUCTOR).user
    version = authoring.case_version_start_review(version=version, user=reviewer)
    comment = authoring.review_comment_add(
        version=version, user=reviewer, stage=version.parsed.start, text="Check this."
    )
    authoring.case_version_approve(version=version, user=reviewer)
    version.refresh_from_db()
    assignment = AssignmentFactory(cohort=cohort, cases=[version.case])
    attempt = attempt_start(user=resident, case=version.case, mode=Mode.PRACTICE)
    document = version.parsed
    attempt_choose(
        attempt=attempt,
        seq=0,
        options=[document.stages[document.start].decision.options[0].key],
    )
    LtiPlatform.objects.create(
        program=home,
        name="Home LMS",
        issuer="https://lms.home.example",
        client_id="home",
        key_set_url="https://lms.home.example/jwks",
        auth_login_url="https://lms.home.example/auth",
        auth_token_url="https://lms.home.example/token",
    )
    algorithm = version.algorithm_version.parsed
    invitation, _ = invitation_create(cohort=cohort, user=author)
    return World(
        resident=resident,
        program=home.slug,
        slug=SECRET,
        attempt=attempt.pk,
        cohort=cohort.pk,
        member=member.pk,
        assignment=assignment.pk,
        comment=comment.pk,
        stage=document.start,
        algorithm=algorithm.slug,
        step=algorithm.steps[0].key,
        invitation=invitation.pk,
    )


@pytest.fixture
def intruders(world) -> dict:
    elsewhere = ProgramFactory(slug="elsewhere", name="Elsewhere Residency")
    home_program = ProgramFactory._meta.model.objects.get(slug=world.program)
    other_cohort_resident = MembershipFactory(program=home_program, role=Role.RESIDENT).user
    CohortMemberFactory(cohort=CohortFactory(program=home_program), user=other_cohort_resident)
    return {
        SAME_PROGRAM: other_cohort_resident,
        "someone in no program": UserFactory(),
        "resident of another program": MembershipFactory(
            program=elsewhere, role=Role.RESIDENT
        ).user,
        "instructor of another program": MembershipFactory(
            program=elsewhere, role=Role.INSTRUCTOR
        ).user,
        "director of another program": MembershipFactory(
            program=elsewhere, role=Role.DIRECTOR
        ).user,
    }
