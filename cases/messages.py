"""What an author reads for each error the schema reports: what to write, in
words, never pydantic's ("list should have at least 2 items after validation").

``cases.validate`` places each message at its file, line and field.
"""

from __future__ import annotations

import re

from cases.schema import ACTION_PATTERN, KEY_PATTERN, Fact
from cases.yamlmap import Path

# Errors that say a value has the wrong shape altogether (a union of shapes,
# such as a stage key or a list of routes, fails once per shape it is not).
WRONG_SHAPE = {"string_type", "list_type", "dict_type", "model_type", "int_type"}


def plural(n: int, noun: str) -> str:
    """The count with its noun: 1 library, 2 libraries, 0 cases."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


PATTERN_HINTS = {
    "pmid": "a PMID is digits only, e.g. 37779323",
    "doi": "a DOI looks like 10.1002/dmrr.3687",
    "file": (
        "the name the editor gives an attached image (its SHA-256, width x height and "
        "type, e.g. 9f86…-800x600.png): attach images in the editor"
    ),
}
KEY_HINT = "use lower-case letters, digits, '-' and '_', starting with a letter or digit"
ACTION_HINT = "an action key is a category and a name joined by a dot, e.g. imaging.radiograph"
FACT_PATTERN = next(m.pattern for m in Fact.__metadata__ if getattr(m, "pattern", None))


def schema_message(path: Path, item: dict) -> str:
    """What an author reads for one of the schema's errors: what to write here, in
    words, naming what the field holds where that helps. Never pydantic's wording."""
    kind = item["type"]
    ctx = item.get("ctx") or {}
    value = item.get("input")
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if name == "weight" and path[-1] == "weight":  # a named weight or a number
        return WEIGHT_HINT
    if name == "next" and kind in WRONG_SHAPE:  # a stage key or a list of routes
        return NEXT_HINT if path[-1] == "next" else ROUTE_HINT
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "is not a field here; check its spelling and indentation"
    if kind == "string_pattern_mismatch":
        if name in PATTERN_HINTS:
            return PATTERN_HINTS[name]
        return KEY_PATTERN_HINTS.get(ctx.get("pattern", ""), KEY_HINT)
    # Text whose length is checked after another rule (Text) fails as a "too_short" value.
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return "must not be empty"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return f"is too long: at most {ctx['max_length']} characters are allowed"
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        return _text_needed(value)
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"):
        return _list_needed(path, name)
    if kind in ("dict_type", "mapping_type"):
        return DICT_HINTS.get(name, "a mapping is needed here, each key on its own line")
    if kind in ("model_type", "model_attributes_type", "dataclass_type"):
        return MODEL_HINTS.get(name, "a mapping of fields is needed here")
    if kind in ("int_type", "int_parsing"):
        return "a whole number is needed here"
    if kind == "int_from_float":
        return f"a whole number is needed here, not {value}"
    if kind == "int_parsing_size":
        return "this number is too large"
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return "a number is needed here"
    if kind == "finite_number":
        return "must be a finite number, not .inf or .nan"
    if kind in BOUNDS:
        word, bound = BOUNDS[kind]
        return f"must be {word} {_number(ctx[bound])}"
    if kind == "multiple_of":
        return f"must be a multiple of {_number(ctx['multiple_of'])}"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", "")))
        return f"one of: {', '.join(choices)}" if choices else _plain(item["msg"])
    if kind == "too_short":
        return _too_short(path, name, ctx["min_length"])
    if kind == "too_long":  # stages, options or findings
        return f"at most {plural(ctx['max_length'], _singular(name))} are allowed"
    if kind.startswith("url_"):
        return "a web address is needed here, e.g. https://www.example.org/"
    if kind.startswith(("date", "datetime", "time")):
        return "a date is needed here, e.g. 2024-05-31"
    if kind == "none_required":
        return "must be left empty"
    return _plain(item["msg"])


WEIGHT_HINT = (
    "a weight is critical, essential, recommended or optional, or a number of points "
    "more than 0 and at most 100"
)
NEXT_HINT = (
    "give the key of the next stage, or a list of routes, each with a 'stage' "
    "and all but the last with a 'when'"
)
ROUTE_HINT = "a route is a mapping with a 'stage', and a 'when' on all but the last route"
KEY_PATTERN_HINTS = {
    KEY_PATTERN: KEY_HINT,
    ACTION_PATTERN: ACTION_HINT,
    FACT_PATTERN: "a finding key or an action key, e.g. fever or imaging.radiograph",
}
# What a list holds, by its field: an example to copy.
LIST_EXAMPLES = {
    "actions": "[imaging.radiograph]",
    "alternatives": "[imaging.radiograph]",
    "low_value": "[imaging.radiograph]",
    "before": "[imaging.radiograph]",
    "done": "[imaging.radiograph]",
    "unless_after": "[imaging.radiograph]",
    "all": "[fever]",
    "any": "[fever]",
    "none": "[fever]",
    "citations": "[smith2020]",
    "unconfirmed": "[pmid, doi]",
}
ITEM_LISTS = {"options", "steps", "harms", "references", "findings"}
DICT_HINTS = {
    "findings": "a mapping of finding keys to what they mean is needed here, "
    "e.g. fever: Temperature above 38 °C",
    "actions": "a mapping of action keys to their fields is needed here, each key on its "
    "own line, e.g. imaging.radiograph:",
    "stages": "a mapping of stage keys to their fields is needed here, each key on its "
    "own line, e.g. intro:",
}
MODEL_HINTS = {
    "when": "a condition is needed here, e.g. {all: [fever], none: [imaging.radiograph]}",
    "extends": "name the algorithm this one builds on as 'algorithm: SLUG' (and 'version: N')",
    "image": "an image is a mapping: file, alt (what it shows) and caption",
}
BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
# The nouns of the fields whose length is bounded: too_short and too_long name them.
NOUNS = {
    "options": "option",
    "stages": "stage",
    "steps": "step",
    "harms": "harm",
    "references": "reference",
    "findings": "finding",
    "actions": "action",
    "citations": "citation",
}
TOO_SHORT = {
    "options": "give this decision at least {}",
    "stages": "give the case at least {}",
    "steps": "give the algorithm at least {}",
    "references": "list at least {}",
}


def _too_short(path: Path, name: str, least: int) -> str:
    count = plural(least, _singular(name))
    if name in TOO_SHORT:
        return TOO_SHORT[name].format(count)
    if len(path) == 1 and name in ("findings", "actions"):  # an algorithm's vocabulary
        return f"declare at least {count}"
    if name in NOUNS:
        return f"name at least {count}"
    return f"give at least {count} here"


def _singular(name: str) -> str:
    return NOUNS.get(name, "item")


def _text_needed(value: object) -> str:
    if value is None:
        return "must not be empty"
    if isinstance(value, bool):
        written = "true" if value else "false"
        return (
            f"text is needed here, not {written}; to mean the word, put it in quotes: '{written}'"
        )
    if isinstance(value, int | float):
        return f"text is needed here, not a number; to mean it as text, put it in quotes: '{value}'"
    if isinstance(value, list):
        return "one piece of text is needed here, not a list"
    if isinstance(value, dict):
        return "one piece of text is needed here, not a mapping of fields; check the indentation"
    return "text is needed here"


def _list_needed(path: Path, name: str) -> str:
    if name in ITEM_LISTS:
        return "a list is needed here: start each item on a new line with '- '"
    example = LIST_EXAMPLES.get(name)
    if name == "after":  # a step's earlier steps, or a harm's facts
        example = "[radiograph]" if path[:1] == ("steps",) else "[imaging.radiograph]"
    return f"a list is needed here, e.g. {example}" if example else "a list is needed here"


def _number(bound: object) -> str:
    """A bound as an author writes it: 0, not 0.0."""
    if isinstance(bound, float) and bound.is_integer():
        return str(int(bound))
    return str(bound)


def _plain(message: str) -> str:
    """A message of pydantic's no rule above rewrites, in the author's words as far
    as a rewording can go: "must be a valid date", not "Input should be"."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    message = re.sub(r"^(Input|Value|String|List|Dictionary|Data) should\b", "must", message)
    message = message.replace(" after validation", "")
    return message[:1].lower() + message[1:]
