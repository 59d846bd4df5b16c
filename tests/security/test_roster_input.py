"""F9 of the security review: a roster file is read strictly. Every
reproduction there was accepted, or changed data silently; each is now
refused with its line, and nothing of the file is imported."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scoring.models import CohortMember
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(client: Client, director: Any, program: Any):
    cohort = CohortFactory(program=program)
    client.force_login(director)

    def _upload(text: str) -> str:
        file = SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")
        response = client.post(f"/cohorts/{cohort.pk}/members/upload/", {"roster": file})
        assert response.status_code == 400
        assert "Nothing was imported" in response.content.decode()
        assert not CohortMember.objects.filter(cohort=cohort).exists()
        return response.content.decode()

    return _upload


def accounts() -> set[str]:
    return set(get_user_model().objects.values_list("username", flat=True))


def test_an_unterminated_quote_is_refused_not_swallowed(upload: Any) -> None:
    before = accounts()
    page = upload('username,first_name\nq1,"never closed\nq2,x\n')
    assert "quote that is never closed" in page
    assert accounts() == before


def test_a_column_named_twice_is_refused(upload: Any) -> None:
    assert "the column username is named more than once" in upload("username,username\na,b\n")


def test_an_email_longer_than_the_column_is_refused(upload: Any) -> None:
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example"
    assert len(email) > 254
    assert "Line 2: the email is longer than 254 characters." in upload(
        f"username,email\nlongmail,{email}\n"
    )


def test_an_email_another_account_uses_is_refused(upload: Any, director: Any) -> None:
    director.email = "director@demo.example"
    director.save()
    page = upload("username,email\nclone1,Director@demo.example\n")
    assert "Line 2: the email Director@demo.example belongs to another account" in page
    assert "clone1" not in accounts()


def test_a_look_alike_username_is_refused(upload: Any, director: Any) -> None:
    page = upload("username\nｄirector\n")
    assert "Line 2: “ｄirector” has look-alike characters; write it as “director”." in page


def test_a_username_differing_only_in_case_is_not_a_new_account(upload: Any) -> None:
    UserFactory(username="someone")
    assert "Line 2: “SomeOne” is not available" in upload("username\nSomeOne\n")


def test_a_staff_account_is_refused(upload: Any) -> None:
    UserFactory(username="staffer", is_staff=True)
    assert "Line 2: “staffer” is not available" in upload("username\nstaffer\n")


def test_the_lms_account_prefix_is_kept_for_the_lms(upload: Any) -> None:
    """F4: a roster could take the name an LMS launch would give a learner."""
    page = upload("username\nlti-fa0f04a8410be01f\n")
    assert "usernames starting “lti-” are kept for LMS accounts" in page
    assert "lti-fa0f04a8410be01f" not in accounts()
