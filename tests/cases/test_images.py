"""Images in findings: the file check, the stored name, the edits and the validator."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest
from PIL import Image

from cases import editing, editor, images
from cases.images import ImageRefused, ImageSource, check_image
from cases.schema import Finding, FindingImage
from cases.validate import Context, Source, finding_image_files, validate
from tests.cases.helpers import ALGORITHM, CASE, LIBRARY, source
from tests.images import GPS, gif, jpeg_with_gps, noise_png, png, png_claiming, webp

NAME = re.compile(r"^[0-9a-f]{64}-[0-9]+x[0-9]+\.(png|jpg|webp)$")


# --- the check -------------------------------------------------------------------------


def test_a_clean_png_is_kept_byte_for_byte_under_a_name_made_of_its_content() -> None:
    data = png(40, 30)
    checked = check_image(data)

    assert checked.content == data
    assert checked.name == f"{hashlib.sha256(data).hexdigest()}-40x30.png"
    assert (checked.width, checked.height, checked.extension) == (40, 30, "png")


def test_webp_is_accepted() -> None:
    checked = check_image(webp(32, 16))
    assert checked.name.endswith("-32x16.webp")


def test_exif_with_gps_is_stripped_and_the_photo_turned_upright() -> None:
    data = jpeg_with_gps(60, 20, orientation=6)
    before = Image.open(io.BytesIO(data)).getexif()
    assert before.get_ifd(GPS) and b"PhoneMaker" in data  # the test photo does carry them

    checked = check_image(data)
    after = Image.open(io.BytesIO(checked.content))

    assert not after.getexif()  # no EXIF at all: no GPS, no camera, no orientation
    assert b"PhoneMaker" not in checked.content and b"Exif" not in checked.content
    assert "exif" not in after.info
    assert after.size == (20, 60) and checked.name.endswith("-20x60.jpg")  # turned a quarter
    # The dark corner was top left; turned 90° clockwise it is top right.
    assert after.getpixel((17, 2))[0] < 80 and after.getpixel((2, 2))[0] > 120


def test_what_the_check_writes_passes_the_check_unchanged() -> None:
    once = check_image(jpeg_with_gps())
    twice = check_image(once.content)
    assert twice.content == once.content and twice.name == once.name


def test_png_text_chunks_are_dropped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Dr Secret, patient 1234")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG", pnginfo=info)

    checked = check_image(out.getvalue())

    assert b"patient 1234" not in checked.content
    assert Image.open(io.BytesIO(checked.content)).size == (10, 10)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"just some text, named scan.png\n" * 20, "not a PNG, JPEG or WebP image"),
        (gif(), "not a PNG, JPEG or WebP image"),
        (b"", "empty"),
        (png_claiming(60_000, 60_000), "too large: at most 4096 × 4096 pixels"),
        (png_claiming(4097, 10), "too large: at most 4096 × 4096 pixels"),
        (png(40, 30)[:60], "could not be read to the end"),
    ],
    ids=["text-renamed", "gif", "empty", "pixel-bomb", "too-wide", "cut-short"],
)
def test_a_file_that_is_not_a_fit_image_is_refused_saying_why(data: bytes, words: str) -> None:
    with pytest.raises(ImageRefused, match=re.escape(words)):
        check_image(data)


def test_a_file_over_5_mb_is_refused_before_it_is_decoded() -> None:
    data = noise_png(1500, 1200)
    assert len(data) > images.MAX_BYTES
    with pytest.raises(ImageRefused, match="at most 5 MB"):
        check_image(data)


def test_an_animated_image_is_refused() -> None:
    out = io.BytesIO()
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:])
    with pytest.raises(ImageRefused, match="animated"):
        check_image(out.getvalue())


# --- the schema and the edits ------------------------------------------------------------


def test_the_document_names_its_image_and_knows_its_size_from_the_name() -> None:
    file = check_image(png(40, 30)).name
    finding = Finding.model_validate(
        {"label": "Foot radiograph", "image": {"file": file, "alt": "Erosion of the calcaneus"}}
    )
    assert finding.image == FindingImage(file=file, alt="Erosion of the calcaneus")
    assert (finding.image.width, finding.image.height) == (40, 30)


def _data() -> dict:
    return {
        "patient": {"findings": [{"label": "Fever"}, {"label": "Foot radiograph"}]},
        "stages": {"films": {"title": "Films", "findings": [{"label": "Lateral view"}]}},
    }


def test_an_image_is_set_on_a_finding_and_kept_when_its_findings_form_is_saved() -> None:
    data = _data()
    editing.set_finding_image(data, None, 1, file="f.png", alt=" A radiograph ", caption="")
    assert data["patient"]["findings"][1]["image"] == {"file": "f.png", "alt": "A radiograph"}

    # The findings form posts the fields it shows, the first finding removed.
    rows = [{"label": "Fever", "remove": "1"}, {"label": "Foot radiograph (AP)"}, {"label": ""}]
    editing.set_findings(data, None, rows)

    assert data["patient"]["findings"] == [
        {"label": "Foot radiograph (AP)", "image": {"file": "f.png", "alt": "A radiograph"}}
    ]
    editing.remove_finding_image(data, None, 0)
    assert data["patient"]["findings"] == [{"label": "Foot radiograph (AP)"}]


def test_an_image_for_a_finding_that_is_not_there_is_refused() -> None:
    with pytest.raises(editing.EditRefused, match="no finding 3"):
        editing.set_finding_image(_data(), "films", 2, file="f.png", alt="x", caption="")


def test_the_editor_finds_a_finding_by_its_part_and_position() -> None:
    data = _data()
    assert editor.finding_at(data, "patient", 1).row.label == "Foot radiograph"
    place = editor.finding_at(data, "stage-films", 0)
    assert (place.stage, place.anchor, place.part) == (
        "films",
        "stage-films-findings",
        "stage-films",
    )
    assert editor.finding_at(data, "stage-films", 1) is None
    assert editor.finding_at(data, "stage-nowhere", 0) is None
    assert editor.finding_at(data, "films", 0) is None
    assert editing.anchor("stages.films.findings[0].image.file") == "stage-films-findings"


# --- the validator ------------------------------------------------------------------------


def _case_with_image(file: str) -> Source:
    """The test case, its first patient finding showing the image ``file``."""
    label = "      label: Type 2 diabetes\n"
    image = f"      image: {{file: {file}, alt: A lateral radiograph of the foot}}\n"
    text = CASE.read_text(encoding="utf-8")
    assert text.count(label) == 1
    return Source("case.yaml", text.replace(label, label + image))


def test_a_finding_image_not_in_storage_is_reported_at_its_line() -> None:
    file = check_image(png()).name
    case = _case_with_image(file)
    sources = [source(LIBRARY), source(ALGORITHM), case]

    report = validate(sources, Context(image_problem=lambda name: f"no image '{name}'"))

    (problem,) = report.problems
    line = next(i for i, t in enumerate(case.text.splitlines(), 1) if "image:" in t)
    assert str(problem) == f"case.yaml:{line}: patient.findings[0].image.file: no image '{file}'"
    # Without a way to look (no Django), the image is not looked for.
    assert validate([source(LIBRARY), source(ALGORITHM), _case_with_image(file)]).ok


def test_an_image_file_not_named_by_its_content_is_a_schema_problem() -> None:
    report = validate([source(LIBRARY), source(ALGORITHM), _case_with_image("xray.png")])
    (problem,) = report.problems
    assert problem.field == "patient.findings[0].image.file"
    assert "the name the editor gives an attached image" in problem.message


def test_image_files_are_found_in_data_that_may_be_invalid() -> None:
    data = {
        "patient": {"findings": [{"image": {"file": "a.png"}}, "junk", {"image": "b.png"}]},
        "stages": {"s": {"findings": [{"image": {"file": "c.png"}}]}, "t": None},
    }
    assert list(finding_image_files(data)) == [
        (("patient", "findings", 0, "image", "file"), "a.png"),
        (("stages", "s", "findings", 0, "image", "file"), "c.png"),
    ]


# --- files that come with the YAML ---------------------------------------------------------


def test_a_file_brought_beside_the_yaml_is_checked_against_its_name(media, tmp_path) -> None:
    good = check_image(png())
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / good.name).write_bytes(good.content)
    wrong = check_image(png(8, 8, (1, 2, 3))).name
    (folder / wrong).write_bytes(png(8, 8, (9, 9, 9)))
    source = ImageSource.beside([tmp_path / "case.yaml"])

    assert source.problem(good.name) is None
    assert "does not match its name" in source.problem(wrong)
    assert "no image" in source.problem(check_image(webp()).name)
    assert not list(media.rglob("*.png"))  # nothing stored until asked
    source.store()
    assert (media / "findings" / good.name).read_bytes() == good.content


def test_a_bundle_holds_one_yaml_and_images_only(media) -> None:
    stored = check_image(png())
    images.image_store(stored)
    data = images.bundle("case.yaml", "document: case\n", [stored.name])

    name, text, brought = images.read_bundle(data, 1024)
    assert (name, text, brought.files) == (
        "case.yaml",
        "document: case\n",
        {stored.name: stored.content},
    )

    for extra in ["../evil.yaml", "images/notes.txt", "other.yaml"]:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("case.yaml", "document: case\n")
            archive.writestr(extra, "x")
        with pytest.raises(ImageRefused):
            images.read_bundle(out.getvalue(), 1024)
    with pytest.raises(ImageRefused, match="not a zip"):
        images.read_bundle(b"PK not really", 1024)
