"""Browser harness: Debian's Chromium driven by Playwright against a live server.

Playwright cannot download its own browser here, so it launches the system
Chromium through `executable_path`. A missing browser is an error, never a
skip: `make test` installs it.

Every page a test visits is scanned with axe-core (bundled, offline) when it
finishes loading, and the test fails on any serious or critical violation, or
when the page scrolls sideways at the size the test set.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make test`, which installs it.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    """Lets tests write page.goto("/accounts/login/")."""
    return str(live_server.url)


@dataclass
class AxeScanner:
    page: Page
    scanned: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    busy: bool = False

    def scan(self) -> None:
        # The load handler runs in Playwright's dispatcher greenlet and may interleave
        # with a scan the test or teardown started; axe allows one run at a time.
        while self.busy:
            self.page.wait_for_timeout(20)
        self.busy = True
        url = self.page.url
        try:
            results = AXE.run(self.page)
        except PlaywrightError as exc:
            if "Execution context was destroyed" in str(exc):
                return  # The page navigated on during the scan; its successor is scanned.
            raise
        finally:
            self.busy = False
        self.scanned.append(url)
        # No page scrolls sideways, at whatever size the test set.
        wide = self.page.evaluate(
            "[document.documentElement.scrollWidth - document.documentElement.clientWidth,"
            " window.innerWidth]"
        )
        if wide[0] > 0:
            self.reports.append(f"{url}: scrolls sideways by {wide[0]} px at {wide[1]} px wide")
        blocking = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        for violation in blocking:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"])
            self.reports.append(
                f"{url}: {violation['id']} ({violation['impact']}) {violation['help']} -> {targets}"
            )


@pytest.fixture
def axe(page: Page) -> AxeScanner:
    return page._casepath_axe  # type: ignore[attr-defined]


@pytest.fixture
def page(context: Any, live_server: Any) -> Generator[Page, None, None]:
    """Playwright's page, with an axe-core scan of every page that loads."""
    page = context.new_page()
    scanner = AxeScanner(page)
    page._casepath_axe = scanner  # type: ignore[attr-defined]
    page.on("load", lambda _: scanner.scan())
    yield page
    if not page.is_closed():
        # The last page may have loaded after the test's final wait; scan it for sure.
        page.wait_for_load_state("load")
        scanner.scan()
    if scanner.reports:
        pytest.fail(
            "Serious or critical accessibility violations, or sideways scrolling:\n"
            + "\n".join(scanner.reports),
            pytrace=False,
        )


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def size(request: pytest.FixtureRequest, page: Page) -> dict[str, int]:
    """A journey walked twice: on a phone and on a desktop (every page it
    loads is scanned and checked for sideways scrolling at that size)."""
    page.set_viewport_size(request.param)
    return request.param
