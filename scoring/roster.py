"""Cohort rosters: adding residents one by one, from a CSV file or by
invitation, and removing them.

A program reaches only its own people. A director may put on a cohort an
account that already holds a role in the program, or create a new account
from a roster; anyone else joins only by accepting an invitation
(scoring.invitations). An account that is unknown and one that belongs
elsewhere get the same answer, so the add form is no directory of the site.

A roster file is checked whole before anything is written: every bad row is
reported with its line number, and a file with any bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from scoring.models import Cohort, CohortMember
from simulator.accounts.models import Membership, Role

MAX_ROSTER_BYTES = 256 * 1024
MAX_ROSTER_ROWS = 2000
MAX_REPORTED_ERRORS = 20
MAX_EMAIL_LENGTH = 254  # the column's width, and RFC 5321's limit
# Accounts an LMS launch creates are named this way (scoring.lti); rosters
# refuse it, so nobody can take the name an LMS user's account will need.
LTI_USERNAME_PREFIX = "lti-"
NOT_REACHABLE = (
    "No resident of this program has that username or email. "
    "Upload a roster to create new accounts, or invite the person with a link."
)
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
    ``email``, ``first_name``, ``last_name``); RosterError lists every problem.

    Parsing is strict: an unterminated quote, a cell spanning lines or a
    column named twice is an error, never a silent change to the data.
    """
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError([f"The file is larger than {MAX_ROSTER_BYTES // 1024} KB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(
            ["The file is not UTF-8 text: save it from your spreadsheet as CSV UTF-8."]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise RosterError([f"Line 1: the column {', '.join(twice)} is named more than once."])
    rows: list[RosterRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    try:
        for cells in reader:
            first_line, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are harmless
            if len(rows) >= MAX_ROSTER_ROWS:
                errors.append(f"Line {line}: a roster may have at most {MAX_ROSTER_ROWS} rows.")
                break
            if line != first_line or any("\n" in c or "\r" in c for c in cells):
                errors.append(
                    f"Line {first_line}: a cell runs over several lines; "
                    "check for a quote that is never closed."
                )
                continue
            if len(cells) != len(header):
                errors.append(f"Line {line}: expected {len(header)} cells, found {len(cells)}.")
                continue
            values = {h: cell.strip() for h, cell in zip(header, cells, strict=True)}
            problem = _row_problem(values)
            if problem:
                errors.append(f"Line {line}: {problem}")
                continue
            username = values["username"]
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
                    email=values.get("email", ""),
                    first_name=values.get("first_name", "")[:150],
                    last_name=values.get("last_name", "")[:150],
                )
            )
    except csv.Error as exc:
        errors.append(f"Line {line + 1}: {exc}; check for a quote that is never closed.")
    _raise_if(errors)
    if not rows:
        raise RosterError(["The file has a header but no residents."])
    return rows


def _row_problem(values: dict[str, str]) -> str:
    """What is wrong with one row's cells on their own, or ""."""
    username = values.get("username", "")
    email = values.get("email", "")
    if not username:
        return "the username is empty."
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return f"“{username}” is not a valid username (letters, digits and @ . + - _ only)."
    if len(username) > 150:
        return "the username is longer than 150 characters."
    # Django stores usernames NFKC-normalised; a name that changes under it
    # (full-width or look-alike letters) would pass for someone else's.
    plain = unicodedata.normalize("NFKC", username)
    if plain != username:
        return f"“{username}” has look-alike characters; write it as “{plain}”."
    if username.lower().startswith(LTI_USERNAME_PREFIX):
        return f"usernames starting “{LTI_USERNAME_PREFIX}” are kept for LMS accounts."
    if email:
        if len(email) > MAX_EMAIL_LENGTH:
            return f"the email is longer than {MAX_EMAIL_LENGTH} characters."
        try:
            validate_email(email)
        except ValidationError:
            return f"“{email}” is not a valid email address."
    return ""


def _raise_if(errors: list[str]) -> None:
    if len(errors) > MAX_REPORTED_ERRORS:
        errors = [*errors[:MAX_REPORTED_ERRORS], f"… and {len(errors) - MAX_REPORTED_ERRORS} more."]
    if errors:
        raise RosterError(errors)


def _matching(field: str, values: list[str]) -> QuerySet:
    """Accounts whose `field` equals one of `values`, ignoring case."""
    return (
        get_user_model()
        .objects.annotate(lowered=Lower(field))
        .filter(lowered__in=[v.lower() for v in values])
    )


def reachable_accounts(program) -> QuerySet:
    """Accounts the program may put on a cohort: active, not staff, holding
    a role in the program already."""
    return get_user_model().objects.filter(
        is_active=True,
        is_staff=False,
        is_superuser=False,
        pk__in=Membership.objects.filter(program=program).values("user_id"),
    )


def enrol(cohort: Cohort, users: list) -> tuple[list[str], list[str]]:
    """Put users on the cohort (and give them the resident role in its
    program). Callers pass only reachable accounts, or a person who accepted
    an invitation."""
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
    """Add every row's resident to the cohort, all or nothing.

    A row names either an account the program can reach already, or a new
    one, created without a usable password (the resident signs in through
    the LMS, or an administrator sets one). A username or email another
    account holds is refused with its line: a roster never takes over an
    account of another program.
    """
    user_model = get_user_model()
    usernames = [row.username for row in rows]
    taken = {u.username.lower(): u for u in _matching("username", usernames)}
    reachable = set(
        reachable_accounts(cohort.program)
        .filter(pk__in=[u.pk for u in taken.values()])
        .values_list("pk", flat=True)
    )
    emails = [row.email for row in rows if row.email]
    used_emails = {
        email.lower() for email in _matching("email", emails).values_list("email", flat=True)
    }
    errors, found, created = [], [], []
    for row in rows:
        user = taken.get(row.username.lower())
        if user is not None and user.pk not in reachable:
            errors.append(
                f"Line {row.line}: “{row.username}” is not available: no resident of this "
                "program has it. Choose another username, or invite the person with a link."
            )
        elif user is not None:
            found.append(user)
        elif row.email and row.email.lower() in used_emails:
            errors.append(
                f"Line {row.line}: the email {row.email} belongs to another account; "
                "a new account needs an email of its own."
            )
        else:
            new = user_model(
                username=row.username,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            new.set_unusable_password()
            created.append(new)
    _raise_if(errors)
    user_model.objects.bulk_create(created)
    # bulk_create does not return primary keys on every database; read them back.
    new_users = list(user_model.objects.filter(username__in=[u.username for u in created]))
    added, already = enrol(cohort, found + new_users)
    return RosterResult(
        added=added, already=already, created=sorted(u.get_username() for u in new_users)
    )


def find_resident(program, identifier: str):
    """The account the program can reach with this username, or else this
    (unique) email address; None for an unknown and a foreign account alike."""
    identifier = identifier.strip()
    if not identifier:
        return None
    accounts = reachable_accounts(program)
    user = accounts.filter(username=identifier).first()
    if user is None and "@" in identifier:
        matches = list(accounts.filter(email__iexact=identifier)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


@transaction.atomic
def cohort_member_add(*, cohort: Cohort, user) -> bool:
    """Put one resident on the cohort; False when they are on it already."""
    added, _ = enrol(cohort, [user])
    return bool(added)


def cohort_member_remove(*, member: CohortMember) -> None:
    """Take a resident off the cohort. Their attempts and scores stay; the
    roster row stays too, closed, so the cohort's history is kept."""
    if member.removed_at is None:
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
