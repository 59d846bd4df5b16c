"""A URLconf with the home page and log-in only: none of the pages the
navigation table names exist here."""

from __future__ import annotations

from django.urls import include, path

from scoring import views as scoring_views
from simulator.urls import accounts

urlpatterns = [
    path("accounts/", include(accounts)),
    path("", scoring_views.home, name="home"),
]
