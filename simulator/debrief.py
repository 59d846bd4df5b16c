"""The debrief: a finished attempt explained decision by decision, with sources."""

from __future__ import annotations

from dataclasses import dataclass

from cases import schema
from cases.citations import CitationIndex, Cited
from scoring.models import Score
from scoring.rubric import RUBRIC_VERSION, Result, StepStatus, StepVerdict
from simulator.models import Attempt
from simulator.presenters import DecisionReview, VerdictView, decision_review, verdict_view
from simulator.services import Play

PENALTY_TITLES = {
    "out_of_order": "Steps out of order",
    "not_indicated": "Unnecessary actions",
    "harm": "Harmful actions",
}


@dataclass(frozen=True)
class StepView:
    key: str
    title: str
    essential: bool
    status: str
    status_title: str
    rationale: str
    cited: list[Cited]
    options: list[str]  # labels of the options in this case that would meet it


@dataclass(frozen=True)
class DecisionDebrief:
    review: DecisionReview
    reference: list[StepView]  # what the reference algorithm does at this decision


@dataclass(frozen=True)
class Debrief:
    score: Score
    result: Result
    penalties: list[tuple[str, int]]
    critical: list[tuple[int, VerdictView]]  # (decision number, verdict)
    decisions: list[DecisionDebrief]
    missed_essential: list[StepView]
    steps: list[StepView]
    outcome: schema.Stage
    references: CitationIndex


def _options_meeting(decision: schema.Decision, step: schema.Step) -> list[str]:
    wanted = set(step.actions) | set(step.alternatives)
    return [o.label for o in decision.options if wanted & set(o.actions)]


def _step_view(
    verdict: StepVerdict, step: schema.Step, citations: CitationIndex, options: list[str]
) -> StepView:
    return StepView(
        key=verdict.step,
        title=verdict.title,
        essential=verdict.weight == schema.Weight.essential,
        status=verdict.verdict.value,
        status_title=verdict.verdict.label,
        rationale=verdict.rationale,
        cited=citations.cite(verdict.citations),
        options=options,
    )


def _explained_score(attempt: Attempt) -> Score:
    """The score under the current rubric or, for an attempt finished under an older
    one and not yet rescored, under the newest it has."""
    score = attempt.scores.filter(rubric_version=RUBRIC_VERSION).first()
    if score is None:
        score = attempt.scores.order_by("-rubric_version").first()
    return score


def debrief_for(play: Play) -> Debrief:
    """A finished attempt explained, from its stored score."""
    score = _explained_score(play.attempt)
    result = Result.from_dict(score.result, play.algorithm)
    citations = CitationIndex(play.attempt.case_version.citable)
    steps = {s.key: s for s in play.algorithm.steps}

    critical = [
        (v.decision + 1, verdict_view(v, play.algorithm, citations)) for v in result.critical_errors
    ]
    decisions = []
    for index, choice in enumerate(play.choices):
        review = decision_review(play, index, result.actions, citations)
        decision = play.case.stages[choice.stage].decision
        reference = []
        for verdict in result.steps:
            options = _options_meeting(decision, steps[verdict.step])
            if options:
                reference.append(_step_view(verdict, steps[verdict.step], citations, options))
        decisions.append(DecisionDebrief(review, reference))

    all_steps = [_step_view(v, steps[v.step], citations, []) for v in result.steps]
    return Debrief(
        score=score,
        result=result,
        penalties=[(PENALTY_TITLES.get(k, k), v) for k, v in result.penalties.items() if v],
        critical=critical,
        decisions=decisions,
        missed_essential=[s for s in all_steps if s.essential and s.status == StepStatus.missed],
        steps=all_steps,
        outcome=play.stage,
        references=citations,
    )
