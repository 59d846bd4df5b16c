"""Authoring and review pages, for instructors of a case's program."""

from __future__ import annotations

from django.urls import path

from cases import views

app_name = "cases"
case = "authoring/<slug:slug>/"
stage = case + "stages/<slug:key>/"
urlpatterns = [
    path("authoring/", views.authoring_home, name="authoring"),
    path("authoring/new/", views.case_new, name="new"),
    path("authoring/copy/", views.case_copy, name="copy"),
    path("authoring/import/", views.case_import, name="import"),
    path("authoring/markdown/", views.markdown_preview_hx, name="markdown"),
    path(case, views.case_edit, name="edit"),
    path(case + "details/", views.details_save, name="details"),
    path(case + "yaml/", views.yaml_save, name="yaml"),
    path(case + "stages/", views.stage_add, name="stage_add"),
    path(stage, views.stage_save, name="stage"),
    path(stage + "delete/", views.stage_delete, name="stage_delete"),
    path(stage + "options/", views.option_add, name="option_add"),
    path(stage + "options/<int:index>/", views.option_save, name="option"),
    path(stage + "options/<int:index>/delete/", views.option_delete, name="option_delete"),
    path(case + "draft/", views.case_new_draft, name="draft"),
    path(case + "submit/", views.case_submit, name="submit"),
    path(case + "review/", views.case_review, name="review"),
    path(case + "review/start/", views.review_start, name="review_start"),
    path(case + "review/comment/", views.review_comment, name="review_comment"),
    path(case + "review/approve/", views.review_approve, name="approve"),
    path(case + "review/changes/", views.review_request_changes, name="request_changes"),
    path(case + "comments/<int:pk>/resolve/", views.comment_resolve, name="resolve_comment"),
    path(case + "picture/", views.case_graph, name="graph"),
    path(case + "paths/", views.case_paths, name="paths"),
    path(case + "preview/", views.case_preview, name="preview"),
    path(case + "versions/", views.case_versions, name="versions"),
    path(case + "export/", views.case_export, name="export"),
]
