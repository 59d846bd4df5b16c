"""The learner's pages: the catalogue, a case, the player, the debrief and the
history; and the player's preview of an author's draft, among the authoring pages."""

from __future__ import annotations

from django.urls import path

from simulator import images, views

app_name = "simulator"
urlpatterns = [
    path("cases/", views.catalogue, name="catalogue"),
    path("cases/<slug:slug>/", views.case_detail, name="case"),
    path("cases/<slug:slug>/start/", views.attempt_new, name="start"),
    path("attempts/<int:pk>/", views.play, name="play"),
    path("attempts/<int:pk>/choose/", views.choose, name="choose"),
    path("attempts/<int:pk>/debrief/", views.debrief, name="debrief"),
    path("attempts/<int:pk>/review/", views.attempt_review, name="attempt_review"),
    path("history/", views.history, name="history"),
    path("authoring/<slug:slug>/preview/", views.preview, name="preview"),
    path("images/<int:version>/<str:file>", images.finding_image, name="finding_image"),
]
