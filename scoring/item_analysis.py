"""Item analysis: how each decision of a case performs as a test item.

For each decision (a stage's question) of one case version, over the
finished attempts of a program's residents under the current rubric:

- how many chose each option;
- **difficulty** (the item's p-value): the proportion of attempts at the
  decision whose chosen actions were all indicated;
- **discrimination**: the point-biserial correlation between getting the
  decision right and the attempt's score. The score includes the decision
  itself, so this slightly overstates it; with several decisions per case the
  difference is small, and it keeps the figure one aggregate query.

Decisions that discriminate poorly or that nearly everyone gets right are
flagged so authors can look at them. Every count is read from the summaries
kept with each score (DecisionTally, PickTally: scoring.summaries); four
queries, whatever the attempt count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from cases.models import Case, CaseVersion
from cases.schema import Expect
from scoring.models import DecisionTally, PickTally
from scoring.rubric import RUBRIC_VERSION, ActionStatus
from simulator.accounts.models import Program

MIN_ATTEMPTS = 10  # below this, no flag: too few attempts to judge
EASY = 0.9  # difficulty at or above: nearly everyone gets it right
POOR_DISCRIMINATION = 0.2  # point-biserial below: discriminates poorly


@dataclass(frozen=True)
class OptionRow:
    key: str
    label: str
    chosen: int
    percent: int
    verdict: str  # the most common verdict on its actions, "" when nobody chose it
    expected: Expect | None  # the author's key, shown when nobody chose the option

    @property
    def verdict_label(self) -> str:
        return ActionStatus(self.verdict).label if self.verdict else ""

    @property
    def expected_badge(self) -> str:
        """The badge colour of the author's key, as for the verdict it names."""
        if self.expected is None:
            return ""
        if self.expected.value.startswith("harmful"):
            return ActionStatus.harmful.value
        return ActionStatus.indicated.value if self.expected == Expect.best else self.expected.value


@dataclass
class Item:
    stage: str
    title: str
    prompt: str
    attempts: int = 0
    correct: int = 0
    scored: bool = True
    difficulty: float | None = None
    discrimination: float | None = None
    options: list[OptionRow] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    note: str = ""  # why it is not flagged yet: too few attempts to judge


@dataclass(frozen=True)
class ItemAnalysis:
    case: Case
    version: CaseVersion
    versions: list[int]
    items: list[Item]
    attempts: int


def point_biserial(groups: dict[tuple[bool, int], int]) -> float | None:
    """r_pb from counts of (right?, score) pairs: (M1 − M0) / s · √(p·q), with s
    the population standard deviation of every score. None when undefined."""
    n = sum(groups.values())
    n1 = sum(c for (right, _), c in groups.items() if right)
    n0 = n - n1
    if n < 2 or n1 == 0 or n0 == 0:
        return None
    mean = sum(s * c for (_, s), c in groups.items()) / n
    var = sum(c * (s - mean) ** 2 for (_, s), c in groups.items()) / n
    if var == 0:
        return None
    m1 = sum(s * c for (right, s), c in groups.items() if right) / n1
    m0 = sum(s * c for (right, s), c in groups.items() if not right) / n0
    p = n1 / n
    return (m1 - m0) / math.sqrt(var) * math.sqrt(p * (1 - p))


def flags_for(item: Item) -> list[str]:
    if not item.scored:
        return []
    if item.attempts < MIN_ATTEMPTS:
        return []
    flags = []
    if item.difficulty is not None and item.difficulty >= EASY:
        flags.append("Nearly everyone gets this right.")
    if item.discrimination is None:
        if item.difficulty is not None and 0 < item.difficulty < 1:
            flags.append("Every attempt had the same score: discrimination cannot be measured.")
    elif item.discrimination < 0:
        flags.append(
            "Negative discrimination: residents who score well overall get this wrong "
            "more often. Check the options and their verdicts."
        )
    elif item.discrimination < POOR_DISCRIMINATION:
        flags.append("Discriminates poorly between stronger and weaker residents.")
    return flags


def _targets(nxt) -> list[str]:
    if nxt is None:
        return []
    if isinstance(nxt, str):
        return [nxt]
    return [route.stage for route in nxt]


def stage_order(doc) -> list[str]:
    """Stage keys in the order a learner meets them (breadth first from the
    start), then any unreachable ones: a stored document's key order is not
    kept by every database (PostgreSQL's jsonb sorts keys)."""
    order: list[str] = []
    queue = [doc.start]
    while queue:
        key = queue.pop(0)
        if key in order or key not in doc.stages:
            continue
        order.append(key)
        decision = doc.stages[key].decision
        if decision is not None:
            for option in decision.options:
                queue.extend(_targets(option.next))
            queue.extend(_targets(decision.next))
    return order + sorted(k for k in doc.stages if k not in order)


def item_analysis(program: Program, case: Case, version_number: int | None) -> ItemAnalysis:
    # The decisions and picks of the attempts program_scores(program) counts.
    decisions = DecisionTally.objects.filter(program=program, rubric_version=RUBRIC_VERSION)
    numbers = list(
        case.versions.filter(pk__in=decisions.values("case_version"))
        .order_by("-number")
        .values_list("number", flat=True)
    )
    wanted = version_number or (numbers[0] if numbers else None)
    version = (
        case.versions.filter(number=wanted).select_related("case").first()
        if wanted is not None
        else None
    ) or case.published
    doc = version.parsed
    groups: dict[str, dict[tuple[bool, int], int]] = defaultdict(dict)
    attempts_per_stage: dict[str, int] = defaultdict(int)
    total_attempts = 0
    for stage, opening, scored, correct, score, n in decisions.filter(
        case_version=version
    ).values_list("stage", "opening", "scored", "correct", "score", "decisions"):
        attempts_per_stage[stage] += n
        total_attempts += n if opening else 0
        if scored:
            counts = groups[stage]
            counts[(correct, score)] = counts.get((correct, score), 0) + n
    picks: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for row in (
        PickTally.objects.filter(
            program=program, rubric_version=RUBRIC_VERSION, case_version=version
        )
        .values("stage", "option", "verdict", "picks")
        .order_by("stage", "option", "-picks", "verdict")
    ):
        stage_picks = picks[row["stage"]]
        chosen, verdict = stage_picks.get(row["option"], (0, row["verdict"]))
        stage_picks[row["option"]] = (chosen + row["picks"], verdict)
    found = []
    for key in stage_order(doc):
        stage = doc.stages[key]
        if stage.decision is None:
            continue
        n = attempts_per_stage.get(key, 0)
        counts = groups.get(key, {})
        scored_n = sum(counts.values())
        right = sum(c for (ok, _), c in counts.items() if ok)
        item = Item(
            stage=key,
            title=stage.title,
            prompt=stage.decision.prompt,
            attempts=n,
            correct=right,
            scored=any(o.actions for o in stage.decision.options),
        )
        if item.scored and scored_n:
            item.difficulty = right / scored_n
            item.discrimination = point_biserial(counts)
        for option in stage.decision.options:
            chosen, verdict = picks[key].get(option.key, (0, ""))
            item.options.append(
                OptionRow(
                    key=option.key,
                    label=option.label,
                    chosen=chosen,
                    percent=round(100 * chosen / n) if n else 0,
                    verdict=verdict,
                    expected=option.expect,
                )
            )
        item.flags = flags_for(item)
        if item.scored and item.attempts < MIN_ATTEMPTS:
            item.note = f"Fewer than {MIN_ATTEMPTS} attempts: too few to judge."
        found.append(item)
    return ItemAnalysis(
        case=case, version=version, versions=numbers, items=found, attempts=total_attempts
    )


def cases_with_counts(program: Program, cases) -> list[tuple[Case, int]]:
    """(case, finished attempts by the program's residents) for the
    item-analysis index: one query for the counts."""
    counts = dict(
        DecisionTally.objects.filter(
            program=program,
            rubric_version=RUBRIC_VERSION,
            opening=True,
            case_version__case__in=cases,
        )
        .values_list("case_version__case")
        .annotate(n=Sum("decisions"))
        .order_by()
    )
    return [(case, counts.get(case.pk, 0)) for case in cases]
