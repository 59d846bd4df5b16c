from __future__ import annotations

from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("attempts/<int:pk>/debrief/", views.debrief, name="debrief"),
    path("history/", views.history, name="history"),
    path("scoring/", views.scoring_help, name="scoring_help"),
]
