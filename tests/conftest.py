"""Shared fixtures: test-only settings and the role cast.

The cast: `resident`, `instructor` and `director` share `program`;
`other_resident` is a resident of `other_program`; `outsider` is signed up but
belongs to no program. Every view's tests use them to show who is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from cases.models import Case
from scoring.models import Assignment
from simulator.accounts.models import Program, Role
from simulator.models import Attempt
from tests.factories import (
    REFERENCE,
    AttemptFactory,
    MembershipFactory,
    ProgramFactory,
    UserFactory,
    the_test_case,
)


def _storage(location: Path) -> dict[str, Any]:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location},
    }


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory: pytest.TempPathFactory) -> Generator[None, None, None]:
    """Test-only settings, on for the whole session so the live server sees them too."""
    with override_settings(
        # MD5 makes creating and logging in users fast; never used outside tests.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The manifest storage and whitenoise's STATIC_ROOT need `collectstatic` first;
        # tests render from the source tree (the live server serves it through finders).
        STATIC_ROOT=None,
        STORAGES={
            **settings.STORAGES,
            # Uploaded images never land in the working tree (the `media` fixture
            # gives a test a folder of its own).
            "default": _storage(tmp_path_factory.mktemp("media")),
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    """An empty storage folder of this test's own, for the images of findings."""
    root = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": _storage(root)}
    return root


@pytest.fixture
def program(db: None) -> Program:
    return ProgramFactory(name="Northfield Residency", slug="northfield")


@pytest.fixture
def other_program(db: None) -> Program:
    return ProgramFactory(name="Southgate Residency", slug="southgate")


@pytest.fixture
def resident(program: Program) -> Any:
    return MembershipFactory(user__username="rita", program=program, role=Role.RESIDENT).user


@pytest.fixture
def other_resident(other_program: Program) -> Any:
    return MembershipFactory(user__username="omar", program=other_program, role=Role.RESIDENT).user


@pytest.fixture
def instructor(program: Program) -> Any:
    return MembershipFactory(user__username="ines", program=program, role=Role.INSTRUCTOR).user


@pytest.fixture
def director(program: Program) -> Any:
    return MembershipFactory(user__username="dara", program=program, role=Role.DIRECTOR).user


@pytest.fixture
def outsider(db: None) -> Any:
    return UserFactory(username="otto")


CONTENT = settings.BASE_DIR / "cases" / "content"


@pytest.fixture
def bundled(db: None) -> None:
    """The bundled library, algorithm and cases, imported as `make run` does."""
    from cases.services import content_import
    from cases.validate import read_sources

    sources, _ = read_sources([CONTENT])
    content_import(sources)


# --- the small test case of tests/cases/valid, and attempts played on it ------------------


@pytest.fixture
def case(db: None) -> Case:
    return the_test_case()


Play = Callable[..., Attempt]


@pytest.fixture
def play(case: Case) -> Play:
    """Play a path through the services (AttemptFactory), on the test case or `on`."""

    def _play(
        user: Any,
        choices: Sequence[Sequence[str]] = REFERENCE,
        *,
        assignment: Assignment | None = None,
        finished_at: datetime | None = None,
        on: Case | None = None,
    ) -> Attempt:
        return AttemptFactory(
            user=user,
            case_version=(on or case).published,
            choices=choices,
            assignment=assignment,
            finished_at=finished_at,
        )

    return _play
