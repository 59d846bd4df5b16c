"""Top-level URLs. Each app adds its own pages through include()."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scoring import views as scoring_views
from simulator import views
from simulator.accounts.login import ThrottledAdminLoginForm, ThrottledLoginForm

accounts = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=ThrottledLoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # Django's LogoutView accepts POST only, so a link or a prefetch cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change_form.html"
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
]

handler400 = "simulator.views.bad_request"

# The admin's log-in counts failures with the site's (simulator.accounts.login).
admin.site.login_form = ThrottledAdminLoginForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include(accounts)),
    path("admin/", admin.site.urls),
    path("", include("simulator.play_urls")),
    path("", include("scoring.urls")),
    path("", include("cases.urls")),
    path("", scoring_views.home, name="home"),
]
