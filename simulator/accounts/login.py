"""Log-in with a throttle against password guessing.

After FAILURES_PER_ACCOUNT failed log-ins for one username (or
FAILURES_PER_ADDRESS from one address) within WINDOW, further attempts are
refused without checking the password, with the same message whether or not
the account exists. The site's log-in and the admin's share the count.
Failures live in the database, so every app server sees
them; a successful log-in clears the account's count.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from simulator.accounts.models import LoginFailure

FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 30
WINDOW = timedelta(minutes=15)
LOCKED = (
    "Too many failed log-ins. To protect the account, wait 15 minutes and try "
    "again, or ask your program director to reset your password."
)


def client_ip(request) -> str | None:
    """The client's address. Behind a load balancer REMOTE_ADDR is the
    balancer's, which would lock everyone out at once; with
    TRUST_X_FORWARDED_FOR the last X-Forwarded-For entry, the one our own
    balancer appended, is used instead (earlier entries are the client's to forge)."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded.strip():
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR")


def is_locked(username: str, ip: str | None) -> bool:
    since = timezone.now() - WINDOW
    recent = LoginFailure.objects.filter(created_at__gte=since)
    by_account = recent.filter(username=username).count()
    by_address = recent.filter(ip=ip).count() if ip else 0
    return by_account >= FAILURES_PER_ACCOUNT or by_address >= FAILURES_PER_ADDRESS


class _Throttled:
    """The throttle, for any of Django's authentication forms."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request)
        if username and is_locked(username, ip):
            raise forms.ValidationError(LOCKED, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                LoginFailure.objects.create(username=username, ip=ip)
                LoginFailure.objects.filter(created_at__lt=timezone.now() - WINDOW).delete()
            raise
        LoginFailure.objects.filter(username=username).delete()
        return cleaned


class ThrottledLoginForm(_Throttled, AuthenticationForm):
    pass


class ThrottledAdminLoginForm(_Throttled, AdminAuthenticationForm):
    """The admin's log-in, counted with the site's: one door would otherwise
    let a staff password be guessed without limit."""
