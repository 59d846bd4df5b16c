"""Upgrading a database that already holds scores: the migrations that add
the summaries (scoring 0009) and the counted scores' finish times (0010)
count what is there, and the program pages read the same figures after.

Runs on the real migrations: `pytest --migrations -m migrations`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from scoring import summaries
from scoring.dashboard import dashboard_for
from scoring.models import CountedScore, ScoreTally
from tests.factories import CRP, REFERENCE, SWAB, AssignmentFactory, CohortMemberFactory
from tests.scoring import recount

BEFORE_THE_SUMMARIES = [("scoring", "0008_counted_scores")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_the_summaries_of_scores_stored_before_them_are_counted(
    program: Any, cohort: Any, resident: Any, case: Any, play: Any
) -> None:
    assert MigrationExecutor(connection).loader.applied_migrations, (
        "This test needs the real migrations: run `pytest --migrations -m migrations`."
    )
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    other = CohortMemberFactory(cohort=cohort, user__username="other").user
    play(resident, REFERENCE, assignment=assignment)
    play(resident, SWAB)
    play(other, CRP, assignment=assignment)
    expected = summaries.stored()
    page = recount.dashboard(program)

    migrate(BEFORE_THE_SUMMARIES)  # the tables and the column go, the scores stay
    migrate(None)

    assert ScoreTally.objects.exists()
    assert summaries.stored() == expected == summaries.recounted()
    assert not CountedScore.objects.filter(finished_at__isnull=True).exists()
    d = dashboard_for(program)
    assert (d.attempts, d.mean_score, [s.pk for s in d.latest]) == (
        page["attempts"],
        page["mean_score"],
        page["latest"],
    )
