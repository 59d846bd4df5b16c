"""The learner's pages: the catalogue, a case, and the player."""

from __future__ import annotations

from django.urls import path

from simulator import views

app_name = "simulator"
urlpatterns = [
    path("cases/", views.catalogue, name="catalogue"),
    path("cases/<slug:slug>/", views.case_detail, name="case"),
    path("cases/<slug:slug>/start/", views.attempt_new, name="start"),
    path("attempts/<int:pk>/", views.play, name="play"),
    path("attempts/<int:pk>/choose/", views.choose, name="choose"),
]
