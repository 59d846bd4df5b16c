from __future__ import annotations

from django.urls import path

from scoring import lti_views, program_views, views

app_name = "scoring"
urlpatterns = [
    path("scoring/", views.scoring_help, name="scoring_help"),
    # Programs: the director's pages.
    path("program/", program_views.program_index, name="program"),
    path("programs/<slug:slug>/", program_views.program_dashboard, name="program_dashboard"),
    path("programs/<slug:slug>/cohorts/", program_views.cohort_create_view, name="cohort_create"),
    path("cohorts/<int:pk>/", program_views.cohort_detail, name="cohort"),
    path(
        "cohorts/<int:pk>/members/add/",
        program_views.cohort_member_add_view,
        name="cohort_member_add",
    ),
    path(
        "cohorts/<int:pk>/members/upload/",
        program_views.cohort_roster_upload,
        name="cohort_roster_upload",
    ),
    path(
        "cohorts/<int:pk>/members/<int:member_pk>/remove/",
        program_views.cohort_member_remove_view,
        name="cohort_member_remove",
    ),
    path("cohorts/<int:pk>/invitations/", program_views.cohort_invite, name="cohort_invite"),
    path(
        "cohorts/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        program_views.cohort_invitation_withdraw,
        name="cohort_invitation_withdraw",
    ),
    path("invitations/<str:token>/", program_views.invitation, name="invitation"),
    path("cohorts/<int:pk>/mastery/", program_views.cohort_mastery, name="cohort_mastery"),
    path(
        "cohorts/<int:pk>/mastery/<slug:algorithm>/<slug:step>/",
        program_views.cohort_mastery_cell,
        name="cohort_mastery_cell",
    ),
    path(
        "cohorts/<int:pk>/assignments/new/",
        program_views.assignment_create_view,
        name="assignment_create",
    ),
    # The four downloads are one view, told what to export by the pattern.
    path(
        "cohorts/<int:pk>/scores.csv",
        program_views.export,
        {"of": "cohort", "kind": "csv"},
        name="cohort_csv",
    ),
    path(
        "cohorts/<int:pk>/xapi.json",
        program_views.export,
        {"of": "cohort", "kind": "xapi"},
        name="cohort_xapi",
    ),
    path("assignments/<int:pk>/", program_views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/edit/", program_views.assignment_edit, name="assignment_edit"),
    path(
        "assignments/<int:pk>/scores.csv",
        program_views.export,
        {"of": "assignment", "kind": "csv"},
        name="assignment_csv",
    ),
    path(
        "assignments/<int:pk>/xapi.json",
        program_views.export,
        {"of": "assignment", "kind": "xapi"},
        name="assignment_xapi",
    ),
    # LTI 1.3: the tool's endpoints and the platform registration page.
    path("lti/login/", lti_views.lti_login, name="lti_login"),
    path("lti/launch/", lti_views.lti_launch, name="lti_launch"),
    path("lti/jwks/", lti_views.lti_jwks, name="lti_jwks"),
    path("programs/<slug:slug>/lti/", lti_views.lti_platforms, name="lti_platforms"),
    # Item analysis: the instructor's pages.
    path("items/", program_views.items_index, name="items"),
    path(
        "programs/<slug:slug>/items/<slug:case_slug>/",
        program_views.case_item_analysis,
        name="item_analysis",
    ),
]
