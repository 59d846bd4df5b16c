"""Item analysis: choices per option, difficulty and discrimination per
decision, checked by hand on a small dataset; flags; query counts."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from django.test import Client

from scoring.item_analysis import Item, flags_for, item_analysis, point_biserial
from tests.factories import (
    CRP,
    REFERENCE,
    SWAB,
    CohortFactory,
    CohortMemberFactory,
    MembershipFactory,
)
from tests.scoring.conftest import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def played(program: Any, resident: Any, case: Any, play: Any) -> None:
    """Three attempts by the program's residents: 100 (reference), 57 (CRP), 20 (swab)."""
    cohort = CohortFactory(program=program)
    sam = CohortMemberFactory(cohort=cohort, user__username="sam").user
    ann = CohortMemberFactory(cohort=cohort, user__username="ann").user
    play(resident, REFERENCE)
    play(sam, CRP)
    play(ann, SWAB)


def by_stage(program: Any, case: Any) -> dict[str, Item]:
    return {item.stage: item for item in item_analysis(program, case, None).items}


def test_choices_difficulty_and_discrimination_worked_by_hand(
    program: Any, case: Any, played: None, other_resident: Any, play: Any
) -> None:
    play(other_resident, SWAB)  # another program's resident: not counted
    items = by_stage(program, case)
    assert list(items) == ["intro", "films", "swabbed", "plan"]

    intro = items["intro"]
    # Films by rita (100) and sam (57), MRI by ann (20).
    assert (intro.attempts, intro.correct) == (3, 2)
    assert [(o.key, o.chosen, o.percent, o.verdict) for o in intro.options] == [
        ("films", 2, 67, "indicated"),
        ("mri", 1, 33, "harmful"),
    ]
    assert intro.difficulty == pytest.approx(2 / 3)
    # r = (M1 - M0) / s * sqrt(pq): M1 = 78.5, M0 = 20, s = 32.690 (population), p = 2/3.
    assert intro.discrimination == pytest.approx(0.8436, abs=1e-4)

    films = items["films"]
    # Tissue (rita, right), CRP (sam, not indicated), swab (ann, harmful).
    assert [(o.key, o.chosen, o.verdict) for o in films.options] == [
        ("tissue", 1, "indicated"),
        ("swab", 1, "harmful"),
        ("crp", 1, "not_indicated"),
    ]
    assert films.difficulty == pytest.approx(1 / 3)
    assert films.discrimination == pytest.approx((100 - 38.5) / 32.6905 * (2 / 9) ** 0.5, abs=1e-4)

    # Only ann reached the swab stage: review then tissue, both meeting a step.
    swabbed = items["swabbed"]
    assert (swabbed.attempts, swabbed.difficulty, swabbed.discrimination) == (1, 1.0, None)

    # Every option performs an action, so every decision is scored: the follow-up
    # both rita and sam chose meets the optional review step.
    plan = items["plan"]
    assert (plan.scored, plan.attempts, plan.difficulty) == (True, 2, 1.0)
    assert [(o.key, o.chosen, o.verdict) for o in plan.options] == [
        ("good", 2, "indicated"),
        ("routed", 0, ""),
    ]
    # Too few attempts is a note, not a flag: nothing is wrong with the item yet.
    assert intro.flags == []
    assert intro.note == "Fewer than 10 attempts: too few to judge."
    # Nobody chose "It depends": the page shows its author's key instead.
    assert plan.options[1].expected == "not_indicated"


def test_point_biserial_equals_pearsons_r_with_a_binary_variable() -> None:
    pairs = [(True, 90), (True, 80), (False, 70), (True, 60), (False, 40), (False, 40)]
    groups: dict[tuple[bool, int], int] = {}
    for pair in pairs:
        groups[pair] = groups.get(pair, 0) + 1
    expected = statistics.correlation([float(r) for r, _ in pairs], [s for _, s in pairs])
    assert point_biserial(groups) == pytest.approx(expected)
    assert point_biserial({(True, 50): 3}) is None  # nobody got it wrong
    assert point_biserial({(True, 50): 1, (False, 50): 1}) is None  # no spread in scores


@pytest.mark.parametrize(
    ("difficulty", "discrimination", "flags"),
    [
        (0.95, 0.3, ["Nearly everyone gets this right."]),
        (0.5, 0.1, ["Discriminates poorly between stronger and weaker residents."]),
        (0.5, -0.2, ["Negative discrimination"]),
        (0.5, 0.45, []),
    ],
)
def test_flags(difficulty: float, discrimination: float, flags: list[str]) -> None:
    item = Item("s", "t", "p", attempts=40, difficulty=difficulty, discrimination=discrimination)
    found = flags_for(item)
    assert len(found) == len(flags)
    assert all(f.startswith(expected) for f, expected in zip(found, flags, strict=True))


def test_a_decision_everyone_gets_right_is_flagged(program: Any, case: Any, play: Any) -> None:
    cohort = CohortFactory(program=program)
    for n in range(10):
        user = CohortMemberFactory(cohort=cohort, user__username=f"r{n}").user
        play(user, REFERENCE if n else CRP)
    intro = by_stage(program, case)["intro"]
    assert intro.difficulty == 1.0
    assert intro.flags == ["Nearly everyone gets this right."]
    films = by_stage(program, case)["films"]
    assert films.difficulty == 0.9
    assert films.discrimination == pytest.approx(1.0)


def test_the_item_analysis_page(
    client: Client, instructor: Any, program: Any, case: Any, played: None
) -> None:
    client.force_login(instructor)
    index = client.get("/items/").content.decode()
    assert 'href="/programs/northfield/items/test-case/">A lump on the foot</a>' in index
    html = client.get("/programs/northfield/items/test-case/").content.decode()
    assert "3 finished attempts by Northfield Residency" in html
    assert "0.67 (2 right)" in html
    assert "0.84" in html
    assert "Fewer than 10 attempts" in html
    assert "badge--flag" not in html
    assert '<span class="badge badge--harmful">Harmful</span>' in html
    assert (
        '<span class="badge badge--not_indicated">Not indicated</span> '
        '<span class="muted">(author\'s key; nobody chose it)</span>'
    ) in html


def test_a_director_reads_the_item_analysis_of_the_programs_cases(
    client: Client, director: Any, program: Any, case: Any, played: None
) -> None:
    client.force_login(director)
    home = client.get("/").content.decode()
    assert 'href="/items/"' in home
    index = client.get("/items/").content.decode()
    assert 'href="/programs/northfield/items/test-case/">A lump on the foot</a>' in index
    html = client.get("/programs/northfield/items/test-case/").content.decode()
    assert "3 finished attempts by Northfield Residency" in html


def test_an_instructor_of_two_programs_sees_each_programs_cases(
    client: Client, instructor: Any, other_program: Any, case: Any, played: None
) -> None:
    MembershipFactory(user=instructor, program=other_program, role="instructor")
    client.force_login(instructor)
    html = client.get("/items/").content.decode()
    assert "Northfield Residency" in html
    assert "Southgate Residency" in html
    assert html.count("A lump on the foot") == 1  # only Northfield's residents played it


def test_the_item_analysis_query_count_does_not_grow_with_attempts(
    client: Client,
    instructor: Any,
    program: Any,
    case: Any,
    played: None,
    play: Any,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(instructor)
    paths = ["/programs/northfield/items/test-case/", "/items/"]
    before = [queries_for(client, p) for p in paths]
    cohort = CohortFactory(program=program)
    for n in range(5):
        user = CohortMemberFactory(cohort=cohort, user__username=f"x{n}").user
        play(user, SWAB)
        play(user, REFERENCE)
    for path, count in zip(paths, before, strict=True):
        with django_assert_num_queries(count):
            client.get(path)
