"""The program dashboard: completion per assignment, score distribution,
critical errors, trends, and the cohort-by-step mastery grid.

Every figure is read from the summaries kept with each score
(scoring.summaries), and the latest attempts from the first rows of an index,
so a page costs a few small queries, and about the same time, whatever the
number of residents or attempts (tests/scoring/test_dashboard.py and
test_summaries.py count them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, QuerySet

from scoring.access import program_scores, residents_in_scope
from scoring.assignments import counted_scores
from scoring.models import (
    Assignment,
    Cohort,
    CohortMember,
    CountedScore,
    HarmTally,
    Score,
    ScoreTally,
    StepOutcome,
    StepTally,
)
from scoring.rubric import RUBRIC_VERSION
from scoring.summaries import BINS
from simulator.accounts.models import Program

LATEST = 10  # attempts listed under "Latest attempts"


@dataclass
class AssignmentRow:
    assignment: Assignment
    residents: int = 0
    done: int = 0
    passed: int = 0
    late: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.residents) if self.residents else 0

    @property
    def mean_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None


@dataclass(frozen=True)
class Dashboard:
    program: Program
    cohort: Cohort | None
    cohorts: list[Cohort]
    residents: int
    attempts: int
    mean_score: float | None
    critical_attempts: int
    assignments: list[AssignmentRow]
    distribution: list[dict]
    trend: list[dict]
    harms: list[dict]
    latest: list[Score]  # the newest counted attempts, each linked to its review

    @property
    def any_done(self) -> bool:
        """Whether the completion chart would show a bar."""
        return any(row.done for row in self.assignments)


def assignment_rows(assignments: list[Assignment]) -> list[AssignmentRow]:
    """Completion per assignment: who finished every case, passed, was late."""
    rows = {a.pk: AssignmentRow(a) for a in assignments}
    if not rows:
        return []
    for cohort_id, n in (
        CohortMember.objects.filter(
            cohort__in={a.cohort_id for a in assignments}, removed_at__isnull=True
        )
        .values_list("cohort")
        .annotate(n=Count("id"))
    ):
        for row in rows.values():
            if row.assignment.cohort_id == cohort_id:
                row.residents = n
    per_resident: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for counted in counted_scores(assignments):
        per_resident[(counted["assignment"], counted["user"])].append(counted)
    for (assignment_id, _user), found in per_resident.items():
        row = rows[assignment_id]
        a = row.assignment
        row.scores.extend(c["score"] for c in found)
        if len(found) < a.case_count:
            continue
        row.done += 1
        if all(c["score"] >= a.pass_mark for c in found):
            row.passed += 1
        if any(c["finished_at"] > a.due_at for c in found):
            row.late += 1
    return list(rows.values())


def latest_scores(program: Program, cohort: Cohort | None = None) -> list[Score]:
    """The newest attempts program_scores counts, newest first: the first rows
    of CountedScore's (program, cohort, finished_at, score) index."""
    return [
        counted.score
        for counted in CountedScore.objects.filter(
            program=program, cohort=cohort, score__rubric_version=RUBRIC_VERSION
        )
        .select_related("score__attempt__user", "score__attempt__case_version")
        # cohort_id is one value here; naming it lets PostgreSQL read the index
        # backwards also when it is NULL (IS NULL does not fix a column's order).
        .order_by("-cohort_id", "-finished_at", "-score_id")[:LATEST]
    ]


def _mean(total: int, n: int) -> float:
    return round(total / n, 1)


def dashboard_for(program: Program, cohort: Cohort | None = None) -> Dashboard:
    users = residents_in_scope(program, cohort)
    tallies = ScoreTally.objects.filter(
        program=program, cohort=cohort, rubric_version=RUBRIC_VERSION
    ).values_list("week", "bin", "critical", "attempts", "score_sum")
    bins: dict[int, int] = defaultdict(int)
    weeks: dict = defaultdict(lambda: [0, 0, 0])  # week -> attempts, score sum, critical
    for week, b, has_critical, n, score_sum in tallies:
        bins[b] += n
        weeks[week][0] += n
        weeks[week][1] += score_sum
        weeks[week][2] += n if has_critical else 0
    attempts, total, critical = (sum(w[i] for w in weeks.values()) for i in range(3))
    distribution = [
        {
            "label": f"{10 * b}–{10 * b + 9 if b < BINS - 1 else 100}",
            "count": bins.get(b, 0),
        }
        for b in range(BINS)
    ]
    trend = [
        {
            "week": week.isoformat(),
            "attempts": n,
            "mean": _mean(score_sum, n),
            "critical": with_critical,
        }
        for week, (n, score_sum, with_critical) in sorted(weeks.items())
    ]
    harms = list(
        HarmTally.objects.filter(program=program, cohort=cohort, rubric_version=RUBRIC_VERSION)
        .values("harm", "attempts", n=F("picks"))
        .order_by("-n", "harm")[:10]
    )
    assignments = Assignment.objects.filter(cohort__program=program).annotate(
        case_count=Count("cases")
    )
    if cohort is not None:
        assignments = assignments.filter(cohort=cohort)
    assignments = list(assignments.select_related("cohort").order_by("-due_at"))
    resident_count = get_user_model().objects.filter(pk__in=users).count()
    return Dashboard(
        program=program,
        cohort=cohort,
        cohorts=list(program.cohorts.all()),
        residents=resident_count,
        attempts=attempts,
        mean_score=_mean(total, attempts) if attempts else None,
        critical_attempts=critical,
        assignments=assignment_rows(assignments),
        distribution=distribution,
        trend=trend,
        harms=harms,
        latest=latest_scores(program, cohort),
    )


# --- the mastery grid ----------------------------------------------------------------


@dataclass
class Cell:
    attempts: int = 0
    missed: int = 0

    @property
    def met_percent(self) -> int | None:
        return round(100 * (self.attempts - self.missed) / self.attempts) if self.attempts else None

    @property
    def band(self) -> str:
        """For the cell's colour, always shown beside the number."""
        pct = self.met_percent
        if pct is None:
            return "none"
        return "low" if pct < 50 else "mid" if pct < 80 else "high"


@dataclass(frozen=True)
class Column:
    algorithm: str
    step: str
    title: str


@dataclass
class GridRow:
    user_id: int | None  # None for the whole cohort
    name: str
    cells: list[Cell]
    columns: list[Column] = field(default_factory=list)
    left: bool = False  # removed from the cohort; their attempts on it still count

    @property
    def pairs(self) -> list[tuple[Column, Cell]]:
        return list(zip(self.columns, self.cells, strict=True))


@dataclass(frozen=True)
class Grid:
    columns: list[Column]
    rows: list[GridRow]  # the whole cohort first, then each resident
    missed_most: list[tuple[Column, Cell]]


def mastery_grid(cohort: Cohort) -> Grid:
    """Residents × algorithm steps: how often each step was met, from every
    finished attempt the cohort counts (program_scores, kept per cell as
    StepTally): its residents, then those since removed who made attempts
    while on it. Two queries."""
    # Current rows sort first, so a resident removed and added again is current.
    memberships = (
        CohortMember.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by(F("removed_at").asc(nulls_first=True), "user__last_name", "user__username")
    )
    found = StepTally.objects.filter(cohort=cohort, rubric_version=RUBRIC_VERSION).values(
        "user", "algorithm__slug", "step", "outcomes", "missed", "title", "first_outcome"
    )
    cells: dict[tuple[int, str, str], Cell] = {}
    columns: dict[tuple[str, str], tuple[int, str]] = {}
    for row in found:
        key = (row["algorithm__slug"], row["step"])
        cells[(row["user"], *key)] = Cell(row["outcomes"], row["missed"])
        first, _ = columns.get(key, (row["first_outcome"], row["title"]))
        columns[key] = (min(first, row["first_outcome"]), row["title"])
    # Steps in the order the rubric reports them (algorithm order), algorithm by algorithm.
    ordered = sorted(columns.items(), key=lambda item: (item[0][0], item[1][0]))
    cols = [Column(algorithm, step, title) for (algorithm, step), (_, title) in ordered]
    total = GridRow(None, "Whole cohort", [Cell() for _ in cols], cols)
    rows = [total]
    counted_users = {user for user, *_ in cells}
    seen: set[int] = set()
    for member in memberships:
        user = member.user
        left = member.removed_at is not None
        if user.pk in seen or (left and user.pk not in counted_users):
            continue
        seen.add(user.pk)
        row = GridRow(
            user.pk,
            user.get_full_name() or user.get_username(),
            [cells.get((user.pk, c.algorithm, c.step), Cell()) for c in cols],
            cols,
            left=left,
        )
        for agg, cell in zip(total.cells, row.cells, strict=True):
            agg.attempts += cell.attempts
            agg.missed += cell.missed
        rows.append(row)
    missed_most = sorted(
        ((c, cell) for c, cell in zip(cols, total.cells, strict=True) if cell.missed),
        key=lambda pair: (-pair[1].missed / pair[1].attempts, pair[0].title),
    )[:5]
    return Grid(columns=cols, rows=rows, missed_most=missed_most)


def mastery_attempts(cohort: Cohort, algorithm: str, step: str, user_id: int | None) -> QuerySet:
    """The step verdicts behind one cell of the grid, newest first."""
    scores = program_scores(cohort.program, cohort)
    if user_id is not None:
        scores = scores.filter(attempt__user=user_id)
    return (
        StepOutcome.objects.filter(
            score__in=scores,
            algorithm__slug=algorithm,
            step=step,
        )
        .select_related("score__attempt__user", "score__attempt__case_version")
        .order_by("-score__attempt__finished_at", "-pk")
    )
