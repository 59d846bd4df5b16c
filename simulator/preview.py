"""An author's draft played as a resident plays it, recording nothing.

The preview is stateless: the choices so far travel in its URL
(``?mode=practice&c=films&c=tissue+crp``) and every page replays them through
the engine into an unsaved attempt, so the player's presenters and template
show it and no row is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from cases import schema
from cases.citations import CitationIndex
from cases.models import CaseVersion
from scoring import rubric
from scoring.models import Mode
from simulator import engine
from simulator.models import Attempt, Choice
from simulator.presenters import DecisionReview, decision_review
from simulator.services import Play

# Choices a preview URL may carry: far more than any case has decisions, and
# each one is replayed on every page.
MAX_CHOICES = 500


@dataclass(frozen=True)
class Replayed:
    play: Play
    # False when a carried choice could not be made: the play stops before it.
    whole: bool


def preview_play(
    version: CaseVersion, document: schema.Case, mode: Mode, carried: Sequence[str]
) -> Replayed:
    """The choices a preview URL carries (each its option keys joined by spaces),
    made on ``document``, the version's draft as validated."""
    # The draft as validated, not as last stored: the player reads the version's case.
    version.__dict__["parsed"] = document
    attempt = Attempt(case_version=version, mode=mode)
    choices: list[Choice] = []
    state = engine.start(document)
    for text in carried[:MAX_CHOICES]:
        options = text.split()
        try:
            after = engine.advance(document, state, options)
        except (engine.InvalidChoice, engine.BrokenCase):
            return Replayed(Play(attempt, choices, known_state=state), whole=False)
        choices.append(Choice(seq=len(choices), stage=state.stage, options=options))
        state = after
    return Replayed(Play(attempt, choices, known_state=state), whole=True)


def preview_url(slug: str, mode: str, choices: Sequence[Sequence[str]]) -> str:
    """The preview of case ``slug`` after ``choices`` (each a choice's option keys)."""
    query = urlencode([("mode", mode), *(("c", " ".join(c)) for c in choices)])
    return reverse("simulator:preview", args=[slug]) + "?" + query


@dataclass(frozen=True)
class PreviewDebrief:
    result: rubric.Result
    reviews: list[DecisionReview]


@dataclass(frozen=True)
class Preview:
    """What the player shows around an author's preview: the mode, a way back, and
    at the outcome the score with every decision reviewed."""

    so_far: tuple[str, ...] = ()  # the choices made, as the URL carries them
    back_url: str = ""  # the preview one decision back; "" before the first
    debrief: PreviewDebrief | None = None

    modes = Mode.choices


def preview_frame(slug: str, play: Play, citations: CitationIndex) -> Preview:
    """The preview around ``play``; ``citations`` is the page's, so a source keeps
    the number the stage above gave it."""
    made = [c.options for c in play.choices]
    debrief = None
    if play.state.finished:
        state = play.state
        debrief = PreviewDebrief(
            result=rubric.score(play.algorithm, play.case, state.points, state.taken),
            reviews=[
                decision_review(play, i, play.verdicts(i), citations) for i in range(len(made))
            ],
        )
    return Preview(
        so_far=tuple(" ".join(options) for options in made),
        back_url=preview_url(slug, play.attempt.mode, made[:-1]) if made else "",
        debrief=debrief,
    )
