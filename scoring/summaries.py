"""The summaries the program pages read, kept in step with the scores.

A program page over 100,000 attempts cannot aggregate the attempts each time
it is opened (docs/operations.md). So every figure the dashboard, the mastery
grid, item analysis and the assignment pages show is also kept as a running
count, changed in the transaction that stores a score (``score_added``,
called by scoring.services.attempt_score) and in the one that deletes it
(``score_removed``, from the delete signals: deleting an account in the admin
takes its attempts with it):

| table | one row per | read by |
|---|---|---|
| ScoreTally | program or cohort, rubric, week, score decile, critical or not | dashboard totals, distribution, trend |
| HarmTally | program or cohort, rubric, harm | dashboard: critical errors by harm |
| StepTally | cohort, rubric, resident, algorithm step | mastery grid |
| DecisionTally | program, rubric, case version, stage, first decision?, scored, correct, score | item analysis |
| PickTally | program, rubric, case version, stage, option, verdict | item analysis |
| CountedAttempt | assignment, resident, case, rubric, rule (first/best/last) | assignment completion |

Which program and cohorts count a score is CountedScore, fixed when the score
is stored (scoring.access.counted_by), so a count once added never moves:
roster changes write nothing here. CountedAttempt is the one row that is not
a count: it holds the score each rule picks, replaced when a new score beats
it; whether the resident is still on the cohort is asked when it is read.

``rebuild()`` (``manage.py rebuild_summaries``) recounts every row from the
stored scores with aggregate queries, another path than the increments;
tests/scoring/test_summaries.py checks that both give the same rows.

Concurrency. Each table is written with one ``INSERT ... ON CONFLICT (key) DO
UPDATE SET n = n + excluded.n`` (the same statement on SQLite ≥ 3.24 and
PostgreSQL ≥ 9.5). On PostgreSQL, when two residents finish at once and reach
the same row, the second statement waits on the first's row lock and, once
it commits, adds to the committed value: under READ COMMITTED an upsert
neither fails on the unique index nor loses an update, where a read followed
by a write would. Every statement writes its rows in key order and the tables
in one fixed order, so two transactions take the row locks they share in the
same order and cannot deadlock on them. SQLite takes the write lock at BEGIN
(IMMEDIATE), so two writers never overlap. The PostgreSQL case is tested with
two transactions at once (tests/scoring/test_summaries.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Model,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Least, RowNumber, TruncWeek
from django.utils import timezone

from scoring import items
from scoring.models import (
    CountedAttempt,
    CountedScore,
    Counts,
    DecisionOutcome,
    DecisionTally,
    HarmTally,
    OptionPick,
    PickTally,
    Score,
    ScoreTally,
    StepOutcome,
    StepTally,
)
from scoring.rubric import StepStatus

BINS = 10  # score distribution: 0-9, 10-19, ..., 90-100
CRITICAL = "critical"

Key = tuple[Any, ...]
Rows = dict[Key, list[Any]]


def week_of(finished: datetime) -> date:
    """The Monday of the week an attempt finished, in the site's time zone
    (as TruncWeek gives it)."""
    day = timezone.localtime(finished, timezone.get_default_timezone()).date()
    return day - timedelta(days=day.weekday())


def score_bin(score: int) -> int:
    """The score's decile of the distribution: 0-9, 10-19, ..., 90-100."""
    return min(score // 10, BINS - 1)


# --- what one score contributes -------------------------------------------------------


@dataclass(frozen=True)
class StepFact:
    outcome: int  # the StepOutcome's id
    algorithm: int
    step: str
    title: str
    verdict: str


@dataclass(frozen=True)
class DecisionFact:
    seq: int
    stage: str
    scored: bool
    correct: bool
    picks: tuple[items.Pick, ...]


@dataclass(frozen=True)
class Facts:
    """A stored score and the rows stored with it: all the summaries read."""

    score: int  # the Score's id
    attempt: int
    user: int
    case: int
    case_version: int
    assignment: int | None
    finished_at: datetime
    rubric_version: int
    value: int  # the score out of 100
    critical_errors: int
    counted_by: tuple[tuple[int, int | None], ...]  # (program, cohort or None)
    steps: tuple[StepFact, ...] = ()
    decisions: tuple[DecisionFact, ...] = ()

    @property
    def programs(self) -> list[int]:
        return [program for program, cohort in self.counted_by if cohort is None]

    @property
    def cohorts(self) -> list[int]:
        return [cohort for _, cohort in self.counted_by if cohort is not None]


def decision_facts(found: Iterable[items.Decision]) -> tuple[DecisionFact, ...]:
    return tuple(DecisionFact(d.seq, d.stage, d.scored, d.correct, d.picks) for d in found)


def _score_rows(f: Facts) -> Rows:
    key = (f.rubric_version, week_of(f.finished_at), score_bin(f.value), f.critical_errors > 0)
    return {(program, cohort, *key): [1, f.value] for program, cohort in f.counted_by}


def _harm_rows(f: Facts) -> Rows:
    picks = Counter(p.harm for d in f.decisions for p in d.picks if p.severity == CRITICAL)
    return {
        (program, cohort, f.rubric_version, harm): [n, 1]
        for program, cohort in f.counted_by
        for harm, n in picks.items()
    }


def _step_rows(f: Facts) -> Rows:
    rows: Rows = {}
    for cohort in f.cohorts:
        for s in f.steps:
            key = (cohort, f.rubric_version, f.user, s.algorithm, s.step)
            missed = int(s.verdict == StepStatus.missed.value)
            if key in rows:  # a step judged twice in one score: never, but add it up
                row = rows[key]
                rows[key] = [row[0] + 1, row[1] + missed, row[2], min(row[3], s.outcome)]
            else:
                rows[key] = [1, missed, s.title, s.outcome]
    return rows


def _decision_rows(f: Facts) -> Rows:
    counts = Counter((d.stage, d.seq == 0, d.scored, d.correct) for d in f.decisions)
    return {
        (program, f.rubric_version, f.case_version, stage, opening, scored, correct, f.value): [n]
        for program in f.programs
        for (stage, opening, scored, correct), n in counts.items()
    }


def _pick_rows(f: Facts) -> Rows:
    counts = Counter((d.stage, p.option, p.verdict) for d in f.decisions for p in d.picks)
    return {
        (program, f.rubric_version, f.case_version, stage, option, verdict): [n]
        for program in f.programs
        for (stage, option, verdict), n in counts.items()
    }


def _counted_rows(f: Facts) -> Rows:
    if f.assignment is None:
        return {}
    candidate = [f.score, f.attempt, f.value, f.critical_errors, f.finished_at]
    return {
        (f.assignment, f.user, f.case, f.rubric_version, rule): list(candidate)
        for rule in Counts.values
    }


# --- how a row is merged ------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _added(column: str, table: str) -> str:
    return f"{table}.{column} + excluded.{column}"


def _least(column: str, table: str) -> str:
    return f"CASE WHEN excluded.{column} < {table}.{column} THEN excluded.{column} ELSE {table}.{column} END"


def _greatest(column: str, table: str) -> str:
    return f"CASE WHEN excluded.{column} > {table}.{column} THEN excluded.{column} ELSE {table}.{column} END"


def _replaced(column: str, table: str) -> str:
    return f"excluded.{column}"


def _beats(table: str) -> str:
    """When a new score replaces the one a rule picked: the order of the
    window in the recount (best: higher score, then earlier, then lower id;
    first: earlier, then lower id; last: later, then lower id)."""
    value, finished, score, counts = (_q(c) for c in ("value", "finished_at", "score_id", "counts"))

    def cmp(column: str, op: str) -> str:
        return f"excluded.{column} {op} {table}.{column}"

    lower_id = cmp(score, "<")
    earlier = f"({cmp(finished, '<')} OR ({cmp(finished, '=')} AND {lower_id}))"
    later = f"({cmp(finished, '>')} OR ({cmp(finished, '=')} AND {lower_id}))"
    best = f"({cmp(value, '>')} OR ({cmp(value, '=')} AND {earlier}))"
    return (
        f"CASE {table}.{counts} WHEN '{Counts.BEST.value}' THEN {best} "
        f"WHEN '{Counts.FIRST.value}' THEN {earlier} ELSE {later} END"
    )


@dataclass(frozen=True, eq=False)
class Table:
    model: type[Model]
    keys: tuple[str, ...]  # the unique key's fields
    values: dict[str, Callable[[str, str], str]]  # field -> how a stored row takes a new one
    rows: Callable[[Facts], Rows]  # what one score adds
    recount: Callable[..., Rows]  # every row, from the stored scores (rebuild)
    additive: bool = True  # every value a count: taken back by subtracting
    where: Callable[[str], str] | None = None  # only update a stored row when this holds
    fields: list[Any] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        meta = self.model._meta
        object.__setattr__(self, "fields", [meta.get_field(n) for n in (*self.keys, *self.values)])

    def upsert(self, rows: Rows) -> None:
        """One INSERT ... ON CONFLICT DO UPDATE for every row, in key order."""
        if not rows:
            return
        table = _q(self.model._meta.db_table)
        columns = [_q(f.column) for f in self.fields]
        target = ", ".join(
            f"COALESCE({_q(f.column)}, 0)" if f.null else _q(f.column)
            for f in self.fields[: len(self.keys)]
        )
        updates = ", ".join(
            f"{_q(f.column)} = {merge(_q(f.column), table)}"
            for f, merge in zip(self.fields[len(self.keys) :], self.values.values(), strict=True)
        )
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608 - names from the model, values are parameters
            f"ON CONFLICT ({target}) DO UPDATE SET {updates}"
        )
        if self.where is not None:
            sql += f" WHERE {self.where(table)}"
        params = []
        for key in sorted(rows, key=_order):
            for f, value in zip(self.fields, (*key, *rows[key]), strict=True):
                params.append(f.get_db_prep_save(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def stored(self, **where: Any) -> Rows:
        names = [f.attname for f in self.fields]
        n = len(self.keys)
        return {
            tuple(row[:n]): list(row[n:])
            for row in self.model.objects.filter(**where).values_list(*names)
        }

    def replace(self, rows: Rows, **where: Any) -> None:
        """Delete the rows matching ``where`` and write ``rows`` in their place."""
        self.model.objects.filter(**where).delete()
        names = [f.attname for f in self.fields]
        self.model.objects.bulk_create(
            (
                self.model(**dict(zip(names, (*key, *rows[key]), strict=True)))
                for key in sorted(rows, key=_order)
            ),
            batch_size=1000,
        )


def _order(key: Key) -> tuple:
    """A total order on keys (a NULL cohort first): the order rows are locked in."""
    return tuple((0, "") if part is None else (1, part) for part in key)


# --- keeping them ------------------------------------------------------------------------


def score_added(facts: Facts) -> None:
    """Add a score just stored to every summary, in the caller's transaction:
    one statement per table it touches."""
    for table in TABLES:
        table.upsert(table.rows(facts))


def score_removed(facts: Facts) -> None:
    """Take a deleted score back out of every summary. Counts are subtracted
    (and rows left at zero deleted); a mastery cell's column order and title
    and the score an assignment rule picks are recounted from what is left."""
    for table in TABLES:
        if table.additive:
            rows = table.rows(facts)
            table.upsert({key: [-v for v in values] for key, values in rows.items()})
    # Rows left at zero, among those this score touched: its programs' (and
    # their cohorts') under its rubric, not the whole table.
    empty = {SCORES: "attempts", HARMS: "attempts", DECISIONS: "decisions", PICKS: "picks"}
    programs = {program for program, _ in facts.counted_by}
    for table, count in empty.items():
        table.model.objects.filter(
            program__in=programs, rubric_version=facts.rubric_version, **{f"{count}__lte": 0}
        ).delete()
    for cohort in facts.cohorts:
        STEPS.replace(
            step_recount(
                cohort=cohort,
                score__rubric_version=facts.rubric_version,
                score__attempt__user=facts.user,
            ),
            cohort=cohort,
            rubric_version=facts.rubric_version,
            user=facts.user,
        )
    if facts.assignment is not None:
        scope = {
            "assignment": facts.assignment,
            "user": facts.user,
            "case": facts.case,
            "rubric_version": facts.rubric_version,
        }
        COUNTED.replace(
            counted_recount(
                attempt__assignment=facts.assignment,
                attempt__user=facts.user,
                attempt__case_version__case=facts.case,
                rubric_version=facts.rubric_version,
            ),
            **scope,
        )


def facts_of(score_ids: Iterable[int]) -> dict[int, Facts]:
    """The stored facts of these scores, read back (five queries)."""
    ids = list(score_ids)
    counted: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for score, program, cohort in CountedScore.objects.filter(score__in=ids).values_list(
        "score", "program", "cohort"
    ):
        counted[score].append((program, cohort))
    steps: dict[int, list[StepFact]] = defaultdict(list)
    for score, *fact in (
        StepOutcome.objects.filter(score__in=ids)
        .order_by("id")
        .values_list("score", "id", "algorithm", "step", "title", "verdict")
    ):
        steps[score].append(StepFact(*fact))
    picks: dict[int, list[items.Pick]] = defaultdict(list)
    for decision, *pick in (
        OptionPick.objects.filter(decision__score__in=ids)
        .order_by("id")
        .values_list("decision", "option", "verdict", "severity", "harm")
    ):
        picks[decision].append(items.Pick(*pick))
    decisions: dict[int, list[DecisionFact]] = defaultdict(list)
    for pk, score, seq, stage, scored, correct in DecisionOutcome.objects.filter(
        score__in=ids
    ).values_list("pk", "score", "seq", "stage", "scored", "correct"):
        decisions[score].append(DecisionFact(seq, stage, scored, correct, tuple(picks[pk])))
    return {
        pk: Facts(
            score=pk,
            attempt=attempt,
            user=user,
            case=case,
            case_version=case_version,
            assignment=assignment,
            finished_at=finished,
            rubric_version=rubric_version,
            value=value,
            critical_errors=critical,
            counted_by=tuple(counted[pk]),
            steps=tuple(steps[pk]),
            decisions=tuple(decisions[pk]),
        )
        for (
            pk,
            attempt,
            user,
            case,
            case_version,
            assignment,
            finished,
            rubric_version,
            value,
            critical,
        ) in Score.objects.filter(pk__in=ids, attempt__finished_at__isnull=False).values_list(
            "pk",
            "attempt",
            "attempt__user",
            "attempt__case_version__case",
            "attempt__case_version",
            "attempt__assignment",
            "attempt__finished_at",
            "rubric_version",
            "score",
            "critical_errors",
        )
    }


def before_score_deleted(sender: type[Score], instance: Score, **kwargs: Any) -> None:
    # Read now, while the rows stored with the score are still there.
    instance._summary_facts = facts_of([instance.pk]).get(instance.pk)


def after_score_deleted(sender: type[Score], instance: Score, **kwargs: Any) -> None:
    facts = getattr(instance, "_summary_facts", None)
    if facts is not None:
        score_removed(facts)


# --- the recount ---------------------------------------------------------------------------


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _rows(queryset, keys: int) -> Rows:
    return {tuple(row[:keys]): list(row[keys:]) for row in queryset}


def score_recount(**where: Any) -> Rows:
    counted = CountedScore.objects.filter(score__attempt__finished_at__isnull=False, **where)
    return _rows(
        counted.values_list(
            "program",
            "cohort",
            "score__rubric_version",
            TruncWeek("score__attempt__finished_at", output_field=DateField()),
            Least(Value(BINS - 1), F("score__score") / Value(10)),
            _flag(Q(score__critical_errors__gt=0)),
        )
        .annotate(n=Count("id"), total=Sum("score__score"))
        .order_by(),
        6,
    )


def harm_recount(**where: Any) -> Rows:
    picks = CountedScore.objects.filter(score__decisions__picks__severity=CRITICAL, **where)
    return _rows(
        picks.values_list(
            "program", "cohort", "score__rubric_version", "score__decisions__picks__harm"
        )
        .annotate(n=Count("score__decisions__picks"), attempts=Count("score", distinct=True))
        .order_by(),
        4,
    )


def step_recount(**where: Any) -> Rows:
    outcomes = CountedScore.objects.filter(
        cohort__isnull=False, score__step_outcomes__isnull=False, **where
    )
    return _rows(
        outcomes.values_list(
            "cohort",
            "score__rubric_version",
            "score__attempt__user",
            "score__step_outcomes__algorithm",
            "score__step_outcomes__step",
        )
        .annotate(
            n=Count("score__step_outcomes"),
            missed=Count(
                "score__step_outcomes",
                filter=Q(score__step_outcomes__verdict=StepStatus.missed.value),
            ),
            title=Max("score__step_outcomes__title"),
            first=Min("score__step_outcomes__id"),
        )
        .order_by(),
        5,
    )


def decision_recount(**where: Any) -> Rows:
    decisions = CountedScore.objects.filter(
        cohort__isnull=True, score__decisions__isnull=False, **where
    )
    return _rows(
        decisions.values_list(
            "program",
            "score__rubric_version",
            "score__decisions__case_version",
            "score__decisions__stage",
            _flag(Q(score__decisions__seq=0)),
            "score__decisions__scored",
            "score__decisions__correct",
            "score__score",
        )
        .annotate(n=Count("score__decisions"))
        .order_by(),
        8,
    )


def pick_recount(**where: Any) -> Rows:
    picks = CountedScore.objects.filter(
        cohort__isnull=True, score__decisions__picks__isnull=False, **where
    )
    return _rows(
        picks.values_list(
            "program",
            "score__rubric_version",
            "score__decisions__case_version",
            "score__decisions__stage",
            "score__decisions__picks__option",
            "score__decisions__picks__verdict",
        )
        .annotate(n=Count("score__decisions__picks"))
        .order_by(),
        6,
    )


RULE_ORDER = {
    Counts.BEST: [F("score").desc(), F("attempt__finished_at").asc(), F("pk").asc()],
    Counts.FIRST: [F("attempt__finished_at").asc(), F("pk").asc()],
    Counts.LAST: [F("attempt__finished_at").desc(), F("pk").asc()],
}


def counted_recount(**where: Any) -> Rows:
    """For each rule, the score it picks per (assignment, resident, case,
    rubric version): a window function over the attempts made for assignments."""
    scores = Score.objects.filter(
        attempt__assignment__isnull=False, attempt__finished_at__isnull=False, **where
    )
    rows: Rows = {}
    for rule, order in RULE_ORDER.items():
        ranked = scores.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[
                    F("attempt__assignment"),
                    F("attempt__user"),
                    F("attempt__case_version__case"),
                    F("rubric_version"),
                ],
                order_by=order,
            )
        ).filter(rank=1)
        for row in ranked.values_list(
            "attempt__assignment",
            "attempt__user",
            "attempt__case_version__case",
            "rubric_version",
            "pk",
            "attempt",
            "score",
            "critical_errors",
            "attempt__finished_at",
        ):
            rows[(*row[:4], rule.value)] = list(row[4:])
    return rows


# --- the tables ----------------------------------------------------------------------------

_PROGRAM_OR_COHORT = ("program", "cohort", "rubric_version")

SCORES = Table(
    ScoreTally,
    (*_PROGRAM_OR_COHORT, "week", "bin", "critical"),
    {"attempts": _added, "score_sum": _added},
    _score_rows,
    score_recount,
)
HARMS = Table(
    HarmTally,
    (*_PROGRAM_OR_COHORT, "harm"),
    {"picks": _added, "attempts": _added},
    _harm_rows,
    harm_recount,
)
STEPS = Table(
    StepTally,
    ("cohort", "rubric_version", "user", "algorithm", "step"),
    {"outcomes": _added, "missed": _added, "title": _greatest, "first_outcome": _least},
    _step_rows,
    step_recount,
    additive=False,
)
DECISIONS = Table(
    DecisionTally,
    ("program", "rubric_version", "case_version", "stage", "opening", "scored", "correct", "score"),
    {"decisions": _added},
    _decision_rows,
    decision_recount,
)
PICKS = Table(
    PickTally,
    ("program", "rubric_version", "case_version", "stage", "option", "verdict"),
    {"picks": _added},
    _pick_rows,
    pick_recount,
)
COUNTED = Table(
    CountedAttempt,
    ("assignment", "user", "case", "rubric_version", "counts"),
    dict.fromkeys(("score", "attempt", "value", "critical", "finished_at"), _replaced),
    _counted_rows,
    counted_recount,
    additive=False,
    where=_beats,
)
# Written in this order, always: the order row locks are taken in.
TABLES = (SCORES, HARMS, STEPS, DECISIONS, PICKS, COUNTED)


def stored() -> dict[str, Rows]:
    """Every summary row as stored, by table."""
    return {table.model.__name__: table.stored() for table in TABLES}


def recounted() -> dict[str, Rows]:
    """Every summary row as the stored scores give it, by table."""
    return {table.model.__name__: table.recount() for table in TABLES}


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recount every summary from the stored scores and replace what is
    stored; the number of rows of each table.

    Safe while scores are being stored: on PostgreSQL the tables are locked
    against writes first (in the order scores write them), so a score
    committed before the lock is in the recount, and one stored after waits
    and adds itself to the recounted rows. SQLite's IMMEDIATE transaction
    already keeps every other writer out."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            names = ", ".join(_q(table.model._meta.db_table) for table in TABLES)
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    written = {}
    for table in TABLES:
        rows = table.recount()
        table.replace(rows)
        written[table.model.__name__] = len(rows)
    return written
