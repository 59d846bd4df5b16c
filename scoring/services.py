"""Writes for scoring: storing an attempt's score under the current rubric."""

from __future__ import annotations

from django.db import transaction

from cases import schema
from scoring import rubric
from scoring.models import Score, StepOutcome
from simulator import engine


@transaction.atomic
def attempt_score(
    *, attempt, case: schema.Case, algorithm: schema.Algorithm, state: engine.State
) -> Score:
    """Score a finished attempt under the current rubric and store it, with
    a row per step verdict for the mastery views. Idempotent per rubric version."""
    existing = attempt.scores.filter(rubric_version=rubric.RUBRIC_VERSION).first()
    if existing:
        return existing
    result = engine.score_state(case, algorithm, state)
    score = Score.objects.create(
        attempt=attempt,
        rubric_version=result.rubric_version,
        score=result.score,
        critical_errors=len(result.critical_errors),
        result=result.to_dict(),
    )
    algorithm_id = attempt.case_version.algorithm_version.algorithm_id
    StepOutcome.objects.bulk_create(
        StepOutcome(
            score=score,
            algorithm_id=algorithm_id,
            step=verdict.step,
            title=verdict.title,
            verdict=verdict.verdict.value,
            credit=verdict.credit,
        )
        for verdict in result.steps
    )
    return score
