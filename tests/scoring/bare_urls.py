"""The day-one URLconf: no page the navigation table names exists yet."""

from __future__ import annotations

from tests.scoring.future_urls import bare

urlpatterns = bare
