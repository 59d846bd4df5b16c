"""Authoring services: drafts, the validator on every save, review, publishing, import."""

from __future__ import annotations

from typing import Any

import pytest

from cases import authoring, editing, models
from cases.yamlmap import dump, load
from simulator.accounts.models import Role
from simulator.models import Attempt
from simulator.services import attempt_play, attempt_start
from tests.factories import MembershipFactory, authored_case, import_test_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(db: None) -> None:
    import_test_content()


@pytest.fixture
def colleague(program: Any) -> Any:
    return MembershipFactory(user__username="ivo", program=program, role=Role.INSTRUCTOR).user


@pytest.fixture
def draft(content: None, program: Any, instructor: Any) -> models.CaseVersion:
    return authored_case(program=program, author=instructor)


def published(draft: models.CaseVersion, author: Any, reviewer: Any) -> models.CaseVersion:
    authoring.case_version_submit(version=draft, user=author)
    authoring.case_version_start_review(version=draft, user=reviewer)
    assert authoring.case_version_approve(version=draft, user=reviewer).ok
    draft.refresh_from_db()
    return draft


def test_a_new_case_starts_as_an_invalid_draft_with_its_problems_counted(
    content: None, program: Any, instructor: Any
) -> None:
    algorithm = models.Algorithm.objects.get()
    version = authoring.case_create(
        user=instructor, program=program, slug="new-one", title="New one", algorithm=algorithm
    )
    assert version.status == models.Status.DRAFT
    assert version.number == 1
    assert version.case.program == program
    assert version.case.published is None
    assert version.author == instructor
    assert version.problem_count > 0
    assert "slug: new-one" in version.source


def test_a_taken_slug_is_refused_and_nothing_is_created(
    content: None, program: Any, instructor: Any
) -> None:
    algorithm = models.Algorithm.objects.get()
    with pytest.raises(authoring.AuthoringRefused, match="'test-case' is taken"):
        authoring.case_create(
            user=instructor, program=program, slug="test-case", title="X", algorithm=algorithm
        )
    with pytest.raises(editing.EditRefused, match="cannot be a case key"):
        authoring.case_create(
            user=instructor, program=program, slug="Bad Slug", title="X", algorithm=algorithm
        )
    assert models.Case.objects.count() == 1


def test_an_invalid_save_keeps_the_typed_text_and_reports_the_line(
    draft: models.CaseVersion,
) -> None:
    text = draft.source.replace("next: films", "next: nowhere", 1)
    saved = authoring.case_version_save(version=draft, text=text)

    assert not saved.ok
    [problem] = saved.report.problems
    assert problem.field == "stages.intro.decision.options[0].next"
    assert problem.message == "no stage 'nowhere'"
    assert problem.file == "heel-lump (draft)"
    draft.refresh_from_db()
    assert draft.source == text
    assert draft.problem_count == 1
    assert draft.status == models.Status.DRAFT


def test_yaml_that_does_not_parse_is_still_kept(draft: models.CaseVersion) -> None:
    before = draft.document
    saved = authoring.case_version_save(version=draft, text="title: [unclosed\n")
    assert not saved.ok
    draft.refresh_from_db()
    assert draft.source == "title: [unclosed\n"
    assert draft.document == before  # the last data that parsed


def test_the_slug_cannot_be_changed_from_inside_the_yaml(draft: models.CaseVersion) -> None:
    saved = authoring.case_version_save(
        version=draft, text=draft.source.replace("slug: heel-lump", "slug: other")
    )
    assert [p.message for p in saved.report.problems] == [
        "this case's slug is 'heel-lump'; it cannot change here"
    ]


def test_a_valid_save_pins_the_algorithm_and_freezes_the_references(
    draft: models.CaseVersion,
) -> None:
    assert draft.problem_count == 0
    assert draft.document["algorithm_version"] == 1
    assert draft.content_hash
    assert {"smith2020", "doe2019"} <= set(draft.references)
    assert draft.title == "A lump on the heel"


def test_an_invalid_draft_cannot_be_submitted(draft: models.CaseVersion, instructor: Any) -> None:
    authoring.case_version_save(version=draft, text=draft.source.replace("next: films", "", 1))
    saved = authoring.case_version_submit(version=draft, user=instructor)
    assert not saved.ok
    assert "this option leads nowhere: give it a 'next'" in [
        p.message for p in saved.report.problems
    ]
    draft.refresh_from_db()
    assert draft.status == models.Status.DRAFT


def test_the_author_cannot_review_their_own_version(
    draft: models.CaseVersion, instructor: Any
) -> None:
    authoring.case_version_submit(version=draft, user=instructor)
    with pytest.raises(authoring.AuthoringRefused, match="another instructor must review"):
        authoring.case_version_start_review(version=draft, user=instructor)
    with pytest.raises(authoring.AuthoringRefused, match="another instructor must review"):
        authoring.case_version_approve(version=draft, user=instructor)
    draft.refresh_from_db()
    assert draft.status == models.Status.SUBMITTED


def test_a_version_under_review_cannot_be_edited(
    draft: models.CaseVersion, instructor: Any
) -> None:
    authoring.case_version_submit(version=draft, user=instructor)
    with pytest.raises(authoring.NotEditable, match="submitted"):
        authoring.case_version_save(version=draft, text=draft.source)
    with pytest.raises(authoring.NotEditable):
        authoring.case_version_new_draft(case=draft.case, user=instructor)


def test_approval_publishes_the_version_for_residents(
    draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    version = published(draft, instructor, colleague)
    assert version.status == models.Status.PUBLISHED
    assert version.reviewer == colleague
    assert version.reviewed_at is not None
    assert version.published_at is not None
    assert version.case.published == version


def test_a_published_version_is_never_modified(
    draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    version = published(draft, instructor, colleague)
    frozen = (version.source, version.document, version.content_hash)
    with pytest.raises(authoring.NotEditable, match="approved"):
        authoring.case_version_save(version=version, text="document: case\n")
    with pytest.raises(authoring.NotEditable):
        authoring.case_version_edit(version=version, change=lambda data: data.clear())
    with pytest.raises(authoring.NotEditable):
        authoring.case_version_submit(version=version, user=instructor)
    with pytest.raises(authoring.AuthoringRefused):
        authoring.case_version_approve(version=version, user=colleague)
    version.refresh_from_db()
    assert (version.source, version.document, version.content_hash) == frozen


def test_editing_a_published_case_starts_draft_n_plus_1_and_residents_keep_theirs(
    draft: models.CaseVersion, instructor: Any, colleague: Any, resident: Any
) -> None:
    version = published(draft, instructor, colleague)
    attempt = attempt_start(user=resident, case=version.case, mode="practice")

    new = authoring.case_version_new_draft(case=version.case, user=instructor)
    assert (new.number, new.status) == (2, models.Status.DRAFT)
    assert new.document == version.document
    # Asking again returns the open draft rather than a third version.
    assert authoring.case_version_new_draft(case=version.case, user=instructor) == new

    authoring.case_version_save(
        version=new, text=new.source.replace("title: A lump on the heel", "title: Changed")
    )
    version.case.refresh_from_db()
    assert version.case.published == version  # until version 2 is approved
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.case_version == version
    assert attempt_play(attempt).case.title == "A lump on the heel"

    published(new, instructor, colleague)
    version.case.refresh_from_db()
    assert version.case.published == new
    assert Attempt.objects.get(pk=attempt.pk).case_version == version


def test_changes_requested_go_back_to_the_author_with_comments(
    draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    authoring.case_version_submit(version=draft, user=instructor)
    authoring.case_version_start_review(version=draft, user=colleague)
    with pytest.raises(authoring.AuthoringRefused, match="Say what should change"):
        authoring.case_version_request_changes(version=draft, user=colleague, note=" ")
    with pytest.raises(authoring.AuthoringRefused, match="no stage 'nope'"):
        authoring.review_comment_add(version=draft, user=colleague, stage="nope", text="Hm")
    comment = authoring.review_comment_add(
        version=draft, user=colleague, stage="films", text="Name the organism."
    )
    authoring.case_version_request_changes(version=draft, user=colleague, note="")
    draft.refresh_from_db()
    assert draft.status == models.Status.CHANGES_REQUESTED
    assert draft.is_editable
    assert authoring.open_comments(draft) == [comment]

    # The author edits the same version and sends it back.
    authoring.case_version_save(version=draft, text=draft.source)
    authoring.review_comment_resolve(comment=comment)
    assert authoring.open_comments(draft) == []
    assert authoring.case_version_submit(version=draft, user=instructor).ok
    draft.refresh_from_db()
    assert draft.status == models.Status.SUBMITTED
    assert draft.reviewer is None


def test_a_second_reviewer_cannot_take_over_a_review_in_progress(
    draft: models.CaseVersion, instructor: Any, colleague: Any, program: Any
) -> None:
    third = MembershipFactory(user__username="tess", program=program, role=Role.INSTRUCTOR).user
    authoring.case_version_submit(version=draft, user=instructor)
    authoring.case_version_start_review(version=draft, user=colleague)
    with pytest.raises(authoring.AuthoringRefused, match="already reviewing"):
        authoring.case_version_approve(version=draft, user=third)


def test_copying_a_case_makes_a_new_draft_of_the_program(
    content: None, program: Any, instructor: Any
) -> None:
    original = models.Case.objects.get(slug="test-case").published
    copy = authoring.case_copy(user=instructor, program=program, original=original, slug="copy")
    assert copy.case.program == program
    assert copy.status == models.Status.DRAFT
    assert copy.document["slug"] == "copy"
    assert copy.title == "A lump on the foot (copy)"
    assert copy.problem_count == 0


def test_importing_yaml_creates_a_case_or_a_new_draft_and_refuses_bad_files(
    draft: models.CaseVersion, instructor: Any, colleague: Any, program: Any, other_program: Any
) -> None:
    published(draft, instructor, colleague)
    text = dump(draft.document).replace("title: A lump on the heel", "title: Imported")
    version, report = authoring.case_import(user=instructor, program=program, text=text)
    assert report.ok
    assert (version.number, version.status, version.title) == (2, "draft", "Imported")

    bad = text.replace("next: films", "next: gone", 1)
    version, report = authoring.case_import(user=instructor, program=program, text=bad)
    assert version is None
    assert [p.message for p in report.problems] == ["no stage 'gone'"]
    assert models.CaseVersion.objects.filter(case=draft.case).count() == 2

    with pytest.raises(authoring.AuthoringRefused, match="'heel-lump' is taken"):
        authoring.case_import(user=instructor, program=other_program, text=text)
    with pytest.raises(authoring.AuthoringRefused, match=r"\.yaml or \.yml"):
        authoring.upload_text("case.txt", b"document: case")
    with pytest.raises(authoring.AuthoringRefused, match="256 KB"):
        authoring.upload_text("case.yaml", b"x" * (authoring.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(authoring.AuthoringRefused, match="UTF-8"):
        authoring.upload_text("case.yaml", b"\xff\xfe")


# --- the editor's edits to working data -----------------------------------------------------


def working(draft: models.CaseVersion) -> dict:
    return load(draft.source).data


def test_renaming_a_stage_points_the_start_and_every_next_at_it(
    draft: models.CaseVersion,
) -> None:
    data = working(draft)
    editing.rename_stage(data, "films", "radiographs")
    assert "films" not in data["stages"]
    assert data["stages"]["intro"]["decision"]["options"][0]["next"] == "radiographs"
    editing.rename_stage(data, "intro", "first")
    assert data["start"] == "first"
    with pytest.raises(editing.EditRefused, match="already a stage"):
        editing.rename_stage(data, "first", "radiographs")


def test_an_option_saved_without_a_next_leads_nowhere(draft: models.CaseVersion) -> None:
    form = {"key": "mri", "label": "MRI", "expect": "harmful_minor", "next": "", "feedback": "No."}
    saved, _ = authoring.case_version_edit(
        version=draft,
        change=lambda data: editing.set_option(
            data, "intro", 1, form, {"actions": ["imaging.mri"], "citations": ["smith2020"]}
        ),
    )
    assert [(p.field, p.message) for p in saved.report.problems] == [
        ("stages.intro.decision.options[1].next", "this option leads nowhere: give it a 'next'")
    ]
    assert editing.anchor(saved.report.problems[0].field) == "option-intro-1-next"


def test_a_stage_that_ends_the_case_drops_its_empty_decision(draft: models.CaseVersion) -> None:
    data = working(draft)
    editing.add_stage(data, "wrap-up", "Wrap-up")
    # A new stage asks a question from the start, as a new case's first stage does.
    assert data["stages"]["wrap-up"]["decision"] == {
        "prompt": "What do you do next?",
        "options": [],
    }
    editing.set_stage(
        data, "wrap-up", {"title": "Wrap-up", "narrative": "Done.", "outcome": "good"}
    )
    assert data["stages"]["wrap-up"] == {
        "title": "Wrap-up",
        "narrative": "Done.",
        "outcome": "good",
    }
    # The form posts that question back unchanged: still nothing asked.
    editing.add_stage(data, "home", "Home")
    form = {"title": "Home", "narrative": "Home.", "outcome": "good"}
    editing.set_stage(data, "home", {**form, "prompt": "What do you do next?"})
    assert "decision" not in data["stages"]["home"]
    with pytest.raises(editing.EditRefused, match="cannot be a stage key"):
        editing.add_stage(data, "Wrap Up", "")


@pytest.mark.parametrize(
    ("field", "anchor"),
    [
        ("title", "case-title"),
        ("patient.age", "patient-age"),
        ("patient.findings[0].key", "patient-findings"),
        ("stages.films", "stage-films"),
        ("stages.films.narrative", "stage-films-narrative"),
        ("stages.films.findings[2].flag", "stage-films-findings"),
        ("stages.films.decision.max", "stage-films-max"),
        ("stages.films.decision.options[2].citations[0]", "option-films-2-citations"),
        ("stages.films.decision.options[2]", "option-films-2"),
        ("findings.warm", "case-yaml"),
        ("", "case-yaml"),
    ],
)
def test_each_problem_links_to_the_field_at_fault(field: str, anchor: str) -> None:
    assert editing.anchor(field) == anchor
