"""Playing a case over HTTP, as the player's forms do."""

from __future__ import annotations

from django.urls import reverse

from scoring.models import Mode
from simulator.models import Attempt
from simulator.services import attempt_play


def start(client, slug: str, mode: Mode) -> Attempt:
    response = client.post(reverse("simulator:start", args=[slug]), {"mode": mode.value})
    assert response.status_code == 302, response
    return Attempt.objects.latest("pk")


def choose(
    client,
    attempt: Attempt,
    seq: int,
    options: list[str],
    *,
    htmx: bool = False,
    follow: bool = False,
):
    """Post one decision the way the stage form does: a put-in-order posts a
    position per option, the others post the option keys picked."""
    decision = attempt_play(attempt).stage.decision
    data: dict[str, object] = {"seq": str(seq)}
    if decision is not None and decision.type.value == "order":
        data |= {f"rank-{key}": str(rank) for rank, key in enumerate(options, start=1)}
    else:
        data["option"] = options
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("simulator:choose", args=[attempt.pk]), data, headers=headers, follow=follow
    )


def choose_path(client, attempt: Attempt, path: str) -> None:
    """Post a whole path written as the bundled cases' reference paths are:
    decisions joined by ", ", the options of one decision by "+"."""
    for seq, picked in enumerate(path.split(", ")):
        choose(client, attempt, seq, picked.split("+"))
