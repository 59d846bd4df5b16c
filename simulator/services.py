"""Writes for the learner's side: starting an attempt and recording a choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import schema
from cases.models import Case
from scoring.models import Mode
from scoring.rubric import ActionVerdict, judge_decision
from scoring.services import attempt_score
from simulator import engine
from simulator.models import Attempt, Choice


@dataclass
class Play:
    """An attempt as the pages see it: its frozen documents, its choices, and
    the state they replay to."""

    attempt: Attempt
    choices: list[Choice]
    # Set when the caller has just computed it (a choice it recorded), to
    # spare a second replay of the same choices.
    known_state: engine.State | None = None

    @cached_property
    def case(self) -> schema.Case:
        return self.attempt.case_version.parsed

    @cached_property
    def algorithm(self) -> schema.Algorithm:
        return self.attempt.case_version.algorithm_version.parsed

    @cached_property
    def state(self) -> engine.State:
        if self.known_state is not None:
            return self.known_state
        return engine.replay(self.case, [c.options for c in self.choices])

    @property
    def stage(self) -> schema.Stage:
        return self.case.stages[self.state.stage]

    def verdicts(self, decision: int) -> tuple[ActionVerdict, ...]:
        """The rubric's verdicts on one decision's actions, on what was known
        then: the same verdicts the debrief shows for it."""
        return judge_decision(self.algorithm, self.case, self.state.taken, decision)


def attempt_play(attempt: Attempt) -> Play:
    return Play(attempt=attempt, choices=list(attempt.choices.order_by("seq")))


def attempt_start(*, user, case: Case, mode: Mode, assignment=None) -> Attempt:
    """Start an attempt on the case's published version. An assignment's
    mode wins over the one asked for: an assessment cannot be practised."""
    if assignment is not None:
        mode = Mode(assignment.mode)
    return Attempt.objects.create(
        user=user, case_version=case.published, mode=mode, assignment=assignment
    )


def attempt_resume(*, user, case: Case, assignment=None) -> Attempt:
    """The user's unfinished attempt at the case (for this assignment, or
    none), or a new one: an LMS link opened twice continues where it was."""
    unfinished = (
        Attempt.objects.filter(
            user=user, case_version__case=case, assignment=assignment, finished_at__isnull=True
        )
        .order_by("-started_at")
        .first()
    )
    return unfinished or attempt_start(
        user=user, case=case, mode=Mode.PRACTICE, assignment=assignment
    )


@dataclass(frozen=True)
class Chosen:
    play: Play  # the attempt as it now stands
    recorded: bool  # False for a refused choice, or a replayed, stale or duplicate post
    refused: str = ""  # why the choice was refused, for the learner


def attempt_choose(
    *,
    attempt: Attempt,
    seq: int | None,
    options: Sequence[str],
    positions: Mapping[str, int | None] | None = None,
) -> Chosen:
    """Record the choice made at decision ``seq``, exactly once, and score
    the attempt when it reaches an outcome.

    ``seq`` is the number of choices the learner's page had seen. A replayed
    post, a double click, the back button or a second tab sends a ``seq``
    that is no longer current (None for a malformed one): nothing is
    recorded and the attempt is returned as it stands. ``options`` are the
    option keys in the learner's order; a form passes what it sent as
    ``options`` and ``positions`` for ``engine.read_choice`` to read. A choice the stage cannot
    accept is refused with the learner's message and records nothing.

    One transaction: lock the attempt, read its choices, advance, insert.
    The caller renders the returned Play; nothing is read or judged again.
    """
    try:
        with transaction.atomic():
            if connection.features.has_select_for_update:
                # Serialises choices on one attempt; SQLite's immediate
                # transactions already do.
                Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
            play = attempt_play(attempt)
            if seq != len(play.choices) or play.state.finished:
                return Chosen(play, recorded=False)
            try:
                picked = (
                    list(options)
                    if positions is None
                    else engine.read_choice(play.stage.decision, options, positions)
                )
                state = engine.advance(play.case, play.state, picked)
            except engine.InvalidChoice as invalid:
                return Chosen(play, recorded=False, refused=str(invalid))
            choice = Choice.objects.create(
                attempt=attempt, seq=seq, stage=play.state.stage, options=picked
            )
            play = Play(attempt=attempt, choices=[*play.choices, choice], known_state=state)
            if state.finished:
                attempt.finished_at = timezone.now()
                attempt.save(update_fields=["finished_at"])
                attempt_score(
                    attempt=attempt,
                    case=play.case,
                    algorithm=play.algorithm,
                    points=state.points,
                    taken=state.taken,
                    choices=[(c.seq, c.stage, c.options) for c in play.choices],
                )
            return Chosen(play, recorded=True)
    except IntegrityError:
        # The unique (attempt, seq) constraint: a concurrent post of the same
        # decision was recorded first. The lock makes this rare; the
        # constraint is the guarantee.
        return Chosen(attempt_play(attempt), recorded=False)
