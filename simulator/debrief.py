"""The debrief: a finished attempt explained decision by decision, with sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import SimpleLazyObject

from cases import schema
from cases.citations import CitationIndex, Cited
from scoring.models import Score
from scoring.rubric import RUBRIC_VERSION, Result, StepStatus, StepVerdict
from simulator import engine
from simulator.fragments import DEBRIEF_PARTS, DEBRIEF_TEMPLATE, Parts, debrief_key
from simulator.models import Attempt
from simulator.presenters import DecisionReview, VerdictView, decision_review, verdict_view
from simulator.services import Play

PENALTY_TITLES = {
    "out_of_order": "Steps out of order",
    "premature": "Premature actions",
    "not_indicated": "Unnecessary actions",
    "low_value": "Low-value actions",
    "harm": "Harmful actions",
}

WEIGHT_TITLES = {
    schema.Weight.critical: "Critical",
    schema.Weight.essential: "Essential",
    schema.Weight.recommended: "Recommended",
    schema.Weight.optional: "Optional",
}


@dataclass(frozen=True)
class StepView:
    key: str
    title: str
    weight: str  # as shown: "Critical", "Essential", ..., or "3 points"
    important: bool  # critical or essential: missing it is listed apart
    status: str
    status_title: str
    rationale: str
    cited: list[Cited]
    # How it was met ("by “Plain films”, decision 2") or could have been met
    # at this decision ("by “Plain films” or “CT”").
    how: str


@dataclass(frozen=True)
class DecisionDebrief:
    review: DecisionReview
    reference: list[StepView]  # the steps due at this decision, and how they went


@dataclass(frozen=True)
class Debrief:
    score: Score
    result: Result
    penalties: list[tuple[str, int]]
    critical: list[tuple[int | None, str, VerdictView | StepView]]  # (decision, kind, what)
    decisions: list[DecisionDebrief]
    missed_important: list[StepView]
    steps: list[StepView]
    outcome: schema.Stage
    references: CitationIndex
    # The findings with an image that the learner's path revealed, in the order met.
    figures: list[schema.Finding] = field(default_factory=list)


def _quoted(labels: list[str]) -> str:
    return " or ".join(f"“{label}”" for label in labels)


def _weight_title(weight: schema.StepWeight) -> str:
    if isinstance(weight, schema.Weight):
        return WEIGHT_TITLES[weight]
    return f"{weight:g} points"


def _step_view(verdict: StepVerdict, citations: CitationIndex, how: str = "") -> StepView:
    return StepView(
        key=verdict.step,
        title=verdict.title,
        weight=_weight_title(verdict.weight),
        important=verdict.weight in (schema.Weight.critical, schema.Weight.essential),
        status=verdict.verdict.value,
        status_title=verdict.verdict.label,
        rationale=verdict.rationale,
        cited=citations.cite(verdict.citations),
        how=how,
    )


def _how(play: Play, index: int, verdict: StepVerdict, step: schema.Step) -> str:
    """How a step due at decision ``index`` went: the option the learner chose
    that met it, or the options of this decision that would have."""
    if verdict.option is not None and verdict.decision is not None:
        stage = play.case.stages[play.choices[verdict.decision].stage]
        option = stage.decision.option(verdict.option) if stage.decision else None
        label = option.label if option else verdict.option
        when = "here" if verdict.decision == index else f"at decision {verdict.decision + 1}"
        return f"by {_quoted([label])}, {when}"
    decision = play.case.stages[play.choices[index].stage].decision
    options = [
        o.label for o in decision.options if {*step.actions, *step.alternatives} & {*o.actions}
    ]
    return f"by {_quoted(options)}" if options else ""


def _explained_score(attempt: Attempt) -> Score:
    """The score under the current rubric or, for an attempt finished under an older
    one and not yet rescored, under the newest it has."""
    score = attempt.scores.filter(rubric_version=RUBRIC_VERSION).first()
    if score is None:
        score = attempt.scores.order_by("-rubric_version").first()
    return score


def _due_at(play: Play, result: Result, index: int) -> list[StepVerdict]:
    """The steps the reference algorithm expected at decision ``index``.
    Version 1 recorded no due decision: there, the steps this decision could
    have met."""
    if result.rubric_version >= 2:
        return [s for s in result.steps if s.due == index]
    decision = play.case.stages[play.choices[index].stage].decision
    offered = {a for o in decision.options for a in o.actions}
    steps = {s.key: s for s in play.algorithm.steps}
    return [
        s for s in result.steps if offered & {*steps[s.step].actions, *steps[s.step].alternatives}
    ]


def debrief_context(play: Play, score: Score | None = None) -> dict[str, object]:
    """What ``simulator/debrief.html`` shows of a finished attempt: the attempt,
    its stored score (``score``, when the caller has already read the current
    one), and ``parts``, the explanation, rendered once per (version, choices,
    stored result) and shared by everyone who reads the same
    (``simulator.fragments``). The explanation is built only when it is not
    already rendered."""
    score = score or _explained_score(play.attempt)
    version = play.attempt.case_version
    context: dict[str, object] = {
        "attempt": play.attempt,
        "score": score,
        "version": version,
        "d": SimpleLazyObject(lambda: debrief_for(play, score)),
    }
    key = None
    if version.content_hash:
        key = debrief_key(
            version.pk, version.content_hash, [c.options for c in play.choices], score.result
        )
    context["parts"] = Parts(DEBRIEF_TEMPLATE, DEBRIEF_PARTS, lambda: context, key)
    return context


def debrief_for(play: Play, score: Score | None = None) -> Debrief:
    """A finished attempt explained, from its stored score (``score``, when
    the caller has already read the current one)."""
    score = score or _explained_score(play.attempt)
    result = Result.from_dict(score.result, play.algorithm)
    citations = CitationIndex(play.attempt.case_version.citable)
    steps = {s.key: s for s in play.algorithm.steps}

    critical: list[tuple[int | None, str, VerdictView | StepView]] = [
        (v.decision + 1, "harm", verdict_view(v, play.algorithm, citations))
        for v in result.critical_errors
    ]
    critical += [
        ((s.due + 1) if s.due is not None else None, "missed", _step_view(s, citations))
        for s in result.missed_critical
    ]
    decisions = []
    for index in range(len(play.choices)):
        review = decision_review(play, index, result.actions, citations)
        reference = [
            _step_view(s, citations, _how(play, index, s, steps[s.step]))
            for s in _due_at(play, result, index)
        ]
        decisions.append(DecisionDebrief(review, reference))

    all_steps = [_step_view(v, citations) for v in result.steps]
    return Debrief(
        score=score,
        result=result,
        penalties=[(PENALTY_TITLES.get(k, k), v) for k, v in result.penalties.items() if v],
        critical=critical,
        decisions=decisions,
        missed_important=[s for s in all_steps if s.important and s.status == StepStatus.missed],
        steps=all_steps,
        outcome=play.stage,
        references=citations,
        figures=[f for _, f in engine.revealed_findings(play.case, play.state) if f.image],
    )
