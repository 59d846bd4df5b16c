"""The site's URLs plus the baselines every `make bench` figure is divided by."""

from __future__ import annotations

from django.urls import include, path

from simulator.urls import handler400  # noqa: F401 - a root URLconf names its handlers
from simulator.urls import urlpatterns as site
from tests.bench import views

baselines = (
    [
        path("hello", views.hello, name="hello"),
        path("read", views.read, name="read"),
        path("insert", views.insert, name="insert"),
    ],
    "bench",
)
urlpatterns = [path("bench/", include(baselines)), *site]
