"""What each role can open: the navigation bar and the home page read this table.

Every row names a page that exists: a wrong URL name raises NoReverseMatch
on the first page drawn, rather than quietly hiding a link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from simulator.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]
    description: str


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    description: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(
        "Cases",
        "simulator:catalogue",
        frozenset({Role.RESIDENT}),
        "Play assigned and open cases.",
    ),
    NavItem(
        "History",
        "simulator:history",
        frozenset({Role.RESIDENT}),
        "Your attempts, scores and debriefs.",
    ),
    NavItem(
        "Authoring",
        "cases:authoring",
        frozenset({Role.INSTRUCTOR}),
        "Write cases, submit them for review, and review your colleagues' cases.",
    ),
    NavItem(
        "Program",
        "scoring:program",
        frozenset({Role.DIRECTOR}),
        "Cohorts, assignments and the program's scores.",
    ),
    NavItem(
        "Item analysis",
        "scoring:items",
        frozenset({Role.INSTRUCTOR, Role.DIRECTOR}),
        "How each decision of your program's cases performs: choices, difficulty, discrimination.",
    ),
)

ROLE_SUMMARIES: dict[Role, str] = {
    Role.RESIDENT: "Practise clinical reasoning on branching cases, scored against the "
    "reference algorithm, and look back over your attempts.",
    Role.INSTRUCTOR: "Author cases for your program and review cases before they are published.",
    Role.DIRECTOR: "Manage cohorts and assignments and follow your residents' scores.",
}


def nav_links(roles: Iterable[Role]) -> list[NavLink]:
    """Links for a user holding `roles`, in table order, each page once."""
    held = frozenset(roles)
    links: list[NavLink] = []
    for item in NAV_ITEMS:
        if not item.roles & held:
            continue
        links.append(NavLink(item.label, reverse(item.url_name), item.description))
    return links
