"""Writes for the learner's side: starting an attempt and recording a choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import schema
from cases.models import Case
from scoring.rubric import ActionVerdict, judge_choice
from scoring.services import attempt_score
from simulator import engine
from simulator.models import Attempt, Choice, Mode


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

    @cached_property
    def offered(self) -> frozenset[str]:
        return engine.offered_actions(self.case)

    def verdicts(self, decision: int) -> tuple[ActionVerdict, ...]:
        """The rubric's verdicts on one decision's actions, with what was known then."""
        before = [t for t in self.state.taken if t.decision < decision]
        now = [t for t in self.state.taken if t.decision == decision]
        if decision == len(self.choices) - 1:
            facts = self.state.facts
        else:
            facts = engine.replay(
                self.case, [c.options for c in self.choices[: decision + 1]]
            ).facts
        return judge_choice(self.algorithm, now, before, facts, self.offered)


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


@dataclass(frozen=True)
class Chosen:
    play: Play
    recorded: bool  # False for a replayed, stale or concurrent duplicate post


def attempt_choose(
    *, attempt: Attempt, seq: int, options: Sequence[str], seen: Play | None = None
) -> Chosen:
    """Record the choice made at decision ``seq``, exactly once.

    ``seq`` is the number of choices the learner's page had seen. A replayed
    post, a double click, the back button or a second tab sends a ``seq``
    that is no longer current: nothing is recorded and the caller shows the
    attempt as it stands. An invalid choice raises ``engine.InvalidChoice``
    and records nothing. ``seen`` is the attempt as the caller already read
    it; it is reused when no other request has added a choice since.
    """
    with transaction.atomic():
        # Serialises choices on one attempt (PostgreSQL; SQLite's immediate
        # transactions already do). The unique (attempt, seq) constraint is
        # the guarantee either way.
        Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
        current = seen is not None and attempt.choices.count() == len(seen.choices)
        play = seen if current else attempt_play(attempt)
        if seq != len(play.choices) or play.state.finished:
            return Chosen(play, recorded=False)
        state = engine.advance(play.case, play.state, options)
        try:
            with transaction.atomic():
                choice = Choice.objects.create(
                    attempt=attempt, seq=seq, stage=play.state.stage, options=list(options)
                )
        except IntegrityError:
            return Chosen(attempt_play(attempt), recorded=False)
        play = Play(attempt=attempt, choices=[*play.choices, choice], known_state=state)
        if state.finished:
            attempt.finished_at = timezone.now()
            attempt.save(update_fields=["finished_at"])
            attempt_score(attempt=attempt, case=play.case, algorithm=play.algorithm, state=state)
        return Chosen(play, recorded=True)
