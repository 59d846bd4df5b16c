"""Attaching an image to a finding over HTTP, and a case carrying its images out and back in."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from cases import images, models
from cases.images import check_image
from simulator.accounts.models import Role
from tests.factories import MembershipFactory, authored_case, import_test_content
from tests.images import gif, jpeg_with_gps, noise_png, png, png_claiming

pytestmark = pytest.mark.django_db

SLUG = "heel-lump"
PAGE = f"/authoring/{SLUG}/findings/patient/0/image/"
STAGE_PAGE = f"/authoring/{SLUG}/findings/stage-films/2/image/"


@pytest.fixture
def draft(program: Any, instructor: Any, media: Path) -> models.CaseVersion:
    import_test_content()
    return authored_case(program=program, author=instructor, slug=SLUG)


def upload(data: bytes, name: str = "scan.png", content_type: str = "image/png") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def attach(client: Client, data: bytes, url: str = PAGE, **fields: str) -> Any:
    form = {"file": upload(data), "alt": "Lateral radiograph of the heel", **fields}
    return client.post(url, form)


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def fresh(version: models.CaseVersion) -> models.CaseVersion:
    return models.CaseVersion.objects.get(pk=version.pk)


def test_an_author_attaches_an_image_to_a_finding(
    client: Client, draft: models.CaseVersion, instructor: Any, media: Path
) -> None:
    client.force_login(instructor)
    page = client.get(PAGE).content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert "Image of “Type 2 diabetes”" in page

    response = attach(client, jpeg_with_gps(), caption="Day 1")

    assert response.status_code == 302
    assert response.url == f"/authoring/{SLUG}/#patient-findings"
    version = fresh(draft)
    image = version.document["patient"]["findings"][0]["image"]
    assert image["alt"] == "Lateral radiograph of the heel" and image["caption"] == "Day 1"
    assert image["file"].endswith("-20x60.jpg")
    assert version.problem_count == 0 and version.content_hash  # still a valid draft
    (stored,) = stored_files(media)
    assert stored.name == image["file"] and b"PhoneMaker" not in stored.read_bytes()

    editor = client.get(f"/authoring/{SLUG}/").content.decode()
    assert f'src="/images/{version.pk}/{image["file"]}"' in editor
    assert 'alt="Lateral radiograph of the heel"' in editor
    assert "Change or remove the image" in editor


def test_an_image_on_a_stage_finding_and_its_words_changed_without_a_new_file(
    client: Client, draft: models.CaseVersion, instructor: Any, media: Path
) -> None:
    client.force_login(instructor)
    assert attach(client, png(), STAGE_PAGE).status_code == 302
    file = fresh(draft).document["stages"]["films"]["findings"][2]["image"]["file"]

    response = client.post(STAGE_PAGE, {"alt": "CRP trend", "caption": ""})

    assert response.status_code == 302
    assert response.url == f"/authoring/{SLUG}/?stage=films#stage-films-findings"
    image = fresh(draft).document["stages"]["films"]["findings"][2]["image"]
    assert image == {"file": file, "alt": "CRP trend"}


def test_saving_the_findings_form_keeps_the_image(
    client: Client, draft: models.CaseVersion, instructor: Any, media: Path
) -> None:
    client.force_login(instructor)
    attach(client, png())
    form = {
        "findings": "1",
        "rows": "2",
        "f0-label": "Type 2 diabetes, diet-controlled",
        "f0-kind": "history",
        "f0-key": "diabetes",
        "title": "A lump on the heel",
        "summary": "60-year-old man",
        "age": "60",
        "sex": "male",
    }
    assert client.post(f"/authoring/{SLUG}/details/", form).status_code == 302
    finding = fresh(draft).document["patient"]["findings"][0]
    assert finding["label"] == "Type 2 diabetes, diet-controlled"
    assert finding["image"]["alt"] == "Lateral radiograph of the heel"


def test_removing_the_image_keeps_the_finding_and_the_stored_file(
    client: Client, draft: models.CaseVersion, instructor: Any, media: Path
) -> None:
    client.force_login(instructor)
    attach(client, png())

    response = client.post(PAGE + "delete/")

    assert response.status_code == 302
    assert "image" not in fresh(draft).document["patient"]["findings"][0]
    assert len(stored_files(media)) == 1  # a version may still show it


@pytest.mark.parametrize(
    ("data", "name", "content_type", "alt", "message"),
    [
        (b"not an image at all\n" * 50, "scan.png", "image/png", "x", "not a PNG, JPEG or WebP"),
        (gif(), "scan.gif", "image/gif", "x", "not a PNG, JPEG or WebP"),
        (noise_png(1500, 1200), "big.png", "image/png", "x", "at most 5 MB"),
        (png_claiming(50_000, 50_000), "bomb.png", "image/png", "x", "at most 4096 × 4096"),
        (png(), "scan.png", "image/png", "", "This field is required."),
        (png(), "scan.png", "image/png", "a\u202eb", "an invisible character"),
    ],
    ids=["text-renamed-png", "gif", "over-5-mb", "too-many-pixels", "no-alt", "invisible-alt"],
)
def test_a_bad_file_or_missing_alt_is_refused_next_to_its_field_and_changes_nothing(
    client: Client,
    draft: models.CaseVersion,
    instructor: Any,
    media: Path,
    data: bytes,
    name: str,
    content_type: str,
    alt: str,
    message: str,
) -> None:
    client.force_login(instructor)
    before = fresh(draft)

    response = client.post(PAGE, {"file": upload(data, name, content_type), "alt": alt})

    assert response.status_code == 400
    html = response.content.decode()
    field = "file" if alt == "x" else "alt"
    # Django's field group: the error is listed beside the field, which points at it.
    assert f'id="id_{field}_error"' in html and message in html
    assert f'aria-describedby="id_{field}_error' in html or (
        f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    )
    after = fresh(draft)
    assert (after.source, after.document, after.updated_at) == (
        before.source,
        before.document,
        before.updated_at,
    )
    assert stored_files(media) == []


def test_an_attempt_to_send_more_than_the_upload_cap_is_refused_before_it_is_read(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.generic(
        "POST",
        PAGE,
        b"x" * 10,
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(7 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "at most 6 MB" in response.content.decode()


def test_the_image_of_a_version_under_review_cannot_change(
    client: Client, draft: models.CaseVersion, instructor: Any, program: Any, media: Path
) -> None:
    from cases import authoring

    client.force_login(instructor)
    authoring.case_version_submit(version=draft, user=instructor)
    response = attach(client, png())
    assert response.status_code == 400
    assert "it can no longer be changed" in response.content.decode()
    assert stored_files(media) == []


def test_a_finding_that_is_not_there_is_a_404(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    for part in ["patient/5", "stage-films/9", "stage-nowhere/0", "films/0", "patient/99999999"]:
        url = f"/authoring/{SLUG}/findings/{part}/image/"
        assert client.get(url).status_code == 404, url


def test_another_program_s_author_a_resident_and_an_outsider_get_404(
    client: Client,
    draft: models.CaseVersion,
    other_program: Any,
    resident: Any,
    outsider: Any,
    media: Path,
) -> None:
    stranger = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    for user in (stranger, resident, outsider):
        client.force_login(user)
        assert client.get(PAGE).status_code == 404
        assert attach(client, png()).status_code == 404
        assert client.post(PAGE + "delete/").status_code == 404
    assert stored_files(media) == []
    assert "image" not in fresh(draft).document["patient"]["findings"][0]


# --- export and import -------------------------------------------------------------------


def test_the_download_of_a_case_with_images_is_a_zip_that_imports_back_elsewhere(
    client: Client,
    draft: models.CaseVersion,
    instructor: Any,
    other_program: Any,
    media: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    client.force_login(instructor)
    attach(client, jpeg_with_gps())
    file = fresh(draft).document["patient"]["findings"][0]["image"]["file"]
    original = (media / "findings" / file).read_bytes()

    response = client.get(f"/authoring/{SLUG}/export/")

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}-v1.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [f"{SLUG}-v1.yaml", f"images/{file}"]

    # Another site: its storage is empty, its author of another program imports the zip.
    elsewhere = tmp_path / "elsewhere"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": elsewhere}},
    }
    importer = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    client.force_login(importer)
    bundle = SimpleUploadedFile(f"{SLUG}-v1.zip", response.content, "application/zip")
    imported = client.post(
        "/authoring/import/", {"import-file": bundle, "import-program": other_program.pk}
    )

    assert imported.status_code == 302
    case = models.Case.objects.get(program=other_program)
    version = case.versions.get()
    assert version.document["patient"]["findings"][0]["image"]["file"] == file
    assert version.problem_count == 0
    assert (elsewhere / "findings" / file).read_bytes() == original  # the very same file


def test_an_import_whose_image_is_missing_or_bad_imports_nothing(
    client: Client, draft: models.CaseVersion, instructor: Any, program: Any, media: Path
) -> None:
    client.force_login(instructor)
    attach(client, png())
    file = fresh(draft).document["patient"]["findings"][0]["image"]["file"]
    text = client.get(f"/authoring/{SLUG}/export/").content
    with zipfile.ZipFile(io.BytesIO(text)) as archive:
        yaml_text = archive.read(f"{SLUG}-v1.yaml").decode()
    yaml_text = yaml_text.replace(f"slug: {SLUG}", "slug: copied")
    (media / "findings" / file).unlink()  # as on a site that never had it

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("copied.yaml", yaml_text)
        archive.writestr(f"images/{file}", png(3, 3))  # not the file the name says
    bundle = SimpleUploadedFile("copied.zip", out.getvalue(), "application/zip")
    response = client.post(
        "/authoring/import/", {"import-file": bundle, "import-program": program.pk}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "does not match its name" in html and "patient.findings[0].image.file" in html
    assert not models.Case.objects.filter(slug="copied").exists()
    assert stored_files(media) == []


def test_export_case_writes_the_images_beside_and_import_content_reads_them(
    draft: models.CaseVersion,
    client: Client,
    instructor: Any,
    media: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    client.force_login(instructor)
    attach(client, png(50, 40), STAGE_PAGE)
    file = fresh(draft).document["stages"]["films"]["findings"][2]["image"]["file"]
    original = (media / "findings" / file).read_bytes()
    out = tmp_path / "export" / "heel.yaml"
    out.parent.mkdir()

    call_command("export_case", SLUG, "-o", str(out), stdout=io.StringIO())

    assert (out.parent / "images" / file).read_bytes() == original
    elsewhere = tmp_path / "elsewhere"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": elsewhere}},
    }
    models.CaseVersion.objects.filter(case__slug=SLUG).delete()
    models.Case.objects.filter(slug=SLUG).delete()
    call_command("validate_content", str(out.parent), stdout=io.StringIO())
    call_command("import_content", str(out.parent), stdout=io.StringIO())

    imported = models.Case.objects.get(slug=SLUG).published
    assert imported.document == fresh_document(out)
    assert (elsewhere / "findings" / file).read_bytes() == original


def fresh_document(path: Path) -> dict:
    from cases.yamlmap import load

    return load(path.read_text(encoding="utf-8")).data


def test_import_content_refuses_a_case_whose_image_file_is_not_beside_it(
    tmp_path: Path, media: Path, db: None
) -> None:
    from django.core.management.base import CommandError

    from tests.cases.helpers import CASE, VALID

    file = check_image(png()).name
    label = "      label: Type 2 diabetes\n"
    text = CASE.read_text(encoding="utf-8").replace(
        label, label + f"      image: {{file: {file}, alt: A radiograph}}\n"
    )
    folder = tmp_path / "content"
    folder.mkdir()
    for name in ("library.yaml", "algorithm.yaml"):
        (folder / name).write_text((VALID / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_content", str(folder), stdout=out)

    line = text.splitlines().index(f"      image: {{file: {file}, alt: A radiograph}}") + 1
    assert f"case.yaml:{line}: patient.findings[0].image.file: no image '{file}'" in out.getvalue()
    assert not models.CaseVersion.objects.exists()

    (folder / "images").mkdir()
    (folder / "images" / file).write_bytes(png())
    call_command("import_content", str(folder), stdout=io.StringIO())
    assert images.image_stored(file)
