"""The one look of a lesson's highlight, shared by every view a lesson step points into (the diagram's
nodes and edges, the chain panel's factors, the surface's point, the Function lab's layers).

Why this look: the studio already lights things in gold (the selected parameter's paths) and draws
weights in red and blue, so the lesson's mark must differ from those by more than hue, for learners
who do not tell colours apart. It is a *dashed* outline drawn a little *outside* the item, in a deep
violet that is much darker than the gold selection, over a white underlay so it stays readable on the
cost surface's colours. Calm: no fill, no blinking; the item itself stays as it was.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen

MARK_COLOR = QColor("#5b2a9e")      # deep violet: darker than the gold selection, apart from red/blue
MARK_WIDTH = 3.0
UNDERLAY_WIDTH = 7.0                # the white beneath the dashes

# a QFrame's style sheet: the same mark around a widget (the chain panel's factor rows)
FRAME_STYLE = (f"border: {int(MARK_WIDTH)}px dashed {MARK_COLOR.name()}; border-radius: 6px; "
               "background: transparent;")


def mark_pen(width: float = MARK_WIDTH) -> QPen:
    # Qt's own dashes (a custom dash pattern turned pyqtgraph's scatter symbol into a filled square)
    return QPen(MARK_COLOR, width, Qt.DashLine, Qt.RoundCap, Qt.RoundJoin)


def underlay_pen(width: float = UNDERLAY_WIDTH) -> QPen:
    return QPen(QColor(255, 255, 255, 230), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)


def ring_around(path: QPainterPath, gap: float) -> QPainterPath:
    """The outline of `path` grown by `gap` on every side (a capsule around a line, a ring around
    a circle): where the mark is drawn, clear of the item and of its own halo."""
    stroker = QPainterPathStroker()
    stroker.setWidth(2 * gap)
    stroker.setCapStyle(Qt.RoundCap)
    stroker.setJoinStyle(Qt.RoundJoin)
    return stroker.createStroke(path).united(path).simplified()


class PointMark:
    """A dashed ring around a pyqtgraph scatter point that follows it wherever it is drawn
    (the cost surface's current point): white underlay, violet dashes."""

    SIZE = 36

    def __init__(self, plot_item, point: pg.ScatterPlotItem):
        self._point = point
        # pens of pyqtgraph's own making: a QPen with round caps and dashes drew a filled square
        hollow = pg.mkBrush(None)   # (brush=None would mean pyqtgraph's default fill)
        under = pg.mkPen(underlay_pen().color(), width=UNDERLAY_WIDTH)
        dashes = pg.mkPen(MARK_COLOR, width=MARK_WIDTH, style=Qt.DashLine)
        self.under = pg.ScatterPlotItem(size=self.SIZE, symbol="o", brush=hollow, pen=under)
        self.ring = pg.ScatterPlotItem(size=self.SIZE, symbol="o", brush=hollow, pen=dashes)
        for item in (self.under, self.ring):
            item.setZValue(point.zValue() + 1)
            plot_item.addItem(item)
        self.shown = False
        point.sigPlotChanged.connect(self._follow)

    def set_shown(self, shown: bool) -> None:
        self.shown = bool(shown)
        self._follow()

    def _follow(self, *_args) -> None:
        x, y = self._point.getData() if self.shown else ([], [])
        for item in (self.under, self.ring):
            item.setData(list(x), list(y))

    def is_drawn(self) -> bool:
        """True when the ring is on the plot (shown, and the point has a place)."""
        return self.shown and len(self.ring.getData()[0]) > 0
