"""Edits the browser's case editor makes to a draft's working data.

A draft may be invalid while it is written, so these work on the plain data
the author's YAML parses to (dicts and lists), not on the validated document:
each form writes what the author typed and the validator reports what is
wrong. Pure Python, no Django; each function changes ``data`` in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cases.graph import stages_of
from cases.schema import KEY_PATTERN

OPTION_FIELDS = ("key", "label", "actions", "expect", "next", "feedback", "citations")
STAGE_FIELDS = ("title", "narrative", "outcome")
DECISION_FIELDS = ("prompt", "type", "next", "min", "max")
DETAIL_FIELDS = ("title", "presentation", "difficulty", "minutes", "start", "slug", "algorithm")
PATIENT_FIELDS = ("summary", "age", "sex")
FINDING_FIELDS = ("key", "kind", "label", "value", "unit", "range", "flag", "report")
ROUTES = "(routes)"  # the "next" select's value for an option whose next is a list of routes
# A new stage's question until the author writes one; an ending stage that still asks
# only this, with no options, asks nothing.
NEXT_PROMPT = "What do you do next?"


class EditRefused(ValueError):
    """An edit that cannot be applied as asked; the message is for the author."""


def _number(text: str) -> int | str:
    text = text.strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,6}", text) else text


def _put(target: dict, name: str, value: object) -> None:
    """Set a field, or leave it out when the form left it empty (optional fields)."""
    if value in ("", None, []):
        target.pop(name, None)
    else:
        target[name] = value


def _stage(data: dict, key: str) -> dict:
    stages = data.get("stages")
    if not isinstance(stages, dict) or key not in stages:
        raise EditRefused(f"There is no stage '{key}' in this draft.")
    if not isinstance(stages[key], dict):
        stages[key] = {}
    return stages[key]


def _options(stage: dict) -> list:
    decision = stage.setdefault("decision", {})
    if not isinstance(decision, dict):
        raise EditRefused("This stage's decision is not a mapping; fix it in the YAML tab.")
    options = decision.setdefault("options", [])
    if not isinstance(options, list):
        raise EditRefused("This decision's options are not a list; fix them in the YAML tab.")
    return options


def set_details(data: dict, form: Mapping[str, str]) -> None:
    for name in ("title", "presentation", "difficulty", "start"):
        if name in form:
            _put(data, name, form[name].strip())
    if "minutes" in form:
        _put(data, "minutes", _number(form["minutes"]))
    patient = data.get("patient")
    if not isinstance(patient, dict):
        patient = data["patient"] = {}
    if "summary" in form:
        patient["summary"] = form["summary"].strip()
    if "age" in form:
        patient["age"] = _number(form["age"])
    if "sex" in form:
        patient["sex"] = form["sex"]


def _findings_of(data: dict, stage: str | None) -> list:
    """The patient's (stage None) or a stage's findings as written; [] if none or not a list."""
    owner = data.get("patient") if stage is None else _stage(data, stage)
    findings = owner.get("findings") if isinstance(owner, dict) else None
    return findings if isinstance(findings, list) else []


def set_findings(data: dict, stage: str | None, rows: Sequence[Mapping[str, str]]) -> None:
    """Replace the patient's (stage None) or a stage's findings with ``rows``;
    rows whose label is empty, or marked for removal, are left out. Row i is
    finding i as the form showed it: what the form does not show of it (its
    image, the actions it shows done) is kept."""
    before = _findings_of(data, stage)
    findings = []
    for i, row in enumerate(rows):
        if row.get("remove") or not any(row.get(f, "").strip() for f in FINDING_FIELDS[2:]):
            continue
        finding: dict = {}
        for name in FINDING_FIELDS:
            value = row.get(name, "").strip() if name != "report" else row.get(name, "").rstrip()
            _put(finding, name, value)
        if finding.get("kind") == "exam":
            finding.pop("kind")  # the default
        old = before[i] if i < len(before) and isinstance(before[i], dict) else {}
        finding.update({k: v for k, v in old.items() if k not in FINDING_FIELDS})
        findings.append(finding)
    if stage is None:
        patient = data.setdefault("patient", {})
        _put(patient, "findings", findings)
    else:
        _put(_stage(data, stage), "findings", findings)


def _finding(data: dict, stage: str | None, index: int) -> dict:
    findings = _findings_of(data, stage)
    if not 0 <= index < len(findings) or not isinstance(findings[index], dict):
        owner = "The patient" if stage is None else f"Stage '{stage}'"
        raise EditRefused(f"{owner} has no finding {index + 1}: save the findings first.")
    return findings[index]


def set_finding_image(
    data: dict, stage: str | None, index: int, *, file: str, alt: str, caption: str
) -> None:
    """Show the stored image ``file`` with finding ``index`` of the patient (stage None)
    or of a stage, in place of any image it showed."""
    image = {"file": file, "alt": alt.strip()}
    _put(image, "caption", caption.strip())
    _finding(data, stage, index)["image"] = image


def remove_finding_image(data: dict, stage: str | None, index: int) -> None:
    """The finding shows no image (the stored file stays: other versions may show it)."""
    _finding(data, stage, index).pop("image", None)


def _check_key(key: str, what: str) -> None:
    if not re.match(KEY_PATTERN, key) or len(key) > 80:
        raise EditRefused(
            f"'{key}' cannot be a {what} key: use lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit."
        )


def add_stage(data: dict, key: str, title: str) -> None:
    key = key.strip()
    _check_key(key, "stage")
    stages = data.get("stages")
    if not isinstance(stages, dict):
        stages = data["stages"] = {}
    if key in stages:
        raise EditRefused(f"There is already a stage '{key}'.")
    stages[key] = {
        "title": title.strip() or key,
        "narrative": "",
        "decision": {"prompt": NEXT_PROMPT, "options": []},
    }
    if not data.get("start"):
        data["start"] = key


def delete_stage(data: dict, key: str) -> None:
    _stage(data, key)
    del data["stages"][key]


def _retarget(next_: object, old: str, new: str) -> object:
    if next_ == old:
        return new
    if isinstance(next_, list):
        for route in next_:
            if isinstance(route, dict) and route.get("stage") == old:
                route["stage"] = new
    return next_


def rename_stage(data: dict, old: str, new: str) -> None:
    """Give a stage a new key, and point the start and every ``next`` at it."""
    _stage(data, old)
    _check_key(new, "stage")
    if new in data["stages"]:
        raise EditRefused(f"There is already a stage '{new}'.")
    data["stages"] = {(new if k == old else k): v for k, v in data["stages"].items()}
    if data.get("start") == old:
        data["start"] = new
    for stage in stages_of(data).values():
        decision = stage.get("decision")
        if not isinstance(decision, dict):
            continue
        if "next" in decision:
            decision["next"] = _retarget(decision["next"], old, new)
        for option in decision.get("options") or []:
            if isinstance(option, dict) and "next" in option:
                option["next"] = _retarget(option["next"], old, new)


def set_stage(data: dict, key: str, form: Mapping[str, str]) -> str:
    """Apply the stage form; returns the stage's key (new if it was renamed)."""
    new_key = form.get("key", key).strip() or key
    if new_key != key:
        rename_stage(data, key, new_key)
        key = new_key
    stage = _stage(data, key)
    stage["title"] = form.get("title", "").strip()
    stage["narrative"] = form.get("narrative", "").rstrip()
    outcome = form.get("outcome", "")
    decision = stage.get("decision")
    if outcome:
        stage["outcome"] = outcome
        asks = isinstance(decision, dict) and (
            decision.get("options")
            or str(form.get("prompt", decision.get("prompt", ""))).strip() not in ("", NEXT_PROMPT)
        )
        if not asks:
            stage.pop("decision", None)  # an ending stage asks nothing
            return key
    else:
        stage.pop("outcome", None)
    decision = stage.get("decision")
    if not isinstance(decision, dict):
        decision = {"prompt": "", "options": []}
    # Rebuilt so the fields keep the guide's order whichever was set first.
    rebuilt = {"prompt": form.get("prompt", decision.get("prompt", "")).strip()}
    kind = form.get("type", decision.get("type", "one"))
    if kind != "one":
        rebuilt["type"] = kind
    rebuilt["options"] = decision.get("options", [])
    nxt = form.get("next", "")
    if nxt == ROUTES:
        nxt = decision.get("next", "")
    _put(rebuilt, "next", nxt)
    for name in ("min", "max"):
        _put(rebuilt, name, _number(form.get(name, "")))
    stage.pop("decision", None)
    stage["decision"] = rebuilt
    if "outcome" in stage:  # keep the outcome last, as authors write it
        stage["outcome"] = stage.pop("outcome")
    return key


def add_option(data: dict, stage: str) -> int:
    options = _options(_stage(data, stage))
    keys = {o.get("key") for o in options if isinstance(o, dict)}
    n = len(options) + 1
    while f"option-{n}" in keys:
        n += 1
    options.append({"key": f"option-{n}", "label": "", "feedback": "", "citations": []})
    return len(options) - 1


def _option(data: dict, stage: str, index: int) -> dict:
    options = _options(_stage(data, stage))
    if not 0 <= index < len(options) or not isinstance(options[index], dict):
        raise EditRefused(f"Stage '{stage}' has no option {index + 1}.")
    return options[index]


def set_option(
    data: dict, stage: str, index: int, form: Mapping[str, str], lists: Mapping[str, list[str]]
) -> None:
    option = _option(data, stage, index)
    routes = option.get("next") if isinstance(option.get("next"), list) else None
    rebuilt: dict = {"key": form.get("key", "").strip(), "label": form.get("label", "").strip()}
    _put(rebuilt, "actions", [a for a in lists.get("actions", []) if a])
    _put(rebuilt, "expect", form.get("expect", "").strip())
    nxt = form.get("next", "")
    _put(rebuilt, "next", routes if nxt == ROUTES and routes else (nxt if nxt != ROUTES else ""))
    rebuilt["feedback"] = form.get("feedback", "").rstrip()
    rebuilt["citations"] = [c for c in lists.get("citations", []) if c]
    _options(_stage(data, stage))[index] = rebuilt


def delete_option(data: dict, stage: str, index: int) -> None:
    _option(data, stage, index)
    del data["stages"][stage]["decision"]["options"][index]


# --- where a problem is in the editor -------------------------------------------


def anchor(field: str) -> str:
    """The id of the editor field a validator problem's field path points at."""
    parts = re.findall(r"[^.\[\]]+", field)
    if not parts:
        return "case-yaml"
    head = parts[0]
    if head in DETAIL_FIELDS or head == "algorithm_version":
        return f"case-{head}" if head in DETAIL_FIELDS[:5] else "case-yaml"
    if head == "patient":
        if len(parts) > 1 and parts[1] in PATIENT_FIELDS:
            return f"patient-{parts[1]}"
        return "patient-findings" if len(parts) > 1 and parts[1] == "findings" else "patient"
    if head != "stages" or len(parts) < 2:
        return "case-yaml"
    key, rest = parts[1], parts[2:]
    if not rest:
        return f"stage-{key}"
    if rest[0] in STAGE_FIELDS:
        return f"stage-{key}-{rest[0]}"
    if rest[0] == "findings":
        return f"stage-{key}-findings"
    if rest[0] != "decision" or len(rest) == 1:
        return f"stage-{key}"
    if rest[1] == "options" and len(rest) > 2 and rest[2].isdigit():
        base = f"option-{key}-{rest[2]}"
        return f"{base}-{rest[3]}" if len(rest) > 3 and rest[3] in OPTION_FIELDS else base
    return f"stage-{key}-{rest[1]}" if rest[1] in DECISION_FIELDS else f"stage-{key}"


def stage_of(field: str) -> str | None:
    """The stage a problem belongs to, if any, so the editor can list it there too."""
    found = re.match(r"stages\.([^.\[\]]+)", field)
    return found.group(1) if found else None
