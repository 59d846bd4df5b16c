"""Algorithm variants: an algorithm that ``extends`` a version of another.

A variant names its base (``extends: {algorithm: SLUG, version: N}``) and
writes only what differs: its own slug and title, a ``topic``, ``summary`` or
``citations`` that replace the base's, findings, actions, steps and harms to
add, and under ``override`` the base's steps, harms, actions and findings it
changes in place. ``resolve`` merges the two into the raw data of one plain
algorithm, which is then validated and stored like any other: what is stored
is frozen fully resolved, so the engine and the rubric never merge anything.

Pure Python. Problems are ``(path, message)`` pairs into the variant's own
data, so the validator can give each its line; ``Resolved.origin`` maps a
path of the merged document back to the variant's, for the checks run on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.schema import Algorithm
from cases.yamlmap import Path

Found = tuple[Path, str]

# Given by the variant, these replace the base's; left out, the base's are kept.
REPLACED = ("topic", "summary", "citations")
MAPPINGS = ("findings", "actions")  # key -> entry
LISTS = ("steps", "harms")  # entries named by their ``key``
# Everything of the base a variant keeps unless it says otherwise; the rest
# (document, slug, title, extends) is the variant's own.
KEPT = (*REPLACED, *MAPPINGS, *LISTS)
NOUN = {"findings": "finding", "actions": "action", "steps": "step", "harms": "harm"}
ADD_SHAPE = {
    "findings": "list the findings to add as 'key: what it means' lines",
    "actions": "list the actions to add as action keys, each with its 'label'",
    "steps": "list the steps to add, each starting with '- key:'",
    "harms": "list the harms to add, each starting with '- key:'",
}


@dataclass
class Resolved:
    """A variant merged onto its base: ``data`` when it merged, else ``problems``."""

    base: str  # "slug vN", as messages name the base
    data: dict | None = None
    problems: list[Found] = field(default_factory=list)
    # An entry of the merged document (("steps", 4), ("actions", "lab.crp")) that
    # the variant added or overrode -> its path in the variant, and the fields the
    # variant gave (None: the whole entry is the variant's).
    entries: dict[Path, tuple[Path, frozenset[str] | None]] = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # the variant's own top-level fields

    def origin(self, path: Path) -> Path | None:
        """Where ``path`` of the merged document comes from in the variant, or None
        when it is the base's, unchanged."""
        path = tuple(path)
        if not path or path[0] not in KEPT:
            return path  # the variant's own fields, and any it misspelt
        if len(path) == 1 or path[0] in REPLACED:
            return path if path[0] in self.given else None
        entry = self.entries.get(path[:2])
        if entry is None:
            return None
        where, fields = entry
        rest = path[2:]
        if fields is None or not rest or rest[0] in fields:
            return (*where, *rest)
        return None


def base_name(slug: str, version: int) -> str:
    return f"{slug} v{version}"


def resolve(variant: dict, base: Algorithm, version: int) -> Resolved:
    """The raw data of ``variant`` applied to ``base`` (already resolved, stored
    or to be stored as ``version``), with ``extends`` set to that version."""
    name = base_name(base.slug, version)
    resolved = Resolved(base=name, given=frozenset(variant))
    kept = base.model_dump(mode="json", exclude_defaults=True)
    merged: dict = {key: value for key, value in variant.items() if key not in KEPT}
    merged.pop("override", None)
    merged["extends"] = {"algorithm": base.slug, "version": version}
    for key in REPLACED:
        merged[key] = variant[key] if key in variant else kept.get(key)
        if merged[key] is None:
            del merged[key]  # neither gives it: the schema says what is missing
    for key in (*MAPPINGS, *LISTS):
        merged[key] = kept.get(key, [] if key in LISTS else {})

    # Overrides first, so that each names an entry of the base, not one added here.
    if "override" in variant:
        _override(variant["override"], merged, variant, resolved)
    for key in MAPPINGS:
        if key in variant:
            _add_to_mapping(key, variant[key], merged, resolved)
    for key in LISTS:
        if key in variant:
            _add_to_list(key, variant[key], merged, resolved)

    if not resolved.problems:
        resolved.data = merged
    return resolved


def _already(key: str, resolved: Resolved) -> str:
    return f"'{key}' is already in {resolved.base}; to change it, put it under override"


def _add_to_mapping(name: str, added: object, merged: dict, resolved: Resolved) -> None:
    if not isinstance(added, dict):
        resolved.problems.append(((name,), ADD_SHAPE[name]))
        return
    for key, value in added.items():
        if key in merged[name]:
            resolved.problems.append(((name, key), _already(key, resolved)))
            continue
        merged[name][key] = value
        resolved.entries[(name, key)] = ((name, key), None)


def _add_to_list(name: str, added: object, merged: dict, resolved: Resolved) -> None:
    if not isinstance(added, list):
        resolved.problems.append(((name,), ADD_SHAPE[name]))
        return
    existing = {entry["key"] for entry in merged[name]}
    for i, entry in enumerate(added):
        key = entry.get("key") if isinstance(entry, dict) else None
        if isinstance(key, str) and key in existing:
            resolved.problems.append(((name, i, "key"), _already(key, resolved)))
            continue
        # Anything else wrong with the entry the schema and checks report, here.
        resolved.entries[(name, len(merged[name]))] = ((name, i), None)
        merged[name].append(entry)


def _override(override: object, merged: dict, variant: dict, resolved: Resolved) -> None:
    if not isinstance(override, dict):
        resolved.problems.append(
            (("override",), "list what to change under 'steps', 'harms', 'actions' or 'findings'")
        )
        return
    for name, changes in override.items():
        if name in LISTS:
            _override_list(name, changes, merged, variant, resolved)
        elif name in MAPPINGS:
            _override_mapping(name, changes, merged, variant, resolved)
        else:
            message = "only steps, harms, actions and findings can be overridden"
            if name in REPLACED:
                message += f"; give '{name}' at the top level to replace the base's"
            resolved.problems.append((("override", name), message))


def _not_in_base(name: str, key: str, variant: dict, resolved: Resolved) -> str:
    message = f"no {NOUN[name]} '{key}' in {resolved.base} to override"
    added = variant.get(name)
    if (isinstance(added, dict) and key in added) or (
        isinstance(added, list) and any(isinstance(e, dict) and e.get("key") == key for e in added)
    ):
        message += f"; it is added by this file: change it under '{name}'"
    return message


def _override_list(
    name: str, changes: object, merged: dict, variant: dict, resolved: Resolved
) -> None:
    noun = NOUN[name]
    where: Path = ("override", name)
    if not isinstance(changes, list):
        resolved.problems.append(
            (where, f"list the {name} to change, each starting with '- key:' naming a {noun}")
        )
        return
    index = {entry["key"]: i for i, entry in enumerate(merged[name])}
    seen: set[str] = set()
    for i, change in enumerate(changes):
        if not isinstance(change, dict) or not isinstance(change.get("key"), str):
            message = f"start with 'key:', naming the {noun} of {resolved.base} to change"
            resolved.problems.append(((*where, i), message))
            continue
        key = change["key"]
        if key not in index:
            resolved.problems.append(
                ((*where, i, "key"), _not_in_base(name, key, variant, resolved))
            )
            continue
        if key in seen:
            resolved.problems.append(((*where, i, "key"), f"{noun} '{key}' is overridden twice"))
            continue
        seen.add(key)
        fields = {f: v for f, v in change.items() if f != "key"}
        if not fields:
            message = f"this names the {noun} but changes nothing: add the fields that change"
            resolved.problems.append(((*where, i), message))
            continue
        merged[name][index[key]] = _replace_fields(merged[name][index[key]], fields)
        resolved.entries[(name, index[key])] = ((*where, i), frozenset(fields))


def _override_mapping(
    name: str, changes: object, merged: dict, variant: dict, resolved: Resolved
) -> None:
    where: Path = ("override", name)
    if not isinstance(changes, dict):
        example = "'key: what it means'" if name == "findings" else "action keys with the fields"
        resolved.problems.append((where, f"list the {name} to change as {example}"))
        return
    for key, change in changes.items():
        if key not in merged[name]:
            message = _not_in_base(name, key, variant, resolved)
            resolved.problems.append(((*where, key), message))
            continue
        if name == "actions" and isinstance(change, dict):
            merged[name][key] = _replace_fields(merged[name][key], change)
            resolved.entries[(name, key)] = ((*where, key), frozenset(change))
        else:  # a finding's meaning, or something the schema will reject where it is
            merged[name][key] = change
            resolved.entries[(name, key)] = ((*where, key), None)


def _replace_fields(entry: dict, fields: dict) -> dict:
    """``entry`` with ``fields`` replacing its own; a field given as null (``~``)
    is removed, so it takes its default again."""
    result = dict(entry)
    for name, value in fields.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result
