"""Cohort rosters: adding residents one by one or from a CSV file, and removing them.

A roster file is checked whole before anything is written: every bad row is
reported with its line number, and a file with any bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from scoring.models import Cohort, CohortMember, Membership, Role

MAX_ROSTER_BYTES = 256 * 1024
MAX_ROSTER_ROWS = 2000
MAX_REPORTED_ERRORS = 20
ROSTER_COLUMNS = ("username", "email", "first_name", "last_name")
# What browsers and spreadsheets send for a .csv file.
ROSTER_CONTENT_TYPES = frozenset(
    {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "text/x-csv"}
)


class RosterError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RosterRow:
    line: int
    username: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class RosterResult:
    added: list[str]
    already: list[str]
    created: list[str]


def roster_parse(data: bytes) -> list[RosterRow]:
    """The rows of a roster CSV (a header naming ``username`` and optionally
    ``email``, ``first_name``, ``last_name``); RosterError lists every problem."""
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError([f"The file is larger than {MAX_ROSTER_BYTES // 1024} KB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(
            ["The file is not UTF-8 text: save it from your spreadsheet as CSV UTF-8."]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise RosterError(
            ["The file is empty: its first line must name the columns, e.g. username,email."]
        ) from None
    except csv.Error as exc:
        raise RosterError([f"Line 1: {exc}."]) from None
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if "username" not in header or unknown:
        raise RosterError(
            [
                "Line 1: the header must name a username column, and may name "
                f"{', '.join(ROSTER_COLUMNS[1:])}"
                + (f"; unknown column {', '.join(unknown)}." if unknown else ".")
            ]
        )
    rows: list[RosterRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    validate_username = UnicodeUsernameValidator()
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are harmless
            if len(rows) >= MAX_ROSTER_ROWS:
                errors.append(f"Line {line}: a roster may have at most {MAX_ROSTER_ROWS} rows.")
                break
            if len(cells) != len(header):
                errors.append(f"Line {line}: expected {len(header)} cells, found {len(cells)}.")
                continue
            values = {h: cell.strip() for h, cell in zip(header, cells, strict=True)}
            username = values.get("username", "")
            email = values.get("email", "")
            if not username:
                errors.append(f"Line {line}: the username is empty.")
                continue
            try:
                validate_username(username)
            except ValidationError:
                errors.append(
                    f"Line {line}: “{username}” is not a valid username "
                    "(letters, digits and @ . + - _ only)."
                )
                continue
            if len(username) > 150:
                errors.append(f"Line {line}: the username is longer than 150 characters.")
                continue
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    errors.append(f"Line {line}: “{email}” is not a valid email address.")
                    continue
            if username.lower() in seen:
                errors.append(
                    f"Line {line}: “{username}” is already listed on line {seen[username.lower()]}."
                )
                continue
            seen[username.lower()] = line
            rows.append(
                RosterRow(
                    line=line,
                    username=username,
                    email=email,
                    first_name=values.get("first_name", "")[:150],
                    last_name=values.get("last_name", "")[:150],
                )
            )
    except csv.Error as exc:
        errors.append(f"Line {reader.line_num}: {exc}.")
    if errors:
        if len(errors) > MAX_REPORTED_ERRORS:
            errors = [
                *errors[:MAX_REPORTED_ERRORS],
                f"… and {len(errors) - MAX_REPORTED_ERRORS} more.",
            ]
        raise RosterError(errors)
    if not rows:
        raise RosterError(["The file has a header but no residents."])
    return rows


def _enrol(cohort: Cohort, users: list) -> tuple[list[str], list[str]]:
    """Put users on the cohort (and give them the resident role in its program)."""
    active = set(
        CohortMember.objects.filter(
            cohort=cohort, user__in=users, removed_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    residents = set(
        Membership.objects.filter(
            program=cohort.program, role=Role.RESIDENT, user__in=users
        ).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        Membership(user=u, program=cohort.program, role=Role.RESIDENT)
        for u in users
        if u.pk not in residents
    )
    CohortMember.objects.bulk_create(
        CohortMember(cohort=cohort, user=u) for u in users if u.pk not in active
    )
    added = [u.get_username() for u in users if u.pk not in active]
    already = [u.get_username() for u in users if u.pk in active]
    return added, already


@transaction.atomic
def roster_import(*, cohort: Cohort, rows: list[RosterRow]) -> RosterResult:
    """Add every row's resident to the cohort, all or nothing. An account
    that does not exist yet is created without a usable password: the
    resident signs in through the LMS, or an administrator sets one."""
    user_model = get_user_model()
    existing = {
        u.get_username(): u
        for u in user_model.objects.filter(username__in=[r.username for r in rows])
    }
    created = []
    for row in rows:
        if row.username in existing:
            continue
        user = user_model(
            username=row.username,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        user.set_unusable_password()
        created.append(user)
    user_model.objects.bulk_create(created)
    # bulk_create does not return primary keys on every database; read them back.
    new = {
        u.get_username(): u
        for u in user_model.objects.filter(username__in=[u.username for u in created])
    }
    users = [existing.get(r.username) or new[r.username] for r in rows]
    added, already = _enrol(cohort, users)
    return RosterResult(added=added, already=already, created=sorted(new))


def find_user(identifier: str):
    """The account with this username, or else this (unique) email address; None if none."""
    user_model = get_user_model()
    identifier = identifier.strip()
    if not identifier:
        return None
    user = user_model.objects.filter(username=identifier).first()
    if user is None and "@" in identifier:
        matches = list(user_model.objects.filter(email__iexact=identifier)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


@transaction.atomic
def cohort_member_add(*, cohort: Cohort, user) -> bool:
    """Put one resident on the cohort; False when they are on it already."""
    added, _ = _enrol(cohort, [user])
    return bool(added)


def cohort_member_remove(*, member: CohortMember) -> None:
    """Take a resident off the cohort. Their attempts and scores stay; the
    roster row stays too, closed, so the cohort's history is kept."""
    if member.removed_at is None:
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
