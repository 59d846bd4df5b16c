"""Bad input to case authoring, as the security review sent it (F2, F8, F10, F12, F13).

Each reproduction is refused with a message that says where the problem is,
stores nothing, and never answers 500.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import authoring, editing, models
from cases.schema import MAX_STAGES
from cases.yamlmap import dump, load
from simulator.accounts.models import Role
from tests.cases.helpers import ALGORITHM, CASE, LIBRARY
from tests.factories import MembershipFactory, authored_case, import_test_content

pytestmark = pytest.mark.django_db

SLUG = "heel-lump"
DOCUMENT_COLUMN = '"cases_caseversion"."document"'
SOURCE_COLUMN = '"cases_caseversion"."source"'


@pytest.fixture
def draft(program: Any, instructor: Any) -> models.CaseVersion:
    import_test_content()
    return authored_case(program=program, author=instructor, slug=SLUG)


@pytest.fixture
def author(client: Client, draft: models.CaseVersion, instructor: Any) -> Client:
    client.force_login(instructor)
    return client


@pytest.fixture
def stranger(client: Client, draft: models.CaseVersion, other_program: Any) -> Client:
    """An instructor of another program, who may not see the draft."""
    user = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    client.force_login(user)
    return client


def stored(version: models.CaseVersion) -> dict[str, object]:
    version.refresh_from_db()
    names = ("source", "document", "title", "problem_count", "updated_at")
    return {name: getattr(version, name) for name in names}


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def case_text(slug: str = "imported") -> str:
    return CASE.read_text(encoding="utf-8").replace("slug: test-case", f"slug: {slug}", 1)


def upload(client: Client, program: Any, text: str) -> Any:
    file = SimpleUploadedFile("case.yaml", text.encode(), content_type="application/yaml")
    return client.post("/authoring/import/", {"import-file": file, "import-program": program.pk})


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


# --- F2: YAML alias amplification ---------------------------------------------------


def test_yaml_with_aliases_is_not_stored_and_the_typed_text_comes_back(
    author: Client, draft: models.CaseVersion
) -> None:
    before = stored(draft)
    text = draft.source + f'big: &a "{"B" * 100_000}"\nextra: [{", ".join(["*a"] * 1000)}]\n'

    response = author.post(f"/authoring/{SLUG}/yaml/", {"yaml": text})

    assert response.status_code == 400
    shown = page(response)
    line = line_of(text, "big: &a")
    assert f"Not saved: line {line}: anchors and aliases (&name, *name) are not allowed" in shown
    assert "extra: [*a, *a" in shown  # what the author typed is not lost
    assert stored(draft) == before


def test_a_valid_case_that_uses_aliases_is_not_imported(author: Client, program: Any) -> None:
    text = case_text().replace(
        "      label: Type 2 diabetes\n",
        f'      label: Type 2 diabetes\n      value: &a "{"A" * 1000}"\n',
        1,
    )
    text = text.replace("value: 42", "value: *a", 1)

    response = upload(author, program, text)

    assert response.status_code == 400
    line = line_of(text, "value: &a")
    assert f"line {line}: (document): anchors and aliases (&name, *name)" in page(response)
    assert not models.Case.objects.filter(slug="imported").exists()


def test_import_content_refuses_aliases_and_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    text = CASE.read_text(encoding="utf-8").replace("value: 42", "value: &v 42", 1)
    path.write_text(text, encoding="utf-8")
    out = StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_content", str(LIBRARY), str(ALGORITHM), str(path), stdout=out)

    line = line_of(text, "value: &v")
    assert f"{path}:{line}: (document): anchors and aliases" in out.getvalue()
    assert models.CaseVersion.objects.count() == 0


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param("x" * 1_000_001, id="text-over-1-MB"),
        # Under a megabyte as typed, but JSON escapes each "é" as six characters.
        pytest.param("é" * 400_000, id="stored-over-1-MB"),
    ],
)
def test_a_draft_over_a_megabyte_is_not_stored(
    author: Client, draft: models.CaseVersion, extra: str
) -> None:
    before = stored(draft)

    response = author.post(
        f"/authoring/{SLUG}/yaml/", {"yaml": f'{draft.source}extra: "{extra}"\n'}
    )

    assert response.status_code == 400
    assert "Not saved: the case is over 1 MB." in page(response)
    assert stored(draft) == before


def test_the_authoring_list_loads_no_document(
    author: Client, draft: models.CaseVersion, program: Any, instructor: Any
) -> None:
    for i in range(3):
        authored_case(program=program, author=instructor, slug=f"more-{i}")

    with CaptureQueriesContext(connection) as queries:
        response = author.get("/authoring/")

    assert response.status_code == 200
    assert "more-2" in response.content.decode()
    selected = " ".join(q["sql"] for q in queries.captured_queries)
    assert DOCUMENT_COLUMN not in selected
    assert SOURCE_COLUMN not in selected


def test_the_versions_page_loads_only_the_two_documents_it_compares(
    author: Client, draft: models.CaseVersion, instructor: Any, program: Any
) -> None:
    reviewer = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
    version = draft
    for title in ("Second", "Third"):
        authoring.case_version_submit(version=version, user=instructor)
        authoring.case_version_start_review(version=version, user=reviewer)
        authoring.case_version_approve(version=version, user=reviewer)
        version = authoring.case_version_new_draft(case=draft.case, user=instructor)
        authoring.case_version_edit(
            version=version, change=lambda data, t=title: editing.set_details(data, {"title": t})
        )

    with CaptureQueriesContext(connection) as queries:
        response = author.get(f"/authoring/{SLUG}/versions/?a=1&b=3")

    assert "title: Third" in page(response)
    loading = [q["sql"] for q in queries.captured_queries if DOCUMENT_COLUMN in q["sql"]]
    assert len(loading) == 2
    assert all('WHERE "cases_caseversion"."id" = ' in sql for sql in loading)  # one row each


def test_review_comments_on_the_editor_do_not_load_their_version_again(
    author: Client, draft: models.CaseVersion, instructor: Any, program: Any
) -> None:
    reviewer = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
    authoring.case_version_submit(version=draft, user=instructor)
    authoring.case_version_start_review(version=draft, user=reviewer)
    for text in ("One.", "Two.", "Three."):
        authoring.review_comment_add(version=draft, user=reviewer, stage="intro", text=text)
    authoring.case_version_request_changes(version=draft, user=reviewer, note="See comments.")

    with CaptureQueriesContext(connection) as queries:
        response = author.get(f"/authoring/{SLUG}/")

    assert "Three." in response.content.decode()
    comments = [q["sql"] for q in queries.captured_queries if "cases_reviewcomment" in q["sql"]]
    assert comments
    assert not any(DOCUMENT_COLUMN in sql or SOURCE_COLUMN in sql for sql in comments)


# --- F8: numbers and text no document can hold --------------------------------------


def _append(line: str) -> Callable[[str], str]:
    return lambda text: text + line + "\n"


def _title(value: str) -> Callable[[str], str]:
    return lambda text: text.replace("title: A lump", f"title: {value} #", 1)


# (change to a valid case, text of the line at fault, field, message)
UNSTORABLE = [
    pytest.param(
        _append("extra: .nan"), "extra:", "extra", "'.nan' is not a finite number", id="nan"
    ),
    pytest.param(
        _append("extra: .inf"), "extra:", "extra", "'.inf' is not a finite number", id="inf"
    ),
    pytest.param(
        _append("extra: [1, -.inf]"),
        "extra:",
        "extra[1]",
        "'-.inf' is not a finite number",
        id="minus-inf",
    ),
    pytest.param(
        _title(r'"\ud800 x"'),
        "title:",
        "title",
        r"\ud800 is half of a UTF-16 surrogate pair, not a character",
        id="lone-surrogate",
    ),
]


@pytest.mark.parametrize(("change", "at", "field", "message"), UNSTORABLE)
def test_the_yaml_tab_refuses_what_no_document_can_hold(
    author: Client,
    draft: models.CaseVersion,
    change: Callable[[str], str],
    at: str,
    field: str,
    message: str,
) -> None:
    before = stored(draft)
    text = change(draft.source)

    response = author.post(f"/authoring/{SLUG}/yaml/", {"yaml": text})

    assert response.status_code == 400
    assert f"Not saved: line {line_of(text, at)}: {field}: {message}" in page(response)
    assert stored(draft) == before


@pytest.mark.parametrize(("change", "at", "field", "message"), UNSTORABLE)
def test_import_refuses_what_no_document_can_hold(
    author: Client,
    program: Any,
    change: Callable[[str], str],
    at: str,
    field: str,
    message: str,
) -> None:
    text = change(case_text())

    response = upload(author, program, text)

    assert response.status_code == 400
    assert f"line {line_of(text, at)}: {field}: {message}" in page(response)
    assert not models.Case.objects.filter(slug="imported").exists()


@pytest.mark.parametrize(("change", "at", "field", "message"), UNSTORABLE)
def test_validate_content_reports_what_no_document_can_hold(
    tmp_path: Path, change: Callable[[str], str], at: str, field: str, message: str
) -> None:
    path = tmp_path / "case.yaml"
    text = change(CASE.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    out = StringIO()

    with pytest.raises(CommandError, match="1 problem in 1 file"):
        call_command("validate_content", str(LIBRARY), str(ALGORITHM), str(path), stdout=out)

    assert f"{path}:{line_of(text, at)}: {field}: {message}" in out.getvalue()


MALFORMED = [
    pytest.param("²", id="superscript-two"),
    pytest.param("٣", id="arabic-indic-three"),
    pytest.param("9" * 5000, id="5000-digits"),
    pytest.param("9" * 30, id="over-64-bits"),
    pytest.param("-1", id="negative"),
]


@pytest.mark.parametrize("number", MALFORMED)
def test_comparing_versions_that_are_not_numbers_is_a_400(
    author: Client, draft: models.CaseVersion, number: str
) -> None:
    response = author.get(f"/authoring/{SLUG}/versions/", {"a": number, "b": "1"})

    assert response.status_code == 400
    assert "Choose two versions of this case to compare." in page(response)


@pytest.mark.parametrize("number", MALFORMED)
def test_a_preview_ranking_that_is_not_a_number_is_a_400(
    author: Client, draft: models.CaseVersion, number: str
) -> None:
    # films, then a swab: the swab routes to the stage that asks for an order.
    url = f"/authoring/{SLUG}/preview/?mode=practice&c=films&c=swab&rank-review=1&rank-tissue="
    assert author.get(url + "2").status_code == 302

    response = author.get(url + quote(number))

    assert response.status_code == 400
    assert "Give every option a position." in page(response)


@pytest.mark.parametrize("number", MALFORMED)
def test_a_findings_form_whose_row_count_is_not_a_number_changes_nothing(
    author: Client, draft: models.CaseVersion, number: str
) -> None:
    before = stored(draft)
    form = {"title": "Changed", "findings": "1", "rows": number, "f0-label": "New"}

    response = author.post(f"/authoring/{SLUG}/details/", form, follow=True)

    assert "The findings arrived without their count: nothing was saved." in page(response)
    assert stored(draft) == before


def test_version_and_comment_numbers_out_of_range_are_404(
    author: Client, draft: models.CaseVersion
) -> None:
    for number in ("²", "9" * 5000, "9" * 30):
        assert author.get(f"/authoring/{SLUG}/export/", {"version": number}).status_code == 404
    assert author.post(f"/authoring/{SLUG}/comments/{'9' * 30}/resolve/").status_code == 404


# --- F10: another program's slugs -----------------------------------------------------


def test_a_new_case_at_another_programs_slug_does_not_confirm_that_case(
    stranger: Client, draft: models.CaseVersion, other_program: Any
) -> None:
    algorithm = models.Algorithm.objects.get()
    form = {"new-slug": SLUG, "new-title": "Mine", "new-algorithm": algorithm.pk}

    response = stranger.post("/authoring/new/", {**form, "new-program": other_program.pk})

    assert response.status_code == 302
    mine = models.Case.objects.get(program=other_program)
    assert mine.slug.startswith(f"{SLUG}-")
    assert response["Location"] == f"/authoring/{mine.slug}/"
    shown = page(stranger.get(response["Location"]))
    assert f"The address '{SLUG}' is not available, so the case is at '{mine.slug}'." in shown
    assert "taken" not in shown
    assert draft.case.versions.count() == 1


def test_an_import_at_another_programs_slug_does_not_confirm_that_case(
    stranger: Client, draft: models.CaseVersion, other_program: Any
) -> None:
    response = upload(stranger, other_program, case_text(SLUG))

    assert response.status_code == 302
    mine = models.Case.objects.get(program=other_program)
    assert mine.slug.startswith(f"{SLUG}-")
    assert mine.versions.get().document["slug"] == mine.slug
    assert "taken" not in page(stranger.get(response["Location"]))
    assert stored(draft)["title"] == "A lump on the heel"


def test_a_slug_every_author_can_see_is_still_taken(
    stranger: Client, draft: models.CaseVersion, other_program: Any
) -> None:
    algorithm = models.Algorithm.objects.get()
    form = {"new-slug": "test-case", "new-title": "Mine", "new-algorithm": algorithm.pk}

    response = stranger.post("/authoring/new/", {**form, "new-program": other_program.pk})

    assert response.status_code == 400  # the bundled case every program plays
    assert "The slug 'test-case' is taken; choose another." in page(response)


# --- F12: cases too big to edit -------------------------------------------------------


def test_a_case_over_the_stage_limit_is_refused_with_a_message(
    author: Client, program: Any
) -> None:
    data = load(case_text()).data
    for i in range(MAX_STAGES + 1 - len(data["stages"])):
        data["stages"][f"extra-{i}"] = {"title": "More", "narrative": "More.", "outcome": "fair"}
    text = dump(data)

    response = upload(author, program, text)

    assert response.status_code == 400
    shown = page(response)
    assert f"line {line_of(text, 'stages:')}: stages: at most {MAX_STAGES} stages" in shown
    assert not models.Case.objects.filter(slug="imported").exists()


def test_a_draft_over_the_limits_is_kept_but_pages_show_only_its_yaml(
    author: Client, draft: models.CaseVersion
) -> None:
    data = load(draft.source).data
    for i in range(MAX_STAGES * 5):
        data["stages"][f"extra-{i}"] = {"title": "More", "narrative": "More.", "outcome": "fair"}
    text = dump(data)

    assert author.post(f"/authoring/{SLUG}/yaml/", {"yaml": text}).status_code == 302
    response = author.get(f"/authoring/{SLUG}/")

    shown = page(response)
    assert f"This draft is too big for the forms: it has more than {MAX_STAGES} stages." in shown
    assert f"at most {MAX_STAGES} stages are allowed" in shown  # among the problems
    assert "Save stage" not in shown
    assert len(response.content) < len(text) + 100_000  # the YAML, and little else
    for tab in ("review/", "picture/"):
        shown = page(author.get(f"/authoring/{SLUG}/{tab}"))
        assert f"This draft is too big to show here: it has more than {MAX_STAGES}" in shown


# --- F13: invisible characters in titles --------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "field", "name"),
    [
        ("title: A lump on the foot", "title: A lump \u202eon the foot", "title", "RIGHT-TO-LEFT OVERRIDE"),
        ("title: First visit", "title: First \u2066visit", "stages.intro.title", "LEFT-TO-RIGHT ISOLATE"),
        ("label: MRI", "label: M\u200bRI", "stages.intro.decision.options[1].label", "ZERO WIDTH SPACE"),
        ("unit: mg/L", "unit: mg\ufeff/L", "stages.films.findings[2].unit", "ZERO WIDTH NO-BREAK SPACE"),
    ],
)  # fmt: skip
def test_invisible_characters_in_a_line_of_text_are_refused(
    author: Client, program: Any, before: str, after: str, field: str, name: str
) -> None:
    text = case_text().replace(before, after, 1)

    response = upload(author, program, text)

    assert response.status_code == 400
    code = f"U+{ord(next(c for c in after if not c.isascii())):04X}"
    assert f"line {line_of(text, after)}: {field}: contains {code} {name}" in page(response)
    assert not models.Case.objects.filter(slug="imported").exists()
