"""The per-process cache of parsed case documents never serves a changed document."""

from __future__ import annotations

from cases.models import CaseVersion
from scoring.models import Mode
from simulator import documents
from simulator.access import get_attempt_for_user
from tests.simulator.helpers import start

SARCOMA = "calcified-deep-mass-sarcoma"


def test_a_version_is_parsed_once_and_a_new_content_hash_is_parsed_again(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    documents.clear()
    first = get_attempt_for_user(resident, attempt.pk).case_version.parsed
    again = get_attempt_for_user(resident, attempt.pk).case_version.parsed
    assert again is first  # the same object: parsed once

    version = CaseVersion.objects.get(pk=attempt.case_version_id)
    version.document = {**version.document, "title": "Edited in place"}
    version.content_hash = "a-new-hash"
    version.save(update_fields=["document", "content_hash"])

    edited = get_attempt_for_user(resident, attempt.pk).case_version.parsed
    assert edited.title == "Edited in place"


def test_a_version_without_a_content_hash_is_never_kept(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    CaseVersion.objects.filter(pk=attempt.case_version_id).update(content_hash="")
    documents.clear()
    one = get_attempt_for_user(resident, attempt.pk).case_version.parsed
    two = get_attempt_for_user(resident, attempt.pk).case_version.parsed
    assert one == two and one is not two
