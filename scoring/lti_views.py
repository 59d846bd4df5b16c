"""LTI 1.3 endpoints (login initiation, launch, the tool's key set) and the
page where a program registers a learning platform."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoring.lti import (
    STATE_MAX_AGE,
    Launch,
    LaunchError,
    issuer_error,
    launch_verify,
    login_redirect,
    platform_url_error,
    state_cookie,
    tool_jwks,
    tool_urls,
)
from scoring.models import LtiDeployment, LtiLineItem, LtiPlatform
from simulator.accounts.access import get_program_for_user
from simulator.accounts.models import Program, Role
from simulator.services import attempt_resume


def _refused(request: HttpRequest, error: LaunchError) -> HttpResponse:
    return render(request, "scoring/lti_error.html", {"error": str(error)}, status=400)


def _state_cookie_samesite(request: HttpRequest) -> str:
    # The launch is a cross-site POST from the platform, which carries only
    # SameSite=None cookies, and browsers keep those only when Secure. Over
    # plain HTTP (a local run) Lax is what a browser keeps, enough for a
    # platform on the same site.
    return "None" if request.is_secure() else "Lax"


# The platform posts these cross-site; they carry their own proof (a signed
# state bound to this browser by a cookie, and a signed id_token), so Django's
# CSRF cookie check cannot apply.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def lti_login(request: HttpRequest) -> HttpResponse:
    """OIDC third-party login initiation: send the browser to the platform to
    authenticate, with a short-lived cookie that the launch must bring back."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        location, state = login_redirect({k: params.get(k, "") for k in params})
    except LaunchError as error:
        return _refused(request, error)
    response = redirect(location)
    name, value = state_cookie(state)
    response.set_cookie(
        name,
        value,
        max_age=STATE_MAX_AGE,
        path="/lti/",
        secure=request.is_secure(),
        httponly=True,
        samesite=_state_cookie_samesite(request),
    )
    return response


@csrf_exempt
@never_cache
@require_POST
def lti_launch(request: HttpRequest) -> HttpResponse:
    """A resource-link launch: log the resident in and open the case."""
    state = request.POST.get("state", "")
    try:
        launch = launch_verify(
            id_token=request.POST.get("id_token", ""), state=state, cookies=request.COOKIES
        )
    except LaunchError as error:
        response = _refused(request, error)
    else:
        response = _launched(request, launch)
    # A state serves one launch, accepted or refused.
    name, _ = state_cookie(state)
    if name in request.COOKIES:
        response.delete_cookie(name, path="/lti/", samesite=_state_cookie_samesite(request))
    return response


def _launched(request: HttpRequest, launch: Launch) -> HttpResponse:
    login(request, launch.user, backend="django.contrib.auth.backends.ModelBackend")
    with transaction.atomic():
        attempt = attempt_resume(user=launch.user, case=launch.case, assignment=launch.assignment)
        if launch.lineitem:
            LtiLineItem.objects.update_or_create(
                attempt=attempt,
                defaults={
                    "deployment": launch.deployment,
                    "lineitem_url": launch.lineitem,
                    "lti_user_id": launch.sub,
                },
            )
    return redirect("simulator:play", pk=attempt.pk)


@require_GET
def lti_jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, which platforms use to check our token requests."""
    try:
        return JsonResponse(tool_jwks())
    except LaunchError as error:
        return JsonResponse({"error": str(error)}, status=503)


ON_THE_ISSUERS_HOST = (
    "An https URL on the issuer's host; another host needs a site administrator's approval."
)
PLATFORM_URL_FIELDS = ("auth_login_url", "auth_token_url", "key_set_url")


class RegistrationChecks(forms.BaseForm):
    """The checks of a platform's issuer and URLs wherever it is registered:
    on the program's page (PlatformForm) and in the admin."""

    def approved_host_names(self) -> Collection[str]:
        """The hosts besides the issuer's that the URLs may be on. A program's
        page has none to offer: only a site administrator approves hosts, in
        the admin."""
        return ()

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"]
        if problem := issuer_error(issuer):
            raise forms.ValidationError(problem)
        return issuer

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if issuer := data.get("issuer"):
            approved = self.approved_host_names()
            for field in PLATFORM_URL_FIELDS:
                if data.get(field) and (
                    problem := platform_url_error(
                        data[field], issuer=issuer, approved_hosts=approved
                    )
                ):
                    self.add_error(field, problem)
        return data


class PlatformForm(RegistrationChecks, forms.Form):
    name = forms.CharField(max_length=200, help_text="For example Hospital Moodle.")
    issuer = forms.URLField(
        assume_scheme="https",
        max_length=300,
        help_text="The platform's issuer (iss), an https address.",
    )
    client_id = forms.CharField(max_length=200, label="Client id")
    deployment_id = forms.CharField(max_length=255, label="Deployment id")
    auth_login_url = forms.URLField(
        assume_scheme="https",
        max_length=300,
        label="Authentication request URL",
        help_text=ON_THE_ISSUERS_HOST,
    )
    auth_token_url = forms.URLField(
        assume_scheme="https",
        max_length=300,
        label="Access token URL",
        help_text=ON_THE_ISSUERS_HOST,
    )
    key_set_url = forms.URLField(
        assume_scheme="https",
        max_length=300,
        label="Public key set URL",
        help_text=ON_THE_ISSUERS_HOST,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        issuer = data.get("issuer")
        if not issuer:
            return data
        taken = LtiPlatform.objects.filter(issuer=issuer, client_id=data.get("client_id")).first()
        if taken is not None and taken.program_id == self.program.pk:
            raise forms.ValidationError(f"{taken.name} has this issuer and client id already.")
        if taken is not None:
            # Another program's registration: say nothing that confirms it exists.
            raise forms.ValidationError(
                "CasePath cannot register this issuer and client id. Check both against "
                "the tool's registration in the learning platform, or ask whoever runs CasePath."
            )
        return data


@require_http_methods(["GET", "POST"])
@login_required
def lti_platforms(request: HttpRequest, slug: str) -> HttpResponse:
    """The program's learning platforms, and a form to register one."""
    program = get_program_for_user(request.user, slug, [Role.INSTRUCTOR, Role.DIRECTOR])
    form = PlatformForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            platform = LtiPlatform.objects.create(
                program=program,
                **{k: v for k, v in data.items() if k != "deployment_id"},
            )
            LtiDeployment.objects.create(platform=platform, deployment_id=data["deployment_id"])
        messages.success(request, f"{platform.name} registered.")
        return redirect("scoring:lti_platforms", slug=program.slug)
    platforms = program.lti_platforms.prefetch_related("deployments")
    return render(
        request,
        "scoring/lti_platforms.html",
        {"program": program, "platforms": platforms, "form": form, "urls": tool_urls()},
        status=400 if form.is_bound else 200,
    )
