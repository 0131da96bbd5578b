"""The network diagram: neurons with their z and a, edges with weight and dJ/dw, biases, the cost node,
and the selected parameter's chain-rule path lit up from the cost back to it.

Items are built once per network shape and updated in place when values change.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsPathItem, QGraphicsRectItem,
                               QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView)

from ..format import fmt
from .scene_text import add_text, place_centered
from ..model import SessionModel

POSITIVE = QColor("#d1495b")   # warm red for positive weights
NEGATIVE = QColor("#2e6fba")   # blue for negative weights
HIGHLIGHT = QColor("#f2a900")  # the chain path
NODE_FILL = QColor("#f7f9fc")
NODE_LINE = QColor("#44506a")
TEXT = QColor("#1d2433")
MUTED = QColor("#5b6478")
COLUMN_GAP = 230
ROW_GAP = 150
RADIUS = 34


class _Clickable:
    """Mixin: remembers which parameter an item stands for, so a click selects it."""

    parameter: str = ""


class EdgeItem(QGraphicsPathItem, _Clickable):
    def shape(self):  # a generous hit area, so thin edges are easy to click
        stroker = QPainterPathStroker()
        stroker.setWidth(16)
        return stroker.createStroke(self.path())


class BiasItem(QGraphicsRectItem, _Clickable):
    pass


class NetworkDiagram(QGraphicsView):
    """Observes the model; clicking an edge or a bias selects that parameter."""

    parameterClicked = Signal(str)

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.setObjectName("network-diagram")
        self._model = model
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName("Network diagram")
        self._shape: tuple[int, ...] = ()
        self.highlighted: set[str] = set()   # ids of lit items, for tests and the learner
        for signal in (model.parametersChanged, model.selectionChanged, model.sampleChanged,
                       model.datasetChanged, model.lossChanged):
            signal.connect(self.refresh)
        self.parameterClicked.connect(model.select)
        self.refresh()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        scene = self.scene()
        scene.clear()
        net = self._model.network
        sizes = list(net.sizes)
        self._shape = tuple(sizes)
        self._positions: dict[tuple[int, int], QPointF] = {}
        tallest = max(sizes)
        for layer, count in enumerate(sizes):
            for j in range(count):
                y = (j - (count - 1) / 2) * ROW_GAP * (1 if tallest < 5 else 4 / tallest)
                self._positions[(layer, j)] = QPointF(layer * COLUMN_GAP, y)
        cost_pos = QPointF(len(sizes) * COLUMN_GAP - 40, 0)
        self._cost_pos = cost_pos

        self._edges: dict[str, EdgeItem] = {}
        self._edge_labels: dict[str, tuple] = {}
        show_edge_labels = sum(a * b for a, b in zip(sizes, sizes[1:])) <= 12
        for layer in range(1, len(sizes)):
            for i in range(sizes[layer - 1]):
                for j in range(sizes[layer]):
                    name = self._weight_name(layer, i, j)
                    start, end = self._positions[(layer - 1, i)], self._positions[(layer, j)]
                    path = QPainterPath(QPointF(start.x() + RADIUS, start.y()))
                    path.lineTo(QPointF(end.x() - RADIUS, end.y()))
                    edge = EdgeItem(path)
                    edge.parameter = name
                    edge.setZValue(0)
                    edge.setCursor(Qt.PointingHandCursor)
                    scene.addItem(edge)
                    self._edges[name] = edge
                    if show_edge_labels:
                        self._edge_labels[name] = (add_text(scene, 13, True), add_text(scene, 12, color=MUTED),
                                                   (start + end) / 2)

        self._nodes: dict[tuple[int, int], QGraphicsEllipseItem] = {}
        self._node_names: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self._node_values: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self._biases: dict[str, BiasItem] = {}
        self._bias_labels: dict[str, QGraphicsSimpleTextItem] = {}
        last = len(sizes) - 1
        for (layer, j), pos in self._positions.items():
            node = scene.addEllipse(QRectF(pos.x() - RADIUS, pos.y() - RADIUS, 2 * RADIUS, 2 * RADIUS),
                                    QPen(NODE_LINE, 2), QBrush(NODE_FILL))
            node.setZValue(2)
            self._nodes[(layer, j)] = node
            title = add_text(scene, 15, True)
            title.setZValue(3)
            place_centered(title, self._node_title(layer, j, sizes), pos)
            self._node_names[(layer, j)] = title
            values = add_text(scene, 12, color=MUTED)
            values.setZValue(3)
            self._node_values[(layer, j)] = values
            if layer > 0:
                name = self._bias_name(layer, j)
                box = BiasItem(QRectF(pos.x() - 16, pos.y() - RADIUS - 62, 32, 24))
                box.parameter = name
                box.setBrush(QBrush(QColor("#eef1f6")))
                box.setZValue(2)
                box.setCursor(Qt.PointingHandCursor)
                scene.addItem(box)
                link = scene.addLine(pos.x(), pos.y() - RADIUS - 38, pos.x(), pos.y() - RADIUS,
                                     QPen(MUTED, 1.2, Qt.DashLine))
                link.setZValue(1)
                label = add_text(scene, 11)
                label.setZValue(3)
                self._biases[name] = box
                self._bias_labels[name] = label
                tag = add_text(scene, 11, True)
                tag.setZValue(3)
                place_centered(tag, "+b", box.rect().center())

        cost = scene.addEllipse(QRectF(cost_pos.x() - RADIUS, cost_pos.y() - RADIUS, 2 * RADIUS, 2 * RADIUS),
                                QPen(NODE_LINE, 2), QBrush(QColor("#fff6e0")))
        cost.setZValue(2)
        self._cost_node = cost
        cost_title = add_text(scene, 16, True)
        cost_title.setZValue(3)
        place_centered(cost_title, "J", cost_pos)
        self._cost_value = add_text(scene, 11, color=MUTED)
        self._cost_edges = []
        for j in range(sizes[last]):
            start = self._positions[(last, j)]
            path = QPainterPath(QPointF(start.x() + RADIUS, start.y()))
            path.lineTo(QPointF(cost_pos.x() - RADIUS, cost_pos.y()))
            item = scene.addPath(path, QPen(MUTED, 2))
            item.setZValue(0)
            self._cost_edges.append(item)
        # a gold halo under the selected weight keeps its sign colour readable
        self._halo = scene.addPath(QPainterPath(), QPen(HIGHLIGHT, 20, Qt.SolidLine, Qt.RoundCap))
        self._halo.setOpacity(0.6)
        self._halo.setZValue(-1)
        self._caption = add_text(scene, 12, color=MUTED)
        self._legend = add_text(scene, 11, color=MUTED)

    def _weight_name(self, layer: int, i: int, j: int) -> str:
        net = self._model.network
        single = net.sizes[layer - 1] * net.sizes[layer] == 1
        return f"w{layer}" if single else f"w{layer}.{i + 1}.{j + 1}"

    def _bias_name(self, layer: int, j: int) -> str:
        return f"b{layer}" if self._model.network.sizes[layer] == 1 else f"b{layer}.{j + 1}"

    @staticmethod
    def _node_title(layer: int, j: int, sizes: list[int]) -> str:
        if layer == 0:
            return "x" if sizes[0] == 1 else f"x{j + 1}"
        if layer == len(sizes) - 1 and sizes[-1] == 1:
            return "ŷ"
        return f"a{layer}" if sizes[layer] == 1 else f"a{layer}.{j + 1}"

    # ------------------------------------------------------------------ updating
    def refresh(self, *_args) -> None:
        model = self._model
        net = model.network
        if tuple(net.sizes) != self._shape:
            self._build()
        sample = model.sample
        x_row, y_row = model.X[sample:sample + 1], model.y[sample:sample + 1]
        trace = net.forward(x_row)
        dW, db = net.gradients(model.X, model.y)
        sizes = list(net.sizes)
        for (layer, j), pos in self._positions.items():
            if layer == 0:
                text = f"x = {fmt(x_row[0, j])}"
            else:
                text = f"z = {fmt(trace.zs[layer - 1][0, j])}\na = {fmt(trace.activations[layer][0, j])}"
            place_centered(self._node_values[(layer, j)], text, QPointF(pos.x(), pos.y() + RADIUS + 24))
        magnitudes = [abs(w) for W in net.weights for w in W.ravel()]
        scale = max(1.0, max(magnitudes) if magnitudes else 1.0)
        for layer in range(1, len(sizes)):
            W = net.weights[layer - 1]
            for i in range(sizes[layer - 1]):
                for j in range(sizes[layer]):
                    name = self._weight_name(layer, i, j)
                    w, g = W[i, j], dW[layer - 1][i, j]
                    edge = self._edges[name]
                    width = 1.5 + 7.0 * math.sqrt(min(abs(w) / scale, 1.0))
                    edge.setPen(QPen(POSITIVE if w >= 0 else NEGATIVE, width, Qt.SolidLine, Qt.RoundCap))
                    edge.setToolTip(f"{name} = {fmt(w, 5)}\n∂J/∂{name} = {fmt(g, 5)}\nClick to select")
                    if name in self._edge_labels:
                        value_item, grad_item, mid = self._edge_labels[name]
                        place_centered(value_item, f"{name} = {fmt(w)}", QPointF(mid.x(), mid.y() - 22))
                        place_centered(grad_item, f"∂J/∂{name} = {fmt(g)}", QPointF(mid.x(), mid.y() + 22))
            for j in range(sizes[layer]):
                name = self._bias_name(layer, j)
                b, g = net.biases[layer - 1][j], db[layer - 1][j]
                box = self._biases[name]
                box.setPen(QPen(POSITIVE if b >= 0 else NEGATIVE, 2))
                box.setToolTip(f"{name} = {fmt(b, 5)}\n∂J/∂{name} = {fmt(g, 5)}\nClick to select")
                label_pos = box.rect().center() + QPointF(0, -36)
                place_centered(self._bias_labels[name], f"{name} = {fmt(b)}\n∂J/∂{name} = {fmt(g)}", label_pos)

        cost = net.loss(model.X, model.y)
        place_centered(self._cost_value, f"J = {fmt(cost)}\n(batch mean)\ny = {fmt(y_row[0, 0])} (sample)",
               QPointF(self._cost_pos.x(), self._cost_pos.y() + RADIUS + 34))
        place_centered(self._caption, f"Node values for sample {sample + 1} of {len(model.X)}"
                              f"  ·  edge labels: weight and ∂J/∂w over the batch",
               QPointF((len(sizes) * COLUMN_GAP - 40) / 2, -max(sizes) * ROW_GAP / 2 - 70))
        place_centered(self._legend, "red edge: positive weight   blue edge: negative   width: |w|   "
                             "gold: chain path of the selected parameter",
               QPointF((len(sizes) * COLUMN_GAP - 40) / 2, max(sizes) * ROW_GAP / 2 + 75))
        self._highlight(model.selected)
        self.scene().setSceneRect(self.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self._fit()

    def _highlight(self, selected: str) -> None:
        """Light the path the chain rule walks: cost -> output -> ... -> the selected parameter.

        Path edges turn gold (their weights are the dz/da factors of the chain); the selected weight
        keeps its sign colour over a gold halo; everything off the path fades.
        """
        chain = self._model.chain(selected)
        lit_nodes = set(chain.nodes)
        lit_edges = {self._weight_name(l_hi, j_lo, j_hi)
                     for (l_hi, j_hi), (_l_lo, j_lo) in zip(chain.nodes, chain.nodes[1:])}
        glow = QPen(HIGHLIGHT, 5)
        for name, edge in self._edges.items():
            on_path = name in lit_edges or name == selected
            if name in lit_edges:
                pen = edge.pen()
                pen.setColor(HIGHLIGHT)
                edge.setPen(pen)
            edge.setZValue(1 if on_path else 0)
            edge.setOpacity(1.0 if on_path else 0.55)
        self._halo.setPath(self._edges[selected].path() if selected in self._edges else QPainterPath())
        for key, node in self._nodes.items():
            node.setPen(glow if key in lit_nodes else QPen(NODE_LINE, 2))
        for name, box in self._biases.items():
            box.setBrush(QBrush(HIGHLIGHT.lighter(150) if name == selected else QColor("#eef1f6")))
            if name == selected:
                box.setPen(glow)
        self._cost_node.setPen(glow)
        last = len(self._model.network.sizes) - 1
        for j, item in enumerate(self._cost_edges):
            item.setPen(QPen(HIGHLIGHT if (last, j) in lit_nodes else MUTED, 3))
        self.highlighted = ({f"edge:{n}" for n in lit_edges | ({selected} & self._edges.keys())}
                            | {f"node:{l}.{j}" for l, j in lit_nodes} | {"node:J"}
                            | ({f"bias:{selected}"} if selected in self._biases else set()))

    # ------------------------------------------------------------------ interaction and layout
    def mousePressEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, _Clickable):
            item = item.parentItem()
        if isinstance(item, _Clickable) and item.parameter:
            self.parameterClicked.emit(item.parameter)
        super().mousePressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.KeepAspectRatio)
