"""The authoring pages over HTTP: who may see them, what htmx gets back, query counts."""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import authoring, editing, editor, models
from simulator.accounts.models import Role
from tests.factories import MembershipFactory, authored_case, import_test_content

pytestmark = pytest.mark.django_db

SLUG = "heel-lump"


@pytest.fixture
def colleague(program: Any) -> Any:
    return MembershipFactory(user__username="ivo", program=program, role=Role.INSTRUCTOR).user


@pytest.fixture
def other_instructor(other_program: Any) -> Any:
    return MembershipFactory(
        user__username="olga", program=other_program, role=Role.INSTRUCTOR
    ).user


@pytest.fixture
def draft(program: Any, instructor: Any) -> models.CaseVersion:
    import_test_content()
    return authored_case(program=program, author=instructor, slug=SLUG)


def submitted(draft: models.CaseVersion, author: Any) -> models.CaseVersion:
    authoring.case_version_submit(version=draft, user=author)
    draft.refresh_from_db()
    return draft


# Every authoring URL, with the method it answers.
PAGES = [
    ("get", "/authoring/"),
    ("post", "/authoring/new/"),
    ("post", "/authoring/copy/"),
    ("post", "/authoring/import/"),
    ("post", "/authoring/markdown/"),
]
CASE_PAGES = [
    ("get", ""),
    ("post", "details/"),
    ("post", "yaml/"),
    ("post", "stages/"),
    ("post", "stages/intro/"),
    ("post", "stages/intro/delete/"),
    ("post", "stages/intro/options/"),
    ("post", "stages/intro/options/0/"),
    ("post", "stages/intro/options/0/delete/"),
    ("post", "draft/"),
    ("post", "submit/"),
    ("get", "review/"),
    ("post", "review/start/"),
    ("post", "review/comment/"),
    ("post", "review/approve/"),
    ("post", "review/changes/"),
    ("post", "comments/1/resolve/"),
    ("get", "picture/"),
    ("get", "paths/"),
    ("get", "preview/"),
    ("get", "versions/"),
    ("get", "export/"),
]
ALL = PAGES + [(method, f"/authoring/{SLUG}/{rest}") for method, rest in CASE_PAGES]


def assert_refused(client: Client, draft: models.CaseVersion, method: str, url: str) -> None:
    before = (models.CaseVersion.objects.count(), models.Case.objects.count())
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert (models.CaseVersion.objects.count(), models.Case.objects.count()) == before
    draft.refresh_from_db()
    assert draft.status == models.Status.DRAFT


@pytest.mark.parametrize(("method", "url"), ALL)
# Other programs and people in none: the authorization matrix (tests/security/).
@pytest.mark.parametrize("who", ["resident", "director"])
def test_the_programs_other_roles_get_404_everywhere(
    client: Client, draft: models.CaseVersion, method: str, url: str, who: str, request: Any
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert_refused(client, draft, method, url)


def test_another_programs_instructor_does_not_see_our_drafts_listed(
    client: Client, draft: models.CaseVersion, other_instructor: Any
) -> None:
    client.force_login(other_instructor)
    html = client.get("/authoring/").content.decode()
    assert SLUG not in html
    assert "No cases yet." in html


@pytest.mark.parametrize(("method", "url"), ALL)
def test_anonymous_visitors_are_sent_to_log_in(
    client: Client, draft: models.CaseVersion, method: str, url: str
) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", ["", "picture/", "paths/", "preview/", "versions/", "review/", "export/"]
)
def test_the_instructor_sees_every_page_of_their_case(
    client: Client, draft: models.CaseVersion, instructor: Any, url: str
) -> None:
    client.force_login(instructor)
    assert client.get(f"/authoring/{SLUG}/{url}").status_code == 200


def test_a_draft_is_invisible_to_residents_until_approved(
    client: Client, draft: models.CaseVersion, instructor: Any, colleague: Any, resident: Any
) -> None:
    client.force_login(resident)
    assert client.get(f"/cases/{SLUG}/").status_code == 404
    assert SLUG not in client.get("/cases/").content.decode()
    submitted(draft, instructor)
    authoring.case_version_start_review(version=draft, user=colleague)
    authoring.case_version_approve(version=draft, user=colleague)
    assert client.get(f"/cases/{SLUG}/").status_code == 200


def test_the_authoring_list_shows_cases_and_the_review_queue(
    client: Client, draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    submitted(draft, instructor)
    client.force_login(colleague)
    html = client.get("/authoring/").content.decode()
    assert "Waiting for your review" in html
    assert f'href="/authoring/{SLUG}/review/"' in html
    client.force_login(instructor)
    assert "Waiting for your review" not in client.get("/authoring/").content.decode()


def test_a_new_case_is_created_from_the_list_page(
    client: Client, draft: models.CaseVersion, instructor: Any, program: Any
) -> None:
    client.force_login(instructor)
    algorithm = models.Algorithm.objects.get()
    form = {"new-slug": "ankle", "new-title": "Ankle", "new-algorithm": algorithm.pk}
    response = client.post("/authoring/new/", {**form, "new-program": program.pk})
    assert response.status_code == 302
    assert response["Location"] == "/authoring/ankle/"
    again = client.post("/authoring/new/", {**form, "new-program": program.pk})
    assert again.status_code == 400
    assert "The slug &#x27;ankle&#x27; is taken; choose another." in again.content.decode()


def test_a_field_save_with_htmx_returns_the_part_and_the_problem_list(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(
        f"/authoring/{SLUG}/stages/intro/options/1/",
        {
            "key": "mri",
            "label": "MRI",
            "actions": "imaging.mri",
            "next": "",
            "feedback": "Not first.",
            "citations": "smith2020",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="option-intro-1"')
    assert "<html" not in html
    assert 'id="problems" class="problems problems--some"' in html
    assert 'hx-swap-oob="true"' in html
    assert '<a href="#option-intro-1-next">' in html
    assert "this option leads nowhere: give it a &#x27;next&#x27;" in html


def test_without_javascript_a_save_redirects_back_to_the_part(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(
        f"/authoring/{SLUG}/details/",
        {"title": "Renamed", "presentation": "p", "summary": "s", "age": "61", "sex": "male"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/authoring/{SLUG}/#details"
    draft.refresh_from_db()
    assert draft.title == "Renamed"
    assert draft.document["patient"]["age"] == 61


def test_saving_a_stage_redraws_its_own_form_and_not_its_options(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    sent = {"key": "films", "title": "The radiographs", "narrative": "n", "prompt": "Next?"}
    kept = client.post(f"/authoring/{SLUG}/stages/films/", sent, headers={"HX-Request": "true"})
    html = kept.content.decode()
    assert '<div id="stage-films-main">' in html
    assert 'id="option-films-0"' not in html  # unsaved typing there stays on the page
    assert "HX-Retarget" not in kept
    # A new key changes every option's address: the whole stage, in place of the old one.
    renamed = client.post(
        f"/authoring/{SLUG}/stages/films/",
        {**sent, "key": "radiographs"},
        headers={"HX-Request": "true"},
    )
    assert renamed["HX-Retarget"] == "#stage-films"
    assert 'id="option-radiographs-0"' in renamed.content.decode()


def test_a_refused_stage_key_keeps_everything_typed(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(
        f"/authoring/{SLUG}/stages/films/",
        {"key": "intro", "title": "The radiographs", "narrative": "Typed text.", "prompt": "?"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "There is already a stage &#x27;intro&#x27;." in html
    assert 'value="intro"' in html  # the key as typed, shown back
    draft.refresh_from_db()
    assert draft.document["stages"]["films"]["title"] == "The radiographs"
    assert draft.document["stages"]["films"]["narrative"] == "Typed text."


def test_the_yaml_tab_saves_even_broken_yaml_and_the_editor_says_where(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    client.post(f"/authoring/{SLUG}/yaml/", {"yaml": "document: case\ntitle: [oops\n"})
    html = client.get(f"/authoring/{SLUG}/").content.decode()
    assert "The YAML below does not parse" in html
    assert "title: [oops" in html
    assert 'id="details"' not in html  # the forms wait until the YAML parses


def test_yaml_shown_before_a_form_saved_is_not_saved_over_it(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    page = client.get(f"/authoring/{SLUG}/").content.decode()
    shown = re.search(r'name="based_on" value="([0-9a-f]+)"', page).group(1)
    yaml = re.search(r'<textarea id="case-yaml" name="yaml"[^>]*>(.*?)</textarea>', page, re.S)
    old_text = html_lib.unescape(yaml.group(1))
    # A form on the page saves the case's details (htmx: the YAML box is not redrawn).
    client.post(
        f"/authoring/{SLUG}/details/",
        {"title": "Renamed", "presentation": "p", "summary": "s", "age": "61", "sex": "male"},
        headers={"HX-Request": "true"},
    )
    stale = client.post(
        f"/authoring/{SLUG}/yaml/", {"yaml": old_text + "\n# my edit\n", "based_on": shown}
    )
    assert stale.status_code == 409
    assert "Not saved: the case changed after this YAML was shown" in stale.content.decode()
    assert "# my edit" in stale.content.decode()  # what was typed is shown back
    draft.refresh_from_db()
    assert draft.title == "Renamed"
    fresh = re.search(r'name="based_on" value="([0-9a-f]+)"', stale.content.decode()).group(1)
    assert fresh == draft.content_hash != shown
    saved = client.post(
        f"/authoring/{SLUG}/yaml/", {"yaml": draft.source + "\n# my edit\n", "based_on": fresh}
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.source.endswith("# my edit\n")


def test_a_published_case_is_read_only_until_a_new_draft_is_started(
    client: Client, draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    submitted(draft, instructor)
    authoring.case_version_start_review(version=draft, user=colleague)
    authoring.case_version_approve(version=draft, user=colleague)
    client.force_login(instructor)
    response = client.post(f"/authoring/{SLUG}/yaml/", {"yaml": "document: case\n"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.source != "document: case\n"
    assert "Edit as a new draft" in client.get(f"/authoring/{SLUG}/").content.decode()
    client.post(f"/authoring/{SLUG}/draft/")
    assert models.CaseVersion.objects.filter(case=draft.case).count() == 2
    assert "Save stage" in client.get(f"/authoring/{SLUG}/").content.decode()


def test_the_reviewer_approves_over_http_but_the_author_cannot(
    client: Client, draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    submitted(draft, instructor)
    client.force_login(instructor)
    client.post(f"/authoring/{SLUG}/review/start/")
    html = client.get(f"/authoring/{SLUG}/review/", follow=True).content.decode()
    assert (
        "You submitted it: another instructor reviews it." in html or "Start the review" not in html
    )
    draft.refresh_from_db()
    assert draft.status == models.Status.SUBMITTED

    client.force_login(colleague)
    client.post(f"/authoring/{SLUG}/review/start/")
    client.post(f"/authoring/{SLUG}/review/comment/", {"stage": "films", "text": "Fine."})
    review = client.get(f"/authoring/{SLUG}/review/").content.decode()
    # Stages as a learner meets them, each citation by its title.
    assert review.index('id="r-stage-intro"') < review.index('id="r-stage-films"')
    assert "<cite>Imaging of soft-tissue masses</cite>" in review
    # An open comment: approving asks first, lists it, and changes nothing yet.
    asked = client.post(f"/authoring/{SLUG}/review/approve/", {"note": "Clinically sound."})
    assert "1 open comment?" in asked.content.decode() and "Fine." in asked.content.decode()
    draft.refresh_from_db()
    assert draft.status == models.Status.IN_REVIEW
    client.post(
        f"/authoring/{SLUG}/review/approve/", {"note": "Clinically sound.", "confirm": "yes"}
    )
    draft.refresh_from_db()
    assert draft.status == models.Status.PUBLISHED
    assert draft.review_note == "Clinically sound."
    page = client.get(f"/authoring/{SLUG}/").content.decode()
    assert "Reviewed by" in page and "ivo" in page


def test_markdown_preview_is_sanitized(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    html = client.post(
        "/authoring/markdown/", {"narrative": "**bold** <script>alert(1)</script>"}
    ).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html


def test_the_picture_marks_unreachable_stages_and_dead_ends(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    text = (
        draft.source
        + "  island:\n    title: Island\n    narrative: Alone.\n    decision:\n      prompt: '?'\n      options: []\n"
    )
    authoring.case_version_save(version=draft, text=text)
    html = client.get(f"/authoring/{SLUG}/picture/").content.decode()
    assert re.search(
        r'class="graph__node[^"]*graph__node--unreachable[^"]*graph__node--dead-end"', html
    )
    assert f'href="/authoring/{SLUG}/?stage=island#stage-island"' in html
    assert "Cannot be reached:" in html
    # Under the graph, each option and where it leads (the island has none yet).
    assert '<h2 id="routes-title">Where each option leads</h2>' in html
    assert re.search(r"<td>Follow up</td>\s*<td>end-good</td>", html)
    assert re.search(r"<td>\(no options yet\)</td>\s*<td><span class=\"muted\">nowhere yet", html)


def test_versions_show_a_readable_diff_between_any_two(
    client: Client, draft: models.CaseVersion, instructor: Any, colleague: Any
) -> None:
    submitted(draft, instructor)
    authoring.case_version_start_review(version=draft, user=colleague)
    authoring.case_version_approve(version=draft, user=colleague)
    new = authoring.case_version_new_draft(case=draft.case, user=instructor)
    authoring.case_version_edit(
        version=new, change=lambda data: editing.set_details(data, {"title": "Heel lump, v2"})
    )
    client.force_login(instructor)
    html = client.get(f"/authoring/{SLUG}/versions/?a=1&b=2").content.decode()
    assert "1 line added" in html and "1 removed" in html
    assert '<tr class="diff__line diff__line--removed">' in html
    assert "title: A lump on the heel" in html and "title: Heel lump, v2" in html


def test_export_downloads_yaml_that_imports_back(
    client: Client, draft: models.CaseVersion, instructor: Any, program: Any
) -> None:
    client.force_login(instructor)
    response = client.get(f"/authoring/{SLUG}/export/?version=1")
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}-v1.yaml"'
    text = response.content.decode()
    assert authoring.check(SLUG, text).ok
    renamed = text.replace(f"slug: {SLUG}", "slug: re-imported")
    upload = SimpleUploadedFile("case.yaml", renamed.encode(), content_type="application/yaml")
    response = client.post(
        "/authoring/import/", {"import-file": upload, "import-program": program.pk}
    )
    assert response.status_code == 302
    assert models.Case.objects.get(slug="re-imported").program == program


def test_an_invalid_upload_changes_nothing_and_lists_the_problems(
    client: Client, draft: models.CaseVersion, instructor: Any, program: Any
) -> None:
    client.force_login(instructor)
    text = draft.source.replace(f"slug: {SLUG}", "slug: broken").replace(
        "next: films", "next: gone", 1
    )
    upload = SimpleUploadedFile("case.yml", text.encode())
    response = client.post(
        "/authoring/import/", {"import-file": upload, "import-program": program.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported: 1 problem in 1 file." in html
    assert "no stage &#x27;gone&#x27;" in html
    assert not models.Case.objects.filter(slug="broken").exists()
    wrong = SimpleUploadedFile("case.txt", b"document: case")
    response = client.post(
        "/authoring/import/", {"import-file": wrong, "import-program": program.pk}
    )
    assert "Upload a .yaml or .yml file, or a .zip of one and its images." in (
        response.content.decode()
    )


def grow(draft: models.CaseVersion, stages: int) -> None:
    def add(data: dict) -> None:
        for i in range(stages):
            editing.add_stage(data, f"extra-{i}", f"Extra {i}")
            form = {"title": f"Extra {i}", "narrative": "More.", "outcome": "fair"}
            editing.set_stage(data, f"extra-{i}", form)

    authoring.case_version_edit(version=draft, change=add)


def test_the_editor_query_count_does_not_grow_with_stages(
    client: Client, draft: models.CaseVersion, instructor: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(instructor)
    client.get(f"/authoring/{SLUG}/")  # warm the session
    with django_assert_num_queries(8):
        client.get(f"/authoring/{SLUG}/")
    grow(draft, 12)
    with django_assert_num_queries(8):
        assert "extra-11" in client.get(f"/authoring/{SLUG}/").content.decode()


def test_a_large_case_opens_one_stage_form_at_a_time(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    grow(draft, editor.ALL_OPEN_STAGES)
    client.force_login(instructor)

    html = client.get(f"/authoring/{SLUG}/").content.decode()
    assert "Save stage" not in html
    assert '<a href="?stage=extra-3#stage-extra-3">Edit stage extra-3</a>' in html
    assert '<a href="?stage=extra-3#stage-extra-3">stages.extra-3</a>' in html  # a problem

    opened = client.get(f"/authoring/{SLUG}/?stage=extra-3").content.decode()
    assert opened.count("Save stage") == 1
    assert 'id="stage-extra-3-narrative"' in opened
    form = {"key": "extra-3", "title": "Renamed", "narrative": "More.", "outcome": "fair"}
    response = client.post(f"/authoring/{SLUG}/stages/extra-3/", form)
    assert response["Location"] == f"/authoring/{SLUG}/?stage=extra-3#stage-extra-3"


def test_the_list_query_count_does_not_grow_with_cases(
    client: Client,
    draft: models.CaseVersion,
    instructor: Any,
    program: Any,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(instructor)
    client.get("/authoring/")
    # The form selects (programs, algorithms, cases to copy) make most of these.
    with django_assert_num_queries(15):
        client.get("/authoring/")
    for i in range(4):
        authored_case(program=program, author=instructor, slug=f"more-{i}")
    with django_assert_num_queries(15):
        assert "more-3" in client.get("/authoring/").content.decode()


def test_a_valid_draft_lists_what_to_look_at_before_review(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    # The reference path ends at "Healed"; marked poor, the draft stays valid, and the
    # editor says the ending contradicts the score that reaches it.
    text = authoring.draft_text(draft).replace(
        "narrative: The wound healed.\n    outcome: good",
        "narrative: The wound healed.\n    outcome: poor",
    )
    assert authoring.case_version_save(version=draft, text=text).report.ok
    client.force_login(instructor)

    html = client.get(f"/authoring/{SLUG}/").content.decode()

    side = html.split('id="problems"')[1].split("</section>")[0]
    assert "No problems" in side
    assert "Before review" in side
    assert "Healed: the reference path (score 100) ends here, yet the outcome is poor" in side


# --- "Add an option" and "Add a stage": htmx inserts the new form, nothing reloads ---

HTMX = {"HX-Request": "true"}


def stages_of(draft: models.CaseVersion) -> dict:
    draft.refresh_from_db()
    return authoring.working_data(draft)[0]["stages"]


def test_adding_an_option_with_htmx_returns_its_form_alone_and_the_problem_list(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(f"/authoring/{SLUG}/stages/intro/options/", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="option-intro-2" class="option-part"')
    assert "<html" not in html and 'id="stage-intro"' not in html  # nothing else re-rendered
    assert 'id="problems" class="problems problems--some"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Saved." not in html  # added, not yet typed in
    # Its lists are the native selects, marked for the search box.
    assert re.search(
        r'<select id="option-intro-2-actions" name="actions" multiple[^>]*data-multiselect', html
    )
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "casepath:added": {"focus": "option-intro-2"}
    }
    assert len(stages_of(draft)["intro"]["decision"]["options"]) == 3


def test_without_javascript_adding_an_option_still_goes_back_to_it(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(f"/authoring/{SLUG}/stages/intro/options/")
    assert response.status_code == 302
    assert response["Location"] == f"/authoring/{SLUG}/?stage=intro#option-intro-2"
    assert len(stages_of(draft)["intro"]["decision"]["options"]) == 3


def test_adding_a_stage_with_htmx_returns_its_form_an_empty_add_form_and_the_problems(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(
        f"/authoring/{SLUG}/stages/", {"key": "scan", "title": "The scan"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="stage-scan" class="part stage-part"')
    assert "<html" not in html and 'id="stage-intro"' not in html
    # A new stage asks a question from the start, as the first stage does.
    assert 'id="stage-scan-prompt" name="prompt" value="What do you do next?"' in html
    # "Add a stage" comes back empty, and the problem list, both out of band.
    new_form = html.split('<form id="stage-new-form"')[1].split("</form>")[0]
    assert 'hx-swap-oob="true"' in new_form and 'value="scan"' not in new_form
    assert 'id="problems"' in html
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "casepath:added": {"focus": "stage-scan", "stage": "scan", "start": False}
    }
    assert stages_of(draft)["scan"]["decision"]["prompt"] == "What do you do next?"


def test_a_stage_key_already_used_comes_back_in_the_add_form_as_typed(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    before = draft.source
    response = client.post(
        f"/authoring/{SLUG}/stages/", {"key": "films", "title": "More films"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#stage-new-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<form id="stage-new-form"')
    assert "There is already a stage &#x27;films&#x27;." in html
    assert 'value="films"' in html and 'value="More films"' in html
    assert 'aria-invalid="true"' in html
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "casepath:added": {"focus": "new-stage-key"}
    }
    draft.refresh_from_db()
    assert draft.source == before


def test_without_javascript_adding_a_stage_still_goes_to_it(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.post(f"/authoring/{SLUG}/stages/", {"key": "scan", "title": "The scan"})
    assert response.status_code == 302
    assert response["Location"] == f"/authoring/{SLUG}/?stage=scan#stage-scan"
    refused = client.post(f"/authoring/{SLUG}/stages/", {"key": "films", "title": ""})
    assert refused.status_code == 302
    assert refused["Location"] == f"/authoring/{SLUG}/"  # the message says why
    assert "scan" in stages_of(draft)


@pytest.mark.parametrize("url", ["stages/", "stages/intro/options/"])
def test_another_programs_instructor_cannot_add_with_htmx(
    client: Client, draft: models.CaseVersion, other_instructor: Any, url: str
) -> None:
    client.force_login(other_instructor)
    before = draft.source
    response = client.post(f"/authoring/{SLUG}/{url}", {"key": "scan"}, headers=HTMX)
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.source == before


@pytest.mark.parametrize("url", ["stages/", "stages/intro/options/"])
def test_an_htmx_add_needs_the_csrf_token(
    draft: models.CaseVersion, instructor: Any, url: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    form = {"key": "scan", "title": "The scan"}
    assert client.post(f"/authoring/{SLUG}/{url}", form, headers=HTMX).status_code == 403
    client.get(f"/authoring/{SLUG}/")  # sets the cookie; base.html puts the token in hx-headers
    token = client.cookies["csrftoken"].value
    with_token = client.post(
        f"/authoring/{SLUG}/{url}", form, headers={**HTMX, "X-CSRFToken": token}
    )
    assert with_token.status_code == 200


def test_the_editor_keeps_native_lists_and_marks_what_scripts_enhance(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    html = client.get(f"/authoring/{SLUG}/").content.decode()
    # Without JavaScript: the native multi-selects, with their hint, posting the same names.
    assert re.search(r'<select id="option-intro-0-actions" name="actions" multiple', html)
    assert re.search(r'<select id="option-intro-0-citations" name="citations" multiple', html)
    assert "Hold Ctrl (⌘ on a Mac) to choose several." in html
    # Each entry carries its title and what else a search matches.
    assert 'data-title="Plain radiograph" data-detail="imaging.radiograph" selected' in html
    # The library and the scripts come from our own static files, never a CDN.
    assert '<script src="/static/vendor/tom-select/tom-select.complete.min.js" defer>' in html
    assert '<script src="/static/js/multiselect.js" defer>' in html
    assert "https://" not in html.split("</head>")[0]
    # "At least / At most" are left for the script to hide on pick-one questions.
    for name in ("min", "max"):
        assert (
            f'<div class="field" data-kind-only="several"><label for="stage-intro-{name}">' in html
        )
    # Adding posts with htmx, and still without it.
    assert f'action="/authoring/{SLUG}/stages/intro/options/"' in html
    assert f'hx-post="/authoring/{SLUG}/stages/intro/options/"' in html
    assert 'hx-target="#stage-intro-options" hx-swap="beforeend"' in html
    assert (
        f'hx-post="/authoring/{SLUG}/stages/" hx-target="#stage-new" hx-swap="beforebegin"' in html
    )
