"""Importing, re-importing, exporting and validating content through the commands."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import models
from tests.cases.helpers import ALGORITHM, BROKEN, CASE, LIBRARY, REPO, VALID, VALID_FILES

pytestmark = pytest.mark.django_db

CONTENT = REPO / "cases" / "content"


def content_cases() -> list[Path]:
    """Every case document under cases/content/ (none until that folder has some)."""
    found = []
    for path in sorted(CONTENT.rglob("*.y*ml")) if CONTENT.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        if any(line.strip() == "document: case" for line in text.splitlines()):
            found.append(path)
    return found


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    kinds = [models.Library, models.LibraryVersion, models.Algorithm, models.AlgorithmVersion]
    kinds += [models.Case, models.CaseVersion]
    return {kind.__name__: kind.objects.count() for kind in kinds}


def changed_case(tmp_path: Path, title: str = "A lump on the heel") -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(
        CASE.read_text(encoding="utf-8").replace("title: A lump on the foot", f"title: {title}", 1),
        encoding="utf-8",
    )
    return path


def test_importing_the_valid_fixtures_creates_first_versions() -> None:
    output = run("import_content", *map(str, VALID_FILES))

    assert "3 new versions, 0 unchanged." in output
    assert counts() == {
        "Library": 1,
        "LibraryVersion": 1,
        "Algorithm": 1,
        "AlgorithmVersion": 1,
        "Case": 1,
        "CaseVersion": 1,
    }
    version = models.CaseVersion.objects.get()
    assert version.number == 1
    assert version.is_published
    assert version.case.published == version
    assert version.algorithm_version == models.AlgorithmVersion.objects.get(number=1)
    assert version.document["algorithm_version"] == 1  # pinned on import
    assert {"smith2020", "doe2019"} <= set(version.references)


def test_importing_a_folder_imports_every_file_in_it() -> None:
    assert "3 new versions" in run("import_content", str(VALID))


def test_importing_the_same_files_again_changes_nothing() -> None:
    run("import_content", str(VALID))
    before = counts()

    output = run("import_content", str(VALID), "--verbosity", "2")

    assert "0 new versions, 3 unchanged." in output
    assert "case test-case v1: unchanged" in output
    assert counts() == before


def test_a_changed_case_becomes_version_2_and_version_1_is_untouched(tmp_path: Path) -> None:
    run("import_content", str(VALID))
    first = models.CaseVersion.objects.get()
    document, digest = first.document, first.content_hash

    output = run("import_content", str(LIBRARY), str(ALGORITHM), str(changed_case(tmp_path)))

    assert "1 new version, 2 unchanged." in output
    versions = models.CaseVersion.objects.order_by("number")
    assert [v.number for v in versions] == [1, 2]
    old, new = versions
    assert (old.document, old.content_hash) == (document, digest)
    assert new.document["title"] == "A lump on the heel"
    assert new.content_hash != digest
    assert models.Case.objects.get().published == new


def test_a_case_keeps_the_algorithm_version_it_was_imported_against(tmp_path: Path) -> None:
    run("import_content", str(VALID))
    algorithm = tmp_path / "algorithm.yaml"
    algorithm.write_text(
        ALGORITHM.read_text(encoding="utf-8").replace("title: Test algorithm", "title: Revised"),
        encoding="utf-8",
    )

    run("import_content", str(algorithm))

    assert models.AlgorithmVersion.objects.count() == 2
    case = models.CaseVersion.objects.get()
    assert case.algorithm_version.number == 1
    assert case.document["algorithm_version"] == 1


def test_a_broken_file_among_good_ones_imports_nothing(tmp_path: Path) -> None:
    run("import_content", str(LIBRARY))
    before = counts()
    out = StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_content",
            str(ALGORITHM),
            str(changed_case(tmp_path)),
            str(BROKEN / "option-without-citations.yaml"),
            stdout=out,
        )

    assert counts() == before
    assert (
        f"{BROKEN / 'option-without-citations.yaml'}:25: "
        "stages.intro.decision.options[1].citations: cite at least one reference"
    ) in out.getvalue().splitlines()


def test_a_broken_import_fails_listing_the_problem_and_imports_nothing() -> None:
    broken = BROKEN / "next-to-missing-stage.yaml"
    out = StringIO()

    # CommandError is what manage.py turns into a non-zero exit.
    with pytest.raises(CommandError, match="Nothing was imported."):
        call_command("import_content", str(VALID), str(broken), stdout=out)

    assert (
        f"{broken}:28: stages.intro.decision.options[1].next: no stage 'ending'" in out.getvalue()
    )
    assert counts()["CaseVersion"] == 0


@pytest.mark.parametrize(
    "case",
    [CASE, *content_cases()],
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_an_exported_case_imports_back_unchanged(case: Path, tmp_path: Path) -> None:
    folder = VALID if case == CASE else CONTENT
    run("import_content", str(folder))
    slug = yaml.safe_load(case.read_text(encoding="utf-8"))["slug"]
    exported = tmp_path / f"{slug}.yaml"

    run("export_case", slug, "-o", str(exported))
    output = run("import_content", str(exported), "--verbosity", "2")

    assert f"case {slug} v1: unchanged" in output
    assert "0 new versions, 1 unchanged." in output
    assert exported.read_text(encoding="utf-8") == run("export_case", slug)


def test_export_case_prints_an_old_version_on_request(tmp_path: Path) -> None:
    run("import_content", str(VALID))
    run("import_content", str(LIBRARY), str(ALGORITHM), str(changed_case(tmp_path)))

    old = yaml.safe_load(run("export_case", "test-case", "--version", "1"))
    newest = yaml.safe_load(run("export_case", "test-case"))

    assert old["title"] == "A lump on the foot"
    assert newest["title"] == "A lump on the heel"
    assert old == models.CaseVersion.objects.get(number=1).document


def test_export_case_names_an_unknown_slug_or_version_clearly() -> None:
    with pytest.raises(CommandError, match="no case 'no-such-case'"):
        run("export_case", "no-such-case")
    run("import_content", str(VALID))
    with pytest.raises(CommandError, match="no case 'test-case' version 9"):
        run("export_case", "test-case", "--version", "9")


def test_validate_content_passes_good_files_with_a_one_line_summary() -> None:
    output = run("validate_content", str(VALID))

    assert output.splitlines() == ["3 files valid: 1 library, 1 algorithm, 1 case."]


def test_validate_content_exits_non_zero_listing_each_problem(tmp_path) -> None:
    broken = BROKEN / "step-order-cycle.yaml"
    # A real manage.py process, so the exit status is the one an author's shell sees.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    done = subprocess.run(  # noqa: S603 -- fixed arguments
        [sys.executable, "manage.py", "validate_content", str(LIBRARY), str(broken)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{broken}:21: steps[0].after: the order of steps loops back to 'films'"
    ]
    assert "1 problem in 1 file." in done.stderr


def test_validate_content_checks_a_case_against_an_imported_algorithm() -> None:
    run("import_content", str(LIBRARY), str(ALGORITHM))

    assert (
        run("validate_content", str(CASE)) == "1 file valid: 0 libraries, 0 algorithms, 1 case.\n"
    )


def test_validate_content_adds_notes_worth_a_look_before_review() -> None:
    output = run("validate_content", "cases/content")
    lines = output.splitlines()

    assert lines[-1] == "13 files valid: 1 library, 1 algorithm, 11 cases."
    notes = lines[:-1]
    assert notes and all(": note: " in line for line in notes)
    # The bundled cases teach every step and let a learner commit every harm.
    assert not [n for n in notes if "algorithm.yaml:" in n]
    # The heel case never says a lump is deep, so MRI to exclude a tumour cannot be right there.
    assert any("post-injection-heel-calcification.yaml" in n and "'deep_mass'" in n for n in notes)
