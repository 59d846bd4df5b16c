"""URLconfs for navigation tests, independent of which pages exist today.

`urlpatterns` has a stand-in for every page the navigation table names, as if
all were built; `bare_urls.urlpatterns` has none of them, as on day one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from scoring import views as scoring_views
from simulator.urls import accounts


def stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in")


bare = [
    path("accounts/", include(accounts)),
    path("", scoring_views.home, name="home"),
]

urlpatterns = [
    *bare,
    path("cases/", include(([path("", stand_in, name="catalogue")], "simulator"))),
    path(
        "me/",
        include(
            (
                [
                    path("history/", stand_in, name="history"),
                    path("program/", stand_in, name="program"),
                ],
                "scoring",
            )
        ),
    ),
    path("authoring/", include(([path("", stand_in, name="authoring")], "cases"))),
]
