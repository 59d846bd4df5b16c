"""The picture of a case: its stage graph laid out, with problems marked."""

from __future__ import annotations

import yaml

from cases.graph import StageRoutes, diagram, raw_edges, where_options_lead
from tests.cases.helpers import CASE


def stage(*targets: str, outcome: str | None = None) -> dict:
    if outcome:
        return {"title": "End", "outcome": outcome}
    return {"title": "Ask", "decision": {"options": [{"next": t} for t in targets]}}


def test_a_valid_case_has_every_stage_reachable_and_ending() -> None:
    data = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    picture = diagram(data)
    assert {n.key for n in picture.nodes} == set(data["stages"])
    assert not picture.unreachable and not picture.dead_ends and not picture.missing
    start = next(n for n in picture.nodes if n.start)
    assert start.key == "intro"
    # Layered from the start down: every other stage is drawn below it.
    assert all(n.y > start.y for n in picture.nodes if not n.start)
    assert all(n.x >= 0 and n.x + n.width <= picture.width for n in picture.nodes)


def test_routes_and_the_decisions_own_next_are_edges() -> None:
    data = {
        "stages": {
            "a": {
                "decision": {
                    "next": "c",
                    "options": [
                        {"next": [{"when": {"all": ["x"]}, "stage": "b"}, {"stage": "c"}]},
                        {},
                    ],
                }
            },
            "b": stage(outcome="good"),
            "c": stage(outcome="poor"),
        }
    }
    assert raw_edges(data) == {"a": ["b", "c"], "b": [], "c": []}


def test_the_table_under_the_graph_says_where_each_option_leads() -> None:
    data = {
        "start": "a",
        "stages": {
            "a": {
                "title": "First visit",
                "decision": {
                    "next": "c",
                    "options": [
                        {"label": "Films", "next": [{"when": {}, "stage": "b"}, {"stage": "c"}]},
                        {"label": "Wait"},
                    ],
                },
            },
            "c": {"title": "Later", "decision": {"next": "b"}},
            "b": stage(outcome="good"),
        },
    }
    assert where_options_lead(data) == [
        StageRoutes("a", "First visit", [("Films", ["b", "c"]), ("Wait", ["c"])]),
        StageRoutes("c", "Later", [("", ["b"])]),  # no options yet: its own next
    ]


def test_unreachable_stages_dead_ends_and_missing_targets_are_marked() -> None:
    data = {
        "start": "a",
        "stages": {
            "a": stage("b", "loop"),
            "b": stage(outcome="good"),
            "loop": stage("loop", "spin"),  # a cycle with no way out
            "spin": stage("loop"),
            "island": stage("b"),  # nothing leads here
            "broken": stage("nowhere"),
        },
    }
    picture = diagram(data)
    marks = {n.key: (n.unreachable, n.dead_end) for n in picture.nodes}
    assert marks == {
        "a": (False, False),
        "b": (False, False),
        "loop": (False, True),
        "spin": (False, True),
        "island": (True, False),
        "broken": (True, True),
    }
    assert picture.missing == (("broken", "nowhere"),)
    css = {n.key: n.css for n in picture.nodes}
    assert "graph__node--dead-end" in css["loop"]
    assert "graph__node--unreachable" in css["island"]
    assert "graph__node--end graph__node--good" in css["b"]
    # A stage that leads back to itself is drawn as a small loop.
    assert [a.source for a in picture.arrows if a.loop] == ["loop"]
    assert all(a.d.startswith("M ") for a in picture.arrows)


def test_a_draft_too_broken_to_read_still_draws_what_it_can() -> None:
    assert diagram("not a mapping").nodes == ()
    picture = diagram({"start": "a", "stages": {"a": None, "b": {"decision": "?"}}})
    assert [(n.key, n.unreachable, n.dead_end) for n in picture.nodes] == [
        ("a", False, True),
        ("b", True, True),
    ]


def test_a_200_stage_case_is_laid_out() -> None:
    stages = {f"s{i}": stage(f"s{i + 1}", f"s{min(i + 3, 199)}") for i in range(199)}
    stages["s199"] = stage(outcome="good")
    picture = diagram({"start": "s0", "stages": stages})
    assert len(picture.nodes) == 200
    assert not picture.dead_ends and not picture.unreachable
    ys = {n.key: n.y for n in picture.nodes}
    assert ys["s0"] < ys["s1"] < ys["s100"] < ys["s199"]


def test_play_order_follows_the_paths_from_the_start_not_the_order_written() -> None:
    from cases.graph import play_order

    def stage(*nexts: str) -> dict:
        options = [{"key": f"o{i}", "next": n} for i, n in enumerate(nexts)]
        return {"decision": {"options": options}} if nexts else {"outcome": "good"}

    data = {
        "start": "first",
        "stages": {
            "end": stage(),
            "island": stage("end"),
            "second": stage("end"),
            "first": stage("second", "third"),
            "third": stage("end"),
        },
    }

    assert play_order(data) == ["first", "second", "third", "end", "island"]
