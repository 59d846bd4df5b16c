"""YAML that remembers where each value came from.

Authors fix problems by line, so every problem the validator reports points
at the line of the field at fault. PyYAML's composer keeps a mark on every
node; we build plain Python data from the nodes and a map from each field's
path (``("stages", "intro", "decision")``) to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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


MAX_NODES = 100_000  # aliases can make a tiny file expand exponentially ("billion laughs")


def load(text: str) -> Located:
    """Parse one YAML document. Raises YamlProblem with a line on bad YAML."""
    try:
        loader = yaml.SafeLoader(text)  # its reader rejects control characters here
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
            node.start_mark.line + 1, f"more than {MAX_NODES} values; is an alias repeated?"
        )
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:  # "<<: *base" or "<<: [*a, *b]"
                items = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                merges += items
                continue
            key = _key(loader, key_node)
            if key in result:
                raise YamlProblem(key_node.start_mark.line + 1, f"'{key}' appears twice")
            result[key] = _build(loader, value_node, (*path, key), lines, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1
        # Merged keys come first; the first merged mapping that has a key wins and
        # a key written in this mapping itself overrides them all (YAML's merge rules).
        merged: dict[object, object] = {}
        for item in merges:
            if not isinstance(item, yaml.MappingNode):
                raise YamlProblem(
                    item.start_mark.line + 1, "'<<' merges a mapping or a list of them"
                )
            item_lines: dict[Path, int] = {}
            data = _build(loader, item, path, item_lines, budget)
            for key, value in data.items():  # type: ignore[union-attr]
                if key not in result and key not in merged:
                    merged[key] = value
                    lines.update(
                        (p, n) for p, n in item_lines.items() if p[: len(path) + 1] == (*path, key)
                    )
        return {**merged, **result}
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), lines, budget) for i, item in enumerate(node.value)
        ]
    return _construct(loader, node)


MERGE_TAG = "tag:yaml.org,2002:merge"


def _key(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    if node.tag == "tag:yaml.org,2002:value":  # a bare "=" key
        return str(node.value)
    key = _construct(loader, node)
    if not isinstance(key, str | int | float | bool):
        raise YamlProblem(node.start_mark.line + 1, "a key must be plain text")
    return str(key)


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, YamlProblem, RecursionError):
        raise
    except Exception as error:  # "2020-13-45" read as a date, "!!int abc", ...
        raise YamlProblem(node.start_mark.line + 1, f"not valid YAML: {error}") from None


class _Dumper(yaml.SafeDumper):
    """Writes Markdown and other multi-line text as readable ``|`` blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
