"""The proof's checks on the database, run with the servers' environment.

    python -m tests.bench.verify < sent.json

Reads what the simulated residents sent ({attempt pk: {"acked": {seq: options},
"unacked": {seq: [options, ...]}}}) and prints, as JSON, for every attempt of
the bench residents: whether the recorded choices are exactly 0..n-1 (no gap,
no duplicate), every acknowledged choice recorded with the options sent, every
other recorded choice one of the unacknowledged posts, and the attempt
readable (its choices replay through the engine and its page's context builds).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()
    from simulator.models import Attempt, Choice
    from simulator.services import attempt_play

    sent: dict[str, dict] = json.load(sys.stdin)
    problems: list[str] = []
    recorded = acknowledged = recorded_unacked = unreadable = 0
    by_attempt: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(attempt_id__in=[int(k) for k in sent]).order_by(
        "attempt_id", "seq"
    ):
        by_attempt.setdefault(choice.attempt_id, []).append(choice)
    for key, expected in sent.items():
        pk = int(key)
        choices = by_attempt.get(pk, [])
        recorded += len(choices)
        seqs = [c.seq for c in choices]
        if seqs != list(range(len(seqs))):
            problems.append(f"attempt {pk}: recorded seqs {seqs} have a gap or a duplicate")
        acked = {int(s): o for s, o in expected["acked"].items()}
        unacked = {int(s): o for s, o in expected.get("unacked", {}).items()}
        acknowledged += len(acked)
        stored = {c.seq: c.options for c in choices}
        for seq, options in acked.items():
            if stored.get(seq) != options:
                problems.append(
                    f"attempt {pk}: acknowledged choice {seq} {options} is "
                    f"{'missing' if seq not in stored else f'stored as {stored[seq]}'}"
                )
        for seq, options in stored.items():
            if seq in acked:
                continue
            if options in unacked.get(seq, []):
                recorded_unacked += 1
            else:
                problems.append(f"attempt {pk}: choice {seq} {options} was never sent")
        try:
            play = attempt_play(Attempt.objects.get(pk=pk))
            play.state  # noqa: B018 - replays every choice
            if not play.state.finished:
                play.stage  # noqa: B018
        except Exception as error:  # noqa: BLE001 - any failure means unreadable
            unreadable += 1
            problems.append(f"attempt {pk} is unreadable: {type(error).__name__}: {error}")
    json.dump(
        {
            "attempts": len(sent),
            "recorded": recorded,
            "acknowledged": acknowledged,
            "recorded_unacknowledged": recorded_unacked,
            "unreadable": unreadable,
            "problems": problems[:20],
            "problem_count": len(problems),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
