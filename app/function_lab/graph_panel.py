"""The computation graph of h at x0: primitive operations from x (left) to h (right). Stepping walks
the forward pass node by node (values appear), then the backward pass (adjoints dh/dnode appear, each
edge labelled with its local derivative). Forward mode shows tangents dnode/dx instead."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsScene, QGraphicsView, QLabel, QVBoxLayout,
                               QWidget)

from ..format import fmt
from ..views.scene_text import add_text, place_centered
from .model import FunctionLabModel

NODE_W, NODE_H = 118, 62
COLUMN_GAP, ROW_GAP = 190, 96
CURRENT = QColor("#f2a900")
DONE_FILL = QColor("#eef4fb")
TODO_FILL = QColor("#ffffff")
LINE = QColor("#44506a")
MUTED = QColor("#5b6478")


def depths(graph) -> dict[int, int]:
    """Column of each node: the longest path from x, so every edge points to the right; a constant
    sits just left of its leftmost user instead of far away beside x."""
    nodes = graph.nodes
    depth: dict[int, int] = {}
    for node in nodes:  # topological order: arguments come first
        depth[node.id] = 1 + max((depth[a] for a in node.args if nodes[a].op != "const"), default=-1)
    constants: dict[int, int] = {}
    for node in nodes:
        for a in node.args:
            if nodes[a].op == "const":
                constants[a] = min(constants.get(a, depth[node.id]), depth[node.id] - 1)
    depth.update({a: max(column, 0) for a, column in constants.items()})
    return depth


class GraphView(QGraphicsView):
    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(parent)
        self._model = model
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.setFocusPolicy(Qt.StrongFocus)
        self._graph = None
        self.current_node: int | None = None
        self.shown_values: dict[int, str] = {}   # node id -> the text it shows now (for tests)

    def _build(self, graph) -> None:
        scene = self.scene()
        scene.clear()
        self._graph = graph
        column = depths(graph)
        rows: dict[int, int] = {}
        self._pos: dict[int, QPointF] = {}
        for node in graph.nodes:
            row = rows.get(column[node.id], 0)
            rows[column[node.id]] = row + 1
            self._pos[node.id] = QPointF(column[node.id] * COLUMN_GAP, row * ROW_GAP)
        for node in graph.nodes:  # centre each column vertically
            count = rows[column[node.id]]
            self._pos[node.id] -= QPointF(0, (count - 1) * ROW_GAP / 2)
        self._edges, self._edge_labels = {}, {}
        for node in graph.nodes:
            for arg in dict.fromkeys(node.args):  # x*x uses x twice: one edge, local derivative summed
                start, end = self._pos[arg] + QPointF(NODE_W / 2, 0), self._pos[node.id] - QPointF(NODE_W / 2, 0)
                path = QPainterPath(start)
                path.cubicTo(start + QPointF(40, 0), end - QPointF(40, 0), end)
                edge = scene.addPath(path, QPen(LINE, 1.5))
                edge.setZValue(0)
                self._edges[(node.id, arg)] = edge
                self._edge_labels[(node.id, arg)] = (add_text(scene, 9, color=MUTED), path.pointAtPercent(0.5))
        self._boxes, self._titles, self._values = {}, {}, {}
        for node in graph.nodes:
            p = self._pos[node.id]
            box = scene.addRect(QRectF(p.x() - NODE_W / 2, p.y() - NODE_H / 2, NODE_W, NODE_H),
                                QPen(LINE, 1.5), QBrush(TODO_FILL))
            box.setZValue(2)
            box.setToolTip(f"{node.label}: {node.expr}")
            self._boxes[node.id] = box
            title = add_text(scene, 12, True)
            place_centered(title, node.label, p - QPointF(0, 17))
            self._titles[node.id] = title
            self._values[node.id] = add_text(scene, 9)
        self._caption = add_text(scene, 10, color=MUTED)

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
        self.shown_values = {}
        for node in self._graph.nodes:
            lines = []
            if node.id in done_forward:
                lines.append(f"v = {fmt(values.value[node.id])}")
                if model.forward_mode:
                    lines.append(f"v̇ = dv/dx = {fmt(values.tangent[node.id])}")
            if node.id in done_backward:
                lines.append(f"v̄ = ∂h/∂v = {fmt(values.adjoint[node.id])}")
            text = "\n".join(lines)
            self.shown_values[node.id] = text
            place_centered(self._values[node.id], text, self._pos[node.id] + QPointF(0, 12))
            box = self._boxes[node.id]
            box.setBrush(QBrush(DONE_FILL if node.id in done_forward else TODO_FILL))
            box.setPen(QPen(CURRENT, 4) if node.id == self.current_node else QPen(LINE, 1.5))
        for (parent, child), edge in self._edges.items():
            label, mid = self._edge_labels[(parent, child)]
            show = parent in done_backward or (model.forward_mode and parent in done_forward)
            place_centered(label, fmt(values.local[(parent, child)]) if show else "", mid - QPointF(0, 9))
            edge.setPen(QPen(CURRENT if show else LINE, 2.2 if show else 1.5))
        phase = ("forward mode: values and tangents" if model.forward_mode else
                 "forward pass: values" if step <= len(forward) else "backward pass: adjoints ∂h/∂v")
        top = min(p.y() for p in self._pos.values()) - NODE_H
        right = max(p.x() for p in self._pos.values())
        place_centered(self._caption, f"x0 = {fmt(model.x0)} · step {step} of {model.graph_step_count()} · {phase}",
                QPointF(right / 2, top))
        self.scene().setSceneRect(self.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fitInView(self.scene().sceneRect(), Qt.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._graph is not None:
            self.fitInView(self.scene().sceneRect(), Qt.KeepAspectRatio)


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
                              "v: value, v̄ = ∂h/∂v: adjoint; the number on an edge is the local derivative "
                              "of the node on its right with respect to the one on its left.")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #5b6478; padding: 2px 6px;")
        layout.addWidget(self.caption)
        self.setFocusProxy(self.view)
        for signal in (model.analysisChanged, model.graphStepChanged, model.forwardModeChanged, model.x0Changed):
            signal.connect(self.view.refresh)
