"""A picture of a case: its stages as boxes, its choices as arrows.

Read from the author's working data, not the validated document, because the
picture matters most while a draft is still broken: it marks stages that
cannot be reached from the start and dead ends (stages from which no path
reaches an outcome). grandalf lays the graph out in layers (the Sugiyama
method, as Graphviz's ``dot`` does) in pure Python; the template draws it as
SVG with one link per stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from grandalf.graphs import Edge as GEdge
from grandalf.graphs import Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from cases.checks import reach

NODE_W = 190
NODE_H = 58
X_SPACE = 30
Y_SPACE = 46
MARGIN = 16
TITLE_CHARS = 24


def targets_of(next_: object) -> list[str]:
    """Stage keys a ``next`` names: a key, or the stage of each route."""
    if isinstance(next_, str):
        return [next_]
    if isinstance(next_, list):
        return [
            r["stage"] for r in next_ if isinstance(r, dict) and isinstance(r.get("stage"), str)
        ]
    return []


def stages_of(data: object) -> dict[str, dict]:
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, dict):
        return {}
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in stages.items()}


def option_targets(stage: dict) -> list[tuple[str, list[str]]]:
    """(label, the stage keys it may lead to, missing ones included) for each
    option of a stage's decision; a decision without options yet leads on by
    its own ``next``, under the label ""."""
    decision = stage.get("decision")
    if not isinstance(decision, dict):
        return []
    options = decision.get("options")
    found = []
    for option in options if isinstance(options, list) else []:
        option = option if isinstance(option, dict) else {}
        own = option.get("next")
        label = str(option.get("label") or option.get("key") or "")
        found.append((label, targets_of(own if own is not None else decision.get("next"))))
    if not options:
        found.append(("", targets_of(decision.get("next"))))
    return found


def raw_edges(data: object) -> dict[str, list[str]]:
    """Every stage key each stage's options may lead to (including missing ones), in order."""
    return {
        key: list(dict.fromkeys(t for _, targets in option_targets(stage) for t in targets))
        for key, stage in stages_of(data).items()
    }


@dataclass(frozen=True)
class StageRoutes:
    key: str
    title: str
    options: list[tuple[str, list[str]]]  # (option label, stages it may lead to)


def where_options_lead(data: object) -> list[StageRoutes]:
    """Each stage that asks a decision, in play order, with where each option
    leads: the edges of the graph, by option, for the table under it."""
    stages = stages_of(data)
    found = []
    for key in play_order(data):
        if targets := option_targets(stages[key]):
            found.append(StageRoutes(key, str(stages[key].get("title") or key), targets))
    return found


def play_order(data: object) -> list[str]:
    """The stage keys as a learner meets them: breadth first from the start,
    then any stage no path reaches, in the order written."""
    stages = stages_of(data)
    edges = raw_edges(data)
    start = data.get("start") if isinstance(data, dict) else None
    order: list[str] = [start] if start in stages else []
    for key in order:  # grows as it goes: a breadth-first walk
        order += [t for t in edges.get(key, ()) if t in stages and t not in order]
    return order + [key for key in stages if key not in order]


@dataclass(frozen=True)
class Node:
    key: str
    title: str
    x: float  # top left
    y: float
    start: bool
    outcome: str
    unreachable: bool
    dead_end: bool
    width: int = NODE_W
    height: int = NODE_H

    @property
    def short_title(self) -> str:
        return self.title if len(self.title) <= TITLE_CHARS else self.title[: TITLE_CHARS - 1] + "…"

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def title_y(self) -> float:
        return self.y + 24

    @property
    def note_y(self) -> float:
        return self.y + 44

    @property
    def css(self) -> str:
        classes = ["graph__node"]
        if self.start:
            classes.append("graph__node--start")
        if self.outcome:
            classes.append(f"graph__node--end graph__node--{self.outcome}")
        if self.unreachable:
            classes.append("graph__node--unreachable")
        if self.dead_end:
            classes.append("graph__node--dead-end")
        return " ".join(classes)

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.start:
            notes.append("start")
        if self.outcome:
            notes.append(f"outcome: {self.outcome}")
        if self.unreachable:
            notes.append("cannot be reached from the start")
        if self.dead_end:
            notes.append("dead end: no path reaches an outcome")
        return notes


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    points: tuple[tuple[float, float], ...]
    loop: bool = False  # an option that leads back to its own stage

    @property
    def d(self) -> str:
        if self.loop:
            (x, y), _ = self.points
            return f"M {x:.0f} {y:.0f} c 40 -30 40 30 0 20"
        head, *rest = self.points
        return f"M {head[0]:.0f} {head[1]:.0f} " + " ".join(f"L {x:.0f} {y:.0f}" for x, y in rest)


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    width: int
    height: int
    missing: tuple[tuple[str, str], ...]  # (stage, target) where target does not exist

    @property
    def unreachable(self) -> list[Node]:
        return [n for n in self.nodes if n.unreachable]

    @property
    def dead_ends(self) -> list[Node]:
        return [n for n in self.nodes if n.dead_end]


class _Box:
    def __init__(self) -> None:
        self.w, self.h = NODE_W, NODE_H
        self.xy: tuple[float, float] = (0.0, 0.0)


class _Line:
    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = points


def diagram(data: object) -> Diagram:
    """Lay out the stage graph of a case's (possibly invalid) working data."""
    stages = stages_of(data)
    start = data.get("start") if isinstance(data, dict) else None
    edges = raw_edges(data)
    missing = tuple((s, t) for s, targets in edges.items() for t in targets if t not in stages)
    edges = {s: [t for t in targets if t in stages] for s, targets in edges.items()}
    reachable = reach([start], edges) if start in stages else set()
    ends = [k for k, stage in stages.items() if stage.get("outcome")]
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_end = reach(ends, reverse)

    vertices = {key: Vertex(key) for key in stages}
    for vertex in vertices.values():
        vertex.view = _Box()
    lines = []
    for source, targets in edges.items():
        for target in targets:
            if source != target:
                line = GEdge(vertices[source], vertices[target])
                line.view = _Line()
                lines.append(line)
    graph = Graph(list(vertices.values()), lines)

    # Each connected part is laid out on its own, side by side; the start's part first.
    offset_x = float(MARGIN)
    height = 0.0
    parts = sorted(graph.C, key=lambda part: start not in {v.data for v in part.sV})
    for part in parts:
        layout = SugiyamaLayout(part)
        layout.xspace, layout.yspace = X_SPACE, Y_SPACE
        roots = [vertices[start]] if start in vertices and vertices[start] in part.sV else None
        layout.init_all(roots=roots)
        layout.draw()
        # Long arrows bend through points of their own: the part's box holds them too.
        bends = [p for line in part.sE for p in line.view.points]
        xs = [v.view.xy[0] for v in part.sV] + [x for x, _ in bends]
        ys = [v.view.xy[1] for v in part.sV] + [y for _, y in bends]
        dx = offset_x - min(xs) + NODE_W / 2
        dy = MARGIN - min(ys) + NODE_H / 2
        for vertex in part.sV:
            x, y = vertex.view.xy
            vertex.view.xy = (x + dx, y + dy)
        for line in part.sE:
            line.view.points = [(x + dx, y + dy) for x, y in line.view.points]
        offset_x += max(xs) - min(xs) + NODE_W + X_SPACE * 2
        height = max(height, max(ys) - min(ys) + NODE_H)

    nodes = tuple(
        Node(
            key=key,
            title=str(stage.get("title") or key),
            x=vertices[key].view.xy[0] - NODE_W / 2,
            y=vertices[key].view.xy[1] - NODE_H / 2,
            start=key == start,
            outcome=str(stage.get("outcome") or ""),
            unreachable=key not in reachable,
            dead_end=key not in can_end,
        )
        for key, stage in stages.items()
    )
    arrows = [_arrow(line) for line in lines]
    arrows += [
        Arrow(key, key, (_bottom(vertices[key]), _bottom(vertices[key])), loop=True)
        for key, targets in edges.items()
        if key in targets
    ]
    return Diagram(
        nodes=nodes,
        arrows=tuple(arrows),
        width=int(offset_x - X_SPACE * 2 + MARGIN) if stages else 2 * MARGIN,
        height=int(height + 2 * MARGIN),
        missing=missing,
    )


def _bottom(vertex: Vertex) -> tuple[float, float]:
    x, y = vertex.view.xy
    return (x + NODE_W / 2 - 12, y + NODE_H / 2 - 6)


def _arrow(line: GEdge) -> Arrow:
    source, target = line.v
    points = list(line.view.points) or [source.view.xy, target.view.xy]
    # From the edge of the source box to the edge of the target box.
    (x0, y0), (x1, y1) = points[0], points[-1]
    after, before = (
        points[1] if len(points) > 1 else (x1, y1),
        points[-2] if len(points) > 1 else (x0, y0),
    )
    points[0] = (x0, y0 + (NODE_H / 2 if after[1] >= y0 else -NODE_H / 2))
    points[-1] = (x1, y1 - (NODE_H / 2 + 4 if before[1] <= y1 else -NODE_H / 2 - 4))
    return Arrow(source.data, target.data, tuple(points))
