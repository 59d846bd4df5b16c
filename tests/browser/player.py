"""Driving the player's decision form in a browser, as a learner does."""

from __future__ import annotations

from playwright.sync_api import Locator


def pick(form: Locator, keys: list[str]) -> None:
    """Tick the options of a pick-one or pick-several form; in a put-in-order
    form, rank them in the order given."""
    if form.locator("select").count():
        for rank, key in enumerate(keys, start=1):
            form.locator(f"#opt-{key}").select_option(str(rank))
    else:
        for key in keys:
            form.locator(f"#opt-{key}").check()
