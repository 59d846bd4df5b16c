"""The director's writes to cohorts and assignments (rosters are
scoring.roster's, invitations scoring.invitations').

Callers pass objects that came through the funnels in scoring.access and
values a form has validated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from cases.models import Case
from scoring.models import Assignment, Cohort
from simulator.accounts.models import Program


def cohort_create(*, program: Program, name: str) -> Cohort:
    return Cohort.objects.create(program=program, name=name)


@dataclass(frozen=True)
class AssignmentTerms:
    """What a director sets on an assignment: the fields of AssignmentForm."""

    title: str
    cases: Iterable[Case]
    opens_at: datetime
    due_at: datetime
    mode: str
    pass_mark: int
    counts: str


def _assignment_save(assignment: Assignment, terms: AssignmentTerms) -> Assignment:
    assignment.title = terms.title
    assignment.opens_at = terms.opens_at
    assignment.due_at = terms.due_at
    assignment.mode = terms.mode
    assignment.pass_mark = terms.pass_mark
    assignment.counts = terms.counts
    assignment.save()
    assignment.cases.set(terms.cases)
    return assignment


@transaction.atomic
def assignment_create(*, cohort: Cohort, terms: AssignmentTerms) -> Assignment:
    """A new assignment for the cohort, with its cases: both or neither."""
    return _assignment_save(Assignment(cohort=cohort), terms)


@transaction.atomic
def assignment_update(*, assignment: Assignment, terms: AssignmentTerms) -> Assignment:
    """The assignment with new terms. Attempts already made keep pointing at
    it; which of them count follows the new terms."""
    return _assignment_save(assignment, terms)
