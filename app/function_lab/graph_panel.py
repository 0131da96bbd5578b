"""The computation graph of h at x0: primitive operations from x (left) to h (right). Stepping walks
the forward pass node by node (values appear), then the backward pass (adjoints dh/dnode appear, each
edge labelled with its local derivative). Forward mode shows tangents dnode/dx instead.

Where things go is computed in core (core.formula.graph_layout: layers, one edge per use, labels
between the columns); this view measures its texts, asks for the layout once per graph and draws it.
A node used more than once (sin in sin² x + sin x, x in xˣ) has one edge per use and, after the
backward pass, shows its adjoint as the sum of what flows back along those edges."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel, QVBoxLayout, QWidget

from ..format import fmt
from ..views.scene_text import add_text, place_centered
from . import graph_text
from .model import FunctionLabModel

TITLE_PT, TEXT_PT, LABEL_PT = 13, 10, 10
PAD = 10                # space between a box's border and its text
LINE_GAP = 4            # extra space between two lines of a box, so marks (v̄) never touch the line above
CURRENT = QColor("#f2a900")
DONE_FILL = QColor("#eef4fb")
TODO_FILL = QColor("#ffffff")
LINE = QColor("#44506a")
MUTED = QColor("#5b6478")
LABEL_FILL = QColor(255, 255, 255, 190)  # an edge under a label still shows through
MIN_SCALE, MAX_SCALE = 0.55, 1.5


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


class GraphView(QGraphicsView):
    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(parent)
        self._model = model
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.setFocusPolicy(Qt.StrongFocus)
        self._graph = None
        self.graph_layout = None                      # the core GraphLayout drawn now
        self.current_node: int | None = None
        self.shown_values: dict[int, str] = {}   # node id -> the text it shows now (for tests)
        self.shown_labels: dict[tuple[int, int], str] = {}  # (parent, position) -> its edge's label

    # ------------------------------------------------------------------ building
    def _sizes(self, graph):
        title, text, label = (QFontMetricsF(_font(TITLE_PT, True)), QFontMetricsF(_font(TEXT_PT)),
                              QFontMetricsF(_font(LABEL_PT)))
        uses = {node.id: 0 for node in graph.nodes}
        for node in graph.nodes:
            for arg in node.args:
                uses[arg] += 1
        line_step = text.height() + LINE_GAP
        width = max(max(title.horizontalAdvance(n.label) for n in graph.nodes),
                    max(text.horizontalAdvance(line) for line in graph_text.widest_lines(max(uses.values()))))
        sizes = {}
        for node in graph.nodes:
            lines = 3 if uses[node.id] > 1 else 2
            sizes[node.id] = (width + 2 * PAD, PAD + title.height() + lines * line_step + PAD)
        labels = {}
        from core.formula.graph_layout import graph_uses, use_role

        for use in graph_uses(graph):
            role = use_role(graph.nodes[use.parent], use.position)
            texts = ([role] if role else []) + [graph_text.WIDEST_NUMBER]
            labels[use] = (max(label.horizontalAdvance(t) for t in texts) + 8, len(texts) * label.height() + 4)
        return sizes, labels, line_step, title.height()

    def _build(self, graph) -> None:
        from core.formula.graph_layout import layout_graph

        scene = self.scene()
        scene.clear()
        self._graph = graph
        sizes, labels, self._line_step, self._title_height = self._sizes(graph)
        layout = self.graph_layout = layout_graph(graph, sizes, labels)
        self._edges, self._labels = {}, {}
        for route in layout.routes:
            path = QPainterPath(QPointF(*route.start))
            for segment in route.segments:
                points = [QPointF(*p) for p in segment.points]
                if segment.kind == "line":
                    path.lineTo(points[1])
                else:
                    path.cubicTo(points[1], points[2], points[3])
            edge = scene.addPath(path, QPen(LINE, 1.5))
            edge.setZValue(0)
            key = (route.use.parent, route.use.position)
            self._edges[key] = edge
            r = route.label
            background = scene.addRect(QRectF(r.left, r.top, r.width, r.height), QPen(Qt.NoPen), QBrush(LABEL_FILL))
            background.setZValue(1)
            text = add_text(scene, LABEL_PT, color=MUTED)
            self._labels[key] = (text, background, route)
        self._boxes, self._lines = {}, {}
        for node in graph.nodes:
            r = layout.boxes[node.id]
            box = scene.addRect(QRectF(r.left, r.top, r.width, r.height), QPen(LINE, 1.5), QBrush(TODO_FILL))
            box.setZValue(2)
            box.setToolTip(self.node_tooltip(node.id))
            self._boxes[node.id] = box
            title = add_text(scene, TITLE_PT, True)
            place_centered(title, node.label, QPointF(r.center[0], r.top + PAD + self._title_height / 2))
            self._lines[node.id] = [title] + [add_text(scene, TEXT_PT) for _ in range(3)]
        self._caption = add_text(scene, 10, color=MUTED)

    # ------------------------------------------------------------------ stepping
    def refresh(self) -> None:
        model = self._model
        if model.analysis is None:
            return
        graph = model.analysis.graph
        if graph is not self._graph:
            self._build(graph)
        values = model.graph_values()
        forward, backward = list(values.forward_order), list(values.backward_order)
        step = model.graph_step
        done_forward = set(forward[:step])
        done_backward = set(backward[:max(0, step - len(forward))]) if not model.forward_mode else set()
        if step == 0:
            self.current_node = None
        elif step <= len(forward):
            self.current_node = forward[step - 1]
        else:
            self.current_node = backward[step - len(forward) - 1]
        self._show_nodes(values, done_forward, done_backward)
        self._show_edges(values, done_forward, done_backward)
        phase = ("forward mode: values and tangents" if model.forward_mode else
                 "forward pass: values" if step <= len(forward) else "backward pass: adjoints ∂h/∂v")
        bounds = self.graph_layout.bounds
        place_centered(self._caption, f"x0 = {fmt(model.x0)} · step {step} of {model.graph_step_count()} · {phase}",
                       QPointF(bounds.center[0], bounds.top - 24))
        self.scene().setSceneRect(self.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self._fit()

    def _show_nodes(self, values, done_forward: set, done_backward: set) -> None:
        forward_mode = self._model.forward_mode
        self.shown_values = {}
        for node in self._graph.nodes:
            contributions = [values.contribution_by_use[(r.use.parent, r.use.position)]
                             for r in self.graph_layout.routes_from(node.id)]  # top to bottom, as drawn
            computed = node.id in done_forward
            lines = graph_text.node_lines(
                values.value[node.id] if computed else None,
                values.tangent[node.id] if computed and forward_mode else None,
                values.adjoint[node.id] if node.id in done_backward else None,
                contributions)
            self.shown_values[node.id] = "\n".join(lines)
            r = self.graph_layout.boxes[node.id]
            top = r.top + PAD + self._title_height + LINE_GAP
            for i, item in enumerate(self._lines[node.id][1:]):
                text = lines[i] if i < len(lines) else ""
                place_centered(item, text, QPointF(r.center[0], top + (i + 0.5) * self._line_step))
            box = self._boxes[node.id]
            box.setBrush(QBrush(DONE_FILL if computed else TODO_FILL))
            box.setPen(QPen(CURRENT, 4) if node.id == self.current_node else QPen(LINE, 1.5))

    def _show_edges(self, values, done_forward: set, done_backward: set) -> None:
        forward_mode = self._model.forward_mode
        self.shown_labels = {}
        for key, edge in self._edges.items():
            text_item, background, route = self._labels[key]
            parent = key[0]
            show = parent in done_backward or (forward_mode and parent in done_forward)
            text = graph_text.edge_label(route.role, values.local_by_use[key] if show else None)
            self.shown_labels[key] = text
            place_centered(text_item, text, QPointF(*route.label.center))
            background.setVisible(bool(text))
            edge.setPen(QPen(CURRENT if show else LINE, 2.2 if show else 1.5))

    # ------------------------------------------------------------------ for tests and the learner
    def node_tooltip(self, node_id: int) -> str:
        """What hovering a node says: its operation and what it computes, sums as typed."""
        node = self._graph.nodes[node_id]
        return f"{node.label}: {node.text or node.expr}"

    def argument_labels(self, node_id: int) -> list[str]:
        """The titles of the node's arguments in their order (2, cos for the + of 2 + cos x)."""
        node = self._graph.nodes[node_id]
        return [self._graph.nodes[a].label for a in node.args]

    def box_rect(self, node_id: int) -> QRectF:
        """The node's box in scene coordinates."""
        return self._boxes[node_id].sceneBoundingRect().adjusted(0.75, 0.75, -0.75, -0.75)  # without the pen

    def text_ink_rects(self, node_id: int) -> list[QRectF]:
        """Scene rectangles of the ink of every non-empty text line in the node's box, title first."""
        rects = []
        for item in self._lines[node_id]:
            if not item.text():
                continue
            ink = QFontMetricsF(item.font()).tightBoundingRect(item.text())
            # tightBoundingRect is relative to the baseline; the item's origin is its top-left
            rects.append(ink.translated(item.scenePos() + QPointF(0, QFontMetricsF(item.font()).ascent())))
        return rects

    def label_rect(self, parent: int, position: int) -> QRectF:
        """Where the label of that use's edge is drawn (its text's scene rectangle)."""
        return self._labels[(parent, position)][0].sceneBoundingRect()

    def _fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.isEmpty() or self.viewport().width() <= 0:
            return
        scale = min(self.viewport().width() / rect.width(), self.viewport().height() / rect.height())
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        self.resetTransform()
        self.scale(scale, scale)
        if self.current_node is not None:
            self.ensureVisible(self._boxes[self.current_node], 20, 20)
        else:
            self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._graph is not None:
            self._fit()


class GraphPanel(QWidget):
    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(parent)
        self.setObjectName("graph-panel")
        self.setAccessibleName("Computation graph")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.view = GraphView(model)
        layout.addWidget(self.view, 1)
        self.caption = QLabel("B steps through the forward pass, then the backward pass (Shift+B back, "
                              "Ctrl+B all at once); M switches to forward mode, which carries tangents dv/dx. "
                              "v: value, ∂h/∂v: its adjoint; the number on an edge is the local derivative "
                              "of the node on its right with respect to the one on its left. A node used twice "
                              "has two edges, and its adjoint is the sum of what flows back along both.")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #5b6478; padding: 2px 6px;")
        layout.addWidget(self.caption)
        self.setFocusProxy(self.view)
        for signal in (model.analysisChanged, model.graphStepChanged, model.forwardModeChanged, model.x0Changed):
            signal.connect(self.view.refresh)
