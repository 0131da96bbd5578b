"""Where the computation graph's boxes, edges and edge labels go: a layered drawing, in pure numbers.

The graph exists to show reuse — a node used twice gets the sum of what flows back along both uses —
so the drawing must never hide it. ``layout_graph(graph, node_sizes, label_size)`` returns a
``GraphLayout`` the app draws as it is:

* **Layers (columns, x grows to the right).** Longest-path layering: every argument sits in a column
  left of the nodes that use it. A part that does not depend on x (a constant, log 2) is pulled right,
  next to its leftmost user, instead of waiting beside x.
* **One edge per use.** Every (parent, argument position) is its own route: x^x has two edges
  x → ^ ("base" and "exponent"), sin(x)² + sin(x) has one from sin to ^2 and one from sin to +. Each
  route leaves and enters its boxes at its own port, so parallel uses stay visibly apart.
* **Long edges go around boxes.** An edge spanning several columns passes every column in between
  through its own slot (a "dummy" node of the Sugiyama method), so it never runs behind a box.
* **Few crossings.** The order within each column is improved by barycenter sweeps (each item moves
  to the mean position of its neighbours in the previous column), keeping the order with the fewest
  crossings; then vertical positions are chosen as close as possible to the neighbours' positions
  while keeping the spacing (isotonic regression, so chains come out straight).
* **Labels between columns.** An edge's label sits in a gap between two columns, above its edge
  (the lowest label of a gap below it);
  gaps are widened to hold their labels and labels in one gap are pushed apart, so a label never
  overlaps a box or another label.

Coordinates: scene units (pixels at 100 %), y grows downwards, rectangles as (left, top, width, height).
Each route is a list of segments the app draws exactly: straight ones inside a column (always
horizontal) and cubic curves across a gap with horizontal tangents, whose points all lie inside the
gap's rectangle (the control points share the end points' x range, so the curve never leaves it).

Pure Python; never Qt. The work is bounded: crossing reduction does fewer sweeps on big graphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

__all__ = ["Rect", "Use", "Segment", "Route", "GraphLayout", "graph_uses", "use_role", "layout_graph"]

NODE_GAP = 30          # vertical space between two boxes of a column
SLOT_GAP = 14          # vertical space around a long edge passing a column
PORT_SPACING = 16      # vertical distance between two ports on one side of a box
LABEL_MARGIN = 10      # horizontal space between a label and the columns beside it
LABEL_GAP = 3          # vertical space between two labels, and between a label and its edge
MIN_GAP_WIDTH = 90     # narrowest gap between two columns (room for the curves to bend)
_SWEEPS_SMALL, _SWEEPS_LARGE, _LARGE = 8, 2, 300


@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def center(self) -> tuple[float, float]:
        return self.left + self.width / 2, self.top + self.height / 2

    def intersects(self, other: "Rect") -> bool:
        """True when the interiors overlap (touching edges do not count)."""
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)

    def contains(self, x: float, y: float) -> bool:
        """True for a point strictly inside."""
        return self.left < x < self.right and self.top < y < self.bottom


@dataclass(frozen=True)
class Use:
    """Node ``child`` is argument number ``position`` of node ``parent``."""

    parent: int
    position: int
    child: int


@dataclass(frozen=True)
class Segment:
    """A piece of a route: ``points`` is (start, end) for a "line", (start, control, control, end)
    for a "curve" (a cubic Bézier)."""

    kind: str
    points: tuple[tuple[float, float], ...]

    def sample(self, count: int = 24) -> list[tuple[float, float]]:
        """``count`` + 1 points along the segment, ends included (what the app draws)."""
        if self.kind == "line":
            (x0, y0), (x1, y1) = self.points
            return [(x0 + (x1 - x0) * i / count, y0 + (y1 - y0) * i / count) for i in range(count + 1)]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        out = []
        for i in range(count + 1):
            t = i / count
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
        return out


@dataclass(frozen=True)
class Route:
    """How one use is drawn: from the child's right side to the parent's left side."""

    use: Use
    role: str | None        # "base"/"exponent" … when the parent uses the child more than once
    segments: tuple[Segment, ...]
    label: Rect             # where the label goes (its text is the app's business)
    label_anchor: tuple[float, float]   # the point of the edge the label belongs to

    @property
    def start(self) -> tuple[float, float]:
        return self.segments[0].points[0]

    @property
    def end(self) -> tuple[float, float]:
        return self.segments[-1].points[-1]


@dataclass(frozen=True)
class GraphLayout:
    """``boxes[node id]``, ``layer[node id]`` (column), ``routes`` one per use, ``bounds`` of it all."""

    boxes: dict[int, Rect]
    layer: dict[int, int]
    routes: tuple[Route, ...]
    bounds: Rect

    def routes_from(self, node_id: int) -> list[Route]:
        return [r for r in self.routes if r.use.child == node_id]


def graph_uses(graph) -> list[Use]:
    """Every (parent, argument position, child) of ``graph``, parents in topological order."""
    return [Use(node.id, position, child) for node in graph.nodes for position, child in enumerate(node.args)]


_ROLES = {"pow": ("base", "exponent"), "div": ("numerator", "denominator"), "sub": ("first", "subtracted")}


def use_role(node, position: int) -> str | None:
    """A word for argument ``position`` of ``node`` when the node uses that argument more than once
    (x^x: "base", "exponent"; x·x: "factor 1", "factor 2"), else None: one use needs no name."""
    child = node.args[position]
    if node.args.count(child) < 2:
        return None
    names = _ROLES.get(node.op)
    if names is not None and position < len(names):
        return names[position]
    return f"{'factor' if node.op == 'mul' else 'term' if node.op == 'add' else 'argument'} {position + 1}"


# ------------------------------------------------------------------------------------------ layering

def _layers(graph) -> dict[int, int]:
    nodes = graph.nodes
    layer: dict[int, int] = {}
    for node in nodes:  # topological order: arguments first
        layer[node.id] = 1 + max((layer[a] for a in node.args), default=-1)
    parents: dict[int, list[int]] = {}
    for node in nodes:
        for a in node.args:
            parents.setdefault(a, []).append(node.id)
    for node in reversed(nodes):  # users first: pull x-free parts next to their leftmost user
        if node.constant and node.id in parents:
            layer[node.id] = min(layer[p] for p in parents[node.id]) - 1
    return layer


# ---------------------------------------------------------------------------------- ordering (rows)

def _crossings(order_a: list, order_b: list, links: list[tuple]) -> int:
    pos_a = {item: i for i, item in enumerate(order_a)}
    pos_b = {item: i for i, item in enumerate(order_b)}
    pairs = sorted((pos_a[a], pos_b[b]) for a, b in links)
    count = 0
    for i in range(len(pairs)):
        for j in range(i + 1, len(pairs)):
            if pairs[i][0] < pairs[j][0] and pairs[i][1] > pairs[j][1]:
                count += 1
    return count


def _order(columns: list[list], links: list[list[tuple]]) -> list[list]:
    """Barycenter sweeps; ``links[i]``: (item in column i, item in column i + 1) pairs."""
    def total(cols):
        return sum(_crossings(cols[i], cols[i + 1], links[i]) for i in range(len(links)))

    def sweep(cols, down: bool):
        cols = [list(c) for c in cols]
        indices = range(1, len(cols)) if down else range(len(cols) - 2, -1, -1)
        for i in indices:
            ref = cols[i - 1] if down else cols[i + 1]
            pos = {item: k for k, item in enumerate(ref)}
            pairs = links[i - 1] if down else links[i]
            neighbours: dict = {}
            for a, b in pairs:
                mine, other = (b, a) if down else (a, b)
                neighbours.setdefault(mine, []).append(pos[other])
            current = {item: k for k, item in enumerate(cols[i])}

            def key(item):
                found = neighbours.get(item)
                return (sum(found) / len(found) if found else current[item], current[item])

            cols[i] = sorted(cols[i], key=key)
        return cols

    edge_count = sum(len(pairs) for pairs in links)
    sweeps = _SWEEPS_SMALL if edge_count <= _LARGE else _SWEEPS_LARGE
    best, best_count = columns, total(columns) if edge_count <= _LARGE else None
    current = columns
    for _ in range(sweeps):
        current = sweep(sweep(current, True), False)
        if best_count is None:
            best = current
            continue
        count = total(current)
        if count < best_count:
            best, best_count = current, count
        if best_count == 0:
            break
    return best


# -------------------------------------------------------------------------------- vertical placement

def _isotonic_place(desired: list[float], gaps: list[float]) -> list[float]:
    """Positions y_0 < y_1 < … with y_{k+1} − y_k >= gaps[k], as close as possible (least squares)
    to ``desired``: pool-adjacent-violators on y_k − (sum of the gaps before k)."""
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    targets = [d - o for d, o in zip(desired, offsets)]
    blocks: list[list[float]] = []  # [mean, count]
    for t in targets:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            prev = blocks[-1]
            prev[0] = (prev[0] * prev[1] + mean * count) / (prev[1] + count)
            prev[1] += count
    z = [mean for mean, count in blocks for _ in range(count)]
    return [zi + o for zi, o in zip(z, offsets)]


def _place_rows(columns: list[list], heights: dict, links: list[list[tuple]]) -> dict:
    def spacing(a, b):
        gap = NODE_GAP if (a[0] == "node" and b[0] == "node") else SLOT_GAP
        return (heights[a] + heights[b]) / 2 + gap

    y: dict = {}
    for col in columns:  # start stacked and centred
        positions = _isotonic_place([0.0] * len(col), [spacing(a, b) for a, b in zip(col, col[1:])])
        shift = (positions[0] + positions[-1]) / 2 if positions else 0.0
        for item, p in zip(col, positions):
            y[item] = p - shift
    left_of: dict = {}
    right_of: dict = {}
    for i, pairs in enumerate(links):
        for a, b in pairs:
            right_of.setdefault(a, []).append(b)
            left_of.setdefault(b, []).append(a)
    for sweep in range(6):
        order = range(len(columns)) if sweep % 2 == 0 else range(len(columns) - 1, -1, -1)
        for i in order:
            col = columns[i]
            desired = []
            for item in col:
                near = left_of.get(item, []) + right_of.get(item, [])
                desired.append(sum(y[n] for n in near) / len(near) if near else y[item])
            placed = _isotonic_place(desired, [spacing(a, b) for a, b in zip(col, col[1:])])
            for item, p in zip(col, placed):
                y[item] = p
    return y


# ------------------------------------------------------------------------------------------- layout

def layout_graph(graph, node_sizes: Mapping[int, tuple[float, float]] | tuple[float, float],
                 label_size: Mapping[Use, tuple[float, float]] | tuple[float, float]) -> GraphLayout:
    """Lay ``graph`` (core.formula.graph.Graph) out. ``node_sizes``: (width, height) of every box, or
    one size for all; ``label_size``: the largest (width, height) an edge's label may take, per use or
    one for all (give the size of the longest text the label can show, so the layout does not move
    when the numbers change)."""
    nodes = graph.nodes
    size_of = (lambda n: node_sizes) if isinstance(node_sizes, tuple) else (lambda n: node_sizes[n])
    label_of = (lambda u: label_size) if isinstance(label_size, tuple) else (lambda u: label_size[u])
    layer = _layers(graph)
    uses = graph_uses(graph)
    depth = 1 + max(layer.values(), default=0)

    # items of each column: ("node", id) or ("slot", use index, column)
    columns: list[list] = [[] for _ in range(depth)]
    for node in nodes:
        columns[layer[node.id]].append(("node", node.id))
    chains: list[list] = []        # per use: the items it passes, child first, parent last
    for k, use in enumerate(uses):
        chain = [("node", use.child)]
        for column in range(layer[use.child] + 1, layer[use.parent]):
            slot = ("slot", k, column)
            columns[column].append(slot)
            chain.append(slot)
        chain.append(("node", use.parent))
        chains.append(chain)
    links: list[list[tuple]] = [[] for _ in range(max(depth - 1, 0))]
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            column = layer[a[1]] if a[0] == "node" else a[2]
            links[column].append((a, b))
    columns = _order(columns, links)

    heights = {item: (size_of(item[1])[1] if item[0] == "node" else 0.0) for col in columns for item in col}
    y = _place_rows(columns, heights, links)

    # labels: each use picks the gap (between columns c and c + 1) along its chain with fewest labels
    gap_of: dict[int, int] = {}
    per_gap: dict[int, list[int]] = {}
    for k, chain in enumerate(chains):
        first, last = layer[uses[k].child], layer[uses[k].parent]
        gap = min(range(first, last), key=lambda g: (len(per_gap.get(g, ())), g))
        gap_of[k] = gap
        per_gap.setdefault(gap, []).append(k)

    # columns' x: widest box per column, gaps wide enough for their widest label
    column_width = [max((size_of(item[1])[0] for item in col if item[0] == "node"), default=0.0)
                    for col in columns]
    gap_width = [max([MIN_GAP_WIDTH] + [label_of(uses[k])[0] + 2 * LABEL_MARGIN for k in per_gap.get(g, ())])
                 for g in range(max(depth - 1, 0))]
    left = [0.0] * depth
    for c in range(1, depth):
        left[c] = left[c - 1] + column_width[c - 1] + gap_width[c - 1]

    boxes: dict[int, Rect] = {}
    for col_index, col in enumerate(columns):
        for item in col:
            if item[0] == "node":
                w, h = size_of(item[1])
                cx = left[col_index] + column_width[col_index] / 2
                boxes[item[1]] = Rect(cx - w / 2, y[item] - h / 2, w, h)

    # ports: the uses leaving a box, ordered by where they go; those entering it, by where they come from
    out_y: dict[int, float] = {}
    in_y: dict[int, float] = {}
    leaving: dict[int, list[int]] = {}
    entering: dict[int, list[int]] = {}
    for k, use in enumerate(uses):
        leaving.setdefault(use.child, []).append(k)
        entering.setdefault(use.parent, []).append(k)

    def ports(center: float, height: float, count: int) -> list[float]:
        if count == 1:
            return [center]
        step = min(PORT_SPACING, (height - 12) / (count - 1)) if height > 12 else 0.0
        return [center + (i - (count - 1) / 2) * step for i in range(count)]

    for node_id, ks in leaving.items():
        ks.sort(key=lambda k: (y[chains[k][1]], uses[k].parent, uses[k].position))
        box = boxes[node_id]
        for k, py in zip(ks, ports(box.center[1], box.height, len(ks))):
            out_y[k] = py
    for node_id, ks in entering.items():
        ks.sort(key=lambda k: (y[chains[k][-2]] if len(chains[k]) > 2 else out_y[k], uses[k].position))
        box = boxes[node_id]
        for k, py in zip(ks, ports(box.center[1], box.height, len(ks))):
            in_y[k] = py

    routes_parts = []
    for k, (use, chain) in enumerate(zip(uses, chains)):
        child_box, parent_box = boxes[use.child], boxes[use.parent]
        c0, c1 = layer[use.child], layer[use.parent]
        # (column, y) where the route crosses each column from the child's to the parent's
        waypoints = [(c0, out_y[k])] + [(item[2], y[item]) for item in chain[1:-1]] + [(c1, in_y[k])]
        segments = [Segment("line", ((child_box.right, out_y[k]), (left[c0] + column_width[c0], out_y[k])))]
        anchor = None
        for (ca, ya), (cb, yb) in zip(waypoints, waypoints[1:]):
            x0, x1 = left[ca] + column_width[ca], left[cb]
            bend = (x1 - x0) / 2
            segments.append(Segment("curve", ((x0, ya), (x0 + bend, ya), (x1 - bend, yb), (x1, yb))))
            if ca == gap_of[k]:
                anchor = ((x0 + x1) / 2, (ya + yb) / 2)
            if cb != c1:  # pass the column through this use's slot
                segments.append(Segment("line", ((x1, yb), (x1 + column_width[cb], yb))))
        segments.append(Segment("line", ((left[c1], in_y[k]), (parent_box.left, in_y[k]))))
        segments = [s for s in segments if s.points[0] != s.points[-1]] or segments[:1]
        routes_parts.append((use, segments, anchor))

    # labels above their anchors, pushed apart within each gap
    label_rects: dict[int, Rect] = {}
    for gap, ks in per_gap.items():
        ks = sorted(ks, key=lambda k: (routes_parts[k][2][1], k))
        heights_k = [label_of(uses[k])[1] for k in ks]
        # above its edge; the lowest of several below its edge, so two labels of edges leaving one
        # box side by side do not cover the lower edge
        desired = [routes_parts[k][2][1] + (1 if i == len(ks) - 1 and i > 0 else -1) * (LABEL_GAP + h / 2)
                   for i, (k, h) in enumerate(zip(ks, heights_k))]
        gaps = [(a + b) / 2 + LABEL_GAP for a, b in zip(heights_k, heights_k[1:])]
        placed = _isotonic_place(desired, gaps)
        for k, cy, h in zip(ks, placed, heights_k):
            w = label_of(uses[k])[0]
            cx = routes_parts[k][2][0]
            label_rects[k] = Rect(cx - w / 2, cy - h / 2, w, h)

    routes = tuple(Route(use, use_role(nodes[use.parent], use.position), tuple(segments), label_rects[k], anchor)
                   for k, (use, segments, anchor) in enumerate(routes_parts))
    rects = list(boxes.values()) + [r.label for r in routes]
    if rects:
        x0 = min(r.left for r in rects)
        y0 = min(r.top for r in rects)
        bounds = Rect(x0, y0, max(r.right for r in rects) - x0, max(r.bottom for r in rects) - y0)
    else:
        bounds = Rect(0.0, 0.0, 0.0, 0.0)
    return GraphLayout(boxes, dict(layer), routes, bounds)
