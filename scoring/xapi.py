"""xAPI (Experience API 1.0.3) statements for scored attempts.

``attempt_statements`` is a pure function: one "completed" statement for the
attempt (the case is the object, the result carries the score) and one
"answered" statement per decision (the decision is the object, its parent the
case). Statement ids are derived from the attempt, so sending one twice is
harmless: an LRS keeps the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scoring.items import Decision

XAPI_VERSION = "1.0.3"
COMPLETED = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}}
ANSWERED = {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en": "answered"}}
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
RUBRIC_EXTENSION = "https://casepath.example/xapi/rubric-version"
CRITICAL_EXTENSION = "https://casepath.example/xapi/critical-errors"


@dataclass(frozen=True)
class AttemptRecord:
    """What a statement says about one scored attempt."""

    attempt_id: int
    username: str
    full_name: str
    case_slug: str
    case_title: str
    case_version: int
    mode: str
    started_at: datetime
    finished_at: datetime
    score: int
    critical_errors: int
    rubric_version: int
    pass_mark: int | None  # set when the attempt belongs to an assignment
    decisions: Sequence[Decision] = ()
    prompts: dict[str, str] = field(default_factory=dict)  # stage key -> decision prompt


def statement_id(site_url: str, attempt_id: int, rubric_version: int, part: str) -> str:
    name = f"{site_url}/attempts/{attempt_id}/rubric/{rubric_version}/{part}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _duration(start: datetime, end: datetime) -> str:
    seconds = max(0, round((end - start).total_seconds()))
    return f"PT{seconds}S"


def attempt_statements(record: AttemptRecord, *, site_url: str) -> list[dict[str, Any]]:
    """The statements for one scored attempt: the attempt first, then each decision."""
    site_url = site_url.rstrip("/")
    actor = {
        "objectType": "Agent",
        "name": record.full_name or record.username,
        "account": {"homePage": site_url, "name": record.username},
    }
    case_activity = {
        "objectType": "Activity",
        "id": f"{site_url}/cases/{record.case_slug}/",
        "definition": {
            "type": SIMULATION,
            "name": {"en": record.case_title},
        },
    }
    timestamp = record.finished_at.isoformat()
    result: dict[str, Any] = {
        "score": {"scaled": record.score / 100, "raw": record.score, "min": 0, "max": 100},
        "completion": True,
        "duration": _duration(record.started_at, record.finished_at),
        "extensions": {CRITICAL_EXTENSION: record.critical_errors},
    }
    if record.pass_mark is not None:
        result["success"] = record.score >= record.pass_mark
    context = {
        "registration": statement_id(site_url, record.attempt_id, 0, "registration"),
        "platform": "CasePath",
        "extensions": {RUBRIC_EXTENSION: record.rubric_version},
    }
    statements = [
        {
            "id": statement_id(site_url, record.attempt_id, record.rubric_version, "attempt"),
            "actor": actor,
            "verb": COMPLETED,
            "object": case_activity,
            "result": result,
            "context": context,
            "timestamp": timestamp,
            "version": XAPI_VERSION,
        }
    ]
    for decision in record.decisions:
        definition: dict[str, Any] = {
            "type": INTERACTION,
            "name": {"en": f"{record.case_title}: {decision.stage}"},
            "interactionType": "choice",
        }
        if prompt := record.prompts.get(decision.stage):
            definition["description"] = {"en": prompt}
        answer: dict[str, Any] = {
            "response": "[,]".join(p.option for p in decision.picks),
            "completion": True,
        }
        if decision.scored:
            answer["success"] = decision.correct
        statements.append(
            {
                "id": statement_id(
                    site_url, record.attempt_id, record.rubric_version, f"decision-{decision.seq}"
                ),
                "actor": actor,
                "verb": ANSWERED,
                "object": {
                    "objectType": "Activity",
                    "id": f"{site_url}/cases/{record.case_slug}/v{record.case_version}"
                    f"/decisions/{decision.stage}",
                    "definition": definition,
                },
                "result": answer,
                "context": {**context, "contextActivities": {"parent": [case_activity]}},
                "timestamp": timestamp,
                "version": XAPI_VERSION,
            }
        )
    return statements
