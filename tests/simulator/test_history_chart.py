"""The history chart's points: each names its case and has a label of its own."""

from __future__ import annotations

from datetime import UTC, datetime

from simulator.history import chart_points

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
LONG = "A “ganglion” on the top of the foot that contains calcium"


def test_points_finished_the_same_day_or_minute_have_distinct_labels_naming_their_case() -> None:
    points = chart_points(
        [(NOON, LONG, 40), (NOON, "Hot first MTP joint", 90), (NOON, LONG, None), (NOON, LONG, 0)]
    )

    assert [p["score"] for p in points] == [40, 90, 0]  # an unscored attempt is left out
    labels = [p["when"] for p in points]
    assert len(set(labels)) == 3
    assert labels[0] == "30 Nov 2026 12:00" and labels[1].endswith("#2")
    assert [p["case"] for p in points] == [LONG, "Hot first MTP joint", LONG]
    assert points[0]["short"].endswith("…") and len(points[0]["short"]) <= 28
    assert points[1]["short"] == "Hot first MTP joint"
