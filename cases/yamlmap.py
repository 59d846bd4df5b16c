"""YAML that remembers where each value came from.

Authors fix problems by line, so every problem the validator reports points
at the line of the field at fault. PyYAML's composer keeps a mark on every
node; we build plain Python data from the nodes and a map from each field's
path (``("stages", "intro", "decision")``) to its line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import yaml

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    def __init__(self, line: int, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.path = path


class YamlRefused(YamlProblem):
    """YAML that parses but that no document may hold, whatever else it says:
    anchors and aliases, numbers that are not finite, lone surrogates. The
    browser refuses to store it at all, where it keeps other broken YAML as typed."""


@dataclass
class Located:
    data: object
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that exists."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


# A case holds a few thousand values; far more means a runaway list that would take
# memory out of all proportion to the file.
MAX_NODES = 100_000
ALIASES_REFUSED = "anchors and aliases (&name, *name) are not allowed; write each value out in full"
# PyYAML reads the escape "\ud800" as half a UTF-16 pair, which no text can store.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """Refuses anchors and aliases. Authors do not need them, and each alias is a
    full copy once loaded: a small file repeating one long value becomes a huge document."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if event.anchor is not None:  # "&name" on a value, or "*name" in place of one
            raise YamlRefused(event.start_mark.line + 1, ALIASES_REFUSED)
        return super().compose_node(parent, index)


def load(text: str) -> Located:
    """Parse one YAML document. Raises YamlProblem with a line on bad YAML, and its
    subclass YamlRefused on YAML no document may hold."""
    try:
        loader = _Loader(text)  # its reader rejects control characters here
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise YamlProblem(
            line, f"character U+{error.character:04X} is not allowed in YAML"
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlProblem(1, "the file is empty")
        located = Located(data=None)
        located.data = _build(loader, node, (), located.lines, [MAX_NODES])
        return located
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        message = f"not valid YAML: {error.problem or error}"
        start = error.context_mark
        if error.context and start and start.line + 1 != line:  # e.g. an unclosed bracket
            message += f" ({error.context} on line {start.line + 1})"
        raise YamlProblem(line, message) from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"not valid YAML: {error}") from None
    except RecursionError:
        raise YamlProblem(1, "the YAML nests too deeply") from None
    finally:
        loader.dispose()


def _build(
    loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int], budget: list[int]
) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(
            node.start_mark.line + 1, f"more than {MAX_NODES} values; a case has a few thousand"
        )
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _key(loader, key_node, path)
            if key in result:
                raise YamlProblem(key_node.start_mark.line + 1, f"'{key}' appears twice")
            result[key] = _build(loader, value_node, (*path, key), lines, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), lines, budget) for i, item in enumerate(node.value)
        ]
    return _scalar(loader, node, path)


MERGE_TAG = "tag:yaml.org,2002:merge"


def _key(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> str:
    line = node.start_mark.line + 1
    if node.tag == MERGE_TAG:  # "<<" merges what an alias names, and aliases are refused
        raise YamlProblem(line, "'<<' (merge) is not allowed; write the fields out", path)
    if node.tag == "tag:yaml.org,2002:value":  # a bare "=" key
        return str(node.value)
    key = _scalar(loader, node, path)
    if not isinstance(key, str | int | float | bool):
        raise YamlProblem(line, "a key must be plain text", path)
    return str(key)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> object:
    """A value as PyYAML constructs it, refused where JSON or the database cannot hold it."""
    line = node.start_mark.line + 1
    value = _construct(loader, node)
    if isinstance(value, float) and not math.isfinite(value):  # .nan, .inf, 1.0e+999
        raise YamlRefused(line, f"'{node.value}' is not a finite number", path)
    if isinstance(value, str) and (half := _SURROGATE.search(value)):
        raise YamlRefused(
            line,
            f"\\u{ord(half.group()):04x} is half of a UTF-16 surrogate pair, not a character; "
            "write the character itself",
            path,
        )
    return value


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, YamlProblem, RecursionError):
        raise
    except Exception as error:  # "2020-13-45" read as a date, "!!int abc", ...
        raise YamlProblem(node.start_mark.line + 1, f"not valid YAML: {error}") from None


class _Dumper(yaml.SafeDumper):
    """Writes Markdown and other multi-line text as readable ``|`` blocks, and a
    value met twice out in full each time, since ``load`` refuses aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
