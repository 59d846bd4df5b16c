"""The scoring app's admin: learning platforms, where a site administrator
approves the hosts besides its issuer's that CasePath may contact for one."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from scoring.lti import approved_host_error
from scoring.lti_views import RegistrationChecks
from scoring.models import LtiDeployment, LtiPlatform


class LtiPlatformForm(RegistrationChecks, forms.ModelForm):
    """A registration as the program's page checks it, except that its URLs
    may also be on the hosts approved here."""

    def clean_approved_hosts(self) -> str:
        # Stored as checked: one lower-case host a line, each once.
        hosts = list(dict.fromkeys(self.cleaned_data["approved_hosts"].lower().split()))
        problems = [problem for host in hosts if (problem := approved_host_error(host))]
        if problems:
            raise forms.ValidationError(problems)
        return "\n".join(hosts)

    def approved_host_names(self) -> Collection[str]:
        # Empty when the field itself was refused: the URLs then get the issuer's host only.
        return self.cleaned_data.get("approved_hosts", "").split()


class LtiDeploymentInline(admin.TabularInline):
    model = LtiDeployment
    extra = 1


@admin.register(LtiPlatform)
class LtiPlatformAdmin(admin.ModelAdmin):
    form = LtiPlatformForm
    fields = [
        "program",
        "name",
        "issuer",
        "client_id",
        "auth_login_url",
        "auth_token_url",
        "key_set_url",
        "approved_hosts",
    ]
    list_display = ["name", "program", "issuer", "client_id"]
    list_filter = ["program"]
    search_fields = ["name", "issuer", "client_id", "program__name"]
    autocomplete_fields = ["program"]
    # Platforms are https only, as on the program's page.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [LtiDeploymentInline]

    def save_model(
        self, request: HttpRequest, obj: LtiPlatform, form: LtiPlatformForm, change: bool
    ) -> None:
        # A key set fetched from a URL or host that was just changed or
        # withdrawn must not be trusted for the rest of its ten minutes.
        if change and {"issuer", "key_set_url", "approved_hosts"} & set(form.changed_data):
            obj.key_set = None
            obj.key_set_fetched_at = None
        super().save_model(request, obj, form, change)
