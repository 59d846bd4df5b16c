"""A finding's image: the page where an author attaches one to a finding of the
draft, changes its words or the file, or removes it.

Each finding has its own page (``…/findings/patient/0/image/``,
``…/findings/stage-films/1/image/``), linked from the finding in the editor: a
file is posted as multipart with its CSRF token, checked by its content
(``cases.images``) and refused next to the field, changing nothing, when it
is not fit to show.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases import access, authoring, editing, editor, images, models
from cases.forms import FindingImageForm
from cases.views.editor import editor_url


def _place(version: models.CaseVersion, part: str, index: int) -> editor.FindingPlace:
    """The finding of the draft the page is about; Http404 when there is none."""
    data, _ = authoring.working_data(version)
    place = editor.finding_at(data, part, index)
    if place is None:
        raise Http404("No such finding.")
    return place


def _back(slug: str, place: editor.FindingPlace) -> HttpResponse:
    return redirect(editor_url(slug, place.anchor, place.stage or ""))


@require_http_methods(["GET", "POST"])
@login_required
def finding_image(request: HttpRequest, slug: str, part: str, index: int) -> HttpResponse:
    """The finding's image and the form to attach, change or describe it."""
    version = access.get_newest_version_for_author(request.user, slug)
    place = _place(version, part, index)
    shown = place.row.image
    initial = {"alt": shown.alt, "caption": shown.caption} if shown else {}
    posted = request.method == "POST"
    form = FindingImageForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        has_image=shown is not None,
        initial=initial,
    )
    if posted and form.is_valid():
        checked = None
        if upload := form.cleaned_data["file"]:
            try:
                # One byte past the limit is enough to refuse a file, however big it is.
                checked = images.check_image(upload.read(images.MAX_BYTES + 1))
            except images.ImageRefused as refused:
                form.add_error("file", str(refused))
    if posted and form.is_valid():
        file = checked.name if checked else shown.file

        def change(data: dict) -> None:
            editing.set_finding_image(
                data,
                place.stage,
                index,
                file=file,
                alt=form.cleaned_data["alt"],
                caption=form.cleaned_data["caption"],
            )
            if checked is not None:  # the finding is there: the file is wanted
                images.image_store(checked)

        try:
            authoring.case_version_edit(version=version, change=change)
        except (editing.EditRefused, authoring.AuthoringRefused) as refused:
            form.add_error(None, str(refused))
        else:
            label = place.row.label or f"finding {index + 1}"
            messages.success(request, f"Image saved with “{label}”.")
            return _back(slug, place)
    context = {
        "case": version.case,
        "version": version,
        "tab": "edit",
        "place": place,
        "form": form,
        "back_url": editor_url(slug, place.anchor, place.stage or ""),
    }
    return render(request, "cases/finding_image.html", context, status=400 if posted else 200)


@require_POST
@login_required
def finding_image_delete(request: HttpRequest, slug: str, part: str, index: int) -> HttpResponse:
    """The finding shows no image any more (the stored file stays for the versions
    that show it)."""
    version = access.get_newest_version_for_author(request.user, slug)
    place = _place(version, part, index)
    try:
        authoring.case_version_edit(
            version=version,
            change=lambda data: editing.remove_finding_image(data, place.stage, index),
        )
    except (editing.EditRefused, authoring.AuthoringRefused) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Image removed from “{place.row.label}”.")
    return _back(slug, place)
