"""Upgrading a database: the people (programs, memberships, log-in failures)
moved from the scoring app to simulator.accounts without a row lost.

The database is taken back to the schema before the move, filled through
that schema's own (historical) models, and migrated forward; everything is
then read through today's models. Runs on SQLite and on PostgreSQL, like the
rest of the suite.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import CaseVersion
from scoring.access import program_scores
from scoring.models import Cohort, CohortMember, LtiPlatform, Score
from scoring.rubric import RUBRIC_VERSION
from simulator.accounts.models import LoginFailure, Membership, Program, Role
from simulator.models import Attempt
from tests.cases.helpers import VALID_FILES

BEFORE_THE_MOVE = [
    ("scoring", "0005_lti_hardening"),
    ("cases", "0003_authoring"),
    ("simulator", "0002_attempt_assignment"),
    ("accounts", None),
]


def migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    applied = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(applied).apps


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_a_populated_database_keeps_every_row_through_the_move() -> None:
    assert MigrationExecutor(connection).loader.applied_migrations, (
        "This test needs the real migrations: run `pytest --migrations -m migrations`."
    )
    # Content tables are not part of the move; today's importer fills them.
    call_command("import_content", *map(str, VALID_FILES), stdout=StringIO(), stderr=StringIO())
    version_id = CaseVersion.objects.get(case__slug="test-case").pk

    old = migrate(BEFORE_THE_MOVE)
    user = old.get_model("auth", "User").objects.create(username="kept")
    program = old.get_model("scoring", "Program").objects.create(name="Kept", slug="kept")
    old.get_model("scoring", "Membership").objects.create(
        user=user, program=program, role="resident"
    )
    old.get_model("scoring", "LoginFailure").objects.create(username="kept", ip="127.0.0.1")
    cohort = old.get_model("scoring", "Cohort").objects.create(program=program, name="PGY-1")
    old.get_model("scoring", "CohortMember").objects.create(cohort=cohort, user=user)
    old.get_model("scoring", "LtiPlatform").objects.create(
        program=program,
        name="LMS",
        issuer="https://lms.kept.example",
        client_id="kept",
        auth_login_url="https://lms.kept.example/auth",
        auth_token_url="https://lms.kept.example/token",
        key_set_url="https://lms.kept.example/jwks",
    )
    attempt = old.get_model("simulator", "Attempt").objects.create(
        user=user, case_version_id=version_id, mode="practice", finished_at=timezone.now()
    )
    old.get_model("scoring", "Score").objects.create(
        attempt=attempt, rubric_version=RUBRIC_VERSION, score=80, critical_errors=0, result={}
    )

    migrate(None)

    program = Program.objects.get(slug="kept")
    assert Membership.objects.filter(program=program, role=Role.RESIDENT).count() == 1
    assert LoginFailure.objects.filter(username="kept").count() == 1
    assert Cohort.objects.get(program=program).name == "PGY-1"
    assert CohortMember.objects.filter(cohort__program=program, user__username="kept").exists()
    assert LtiPlatform.objects.get(program=program).client_id == "kept"
    assert Attempt.objects.get(user__username="kept").case_version_id == version_id
    assert Score.objects.get(attempt__user__username="kept").score == 80
    assert list(program.cases.all()) == []  # the reverse relation from cases works too
    # Who counts each stored score was worked out for the scores already there.
    cohort = Cohort.objects.get(program=program)
    assert program_scores(program).get().score == 80
    assert program_scores(program, cohort).get().score == 80
