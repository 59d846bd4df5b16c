"""Which attempt counts for an assignment, and whether it is done, late or passed.

``counted_scores`` gives, for every (resident, assignment, case), the one
finished attempt that counts — the first, the best or the last, as the
assignment says — read from CountedAttempt, which keeps the attempt each rule
picks as scores are stored (scoring.summaries; its recount is the window
function there). One query, whatever the number of residents or attempts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from cases.models import Case as ClinicalCase
from scoring.access import assignments_for_resident
from scoring.models import Assignment, CohortMember, CountedAttempt
from scoring.rubric import RUBRIC_VERSION


def counted_scores(
    assignments: QuerySet[Assignment] | Iterable[Assignment], user=None
) -> list[dict]:
    """One row per (resident, assignment, case) that has a counted attempt:
    ``user``, ``assignment``, ``case``, ``attempt``, ``score``, ``critical``,
    ``finished_at``. Only residents still on the assignment's cohort count."""
    counted = CountedAttempt.objects.filter(
        assignment__in=assignments,
        rubric_version=RUBRIC_VERSION,
        # The attempt the assignment's rule, as it is now, picks.
        counts=F("assignment__counts"),
    ).filter(
        Exists(
            CohortMember.objects.filter(
                cohort=OuterRef("assignment__cohort"),
                user=OuterRef("user"),
                removed_at__isnull=True,
            )
        )
    )
    if user is not None:
        counted = counted.filter(user=user)
    return [
        {
            "user": row[0],
            "assignment": row[1],
            "case": row[2],
            "attempt": row[3],
            "score": row[4],
            "critical": row[5],
            "finished_at": row[6],
        }
        for row in counted.order_by("assignment", "user", "case").values_list(
            "user", "assignment", "case", "attempt", "value", "critical", "finished_at"
        )
    ]


class State(StrEnum):
    upcoming = "upcoming"  # not open yet
    due = "due"  # open, not done, due date ahead
    overdue = "overdue"  # not done and the due date has passed
    passed = "passed"  # every case done, each at or above the pass mark
    not_passed = "not_passed"  # every case done, at least one below the pass mark


STATE_LABELS = {
    State.upcoming: "Not open yet",
    State.due: "Due",
    State.overdue: "Overdue",
    State.passed: "Passed",
    State.not_passed: "Not passed",
}


@dataclass
class CaseStatus:
    case: ClinicalCase
    counted: dict | None  # a row of counted_scores, or None when not done
    in_progress: int | None = None  # an unfinished attempt to resume
    pass_mark: int = 0
    due_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.counted is not None

    @property
    def late(self) -> bool:
        return bool(self.counted and self.due_at and self.counted["finished_at"] > self.due_at)

    @property
    def passed(self) -> bool:
        return bool(self.counted and self.counted["score"] >= self.pass_mark)


@dataclass
class AssignmentStatus:
    """One resident's standing on one assignment."""

    assignment: Assignment
    cases: list[CaseStatus] = field(default_factory=list)
    now: datetime = field(default_factory=timezone.now)

    @property
    def is_open(self) -> bool:
        return self.assignment.opens_at <= self.now

    @property
    def done(self) -> bool:
        return bool(self.cases) and all(c.done for c in self.cases)

    @property
    def late(self) -> bool:
        """Finished after the due date, or not finished and the due date has passed."""
        if self.done:
            return any(c.late for c in self.cases)
        return self.now > self.assignment.due_at

    @property
    def passed(self) -> bool:
        return self.done and all(c.passed for c in self.cases)

    @property
    def state(self) -> State:
        if self.done:
            return State.passed if self.passed else State.not_passed
        if not self.is_open:
            return State.upcoming
        return State.overdue if self.now > self.assignment.due_at else State.due

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def done_count(self) -> int:
        return sum(c.done for c in self.cases)


def statuses_for(
    assignments: list[Assignment],
    rows: Iterable[dict],
    user_id: int,
    in_progress: dict[tuple[int, int], int] | None = None,
    now: datetime | None = None,
) -> list[AssignmentStatus]:
    """Each assignment's status for one resident, from counted_scores rows.
    ``assignments`` must have their cases prefetched."""
    now = now or timezone.now()
    counted = {(r["assignment"], r["case"]): r for r in rows if r["user"] == user_id}
    in_progress = in_progress or {}
    found = []
    for assignment in assignments:
        status = AssignmentStatus(assignment=assignment, now=now)
        for case in assignment.cases.all():
            status.cases.append(
                CaseStatus(
                    case=case,
                    counted=counted.get((assignment.pk, case.pk)),
                    in_progress=in_progress.get((assignment.pk, case.pk)),
                    pass_mark=assignment.pass_mark,
                    due_at=assignment.due_at,
                )
            )
        found.append(status)
    return found


def resident_assignments(user) -> list[AssignmentStatus]:
    """The user's assignments, what is still to do first (soonest due first),
    then what is done (most recently due first). A fixed number of queries."""
    assignments = list(
        assignments_for_resident(user)
        .select_related("cohort__program")
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=ClinicalCase.objects.select_related("published")
                .defer("published__document", "published__references")
                .order_by("published__title"),
            )
        )
    )
    if not assignments:
        return []
    rows = counted_scores(assignments, user=user)
    # One filter() call, so both conditions hold for the same attempt.
    unfinished = (
        Assignment.objects.filter(
            pk__in=[a.pk for a in assignments],
            attempts__user=user,
            attempts__finished_at__isnull=True,
        )
        .order_by("attempts__started_at")
        .values_list("pk", "attempts__case_version__case", "attempts__pk")
    )
    in_progress = {(a, c): pk for a, c, pk in unfinished}
    found = statuses_for(assignments, rows, user.pk, in_progress)
    todo = sorted((s for s in found if not s.done), key=lambda s: s.assignment.due_at)
    done = sorted((s for s in found if s.done), key=lambda s: s.assignment.due_at, reverse=True)
    return todo + done
