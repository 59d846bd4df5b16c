"""The player's progress stays put: "decision 2 of about 4" all along the way."""

from __future__ import annotations

from types import SimpleNamespace

from simulator import engine
from simulator.presenters import progress
from tests.core.bundled import case_and_algorithm, parse_path

SARCOMA = "calcified-deep-mass-sarcoma"


def measured(path: str) -> tuple[int, int]:
    case, _ = case_and_algorithm(SARCOMA)
    state = engine.replay(case, parse_path(path) if path else [])
    shown = progress(SimpleNamespace(case=case, state=state))
    return shown.made, shown.total


def test_the_total_is_the_shortest_good_route_and_does_not_grow_along_it() -> None:
    # Films, MRI, sarcoma MDT, then the ordered plan: four decisions to a good end.
    assert [measured(p) for p in ("", "xray", "xray, mri_contrast", "xray, mri_contrast, mdt")] == [
        (0, 4),
        (1, 4),
        (2, 4),
        (3, 4),
    ]
    assert measured("xray, mri_contrast, mdt, core_biopsy+ct_chest+wide_excision") == (4, 4)


def test_a_detour_keeps_the_total_until_it_outruns_it() -> None:
    # MRI first is sent back: the detour costs a decision, shown only once it is past 4.
    assert measured("mri_first") == (1, 4)
    assert measured("mri_first, xray_now, mri_contrast") == (3, 4)
    assert measured("mri_first, xray_now, mri_contrast, mdt") == (4, 5)
