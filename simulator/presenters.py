"""What the player and the debrief show, built from an attempt's replayed state.

Views hand these plain objects to templates, so no template computes a
verdict or walks a case document. ``stage_context`` is the stage the player
shows, for a resident's attempt and an author's preview alike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.functional import SimpleLazyObject

from cases import checks, schema
from cases.citations import CitationIndex, Cited
from scoring.models import Mode
from scoring.rubric import ActionStatus, ActionVerdict
from simulator import engine
from simulator.fragments import STAGE_PARTS, STAGE_TEMPLATE, Parts, stage_key
from simulator.params import parse_whole
from simulator.services import Play

KIND_ORDER = list(schema.FindingKind)
KIND_TITLES = {
    schema.FindingKind.history: "History",
    schema.FindingKind.exam: "Examination",
    schema.FindingKind.lab: "Laboratory",
    schema.FindingKind.imaging: "Imaging",
    schema.FindingKind.microbiology: "Microbiology",
    schema.FindingKind.pathology: "Pathology",
    schema.FindingKind.impression: "Clinical impression",
}


@dataclass(frozen=True)
class ShownFinding:
    finding: schema.Finding
    new: bool  # revealed by the stage now on screen


@dataclass(frozen=True)
class FindingGroup:
    title: str
    kind: str
    items: list[ShownFinding]


def finding_groups(play: Play) -> list[FindingGroup]:
    """Everything revealed so far, grouped by kind; the current stage's items marked new."""
    groups: dict[schema.FindingKind, list[ShownFinding]] = {}
    for stage, finding in engine.revealed_findings(play.case, play.state):
        new = stage == play.state.stage and play.state.decided > 0
        groups.setdefault(finding.kind, []).append(ShownFinding(finding, new))
    return [
        FindingGroup(KIND_TITLES[kind], kind.value, groups[kind])
        for kind in KIND_ORDER
        if kind in groups
    ]


@dataclass(frozen=True)
class Progress:
    made: int
    total: int  # the decisions of the case's shortest good route, or more once past them

    @property
    def percent(self) -> int:
        return round(100 * self.made / self.total) if self.total else 100


def _decisions_to(
    case: schema.Case,
    edges: dict[str, list[str]],
    start: str,
    wanted: Callable[[schema.Stage], bool],
) -> int | None:
    """The fewest decisions from ``start`` to a stage ``wanted`` accepts (any
    route, whatever its conditions), or None when none is reachable."""
    distance = {start: 0}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        if wanted(case.stages[key]):
            return distance[key]
        for target in edges.get(key, ()):
            if target not in distance:
                distance[target] = distance[key] + 1
                queue.append(target)
    return None


def progress(play: Play) -> Progress:
    """A measure that stays put: the case's shortest route to a good ending,
    from its start, is the total ("decision 2 of about 4" all along) until a
    path outruns it; then what is made plus the fewest decisions to any end."""
    case, state = play.case, play.state
    edges = checks.stage_edges(case)
    usual = _decisions_to(case, edges, case.start, lambda s: s.outcome is schema.Outcome.good)
    if usual is not None and (state.decided < usual or (state.finished and state.decided == usual)):
        return Progress(state.decided, usual)
    left = _decisions_to(case, edges, state.stage, lambda s: s.outcome is not None) or 0
    return Progress(state.decided, state.decided + left)


@dataclass(frozen=True)
class VerdictView:
    action: str
    label: str
    status: str
    title: str
    severity: str | None
    rationale: str  # empty when a verdict above in the same block gave the same reasons
    cited: list[Cited]


def _worst(verdicts: Sequence[VerdictView]) -> VerdictView | None:
    return min(verdicts, key=lambda v: ActionStatus(v.status).rank, default=None)


@dataclass(frozen=True)
class OptionView:
    key: str
    label: str
    verdicts: list[VerdictView]  # the rubric's, shown first; their reasons last
    feedback: str  # the author's, under the verdict
    cited: list[Cited]

    @property
    def worst(self) -> VerdictView | None:
        """The option's verdict as the learner reads it first: its worst action's."""
        return _worst(self.verdicts)


@dataclass(frozen=True)
class DecisionReview:
    number: int  # 1-based, as shown
    stage_title: str
    prompt: str
    kind: str
    chosen: list[OptionView]
    verdicts: list[VerdictView]

    @property
    def worst(self) -> str:
        """The worst verdict of the decision, which colours its block."""
        worst = _worst(self.verdicts)
        return worst.status if worst else "none"


def verdict_view(
    verdict: ActionVerdict,
    algorithm: schema.Algorithm,
    citations: CitationIndex,
    explained: bool = True,
) -> VerdictView:
    """One verdict as shown; ``explained=False`` leaves out reasons already
    shown above it in the same block."""
    action = algorithm.actions.get(verdict.action)
    return VerdictView(
        action=verdict.action,
        label=action.label if action else verdict.action,
        status=verdict.verdict.value,
        title=verdict.verdict.label,
        severity=verdict.severity.value if verdict.severity else None,
        rationale=verdict.rationale if explained else "",
        cited=citations.cite(verdict.citations) if explained else [],
    )


def verdict_views(
    verdicts: Sequence[ActionVerdict],
    algorithm: schema.Algorithm,
    citations: CitationIndex,
    shown: set[str] | None = None,
) -> list[VerdictView]:
    """A block of verdicts, each rationale shown once: two actions judged for
    the same reason (one harm, one step) share the first one's explanation.
    ``shown`` carries the rationales already shown across one decision."""
    shown = set() if shown is None else shown
    views = []
    for verdict in verdicts:
        views.append(verdict_view(verdict, algorithm, citations, verdict.rationale not in shown))
        shown.add(verdict.rationale)
    return views


def decision_review(
    play: Play,
    index: int,
    verdicts: Sequence[ActionVerdict],
    citations: CitationIndex,
) -> DecisionReview:
    """One decision as made: the options picked, the author's feedback, and
    the rubric's verdict on every action they performed."""
    choice = play.choices[index]
    stage = play.case.stages[choice.stage]
    assert stage.decision is not None  # noqa: S101 -- a choice is only recorded at a decision
    chosen = [o for key in choice.options if (o := stage.decision.option(key))]
    shown: set[str] = set()
    views = []
    for o in chosen:
        # Cited in the order the page shows them: the feedback, then the reasons.
        cited = citations.cite(o.citations)
        mine = [v for v in verdicts if v.decision == index and v.option == o.key]
        judged = verdict_views(mine, play.algorithm, citations, shown)
        views.append(OptionView(o.key, o.label, judged, o.feedback, cited))
    return DecisionReview(
        number=index + 1,
        stage_title=stage.title,
        prompt=stage.decision.prompt,
        kind=stage.decision.type.value,
        chosen=views,
        verdicts=[v for view in views for v in view.verdicts],
    )


@dataclass(frozen=True)
class FormOption:
    option: schema.Option
    picked: bool  # kept when a form comes back with an error
    rank: int | None  # the position given, for put-in-order


def form_options(decision: schema.Decision | None, post: QueryDict | None) -> list[FormOption]:
    """The decision's options, with what the learner had entered if the form
    comes back with an error, so nothing typed is lost."""
    if decision is None:
        return []
    picked = set(post.getlist("option")) if post else set()
    ranks = {o.key: (post.get(f"rank-{o.key}", "") if post else "") for o in decision.options}
    return [FormOption(o, o.key in picked, parse_whole(ranks[o.key])) for o in decision.options]


def stage_context(
    play: Play,
    *,
    error: str = "",
    notice: str = "",
    entered: QueryDict | None = None,
    cacheable: bool = True,
) -> dict[str, object]:
    """What ``simulator/play.html`` shows of the stage ``play`` stands at: the
    findings so far, practice feedback on the last decision, and the next
    decision's form, filled in as ``entered`` when ``error`` refused it.
    ``references`` numbers every source the page cites, in the order cited.

    ``parts`` is the stage's HTML that depends only on the version, the mode
    and the choices (``simulator.fragments``): the verdicts, findings and
    progress it needs are computed only when it is not already rendered.
    A refused choice, refilled as sent, is never cached."""
    citations = CitationIndex(play.attempt.case_version.citable)
    decision = play.stage.decision
    version = play.attempt.case_version

    def feedback() -> DecisionReview | None:
        last = len(play.choices) - 1
        if play.attempt.mode == Mode.PRACTICE and last >= 0:
            return decision_review(play, last, play.verdicts(last), citations)
        return None

    context: dict[str, object] = {
        "play": play,
        "attempt": play.attempt,
        "stage": play.stage,
        "state": play.state,
        "groups": SimpleLazyObject(lambda: finding_groups(play)),
        "progress": SimpleLazyObject(lambda: progress(play)),
        "feedback": SimpleLazyObject(feedback),
        "error": error,
        "notice": notice,
        "form_options": form_options(decision, entered if error else None),
        "positions": range(1, len(decision.options) + 1) if decision else (),
        "references": citations,
    }
    key = None
    if cacheable and not error:
        key = stage_key(
            version.pk, version.content_hash, play.attempt.mode, [c.options for c in play.choices]
        )
    context["parts"] = Parts(STAGE_TEMPLATE, STAGE_PARTS, lambda: context, key)
    return context
