"""The network diagram: neurons, edges (weights), biases and the cost node, for any network the
studio builds (1–2 inputs, up to 6 hidden layers of 16 neurons, 1–3 outputs).

* Small networks (the lesson's 1-1-1 and others with at most 12 weights) are drawn in detail: each
  edge carries its weight and dJ/dw, each bias its value and gradient, each neuron its z and a.
* Larger ones stay readable by drawing less: edge colour is the weight's sign, width its size; the
  numbers appear on hover. Each column has a caption ("hidden 2 · tanh · 8 neurons").
* Every hidden neuron shows what it computes over the input: a small heatmap of its activation over
  the input plane (2 inputs) or a curve over x (1 input), from core.neuron_fields / neuron_curves,
  refreshed at most ~10 times a second while training.
* The selected parameter's every path to the cost is lit (all routes the chain rule sums over).

Gestures: click an edge or a bias to select it (a neuron: its bias); double-click it (or press Enter with the diagram
focused) to type a new value; right-click a neuron or a column caption (or press the Menu key or
Shift+F10 for the selected parameter's neuron) to add or remove neurons and layers or change the
activation. The menu holds the registry's own commands (= - H Shift+H V), so it shows their keys.

Items are built once per network shape (structureChanged) and updated in place when values change.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QAction, QBrush, QColor, QContextMenuEvent, QFont, QFontMetricsF, QImage, QPainter,
                           QPainterPath, QPainterPathStroker, QPen, QPixmap, QTransform)
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsPathItem, QGraphicsRectItem,
                               QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QMenu, QToolTip)

import core
from core.naming import ParameterRef, input_name, node_name, parameter_name, target_name, to_unicode

from .. import process_jobs
from ..format import fmt
from ..workers import LatestOnlyWorker
from ..model import HIDDEN_ACTIVATIONS, MAX_HIDDEN_LAYERS, MAX_NEURONS, SessionModel
from .neuron_pictures import NEGATIVE_HEX, POSITIVE_HEX, neuron_pictures
from .lesson_marks import mark_pen, ring_around, underlay_pen
from .throttle import Throttle
from .scene_text import add_text, place_centered
from .value_editor import InlineValueEditor

POSITIVE = QColor(POSITIVE_HEX)   # warm red for positive weights
NEGATIVE = QColor(NEGATIVE_HEX)   # blue for negative weights
HIGHLIGHT = QColor("#f2a900")  # the chain paths
NODE_FILL = QColor("#f7f9fc")
NODE_LINE = QColor("#44506a")
BIAS_FILL = QColor("#eef1f6")
TEXT = QColor("#1d2433")
MUTED = QColor("#5b6478")
COLUMN_GAP = 230
ROW_GAP = 150
RADIUS = 34
# compact drawing (anything bigger than the detailed limits below)
PITCH = 84            # centre-to-centre distance of neurons in a column
COMPACT_RADIUS = 31
BIAS_TAB = 18
DETAIL_MAX_WEIGHTS = 12
DETAIL_MAX_WIDTH = 4
FIELD_INTERVAL_S = 0.1    # neuron pictures: at most ~10 refreshes a second while training
ANTIALIAS_EDGES = 200      # more edges than this are drawn without antialiasing
REFRESH_INTERVAL_S = 0.05  # numbers and edges: at most ~20 a second while training
MIN_TEXT_PX = 14.0         # no caption or legend line is drawn less high than this (about 11 px letters)


def rgba_image(rgba: np.ndarray) -> QImage:
    """A QImage (its own copy) of an (rows, columns, 4) uint8 RGBA array in image order."""
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()


def edge_mask(mask, shape) -> np.ndarray:
    """Which edges of a weight layer are lit, from ``NetworkDiagram._lit``'s mask: True (all), an
    index i (the edges leaving neuron i), (i, j) (that one edge) or None (none)."""
    lit = np.zeros(shape, dtype=bool)
    if mask is True:
        lit[:] = True
    elif isinstance(mask, tuple):
        lit[mask] = True
    elif mask is not None:
        lit[mask, :] = True
    return lit


def _faded(color: QColor, alpha: float) -> QColor:
    """`color` at `alpha` over the white background, as an opaque colour (translucent strokes cost
    several times more to paint, and the diagram may hold over a thousand of them)."""
    return QColor(int(255 + (color.red() - 255) * alpha), int(255 + (color.green() - 255) * alpha),
                  int(255 + (color.blue() - 255) * alpha))


class _Describable:
    """Mixin for items that describe themselves on hover (their text is computed when asked)."""

    diagram: "NetworkDiagram | None" = None

    def describe(self) -> str:
        return self.diagram.describe(self) if self.diagram is not None else ""


class _Clickable(_Describable):
    """Remembers which parameter an item stands for, so a click selects it."""

    parameter: str = ""


class EdgeItem(QGraphicsPathItem, _Clickable):
    _hit = None
    look = None   # (positive, lit, width, alpha) as last drawn

    def set_route(self, path: QPainterPath) -> None:
        self.setPath(path)
        stroker = QPainterPathStroker()
        stroker.setWidth(16)  # a generous hit area, so thin edges are easy to click
        self._hit = stroker.createStroke(path)

    def shape(self):
        return self._hit if self._hit is not None else super().shape()

    def toolTip(self) -> str:  # noqa: N802 (Qt's name) — numbers as of now, computed when asked
        return self.describe()

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        if self.diagram is not None:
            self.diagram.hover_edge(self)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        if self.diagram is not None:
            self.diagram.hover_edge(None)
        super().hoverLeaveEvent(event)


class BiasItem(QGraphicsRectItem, _Clickable):
    def toolTip(self) -> str:  # noqa: N802
        return self.describe()


class NodeItem(QGraphicsEllipseItem, _Describable):
    """A neuron: `key` = (layer, j) with layer 0 the inputs and the last the outputs."""

    key: tuple = (0, 0)

    def toolTip(self) -> str:  # noqa: N802
        return self.describe()


class CaptionItem(QGraphicsSimpleTextItem, _Describable):
    """A column's caption; `layer` as in NodeItem.key (right-click: that layer's menu)."""

    layer: int = 0
    lift: float = 0.0     # how far it stands above its place (staggered captions of narrow columns)

    def lift_by(self, lift: float) -> None:
        self.moveBy(0, self.lift - lift)
        self.lift = lift

    def toolTip(self) -> str:  # noqa: N802
        return self.describe()


class _DiagramScene(QGraphicsScene):
    """Tooltips computed when shown, so a refresh never formats a thousand tooltip strings."""

    def helpEvent(self, event) -> None:  # noqa: N802
        for item in self.items(event.scenePos()):  # (no parentItem(): see NetworkDiagram._item_at)
            text = item.describe() if isinstance(item, _Describable) else item.toolTip()
            if text:
                QToolTip.showText(event.screenPos(), text)
                event.accept()
                return
        QToolTip.hideText()
        event.ignore()


class NetworkDiagram(QGraphicsView):
    """Observes the model; clicking an edge or a bias selects that parameter."""

    parameterClicked = Signal(str)

    def __init__(self, model: SessionModel, actions=None, parent=None):
        """`actions`: the window's ActionRegistry, whose structure commands the neuron menu offers
        (without one, as in a diagram tested alone, the menu makes its own actions)."""
        super().__init__(parent)
        self.setObjectName("network-diagram")
        self._model = model
        self._actions = actions
        self.menu: QMenu | None = None   # the neuron menu last shown
        self.setScene(_DiagramScene(self))
        # pens change every frame while training: a BSP index would be rebuilt over and over
        self.scene().setItemIndexMethod(QGraphicsScene.NoIndex)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName("Network diagram")
        self.setToolTip("")
        self._shape: tuple = ()
        self._built_revision = -1
        self.shown_step = 0
        self.detailed = True
        self.build_count = 0
        self.editor: InlineValueEditor | None = None
        self.highlighted: set[str] = set()   # ids of lit items, for tests and the learner
        self.field_images: dict[tuple[int, int], QImage] = {}   # 2 inputs: each hidden neuron's picture
        self.field_paths: dict[tuple[int, int], QPainterPath] = {}  # 1 input: each hidden neuron's curve
        self._grads = None
        self._trace = None
        self._edges: dict = {}
        self.field_updates = 0
        self._refresh_throttle = Throttle(self._refresh_now, REFRESH_INTERVAL_S, self)
        self._field_throttle = Throttle(self._update_fields, FIELD_INTERVAL_S, self)
        self._fields_worker = LatestOnlyWorker(self, keep_up=True)
        self._fields_worker.finished.connect(self._on_pictures)
        self._fields_worker.failed.connect(lambda text: model.set_message(f"Neuron pictures failed: {text}"))
        model.structureChanged.connect(self._on_structure)
        model.parametersChanged.connect(self._on_parameters)
        for signal in (model.selectionChanged, model.sampleChanged, model.lossChanged,
                       model.trainingOptionsChanged, model.focusedPathChanged):
            signal.connect(self.refresh)
        model.datasetChanged.connect(self._on_dataset)
        self.parameterClicked.connect(model.select)
        self._lesson_names: tuple[str, ...] = ()   # what a lesson step names here ("node a2", "edge w2")
        self._lesson_marked: set[str] = set()      # those of them drawn (the network has them)
        self.refresh()

    # ------------------------------------------------------------------ geometry
    @staticmethod
    def is_detailed(sizes) -> bool:
        """Numbers on every edge only while they stay legible: a chain like the lesson's (one neuron
        per layer, at most one hidden layer); anything wider or deeper is drawn compact."""
        return len(sizes) <= 3 and all(n == 1 for n in sizes)

    def _layout(self, sizes) -> None:
        tallest = max(sizes)
        self.detailed = self.is_detailed(sizes)
        if self.detailed:
            self._radius, pitch, gap = RADIUS, ROW_GAP, COLUMN_GAP
            self._text_scale = 1.0
        else:
            self._radius, pitch = COMPACT_RADIUS, PITCH
            height = tallest * pitch
            gap = min(320.0, max(170.0, 1.45 * (height + 420) / (len(sizes) + 0.8)))
            # text stays about the same size on screen whatever the zoom fitInView ends up at
            width = (len(sizes) - 0.2) * gap + 2.5 * COMPACT_RADIUS + 160
            self._text_scale = max(1.0, width / 620, (height + 260) / 470)
        self._pitch, self._gap = pitch, gap
        # short columns beside tall ones spread out and get bigger neurons (the inputs of 2-16-16-3)
        pitches = [pitch if self.detailed else pitch * min(2.5, max(1.0, tallest / (count + 1)))
                   for count in sizes]
        self._radii = [self._radius if self.detailed else
                       min(1.9 * self._radius, max(self._radius, 0.36 * p)) for p in pitches]
        self._positions: dict[tuple[int, int], QPointF] = {}
        for layer, count in enumerate(sizes):
            for j in range(count):
                self._positions[(layer, j)] = QPointF(layer * gap, (j - (count - 1) / 2) * pitches[layer])
        last_x = (len(sizes) - 1) * gap
        self._cost_radius = self._radius if self.detailed else max(1.25 * self._radius, self._radii[-1])
        self._cost_pos = QPointF(last_x + (COLUMN_GAP - 40 if self.detailed else
                                           0.8 * gap + self._radii[-1] - self._radius), 0)
        self._half_height = tallest * pitch / 2

    # ------------------------------------------------------------------ building
    def _on_structure(self) -> None:
        self._close_editor()
        if self._built_revision != self._model.revision:  # the new snapshot may have rebuilt it already
            self._build()
        self.refresh()

    def _on_dataset(self) -> None:
        self._field_extent = None
        self.refresh()

    def _build(self) -> None:
        scene = self.scene()
        scene.clear()
        self.build_count += 1
        self._built_revision = self._model.revision
        net = self._model.network
        sizes = list(net.sizes)
        self._shape = tuple(sizes)
        self._highlighted_for = None   # the items are new: highlight them anew
        self._bias_looks: dict[str, bool | None] = {}   # bias name -> drawn sign (None: selected)
        self._activations = tuple(net.activations)
        # Hundreds of antialiased edges took most of a repaint (in Qt's rasterizer) on the 16x3
        # network; past ANTIALIAS_EDGES they are drawn plain (thin lines, the picture as legible)
        edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        self.setRenderHint(QPainter.Antialiasing, edges <= ANTIALIAS_EDGES)
        self._layout(sizes)
        detailed, s = self.detailed, self._text_scale
        radii = self._radii
        self._field_extent = None
        self._fields_key, self._fields_vector = None, None
        self.field_images, self.field_paths = {}, {}

        self._edges: dict[str, EdgeItem] = {}
        self._edge_grid = [[[None] * sizes[layer] for _ in range(sizes[layer - 1])]
                           for layer in range(1, len(sizes))]
        self._pens: dict[tuple, QPen] = {}
        self._lit_cache = None
        self._edge_looks: list = [None] * (len(sizes) - 1)   # per weight layer, as last drawn
        self._edge_ends: dict[str, tuple] = {}
        self._edge_labels: dict[str, tuple] = {}
        for layer in range(1, len(sizes)):
            for i in range(sizes[layer - 1]):
                for j in range(sizes[layer]):
                    name = self._weight_name(layer, i, j)
                    start, end = self._positions[(layer - 1, i)], self._positions[(layer, j)]
                    path = QPainterPath(QPointF(start.x() + radii[layer - 1], start.y()))
                    path.lineTo(QPointF(end.x() - radii[layer], end.y()))
                    edge = EdgeItem()
                    edge.set_route(path)
                    edge.parameter, edge.diagram = name, self
                    edge.setZValue(0)
                    edge.setAcceptHoverEvents(True)
                    edge.setCursor(Qt.PointingHandCursor)
                    scene.addItem(edge)
                    self._edges[name] = edge
                    self._edge_grid[layer - 1][i][j] = edge
                    self._edge_ends[name] = ((layer - 1, i), (layer, j))
                    if detailed:
                        self._edge_labels[name] = (add_text(scene, 13, True), add_text(scene, 12, color=MUTED),
                                                   (start + end) / 2)

        self._nodes: dict[tuple[int, int], NodeItem] = {}
        self._node_values: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self._biases: dict[str, BiasItem] = {}
        self._bias_labels: dict[str, QGraphicsSimpleTextItem] = {}
        self._curves: dict[tuple[int, int], QGraphicsPathItem] = {}
        self._pictures: dict[tuple[int, int], object] = {}
        self._curve_dots: dict[tuple[int, int], QGraphicsEllipseItem] = {}
        last = len(sizes) - 1
        two_inputs = sizes[0] == 2
        for (layer, j), pos in self._positions.items():
            r = radii[layer]
            node = NodeItem(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r))
            node.key, node.diagram = (layer, j), self
            node.setPen(QPen(NODE_LINE, 2))
            node.setBrush(QBrush(NODE_FILL))
            node.setZValue(2)
            scene.addItem(node)
            self._nodes[(layer, j)] = node
            hidden = 0 < layer < last
            if detailed or not hidden:
                title = add_text(scene, 15 if detailed else int(15 * min(s, 1.6) * r / self._radius), True)
                title.setZValue(3)
                place_centered(title, self._node_title(layer, j, sizes), pos)
                if not detailed:
                    title.setAcceptedMouseButtons(Qt.NoButton)
            if detailed:
                values = add_text(scene, 12, color=MUTED)
                values.setZValue(3)
                self._node_values[(layer, j)] = values
            if hidden:
                self._add_picture(scene, layer, j, pos, two_inputs)
            if layer > 0:
                self._add_bias(scene, layer, j, pos)

        cost_r = self._cost_radius
        cost_pos = self._cost_pos
        cost = scene.addEllipse(QRectF(cost_pos.x() - cost_r, cost_pos.y() - cost_r, 2 * cost_r, 2 * cost_r),
                                QPen(NODE_LINE, 2), QBrush(QColor("#fff6e0")))
        cost.setZValue(2)
        self._cost_node = cost
        cost_title = add_text(scene, 16 if detailed else int(18 * min(s, 1.8) * cost_r / (1.25 * self._radius)), True)
        cost_title.setZValue(3)
        place_centered(cost_title, "J", cost_pos)
        self._cost_value = add_text(scene, 11 if detailed else int(11 * s), color=MUTED)
        self._cost_edges = []
        for j in range(sizes[last]):
            start = self._positions[(last, j)]
            path = QPainterPath(QPointF(start.x() + radii[last], start.y()))
            path.lineTo(QPointF(cost_pos.x() - cost_r, cost_pos.y()))
            item = scene.addPath(path, QPen(MUTED, 2))
            item.setZValue(0)
            self._cost_edges.append(item)
        # a gold halo under the selected weight keeps its sign colour readable
        self._halo = scene.addPath(QPainterPath(), QPen(HIGHLIGHT, 20 if detailed else 14, Qt.SolidLine, Qt.RoundCap))
        self._halo.setOpacity(0.6)
        self._halo.setZValue(-1)
        # the edge under the mouse, outlined so it stands out of a dense layer
        self._hover = scene.addPath(QPainterPath(), QPen(QColor(29, 36, 51, 110), 10 if detailed else 8,
                                                          Qt.SolidLine, Qt.RoundCap))
        self._hover.setZValue(-0.5)
        self.hovered = ""
        # a lesson's mark: dashes over a white underlay, around what the step's text names
        self._lesson_under = scene.addPath(QPainterPath(), underlay_pen())
        self._lesson_ring = scene.addPath(QPainterPath(), mark_pen())
        self._lesson_under.setZValue(1.5)
        self._lesson_ring.setZValue(1.6)
        self._captions: dict[int, CaptionItem] = {}
        for layer in range(len(sizes)):
            caption = CaptionItem()
            font = QFont()
            font.setPointSize(int(11 * s) if detailed else int(10 * s))
            font.setBold(not detailed)
            caption.setFont(font)
            caption.setBrush(QBrush(MUTED))
            caption.setZValue(3)
            caption.layer, caption.diagram = layer, self
            scene.addItem(caption)
            self._captions[layer] = caption
        self._caption = add_text(scene, int(12 * s), color=MUTED)
        self._legend = add_text(scene, int(11 * s), color=MUTED)

    def _add_bias(self, scene, layer: int, j: int, pos: QPointF) -> None:
        name = self._bias_name(layer, j)
        r = self._radii[layer]
        if self.detailed:
            rect = QRectF(pos.x() - 16, pos.y() - r - 62, 32, 24)
        else:
            corner = QPointF(pos.x() + 0.62 * r, pos.y() - 0.62 * r)
            rect = QRectF(corner.x() - BIAS_TAB / 2, corner.y() - BIAS_TAB / 2, BIAS_TAB, BIAS_TAB)
        box = BiasItem(rect)
        box.parameter, box.diagram = name, self
        box.setBrush(QBrush(BIAS_FILL))
        box.setZValue(4 if not self.detailed else 2)
        box.setCursor(Qt.PointingHandCursor)
        scene.addItem(box)
        self._biases[name] = box
        if self.detailed:
            link = scene.addLine(pos.x(), pos.y() - r - 38, pos.x(), pos.y() - r, QPen(MUTED, 1.2, Qt.DashLine))
            link.setZValue(1)
            label = add_text(scene, 11)
            label.setZValue(3)
            self._bias_labels[name] = label
            tag = add_text(scene, 11, True)
            tag.setZValue(3)
            place_centered(tag, "+b", rect.center())
        else:
            tag = add_text(scene, 9, True)
            tag.setParentItem(box)
            tag.setAcceptedMouseButtons(Qt.NoButton)
            place_centered(tag, "b", rect.center())

    def _add_picture(self, scene, layer: int, j: int, pos: QPointF, two_inputs: bool) -> None:
        """The neuron's own picture: inside the node (compact) or under its numbers (detailed)."""
        r = self._radii[layer]
        if self.detailed:
            box = QRectF(pos.x() - 36, pos.y() + r + 54, 72, 44) if not two_inputs else \
                QRectF(pos.x() - 24, pos.y() + r + 52, 48, 48)
            frame = scene.addRect(box, QPen(QColor("#c5cbd8"), 1), QBrush(QColor("#ffffff")))
            frame.setZValue(2)
            title = self._node_title(layer, j, list(self._shape))
            frame.setToolTip(f"{title} over the input plane (x1 across, x2 up): blue low, white middle, red high"
                             if two_inputs else
                             f"{title} as a function of x over the data's range; the dot: the chain rule's sample")
        else:
            inner = r * 0.72
            box = QRectF(pos.x() - inner, pos.y() - inner * 0.8, 2 * inner, 1.6 * inner)
            frame = None
        if two_inputs:
            if frame is None:
                self._pictures[(layer, j)] = ("brush", QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r))
            else:
                item = scene.addPixmap(QPixmap())
                item.setZValue(3)
                item.setPos(box.topLeft())
                item.setTransformationMode(Qt.SmoothTransformation)
                self._pictures[(layer, j)] = ("pixmap", item, box)
        else:
            curve = scene.addPath(QPainterPath(), QPen(TEXT, 2 if self.detailed else 2.5))
            curve.setZValue(3)
            self._curves[(layer, j)] = curve
            self._pictures[(layer, j)] = ("curve", curve, box)
            if self.detailed:
                dot = scene.addEllipse(QRectF(-3.5, -3.5, 7, 7), QPen(Qt.NoPen), QBrush(QColor("#e4572e")))
                dot.setZValue(4)
                self._curve_dots[(layer, j)] = dot

    def _weight_name(self, layer: int, i: int, j: int) -> str:
        """The weight from neuron i of diagram column layer - 1 to neuron j of column layer."""
        return parameter_name(self._shape, ParameterRef("w", layer - 1, i, j))

    def _bias_name(self, layer: int, j: int) -> str:
        return parameter_name(self._shape, ParameterRef("b", layer - 1, None, j))

    @staticmethod
    def _node_title(layer: int, j: int, sizes: list[int]) -> str:
        """The node's name as core.naming writes it (x₁, a₁,₂; the output ŷ, ŷ₂ like its target y₂)."""
        if layer == 0:
            return to_unicode(input_name(j, sizes[0]))
        if layer == len(sizes) - 1:
            return "ŷ" + to_unicode(target_name(j, sizes[-1]))[1:]
        return to_unicode(node_name("a", layer, j, sizes[layer]))

    def item_counts(self) -> dict[str, int]:
        """How many of each kind of item the diagram holds (tests, and a sanity check)."""
        return {"nodes": len(self._nodes), "edges": len(self._edges), "biases": len(self._biases),
                "pictures": len(self._pictures), "captions": len(self._captions)}

    # ------------------------------------------------------------------ captions and descriptions
    def _caption_text(self, layer: int) -> str:
        net, sizes = self._model.network, self._shape
        last = len(sizes) - 1
        n = sizes[layer]
        if layer == 0:
            what = "x" if n == 1 else "x₁, x₂" if n == 2 else f"{n} features"
            return f"input · {what}" if self.detailed else f"input\n{what}"
        activation = net.activations[layer - 1]
        neurons = f"{n} neuron{'s' if n != 1 else ''}"
        sep = " · " if self.detailed else "\n"
        if layer == last:
            return f"output{sep}{activation}" + ("" if self.detailed else f"\n{neurons}")
        return f"hidden {layer}{sep}{activation}" + ("" if self.detailed else f"\n{neurons}")

    def cost_title(self) -> str:
        net = self._model.network
        loss = core.ALL_LOSSES[net.loss].title if net.loss in core.ALL_LOSSES else str(net.loss)
        return loss.lower()

    def describe(self, item) -> str:
        """The hover text of a diagram item, with the current numbers."""
        net, model = self._model.network, self._model
        if isinstance(item, _Clickable) and item.parameter:
            name = item.parameter
            if name not in net.parameter_names():
                return ""
            grad = self._gradient_of(name)
            ref = net.locate(name)
            sizes = self._shape
            if ref.kind == "w":
                where = (f"from {self._node_title(ref.layer, ref.i, list(sizes))} "
                         f"to {self._node_title(ref.layer + 1, ref.j, list(sizes))}")
            else:
                where = f"bias of {self._node_title(ref.layer + 1, ref.j, list(sizes))}"
            shown = to_unicode(name)
            return (f"{shown} = {fmt(net.get(name), 5)}\n∂J/∂{shown} = {fmt(grad, 5)}\n{where}\n"
                    f"Click to select · double-click or Enter to type a value")
        if isinstance(item, NodeItem):
            layer, j = item.key
            sizes = list(self._shape)
            title = self._node_title(layer, j, sizes)
            if self._trace is None:
                return title
            trace, sample = self._trace, model.sample
            if layer == 0:
                return f"{title} = {fmt(trace.activations[0][0, j], 5)} (sample {sample + 1})"
            activation = net.activations[layer - 1]
            kind = "output" if layer == len(sizes) - 1 else f"hidden layer {layer}"
            text = (f"{title}: neuron {j + 1} of {kind} ({activation})\n"
                    f"z = {fmt(trace.zs[layer - 1][0, j], 5)}, a = {fmt(trace.activations[layer][0, j], 5)}"
                    f" at sample {sample + 1}")
            if 0 < layer < len(sizes) - 1:
                over = "the input plane (x₁, x₂)" if sizes[0] == 2 else "x"
                text += (f"\nPicture: a over {over}, blue low · white middle · red high"
                         f"\nClick: select its bias · right-click: add or remove neurons and layers, "
                         f"change the activation")
            return text
        if isinstance(item, CaptionItem):
            layer = item.layer
            if 0 < layer < len(self._shape) - 1:
                return "Right-click: add or remove neurons and layers, change the activation"
            return ""
        return ""

    def _gradient_of(self, name: str) -> float:
        if self._grads is None:
            return float("nan")
        ref = self._model.network.locate(name)
        dW, db = self._grads
        return float(dW[ref.layer][ref.i, ref.j] if ref.kind == "w" else db[ref.layer][ref.j])

    # ------------------------------------------------------------------ updating
    def _on_parameters(self) -> None:
        # a thousand edges cost ~30 ms a redraw: big networks redraw less often while training
        self._refresh_throttle.interval = REFRESH_INTERVAL_S if len(self._edges) <= 300 else 2 * REFRESH_INTERVAL_S
        self._refresh_throttle.request(immediate=not self._model.running)

    def refresh(self, *_args) -> None:
        self._refresh_throttle.request(immediate=True)

    def _refresh_now(self) -> None:
        """Every number, pen and the highlight, from the model as it is now."""
        model = self._model
        net = model.network
        self.shown_step = model.snapshot.step   # everything below is of this snapshot
        if tuple(net.sizes) != self._shape:
            self._close_editor()
            self._build()
        sizes = list(net.sizes)
        sample = model.sample
        x_row, y_row = model.X[sample:sample + 1], model.y[sample:sample + 1]
        self._trace = trace = net.forward(x_row)
        self._grads = dW, db = model.snapshot.gradients()   # the snapshot's: no backward pass here
        detailed = self.detailed
        if detailed:
            for (layer, j), pos in self._positions.items():
                if layer == 0:
                    text = f"x = {fmt(x_row[0, j])}" if sizes[0] == 1 else f"x{j + 1} = {fmt(x_row[0, j])}"
                else:
                    text = f"z = {fmt(trace.zs[layer - 1][0, j])}\na = {fmt(trace.activations[layer][0, j])}"
                place_centered(self._node_values[(layer, j)], text, QPointF(pos.x(), pos.y() + RADIUS + 24))
        self._update_edges(net, dW, model.selected)
        for layer in range(1, len(sizes)):
            for j in range(sizes[layer]):
                name = self._bias_name(layer, j)
                b = net.biases[layer - 1][j]
                box = self._biases[name]
                look = None if name == model.selected else b >= 0
                if look is not None and self._bias_looks.get(name) != look:
                    box.setPen(self._pen(POSITIVE if look else NEGATIVE, 2.0))
                self._bias_looks[name] = look
                if name in self._bias_labels:
                    label_pos = box.rect().center() + QPointF(0, -36)
                    place_centered(self._bias_labels[name],
                                   f"{to_unicode(name)} = {fmt(b)}\n∂J/∂{to_unicode(name)} = {fmt(db[layer - 1][j])}",
                                   label_pos)

        cost = model.cost()
        s = self._text_scale
        if detailed:
            place_centered(self._cost_value,
                           f"J = {fmt(cost)}\n(batch mean)\ny = {fmt(y_row[0, 0])} (sample)\n{self.cost_title()}",
                           QPointF(self._cost_pos.x(), self._cost_pos.y() + RADIUS + 34))
        else:
            # to the right of J: below it, the edges from the lower outputs would cross the text
            self._cost_value.setText(f"J = {fmt(cost)}\n{self.cost_title()}")
            rect = self._cost_value.boundingRect()
            self._cost_value.setPos(self._cost_pos.x() + self._cost_radius + 8 * s,
                                    self._cost_pos.y() - rect.height() / 2)
        self._place_captions(sizes, sample)
        # the highlight depends on the selection only: set anew, its hundred pens and brushes
        # would repaint the whole picture every frame while training
        highlight = (model.selected, model.focused_path, self._shape, self.detailed, self.build_count)
        if highlight != self._highlighted_for:
            self._highlighted_for = highlight
            self._highlight(model.selected)
        self._field_throttle.request(immediate=not model.running)
        zoom = self.transform().m11()
        self._scale_text(0.0)   # the picture's own extent, without text enlarged for a small view
        self._lesson_under.setPath(QPainterPath())   # the fit is the network's own, marks or not
        self._lesson_ring.setPath(QPainterPath())
        extent = self.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20)
        kept = getattr(self, "_base_rect", None)
        if kept is not None and kept.contains(extent) and \
                extent.width() * extent.height() >= 0.9 * kept.width() * kept.height():
            # the picture still fits the view as it is (a number a digit shorter, say): refitting
            # would rescale the view, and repaint every edge, each frame
            self._draw_lesson_marks()
            self._scale_text(zoom)
        else:
            self._base_rect = extent
            self._draw_lesson_marks()
            self._fit()

    def _place_captions(self, sizes, sample: int) -> None:
        s, detailed = self._text_scale, self.detailed
        top, bottom = -self._half_height, self._half_height
        for layer, caption in self._captions.items():
            x = layer * self._gap
            caption.setText(self._caption_text(layer))
            rect = caption.boundingRect()
            if detailed:  # under the columns, above the legend: the lesson's picture stays as it was
                y = bottom + 90
            else:
                y = top - 30 * s - rect.height() / 2
            caption.setPos(x - rect.width() / 2, y - rect.height() / 2)
            caption.lift = 0.0
        if not detailed:
            self._fit_caption_fonts()
        mid_x = self._cost_pos.x() / 2
        gold = self.gold_legend()
        if detailed:
            place_centered(self._caption, f"Node values for sample {sample + 1} of {len(self._model.X)}"
                                          f"  ·  edge labels: weight and ∂J/∂w over the batch",
                           QPointF(mid_x, top - 70 - (0 if max(sizes) > 1 else 0)))
            place_centered(self._legend, "red edge: positive weight   blue edge: negative   width: |w|\n"
                                         f"gold: {gold}",
                           QPointF(mid_x, bottom + 128))
        else:
            place_centered(self._caption, "Hover an edge, a bias (b) or a neuron for its numbers\n"
                                          "double-click to type a value · right-click a neuron to change the network",
                           QPointF(mid_x, top - 30 * s - 70 * s))
            place_centered(self._legend, "edges: red positive, blue negative, width |w|\n"
                                         f"gold: {gold}"
                                         "\nin each neuron: its activation over the input, blue low · red high",
                           QPointF(mid_x, bottom + 50 * s))

    def gold_legend(self) -> str:
        """What the gold lines are: every path, or the one singled out with P."""
        model = self._model
        path = model.focused_path
        if path is None:
            return "every path from the selected parameter to J (P: one at a time)"
        paths = core.path_nodes(model.network, model.selected)
        return f"path {paths.index(path) + 1} of {len(paths)} from {to_unicode(model.selected)} to J (P: next)"

    def _fit_caption_fonts(self) -> None:
        """Shrink the column captions together until the widest fits its column (once per shape)."""
        widest = max(caption.boundingRect().width() for caption in self._captions.values())
        room = 0.92 * self._gap
        if widest <= room:
            return
        for caption in self._captions.values():
            center = caption.sceneBoundingRect().center()
            font = caption.font()
            font.setPointSizeF(font.pointSizeF() * 0.97 * room / widest)
            caption.setFont(font)
            rect = caption.boundingRect()
            caption.setPos(center.x() - rect.width() / 2, center.y() - rect.height() / 2)

    # ------------------------------------------------------------------ neuron pictures
    def _extent_key(self):
        lo, hi = self._extent()
        return tuple(lo), tuple(hi)

    def _extent(self):
        if getattr(self, "_field_extent", None) is None:
            X = self._model.dataset.X
            lo, hi = X.min(axis=0), X.max(axis=0)
            span = np.where(hi - lo > 0, hi - lo, 1.0)
            self._field_extent = (lo - 0.1 * span, hi + 0.1 * span)
        return self._field_extent

    def _update_fields(self) -> None:
        self.field_updates += 1
        if not self._pictures:
            return
        net = self._model.network   # the shown snapshot's: never changed, so a worker may read it
        if tuple(net.sizes) != self._shape:
            return
        # a selection or a sample change alone leaves every picture as it is
        vector = net.parameter_vector()
        key = (net.activations, self._model.sample, self._extent_key())
        if key == self._fields_key and np.array_equal(vector, self._fields_vector):
            return
        self._fields_key, self._fields_vector = key, vector
        lo, hi = self._extent()
        x_sample = float(self._model.X[self._model.sample, 0])
        self._fields_worker.submit_to_lane(process_jobs.NEURON_PICTURES, neuron_pictures, net, lo, hi, x_sample)

    def is_settled(self) -> bool:
        """No redraw or neuron picture of the shown snapshot is still on its way."""
        return not (self._fields_worker.busy or self._field_throttle.pending or self._refresh_throttle.pending)

    def _on_pictures(self, result) -> None:
        """Show the neuron pictures a worker made (images for 2 inputs, curves for 1)."""
        shape, kind, pictures = result
        if shape != self._shape:
            return  # made for a network the diagram no longer shows
        if kind == "images":
            for key, rgba in pictures.items():
                image = self.field_images[key] = rgba_image(rgba)
                self._show_image(key, image)
        else:
            xs, x_sample, curves = pictures
            for key, (values, low, high) in curves.items():
                self._show_curve(key, xs, values, low, high, x_sample)

    def _show_image(self, key, image: QImage) -> None:
        picture = self._pictures[key]
        pixmap = QPixmap.fromImage(image)
        if picture[0] == "brush":
            rect = picture[1]
            brush = QBrush(pixmap)
            brush.setTransform(QTransform.fromTranslate(rect.x(), rect.y())
                               .scale(rect.width() / pixmap.width(), rect.height() / pixmap.height()))
            self._nodes[key].setBrush(brush)
        else:
            item, box = picture[1], picture[2]
            item.setPixmap(pixmap)
            item.setScale(box.width() / pixmap.width())

    def _show_curve(self, key, xs, values, low: float, high: float, x_sample: float) -> None:
        _kind, item, box = self._pictures[key]
        span_x = xs[-1] - xs[0] or 1.0
        span_y = (high - low) or 1.0
        px = box.left() + (xs - xs[0]) / span_x * box.width()
        py = box.bottom() - (np.clip(values, low, high) - low) / span_y * box.height()
        path = QPainterPath(QPointF(px[0], py[0]))
        for a, b in zip(px[1:], py[1:]):
            path.lineTo(QPointF(float(a), float(b)))
        item.setPath(path)
        self.field_paths[key] = path
        dot = self._curve_dots.get(key)
        if dot is not None:
            k = int(np.argmin(np.abs(xs - x_sample)))
            dot.setPos(float(px[k]), float(py[k]))

    # ------------------------------------------------------------------ paths to the cost
    def paths_to_cost(self, name: str) -> tuple[set, set]:
        """(node keys, weight names) on every path from parameter `name` to the cost."""
        ref = self._model.network.locate(name)
        sizes = self._shape
        start = ref.layer + 1  # the neuron the parameter feeds
        nodes = {(start, ref.j)} | {(layer, k) for layer in range(start + 1, len(sizes))
                                    for k in range(sizes[layer])}
        edges = set()
        for layer in range(start + 1, len(sizes)):
            sources = [ref.j] if layer == start + 1 else range(sizes[layer - 1])
            edges |= {self._weight_name(layer, i, k) for i in sources for k in range(sizes[layer])}
        return nodes, edges

    def _lit(self, selected: str):
        """(lit nodes, lit weight names, per weight layer: which edges are lit or None/True),
        cached per selection and shape."""
        path = self._model.focused_path
        key = (selected, self._shape, path)
        if self._lit_cache is None or self._lit_cache[0] != key:
            if path is not None:
                nodes, edges, masks = self._single_path(path)
            else:
                nodes, edges = self.paths_to_cost(selected)
                ref = self._model.network.locate(selected)
                start = ref.layer + 1   # weight layer `start` leaves the parameter's neuron
                masks = [True if m > start else (ref.j if m == start else None)
                         for m in range(len(self._shape) - 1)]
            self._lit_cache = (key, nodes, edges, masks)
        return self._lit_cache[1:]

    def _single_path(self, path):
        """(nodes, weight names, masks) of one path singled out (core.path_nodes form: top first);
        a mask (i, j) lights the one edge of that weight layer on the path."""
        upward = list(reversed(path))
        masks: list = [None] * (len(self._shape) - 1)
        edges = set()
        for (layer, i), (_next_layer, j) in zip(upward, upward[1:]):
            masks[layer] = (i, j)
            edges.add(self._weight_name(layer + 1, i, j))
        return set(path), edges, masks

    def _pen(self, color: QColor, width: float) -> QPen:
        """Pens are shared: a refresh of a thousand edges then allocates almost nothing."""
        key = (color.rgb(), width)
        pen = self._pens.get(key)
        if pen is None:
            pen = self._pens[key] = QPen(color, width, Qt.SolidLine, Qt.RoundCap)
        return pen

    def _update_edges(self, net, dW, selected: str) -> None:
        """Every edge's pen in one pass: sign colour (gold on the paths), width |w|, faded off the
        paths (alpha mixed into the colour: item opacity makes a thousand edges paint 10x slower).
        Widths and fades are quantised, and each layer's looks are compared as arrays with those
        last drawn, so only edges whose look changed are touched (a Python loop over the 560 edges
        of the 16x3 network took ~15 ms a refresh while training)."""
        detailed = self.detailed
        _nodes, _edges, masks = self._lit(selected)
        magnitudes = [float(np.max(np.abs(W))) for W in net.weights if W.size]
        biggest = max(magnitudes) if magnitudes else 1.0
        scale = max(1.0, biggest) if detailed else max(biggest, 1e-9)
        selected_ref = net.locate(selected)
        for m, (W, grid) in enumerate(zip(net.weights, self._edge_grid)):
            rel = np.sqrt(np.minimum(np.abs(W) / scale, 1.0))
            width = np.round((1.5 + 7.0 * rel if detailed else 0.8 + 6.0 * rel) * 4) / 4
            lit = edge_mask(masks[m], W.shape)
            chosen = np.zeros(W.shape, dtype=bool)
            if selected_ref.kind == "w" and selected_ref.layer == m:
                chosen[selected_ref.i, selected_ref.j] = True
            on_path = lit | chosen
            positive = W >= 0
            if detailed:
                alpha = np.where(on_path, 1.0, 0.55)
            else:
                alpha = np.where(on_path, 0.9, np.round((0.15 + 0.5 * rel) * 16) / 16)
            looks = (positive, lit, width, alpha, on_path)
            drawn = self._edge_looks[m]
            if drawn is None or drawn[0].shape != W.shape:
                changed = np.ones(W.shape, dtype=bool)
            else:
                changed = np.zeros(W.shape, dtype=bool)
                for now, before in zip(looks, drawn):
                    changed |= now != before
            self._edge_looks[m] = looks
            for i, j in zip(*np.nonzero(changed)):
                edge = grid[i][j]
                base = HIGHLIGHT if lit[i, j] else (POSITIVE if positive[i, j] else NEGATIVE)
                edge.setPen(self._pen(_faded(base, float(alpha[i, j])), float(width[i, j])))
                edge.setZValue(1 if on_path[i, j] else 0)
            if self._edge_labels:
                for i, row in enumerate(grid):
                    for j, edge in enumerate(row):
                        value_item, grad_item, mid = self._edge_labels[edge.parameter]
                        name = edge.parameter
                        place_centered(value_item, f"{to_unicode(name)} = {fmt(W[i, j])}",
                                       QPointF(mid.x(), mid.y() - 22))
                        place_centered(grad_item, f"∂J/∂{to_unicode(name)} = {fmt(dW[m][i, j])}",
                                       QPointF(mid.x(), mid.y() + 22))

    def edge_pen(self, name: str) -> QPen:
        """The pen weight ``name``'s edge is drawn with (tests: colour by sign or path, width by |w|)."""
        return self._edges[name].pen()

    def _highlight(self, selected: str) -> None:
        """Light every path the chain rule sums over: from the selected parameter's neuron through
        every later neuron to the cost (the edges are lit in _update_edges). The selected weight
        keeps its sign colour over a gold halo; everything off the paths fades."""
        lit_nodes, lit_edges, _masks = self._lit(selected)
        detailed = self.detailed
        self._halo.setPath(self._edges[selected].path() if selected in self._edges else QPainterPath())
        glow = QPen(HIGHLIGHT, 5 if detailed else 6)
        plain = QPen(NODE_LINE, 2)
        for key, node in self._nodes.items():
            node.setPen(glow if key in lit_nodes else plain)
        for name, box in self._biases.items():
            box.setBrush(QBrush(HIGHLIGHT.lighter(150) if name == selected else BIAS_FILL))
            if name == selected:
                box.setPen(glow if detailed else QPen(HIGHLIGHT.darker(130), 3))
        self._cost_node.setPen(glow)
        last = len(self._shape) - 1
        for j, item in enumerate(self._cost_edges):
            item.setPen(QPen(HIGHLIGHT if (last, j) in lit_nodes else MUTED, 3))
        self.highlighted = ({f"edge:{n}" for n in lit_edges | ({selected} & self._edges.keys())}
                            | {f"node:{l}.{j}" for l, j in lit_nodes} | {"node:J"}
                            | ({f"bias:{selected}"} if selected in self._biases else set()))

    # ------------------------------------------------------------------ a lesson's highlight
    def set_lesson_highlight(self, names=()) -> None:
        """Mark what a lesson step's text names: "node a2" (x, z1, a1, z2, a2, y, J; z and a of a
        neuron share its circle; y is the target shown under J), "edge w2" (a weight, or a bias's box).
        The mark is the lesson's own (lesson_marks.py), distinct from the gold of the selection."""
        self._lesson_names = tuple(names)
        self._draw_lesson_marks()

    def clear_lesson_highlight(self) -> None:
        self.set_lesson_highlight(())

    def lesson_highlighted(self) -> set[str]:
        """The names a lesson asked for that are marked now (a name the network lacks is not)."""
        return set(self._lesson_marked)

    def _draw_lesson_marks(self) -> None:
        if not hasattr(self, "_lesson_ring"):
            return   # nothing built yet: drawn with the first refresh
        shape, marked = QPainterPath(), set()
        for name in self._lesson_names:
            part = self._lesson_shape(name)
            if part is not None:
                shape.addPath(part)
                marked.add(name)
        self._lesson_marked = marked
        self._lesson_under.setPath(shape)
        self._lesson_ring.setPath(shape)

    def _lesson_shape(self, name: str) -> QPainterPath | None:
        """Where the mark of `name` goes, a little outside the item it names; None if there is none."""
        kind, _, target = name.partition(" ")
        path = QPainterPath()
        if kind == "edge" and target in self._edges:
            if self.detailed:   # around the edge and its two numbers, never through their text
                path.addRoundedRect(self._edges[target].path().boundingRect().adjusted(4, -35, -4, 35), 12, 12)
                return path
            return ring_around(self._edges[target].path(), 9)
        if kind == "edge" and target in self._biases:
            path.addRoundedRect(self._biases[target].rect().adjusted(-7, -7, 7, 7), 5, 5)
            return path
        if kind != "node":
            return None
        if target == "J" or (target[:1] == "y" and not self.detailed):
            rect = self._cost_node.rect()
        elif target[:1] == "y":   # the sample's target is written under J
            rect = self._cost_value.sceneBoundingRect().adjusted(-6, -4, 6, 4)
            path.addRoundedRect(rect, 6, 6)
            return path
        else:
            key = self._node_key(target)
            if key is None:
                return None
            rect = self._nodes[key].rect()
        path.addEllipse(rect.adjusted(-9, -9, 9, 9))
        return path

    def _node_key(self, target: str) -> tuple[int, int] | None:
        """(column, neuron) of a node named as core.naming names it: x, x2, z1, a2, a1.3."""
        sizes = self._shape
        if target[:1] == "x":
            number = target[1:]
            j = 0 if number == "" and sizes[0] == 1 else (int(number) - 1 if number.isdigit() else -1)
            return (0, j) if 0 <= j < sizes[0] else None
        if target[:1] not in ("z", "a"):
            return None
        layer_text, _, neuron_text = target[1:].partition(".")
        if not layer_text.isdigit() or not 1 <= int(layer_text) < len(sizes):
            return None
        layer = int(layer_text)
        if neuron_text == "":
            return (layer, 0) if sizes[layer] == 1 else None
        j = int(neuron_text) - 1 if neuron_text.isdigit() else -1
        return (layer, j) if 0 <= j < sizes[layer] else None

    def hover_edge(self, edge) -> None:
        """Outline the edge under the mouse (None: none)."""
        self.hovered = edge.parameter if edge is not None else ""
        self._hover.setPath(edge.path() if edge is not None else QPainterPath())

    # ------------------------------------------------------------------ editing a value
    def edit_parameter(self, name: str | None = None) -> InlineValueEditor | None:
        """Open the inline editor on `name` (default: the selected parameter), prefilled."""
        name = name or self._model.selected
        if name not in self._model.parameter_names():
            return None
        self._close_editor()
        if name != self._model.selected:
            self._model.select(name)
        editor = self.editor = InlineValueEditor(self._model, name, self.viewport())
        editor.closed.connect(self._on_editor_closed)
        anchor = self._anchor(name)
        point = self.mapFromScene(anchor)
        editor.adjustSize()
        width, height = max(editor.width(), 120), editor.sizeHint().height()
        x = min(max(point.x() - width // 2, 2), max(self.viewport().width() - width - 2, 2))
        y = min(max(point.y() - height // 2, 2), max(self.viewport().height() - height - 2, 2))
        editor.setGeometry(x, y, width, height)
        editor.show()
        editor.setFocus(Qt.OtherFocusReason)
        return editor

    def _anchor(self, name: str) -> QPointF:
        if name in self._edges:
            return self._edges[name].path().pointAtPercent(0.5)
        return self._biases[name].sceneBoundingRect().center()

    def _on_editor_closed(self, _committed: bool) -> None:
        self.editor = None
        self.setFocus(Qt.OtherFocusReason)

    def _close_editor(self) -> None:
        if self.editor is not None:
            editor, self.editor = self.editor, None
            editor.closed.disconnect(self._on_editor_closed)
            editor._finish(False)

    # ------------------------------------------------------------------ structure menu
    def context_menu(self, layer: int, j: int | None = None) -> QMenu:
        """The menu of neuron `j` of `layer` (or of the whole layer when j is None), built but not
        shown. For a hidden layer it selects that neuron's bias first: the commands it offers (the
        registry's, with their keys) act on the selected parameter's layer."""
        model, sizes = self._model, self._shape
        menu = QMenu(self)
        menu.setObjectName("diagram-menu")
        last = len(sizes) - 1
        hidden_count = len(sizes) - 2
        can_add_layer = hidden_count < MAX_HIDDEN_LAYERS

        def add(text, handler, enabled=True, object_name="", command=None):
            if command is not None and self._actions is not None:
                action = self._actions.action(command)   # the command itself: its title and its key
            else:
                action = QAction(text, menu)
                action.setObjectName(object_name)
                action.setEnabled(enabled)
                action.triggered.connect(handler)
            menu.addAction(action)
            return action

        if layer == 0:
            add("Add a hidden layer after the inputs", lambda: model.add_layer(0), can_add_layer, "add_layer_after")
            return menu
        if layer == last:
            add("Add a hidden layer before the output", lambda: model.add_layer(hidden_count), can_add_layer,
                "add_layer_before")
            return menu
        k = layer - 1  # the model counts hidden layers from 0
        n = sizes[layer]
        self._select_for_menu(layer, j)
        menu.addSection(f"Hidden layer {layer} · {model.network.activations[k]} · {n} neuron{'s' * (n != 1)}")
        add(f"Add a neuron to hidden layer {layer}", lambda: model.add_neuron(k), n < MAX_NEURONS, "add_neuron",
            command="add_neuron")
        if j is not None:
            add(f"Remove this neuron ({self._node_title(layer, j, list(sizes))})",
                lambda: model.remove_neuron(k, j), n > 1, "remove_neuron")
        else:
            add("Remove the last neuron", lambda: model.remove_neuron(k), n > 1, "remove_neuron",
                command="remove_neuron")
        menu.addSeparator()
        add(f"Add a hidden layer after hidden layer {layer}", lambda: model.add_layer(k + 1), can_add_layer,
            "add_layer_after", command="add_layer")
        add(f"Add a hidden layer before hidden layer {layer}", lambda: model.add_layer(k), can_add_layer,
            "add_layer_before")
        add(f"Remove hidden layer {layer}", lambda: model.remove_layer(k), True, "remove_layer",
            command="remove_layer")
        menu.addSeparator()
        add("Next activation", lambda: model.cycle_activation(k), True, "cycle_activation",
            command="cycle_activation")
        sub = menu.addMenu(f"Activation of hidden layer {layer}")
        sub.setObjectName("activation_menu")
        current = self._model.network.activations[k]
        for name in HIDDEN_ACTIVATIONS:
            action = QAction(name, sub)
            action.setObjectName(f"activation_{name}")
            action.setCheckable(True)
            action.setChecked(name == current)
            action.triggered.connect(lambda _checked=False, name=name: model.set_activation(k, name))
            sub.addAction(action)
        return menu

    def _select_for_menu(self, layer: int, j: int | None) -> None:
        """Make a parameter of hidden `layer` (neuron `j`, if given) the selected one, unless it is
        already: the keys = - H Shift+H V and the menu's commands act on the selected one's layer."""
        model = self._model
        if not 0 < layer < len(self._shape) - 1:
            return
        ref = model.network.locate(model.selected)
        if (layer, j) != (ref.layer + 1, ref.j) and (j is not None or model.focused_layer != layer - 1):
            model.select(self._bias_name(layer, j if j is not None else 0))

    def selected_neuron(self) -> tuple[int, int | None]:
        """(layer, neuron) whose menu the keyboard opens: the selected parameter's neuron (an output
        parameter's: the last hidden layer, as a whole)."""
        ref = self._model.network.locate(self._model.selected)
        layer, j = ref.layer + 1, ref.j
        if layer == len(self._shape) - 1 and len(self._shape) > 2:
            layer, j = layer - 1, None
        return layer, j

    def show_selected_menu(self) -> QMenu:
        """Open the selected parameter's neuron menu beside that neuron (the Menu key, Shift+F10)."""
        layer, j = self.selected_neuron()
        where = self.viewport().mapToGlobal(self.mapFromScene(self._positions[(layer, j or 0)]))
        return self._show_menu(layer, j, where)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        if event.reason() == QContextMenuEvent.Keyboard:
            self.show_selected_menu()   # the Menu key
            return
        item = self._item_at(event.pos(), (NodeItem, CaptionItem, BiasItem))
        if isinstance(item, NodeItem):
            layer, j = item.key
        elif isinstance(item, CaptionItem):
            layer, j = item.layer, None
        elif isinstance(item, BiasItem):
            ref = self._model.network.locate(item.parameter)
            layer, j = ref.layer + 1, ref.j
        else:
            super().contextMenuEvent(event)
            return
        self._select_for_menu(layer, j)
        self._show_menu(layer, j, event.globalPos())

    def _show_menu(self, layer: int, j, where) -> QMenu:
        """Pop the menu up (without a nested event loop: the window keeps drawing while it is open)."""
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.context_menu(layer, j)
        self.menu.popup(where)
        return self.menu

    # ------------------------------------------------------------------ interaction and layout
    def _item_at(self, pos, kinds):
        """The topmost item of one of `kinds` under `pos` (viewport coordinates), looking through
        labels and pictures drawn over it (a bias tab's letter lies inside the tab, so the tab is
        under `pos` too)."""
        # (never parentItem(): on an item made by scene.addPath() and friends PySide then takes
        # ownership of it, and the garbage collector later frees what the scene already freed)
        for item in self.items(pos):
            if isinstance(item, kinds):
                return item
        return None

    def _clickable_at(self, pos):
        item = self._item_at(pos, (_Clickable,))
        return item if item is not None and item.parameter else None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            pos = event.position().toPoint()
            item = self._clickable_at(pos)
            if item is not None:
                self.parameterClicked.emit(item.parameter)
            else:  # a neuron: its bias (then = - H Shift+H V act on its layer)
                node = self._item_at(pos, (NodeItem,))
                if node is not None and node.key[0] > 0:
                    self.parameterClicked.emit(self._bias_name(*node.key))
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        item = self._clickable_at(event.position().toPoint())
        if event.button() == Qt.LeftButton and item is not None:
            self.edit_parameter(item.parameter)
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event) -> None:
        """Enter: type a value for the selected parameter; Shift+F10: its neuron's menu (X11 turns
        only the Menu key into a context-menu event)."""
        modifiers = event.modifiers() & ~Qt.KeypadModifier
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.editor is None:
            self.edit_parameter()
            return
        if event.key() == Qt.Key_F10 and modifiers == Qt.ShiftModifier:
            self.show_selected_menu()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Fit the network into the view; then enlarge the captions and legends a small view would
        shrink below MIN_TEXT_PX, and fit again with room for them (one pass: no feedback)."""
        rect = getattr(self, "_base_rect", None)
        if rect is None:
            return   # nothing drawn yet
        self._scale_text(0.0)
        self.scene().setSceneRect(rect)
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self._scale_text(self.transform().m11()):
            grown = rect
            for item in self._legible_items():
                grown = grown.united(item.sceneBoundingRect().adjusted(-10, -10, 10, 10))
            self.scene().setSceneRect(grown)
            self.fitInView(grown, Qt.KeepAspectRatio)

    def _legible_items(self) -> list:
        """The texts of a compact drawing that must stay legible: column captions, legends, J's value."""
        if self.detailed or not hasattr(self, "_caption"):
            return []
        return [*self._captions.values(), self._caption, self._legend, self._cost_value]

    def text_heights(self) -> dict[str, float]:
        """On-screen line height in pixels of each caption and legend (for tests)."""
        zoom = self.transform().m11()
        items = self._legible_items()
        return {item.text().split("\n")[0]: QFontMetricsF(item.font()).height() * item.scale() * zoom
                for item in items}

    def caption_rects(self) -> list:
        """The column captions' rectangles in the scene, from the input column on (for tests)."""
        return [self._captions[layer].sceneBoundingRect() for layer in sorted(self._captions)]

    def _scale_text(self, zoom: float) -> bool:
        """Scale the legible items so none is drawn under MIN_TEXT_PX high at `zoom` (0: back to
        their own size); True if any grew. Column captions grow upwards and no wider than their
        column; the top caption stays above them; the legend grows downwards."""
        items = self._legible_items()
        captions = [item for item in items if isinstance(item, CaptionItem)]

        def legible(item) -> float:
            return max(1.0, MIN_TEXT_PX / (QFontMetricsF(item.font()).height() * zoom)) if zoom > 0 else 1.0

        # A caption too wide for its column at a legible size: every other caption stands higher,
        # so each may take two columns' width without touching its neighbours.
        staggered = any(legible(c) * c.boundingRect().width() > 0.96 * self._gap for c in captions)
        room = (1.9 if staggered else 0.96) * self._gap
        grew = False
        for item in items:
            rect = item.boundingRect()
            scale = legible(item)
            if item in captions and rect.width() > 0:
                scale = min(scale, max(1.0, room / rect.width()))
            grows_up = item in captions or item is self._caption
            left = item is self._cost_value   # beside the J node: it grows away from it
            item.setTransformOriginPoint(rect.left() if left else rect.center().x(),
                                         rect.bottom() if grows_up else rect.top())
            item.setScale(scale)
            grew = grew or scale > 1.0
        lift = max((c.sceneBoundingRect().height() for c in captions), default=0.0) + 4 if staggered else 0.0
        for caption in captions:
            caption.lift_by(lift if caption.layer % 2 else 0.0)
        if grew and captions:
            top = min(caption.sceneBoundingRect().top() for caption in captions)
            bottom = self._caption.sceneBoundingRect().bottom()
            if bottom > top - 6:
                self._caption.moveBy(0, top - 6 - bottom)
        return grew or staggered
