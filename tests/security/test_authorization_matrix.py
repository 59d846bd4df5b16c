"""Every URL in the project, tried by everyone who must not get in.

The patterns come from the URL configuration itself, so a new view that is
not listed in OBJECT_URLS, OWN_URLS or PUBLIC_URLS fails the first test here:
nobody can add a page without saying who may open it.

The world: a home program with a resident on a cohort, an instructor, a
director, a draft case of the program with a review comment, the resident's
finished attempt on it, an assignment, an LTI platform. The intruders: a
resident of another cohort of the same program, and an instructor and a
director of another program; plus an anonymous visitor.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from cases.models import CaseVersion
from tests.security.conftest import SAME_PROGRAM, SECRET

# name -> how to build its URL from the world. Each is refused to every intruder.
OBJECT_URLS = {
    "simulator:case": lambda w: {"slug": w.slug},
    "simulator:start": lambda w: {"slug": w.slug},
    "simulator:play": lambda w: {"pk": w.attempt},
    "simulator:choose": lambda w: {"pk": w.attempt},
    "simulator:debrief": lambda w: {"pk": w.attempt},
    "simulator:attempt_review": lambda w: {"pk": w.attempt},
    "scoring:program_dashboard": lambda w: {"slug": w.program},
    "scoring:cohort_create": lambda w: {"slug": w.program},
    "scoring:cohort": lambda w: {"pk": w.cohort},
    "scoring:cohort_member_add": lambda w: {"pk": w.cohort},
    "scoring:cohort_roster_upload": lambda w: {"pk": w.cohort},
    "scoring:cohort_member_remove": lambda w: {"pk": w.cohort, "member_pk": w.member},
    "scoring:cohort_mastery": lambda w: {"pk": w.cohort},
    "scoring:cohort_mastery_cell": lambda w: {
        "pk": w.cohort,
        "algorithm": w.algorithm,
        "step": w.step,
    },
    "scoring:cohort_invite": lambda w: {"pk": w.cohort},
    "scoring:cohort_invitation_withdraw": lambda w: {"pk": w.cohort, "invitation_pk": w.invitation},
    "scoring:assignment_create": lambda w: {"pk": w.cohort},
    "scoring:cohort_csv": lambda w: {"pk": w.cohort},
    "scoring:cohort_xapi": lambda w: {"pk": w.cohort},
    "scoring:assignment": lambda w: {"pk": w.assignment},
    "scoring:assignment_edit": lambda w: {"pk": w.assignment},
    "scoring:assignment_csv": lambda w: {"pk": w.assignment},
    "scoring:assignment_xapi": lambda w: {"pk": w.assignment},
    "scoring:lti_platforms": lambda w: {"slug": w.program},
    "scoring:item_analysis": lambda w: {"slug": w.program, "case_slug": w.slug},
    "cases:edit": lambda w: {"slug": w.slug},
    "cases:details": lambda w: {"slug": w.slug},
    "cases:yaml": lambda w: {"slug": w.slug},
    "cases:stage_add": lambda w: {"slug": w.slug},
    "cases:stage": lambda w: {"slug": w.slug, "key": w.stage},
    "cases:stage_delete": lambda w: {"slug": w.slug, "key": w.stage},
    "cases:option_add": lambda w: {"slug": w.slug, "key": w.stage},
    "cases:option": lambda w: {"slug": w.slug, "key": w.stage, "index": 0},
    "cases:option_delete": lambda w: {"slug": w.slug, "key": w.stage, "index": 0},
    "cases:draft": lambda w: {"slug": w.slug},
    "cases:submit": lambda w: {"slug": w.slug},
    "cases:review": lambda w: {"slug": w.slug},
    "cases:review_start": lambda w: {"slug": w.slug},
    "cases:review_comment": lambda w: {"slug": w.slug},
    "cases:approve": lambda w: {"slug": w.slug},
    "cases:request_changes": lambda w: {"slug": w.slug},
    "cases:resolve_comment": lambda w: {"slug": w.slug, "pk": w.comment},
    "cases:graph": lambda w: {"slug": w.slug},
    "cases:paths": lambda w: {"slug": w.slug},
    "simulator:preview": lambda w: {"slug": w.slug},
    "cases:versions": lambda w: {"slug": w.slug},
    "cases:export": lambda w: {"slug": w.slug},
    "cases:finding_image": lambda w: {"slug": w.slug, "part": "patient", "index": 0},
    "cases:finding_image_delete": lambda w: {"slug": w.slug, "part": "patient", "index": 0},
    # The world's case shows no image: tests/simulator/test_finding_images.py tries
    # real ones on everyone who may and may not see them.
    "simulator:finding_image": lambda w: {
        "version": CaseVersion.objects.get(case__slug=w.slug).pk,
        "file": "0" * 64 + "-1x1.png",
    },
}
# Pages about the signed-in user's own things: open to any member, but they
# must not show anything of the home program to an intruder.
OWN_URLS = {
    "home",
    "simulator:catalogue",
    "simulator:history",
    "scoring:program",
    "scoring:items",
    "cases:authoring",
    "cases:new",
    "cases:copy",
    "cases:import",
    "cases:markdown",
    "password_change",
    "password_change_done",
}
# Open to anyone by design: the login itself, a health probe, how scoring
# works, and the LTI endpoints, which authenticate by signed token.
PUBLIC_URLS = {
    "healthz",
    "login",
    "logout",
    "scoring:scoring_help",
    "scoring:lti_login",
    "scoring:lti_launch",
    "scoring:lti_jwks",
}
# Open to whoever holds the link, by design: an invitation's token is its
# permission (tests/scoring/test_invitations.py); a wrong token is a 404.
TOKEN_URLS = {"scoring:invitation"}
# A program's published cases are open to all its residents, whatever their
# cohort; what another cohort's resident must not reach is other people's
# attempts and the program's cohorts, scores and drafts.
PROGRAM_WIDE = {"simulator:case", "simulator:start"}


def url_names(urlconf: str | None = None) -> Iterator[str]:
    def walk(patterns, namespace: str | None) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue  # Django's admin has its own login and permissions
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    yield from walk(get_resolver(urlconf).url_patterns, None)


def accepted_methods(url: str, urlconf: str | None = None) -> list[str]:
    """The methods the view behind `url` answers, read from its
    ``require_http_methods`` decorator (GET and POST when it has none): a
    method it refuses with 405 proves nothing about who may see the object."""
    view = resolve(url, urlconf).func
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return [m.lower() for m in cell.cell_contents if m in ("GET", "POST")]
        view = getattr(view, "__wrapped__", None)
    return ["get", "post"]


def intruder_failures(
    client, urls: dict[str, str], intruders: dict, urlconf: str | None = None
) -> list[str]:
    """Every (intruder, method, URL) that was not answered 404."""
    failures = []
    for who, user in intruders.items():
        client.force_login(user)
        for name, url in urls.items():
            if who == SAME_PROGRAM and name in PROGRAM_WIDE:
                continue
            for method in accepted_methods(url, urlconf):
                status = getattr(client, method)(url).status_code
                if status != 404:
                    failures.append(f"{who} {method.upper()} {url} -> {status}")
    return failures


def test_every_url_says_who_may_open_it() -> None:
    unlisted = set(url_names()) - set(OBJECT_URLS) - OWN_URLS - PUBLIC_URLS - TOKEN_URLS
    assert not unlisted, f"add these URL names to the authorization matrix: {sorted(unlisted)}"


def test_intruders_are_refused_every_object_of_the_home_program(client, world, intruders) -> None:
    urls = {name: reverse(name, kwargs=kwargs(world)) for name, kwargs in OBJECT_URLS.items()}
    failures = intruder_failures(client, urls, intruders)
    assert not failures, "\n".join(failures)


def test_the_matrix_catches_a_view_that_lets_an_intruder_in(client, world, intruders) -> None:
    """The net itself can fail: a view with its access check left out is caught."""
    urlconf = "tests.security.leaky_urls"
    url = reverse("leaky", kwargs={"pk": world.attempt}, urlconf=urlconf)
    with override_settings(ROOT_URLCONF=urlconf):
        failures = intruder_failures(client, {"leaky": url}, intruders, urlconf)
    assert set(url_names(urlconf)) == {"leaky"}
    assert len(failures) == len(intruders)
    assert all(f.endswith(f"GET {url} -> 200") for f in failures)


def test_anonymous_visitors_are_sent_to_log_in_or_refused(client, world) -> None:
    login = reverse("login")
    failures = []
    for name in [*OBJECT_URLS, *(OWN_URLS - {"cases:markdown"})]:
        kwargs = OBJECT_URLS[name](world) if name in OBJECT_URLS else {}
        url = reverse(name, kwargs=kwargs)
        for method in accepted_methods(url):
            response = getattr(client, method)(url)
            sent_to_login = response.status_code == 302 and response.url.startswith(login)
            if not (sent_to_login or response.status_code == 404):
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_pages_of_ones_own_show_intruders_nothing_of_the_home_program(
    client, world, intruders
) -> None:
    failures = []
    for who, user in intruders.items():
        client.force_login(user)
        for name in OWN_URLS:
            response = client.get(reverse(name))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            secrets = ["Home cohort", "home-resident"]
            if who != SAME_PROGRAM:
                secrets += [SECRET, "Home secret case"]
            for secret in secrets:
                if secret.encode() in body:
                    failures.append(f"{who} sees {secret!r} on {reverse(name)}")
    assert not failures, "\n".join(failures)


def test_a_resident_of_another_cohort_may_play_the_programs_published_case(
    client, world, intruders
) -> None:
    client.force_login(intruders[SAME_PROGRAM])
    assert client.get(reverse("simulator:case", kwargs={"slug": SECRET})).status_code == 200
