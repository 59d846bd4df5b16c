"""Images in findings: a radiograph or a clinical photo an author attaches to a finding.

A file is judged by its bytes, never by its name or the type the browser
claims: Pillow must read it as PNG, JPEG or WebP, whole, within the limits
below. What is stored carries no metadata: a file that holds any (EXIF with
its GPS position and camera, XMP, comments, colour profiles) is turned
upright by its EXIF orientation and its pixels written afresh; a file that
already holds none (as every file this module wrote) is kept byte for byte,
so exporting a case and importing it back gives the very same file.

Files are stored through Django's storage API (``STORAGES["default"]``: a
folder by default, an S3-compatible bucket through django-storages; see the
README) under a name made of their content (``schema.IMAGE_FILE_PATTERN``):
an image is stored once however many cases show it, and a stored file never
changes, so a published version keeps showing exactly what was approved.
Nothing here deletes a file: a frozen version may still name it.

A case travels with its images as files beside its YAML, in a folder
``images/``: ``import_content`` and ``validate_content`` read them there,
``export_case --output`` writes them there, and the browser's download and
import put the YAML and that folder in one zip (``bundle``, ``read_bundle``).
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.schema import IMAGE_FILE
from cases.validate import finding_image_files

MAX_BYTES = 5 * 1024 * 1024  # under the request cap of the upload page (simulator.middleware)
MAX_SIDE = 4096  # pixels, each way
MAX_PIXELS = MAX_SIDE * MAX_SIDE
# Pillow refuses to open anything larger (a decompression bomb: a small file that
# would take gigabytes once decoded) before it decodes a pixel, for every caller.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

FORMATS = ("PNG", "JPEG", "WEBP")  # the only decoders Pillow is allowed to try
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "MPO": "jpg", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
FOLDER = "images"  # beside a case's YAML, and inside a bundle
STORED_UNDER = "findings/"  # in the storage

NOT_AN_IMAGE = (
    "This file is not a PNG, JPEG or WebP image (its content was checked, not its name). "
    "Save it in one of those formats and upload it again."
)
DAMAGED = "This image could not be read to the end: the file is damaged or cut short."
TOO_LARGE = (
    f"The image is too large: at most {MAX_SIDE} × {MAX_SIDE} pixels. "
    "Make it smaller and upload it again."
)
ANIMATED = "This image is animated; upload a still image."


class ImageRefused(ValueError):
    """A file that cannot be a finding's image; the message is for the author."""


@dataclass(frozen=True)
class CheckedImage:
    """An image fit to store: its bytes (without metadata), type and size."""

    content: bytes
    extension: str
    width: int
    height: int

    @property
    def name(self) -> str:
        """Its name, made of its content: ``<sha256>-<width>x<height>.<type>``."""
        digest = hashlib.sha256(self.content).hexdigest()
        return f"{digest}-{self.width}x{self.height}.{self.extension}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def check_image(data: bytes) -> CheckedImage:
    """``data`` as an image fit to store, or ImageRefused saying why it is not."""
    if not data:
        raise ImageRefused("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageRefused(
            f"The file is over {_megabytes(MAX_BYTES)} MB; an image may be at most "
            f"{_megabytes(MAX_BYTES)} MB. Make it smaller and upload it again."
        )
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning is raised where warnings are errors (the tests); elsewhere
        # it is logged and the size check below refuses the image.
        raise ImageRefused(TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error):
        raise ImageRefused(NOT_AN_IMAGE) from None
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageRefused(TOO_LARGE)
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise ImageRefused(ANIMATED)
    try:
        image.load()  # every pixel: a file cut short or corrupt is refused here
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, Image.DecompressionBombError):
        raise ImageRefused(DAMAGED) from None
    extension = EXTENSIONS[image.format]
    if _holds_nothing_else(image, data):
        return CheckedImage(data, extension, width, height)
    return _rewritten(image, extension)


def _holds_nothing_else(image: Image.Image, data: bytes) -> bool:
    """Whether ``data`` holds pixels only: no metadata, nothing after the image."""
    if image.format == "JPEG":
        return (
            image.mode in ("L", "RGB")
            and all(m == "APP0" and d.startswith(b"JFIF\0") for m, d in image.applist)
            and data.endswith(b"\xff\xd9")
        )
    if image.format == "PNG":
        chunks = _png_chunks(data)
        return chunks is not None and set(chunks) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    if image.format == "WEBP":
        chunks = _webp_chunks(data)
        return chunks is not None and set(chunks) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    return False


def _png_chunks(data: bytes) -> list[bytes] | None:
    """The chunk types of a PNG, or None when anything follows its end."""
    types, at = [], 8
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        types.append(data[at + 4 : at + 8])
        at += 12 + length
        if types[-1] == b"IEND":
            return types if at == len(data) else None
    return None


def _webp_chunks(data: bytes) -> list[bytes] | None:
    """The chunk types of a WebP file, or None when its RIFF size is not the file's."""
    if len(data) < 12 or struct.unpack("<I", data[4:8])[0] + 8 != len(data):
        return None
    types, at = [], 12
    while at + 8 <= len(data):
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        types.append(data[at : at + 4])
        at += 8 + length + (length & 1)
    return types if at == len(data) else None


def _plain_mode(image: Image.Image, extension: str) -> str:
    """The mode to write ``image`` in: what the format holds, keeping transparency."""
    transparent = "transparency" in image.info or image.mode in ("PA", "LA", "RGBA", "RGBa")
    if extension == "jpg":
        return "L" if image.mode in ("1", "L") else "RGB"
    if extension == "png" and image.mode in ("1", "L", "LA", "RGB", "RGBA", "I;16", "I"):
        if "transparency" in image.info and image.mode in ("L", "RGB"):
            return image.mode[0] + "A" if image.mode == "L" else "RGBA"
        return image.mode
    return "RGBA" if transparent else "RGB"


def _rewritten(image: Image.Image, extension: str) -> CheckedImage:
    """The pixels alone, turned upright, written afresh: no metadata survives."""
    upright = ImageOps.exif_transpose(image)
    mode = _plain_mode(image, extension)
    if upright.mode != mode:
        upright = upright.convert(mode)
    # A new image from the raw pixels has an empty ``info``: EXIF, XMP, ICC profile,
    # comments and text chunks stay behind.
    bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    if extension == "jpg":
        bare.save(out, format="JPEG", quality=90)
    elif extension == "webp":
        bare.save(out, format="WEBP", quality=90)
    else:
        bare.save(out, format="PNG")
    return CheckedImage(out.getvalue(), extension, *bare.size)


# --- storage -------------------------------------------------------------------------


def storage() -> Storage:
    return storages["default"]


def stored_name(file: str) -> str:
    return STORED_UNDER + file


def image_store(image: CheckedImage) -> str:
    """Store ``image`` unless it is stored already; its file name."""
    where, name = storage(), stored_name(image.name)
    if not where.exists(name):
        saved = where.save(name, ContentFile(image.content))
        if saved != name:  # the same image, stored a moment ago by another request
            where.delete(saved)
    return image.name


def image_stored(file: str) -> bool:
    return bool(IMAGE_FILE.match(file)) and storage().exists(stored_name(file))


def image_open(file: str) -> File:
    """The stored file, open for reading; FileNotFoundError when it is not stored."""
    if not IMAGE_FILE.match(file):
        raise FileNotFoundError(file)
    return storage().open(stored_name(file), "rb")


def image_bytes(file: str) -> bytes:
    with image_open(file) as handle:
        return handle.read()


def content_type(file: str) -> str:
    return CONTENT_TYPES[file.rsplit(".", 1)[-1]]


# --- images that come with a case --------------------------------------------------------


class ImageSource:
    """Where the images a batch of documents names come from: the storage, and
    files brought with the documents (a folder ``images/`` beside them, or the
    files of a bundle). The validator asks about each name it meets
    (``problem``); ``store`` then keeps what was brought, once all is valid."""

    def __init__(
        self, folders: Iterable[Path] = (), files: Mapping[str, bytes] | None = None
    ) -> None:
        self.folders = list(dict.fromkeys(folders))
        self.files = dict(files or {})
        self.checked: dict[str, CheckedImage] = {}

    @classmethod
    def beside(cls, paths: Iterable[str | Path]) -> ImageSource:
        """The folders ``images/`` beside the YAML files named."""
        return cls(Path(path).parent / FOLDER for path in paths)

    def _brought(self, file: str) -> bytes | None:
        if file in self.files:
            return self.files[file]
        for folder in self.folders:
            path = folder / file
            if path.is_file():
                return path.read_bytes()[: MAX_BYTES + 1]
        return None

    def problem(self, file: str) -> str | None:
        """Why ``file`` cannot be shown, or None when it can."""
        if file in self.checked or image_stored(file):
            return None
        data = self._brought(file)
        if data is None:
            return (
                f"no image '{file}' is stored: attach the image again in the editor, "
                f"or put the file in {FOLDER}/ beside this YAML"
            )
        try:
            checked = check_image(data)
        except ImageRefused as refused:
            return f"{FOLDER}/{file}: {refused}"
        if checked.name != file:
            return (
                f"{FOLDER}/{file}: the file's content does not match its name (it should be "
                f"{checked.name}); export the case again, or attach the image in the editor"
            )
        self.checked[file] = checked
        return None

    def store(self) -> None:
        for image in self.checked.values():
            image_store(image)


# --- a case and its images in one file -----------------------------------------------


MAX_BUNDLE_FILES = 1 + 200  # the YAML and at most this many images
MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # all of them once unzipped: a small zip may unzip to a lot


def bundle(yaml_name: str, text: str, files: Iterable[str]) -> bytes:
    """A zip of the case's YAML and, in ``images/``, the stored images it names."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(yaml_name, text, compress_type=zipfile.ZIP_DEFLATED)
        for file in dict.fromkeys(files):
            try:
                data = image_bytes(file)
            except FileNotFoundError:
                continue  # the validator reports it; the YAML still travels
            # Compressed already: stored as they are.
            archive.writestr(f"{FOLDER}/{file}", data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def read_bundle(data: bytes, max_text_bytes: int) -> tuple[str, str, ImageSource]:
    """The YAML file's name and text in a zip made by ``bundle``, and its images;
    ImageRefused saying what is wrong with any other zip. Nothing is stored."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImageRefused("The file is not a zip archive.") from None
    if len(members) > MAX_BUNDLE_FILES:
        raise ImageRefused(f"The zip holds over {MAX_BUNDLE_FILES} files.")
    texts, images = [], {}
    for member in members:
        name = member.filename
        if member.is_dir():
            continue
        if "/" not in name and name.lower().endswith((".yaml", ".yml")):
            texts.append(member)
        elif name.startswith(f"{FOLDER}/") and IMAGE_FILE.match(name.removeprefix(f"{FOLDER}/")):
            if member.file_size > MAX_BYTES:
                raise ImageRefused(f"{name}: over {_megabytes(MAX_BYTES)} MB.")
            images[name.removeprefix(f"{FOLDER}/")] = member
        else:
            raise ImageRefused(
                f"The zip holds '{name}': it may hold one case YAML file and the images "
                f"named in it, in {FOLDER}/, as the editor's download makes it."
            )
    if len(texts) != 1:
        raise ImageRefused("The zip must hold exactly one .yaml or .yml file.")
    if sum(m.file_size for m in images.values()) > MAX_BUNDLE_BYTES:
        raise ImageRefused(f"The images are over {_megabytes(MAX_BUNDLE_BYTES)} MB unzipped.")
    (text_member,) = texts
    if text_member.file_size > max_text_bytes:
        raise ImageRefused(f"The YAML file is over {max_text_bytes // 1024} KB.")
    try:
        # Reads stop at the size each entry declares, so a forged entry cannot expand.
        raw = archive.open(text_member).read(max_text_bytes + 1)
        files = {file: archive.open(m).read(MAX_BYTES + 1) for file, m in images.items()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise ImageRefused("The zip archive is damaged.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ImageRefused("The YAML file is not UTF-8 text.") from None
    return text_member.filename, text, ImageSource(files=files)


def images_of(document: object) -> list[str]:
    """The image files a case's data names, each once, in order."""
    return list(dict.fromkeys(file for _, file in finding_image_files(document)))
