"""Writes for scoring: storing an attempt's score under the current rubric,
with the rows the dashboards, item analysis and exports aggregate."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from functools import partial

from django.conf import settings
from django.db import transaction

from cases import schema
from scoring import items, rubric, summaries
from scoring.access import counted_by
from scoring.models import (
    CountedScore,
    DecisionOutcome,
    LtiLineItem,
    OptionPick,
    Score,
    StepOutcome,
    XapiStatement,
)
from scoring.xapi import AttemptRecord, attempt_statements


@transaction.atomic
def attempt_score(
    *,
    attempt,
    case: schema.Case,
    algorithm: schema.Algorithm,
    points: Sequence[schema.DecisionPoint],
    taken: Sequence[schema.TakenAction],
    choices: Sequence[tuple[int, str, list[str]]] | None = None,
) -> Score:
    """Score a finished attempt under the current rubric and store it, with
    a row per step verdict for the mastery views, a row per decision for item
    analysis, its xAPI statements in the outbox, and its share of the
    summaries the program pages read (scoring.summaries). Idempotent per
    rubric version. ``choices`` are the attempt's (seq, stage, options) in
    order, when the caller holds them; otherwise they are read."""
    existing = attempt.scores.filter(rubric_version=rubric.RUBRIC_VERSION).first()
    if existing:
        return existing
    result = rubric.score(algorithm, case, points, taken)
    score = Score.objects.create(
        attempt=attempt,
        rubric_version=result.rubric_version,
        score=result.score,
        critical_errors=result.critical_count,
        result=result.to_dict(),
    )
    counted = counted_by(attempt)
    CountedScore.objects.bulk_create(
        CountedScore(
            score=score, program_id=program, cohort_id=cohort, finished_at=attempt.finished_at
        )
        for program, cohort in counted
    )
    algorithm_id = attempt.case_version.algorithm_version.algorithm_id
    steps = StepOutcome.objects.bulk_create(
        StepOutcome(
            score=score,
            algorithm_id=algorithm_id,
            step=verdict.step,
            title=verdict.title,
            verdict=verdict.verdict.value,
            credit=verdict.credit,
        )
        for verdict in result.steps
        # An optional step is judged only when done: it can never be missed,
        # so it says nothing about mastery.
        if verdict.weight != schema.Weight.optional
    )
    if choices is None:
        choices = list(attempt.choices.order_by("seq").values_list("seq", "stage", "options"))
    decisions = items.decisions(choices, score.result["actions"])
    score_decisions_store(score=score, case_version_id=attempt.case_version_id, found=decisions)
    xapi_outbox_add(score=score, attempt=attempt, case=case, decisions=decisions)
    if LtiLineItem.objects.filter(attempt=attempt).exists():
        # Sent after the commit, outside the transaction: the LMS being slow or
        # down never loses the score, which stays pending for `send_lti_scores`.
        from scoring import lti  # the LTI module imports this one

        transaction.on_commit(partial(lti.score_publish_pending, attempt_id=attempt.pk))
    # Last: on PostgreSQL the summary rows stay locked until the commit, and
    # another resident finishing at once waits on them (scoring.summaries).
    summaries.score_added(
        summaries.Facts(
            score=score.pk,
            attempt=attempt.pk,
            user=attempt.user_id,
            case=attempt.case_version.case_id,
            case_version=attempt.case_version_id,
            assignment=attempt.assignment_id,
            finished_at=attempt.finished_at,
            rubric_version=score.rubric_version,
            value=score.score,
            critical_errors=score.critical_errors,
            counted_by=tuple(counted),
            steps=tuple(
                summaries.StepFact(s.pk, s.algorithm_id, s.step, s.title, s.verdict) for s in steps
            ),
            decisions=summaries.decision_facts(decisions),
        )
    )
    return score


def score_decisions_store(
    *, score: Score, case_version_id: int, found: Sequence[items.Decision]
) -> None:
    """Write one DecisionOutcome per decision and one OptionPick per option picked."""
    outcomes = DecisionOutcome.objects.bulk_create(
        DecisionOutcome(
            score=score,
            case_version_id=case_version_id,
            seq=d.seq,
            stage=d.stage,
            scored=d.scored,
            correct=d.correct,
        )
        for d in found
    )
    OptionPick.objects.bulk_create(
        OptionPick(
            decision=outcome,
            option=pick.option,
            verdict=pick.verdict,
            severity=pick.severity,
            harm=pick.harm,
        )
        for outcome, d in zip(outcomes, found, strict=True)
        for pick in d.picks
    )


def attempt_record(
    *, score: Score, attempt, case: schema.Case, decisions: Iterable[items.Decision]
) -> AttemptRecord:
    user = attempt.user
    assignment = attempt.assignment
    return AttemptRecord(
        attempt_id=attempt.pk,
        username=user.get_username(),
        full_name=user.get_full_name(),
        case_slug=case.slug,
        case_title=case.title,
        case_version=attempt.case_version.number,
        mode=attempt.mode,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        score=score.score,
        critical_errors=score.critical_errors,
        rubric_version=score.rubric_version,
        pass_mark=assignment.pass_mark if assignment is not None else None,
        decisions=tuple(decisions),
        prompts={
            key: stage.decision.prompt
            for key, stage in case.stages.items()
            if stage.decision is not None
        },
    )


def xapi_outbox_add(
    *, score: Score, attempt, case: schema.Case, decisions: Iterable[items.Decision]
) -> list[XapiStatement]:
    """Queue the attempt's xAPI statements, in the caller's transaction."""
    record = attempt_record(score=score, attempt=attempt, case=case, decisions=decisions)
    # A statement id already queued is the same statement (ids are derived
    # from the attempt and rubric version): keep the first.
    return XapiStatement.objects.bulk_create(
        (
            XapiStatement(statement_id=uuid.UUID(s["id"]), score=score, statement=s)
            for s in attempt_statements(record, site_url=settings.SITE_URL)
        ),
        ignore_conflicts=True,
    )
