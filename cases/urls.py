"""Authoring and review pages, for instructors of a case's program.

The preview of a case is the player's (``simulator:preview``), under the same
``authoring/<slug>/`` prefix.
"""

from __future__ import annotations

from django.urls import path

from cases.views import editor, images, library, review, tools

app_name = "cases"
case = "authoring/<slug:slug>/"
stage = case + "stages/<slug:key>/"
# A finding of the patient ("patient") or of a stage ("stage-KEY"), by its position.
finding = case + "findings/<slug:part>/<int:index>/"
urlpatterns = [
    path("authoring/", library.authoring_home, name="authoring"),
    path("authoring/new/", library.case_new, name="new"),
    path("authoring/copy/", library.case_copy, name="copy"),
    path("authoring/import/", library.case_import, name="import"),
    path("authoring/markdown/", editor.markdown_preview_hx, name="markdown"),
    path(case, editor.case_edit, name="edit"),
    path(case + "details/", editor.details_save, name="details"),
    path(case + "yaml/", editor.yaml_save, name="yaml"),
    path(case + "stages/", editor.stage_add, name="stage_add"),
    path(stage, editor.stage_save, name="stage"),
    path(stage + "delete/", editor.stage_delete, name="stage_delete"),
    path(stage + "options/", editor.option_add, name="option_add"),
    path(stage + "options/<int:index>/", editor.option_save, name="option"),
    path(stage + "options/<int:index>/delete/", editor.option_delete, name="option_delete"),
    path(finding + "image/", images.finding_image, name="finding_image"),
    path(finding + "image/delete/", images.finding_image_delete, name="finding_image_delete"),
    path(case + "draft/", review.case_new_draft, name="draft"),
    path(case + "submit/", review.case_submit, name="submit"),
    path(case + "review/", review.case_review, name="review"),
    path(case + "review/start/", review.review_start, name="review_start"),
    path(case + "review/comment/", review.review_comment, name="review_comment"),
    path(case + "review/approve/", review.review_approve, name="approve"),
    path(case + "review/changes/", review.review_request_changes, name="request_changes"),
    path(case + "comments/<int:pk>/resolve/", review.comment_resolve, name="resolve_comment"),
    path(case + "picture/", tools.case_graph, name="graph"),
    path(case + "paths/", tools.case_paths, name="paths"),
    path(case + "versions/", review.case_versions, name="versions"),
    path(case + "export/", review.case_export, name="export"),
]
