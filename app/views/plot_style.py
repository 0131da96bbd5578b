"""One look for every pyqtgraph plot: white background, readable axes, consistent colours."""
import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from .caption import FrameCaption

PATH_COLOR = "#ff5a36"
POINT_COLOR = "#ff5a36"
CURVE_COLOR = "#2e6fba"
TANGENT_COLOR = "#d1495b"
CLASS_COLORS = ("#2e6fba", "#e8871e", "#3a9a5b", "#8e5bc4")
# One colour per run of a race (by its place in the race), readable over the viridis surface and white
RUN_COLORS = ("#ff5a36", "#ff3dcf", "#ffd60a", "#00e5ff", "#b9f227", "#c9a2ff", "#ffffff")
RUN_CURVE_COLORS = ("#e0452a", "#c2189f", "#b38f00", "#0096a8", "#5f8f00", "#7b4fd0", "#1d2433")

pg.setConfigOptions(antialias=True, background="w", foreground="#1d2433", imageAxisOrder="col-major")


def make_plot(title: str = "", x_label: str = "", y_label: str = "") -> pg.PlotWidget:
    widget = pg.PlotWidget()
    widget.setFocusPolicy(Qt.StrongFocus)
    item = widget.getPlotItem()
    if title:
        item.setTitle(title, size="11pt")
    if x_label:
        item.setLabel("bottom", x_label)
    if y_label:
        item.setLabel("left", y_label)
    item.showGrid(x=True, y=True, alpha=0.15)
    for side in ("left", "bottom", "top", "right"):
        axis = item.getAxis(side)
        axis.enableAutoSIPrefix(False)  # "J (x0.001)" confuses more than it helps
        # Axes redraw from a pixmap unless their range changed: replaying an axis's tick labels
        # took 29% of the GUI thread while training (each plot's repaint repainted its axes)
        axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    item.setMenuEnabled(False)
    return widget


def set_line_pen(item: pg.PlotDataItem, pen) -> pg.PlotDataItem:
    """Give ``item`` the line ``pen``; a wide, opaque, solid pen is drawn as separate segments. Qt
    strokes a wide antialiased polyline on its slow path: 2,000 points at 2 px took 8.4 ms a paint,
    as segments 1.2 ms (a 1-px line takes its fast path either way). Segments overlap at their
    joints, which shows through a translucent pen: faint lines are 1 px wide instead."""
    pen = pg.mkPen(pen)
    if item.opts.get("pen") == pen:
        return item
    wide_and_opaque = pen.widthF() > 1 and pen.style() == Qt.SolidLine and pen.color().alpha() == 255
    item.curve.setSegmentedLineMode("on" if wide_and_opaque else "auto")
    item.setPen(pen)
    return item


def clear_line(item: pg.PlotDataItem) -> None:
    """Empty ``item`` unless it is empty already: a view that clears its unused lines on every
    snapshot spent a fifth of its refresh in pyqtgraph's setData on lines that had nothing."""
    if item.xData is not None and len(item.xData):
        item.setData([], [])


def steady_range(current: tuple[float, float] | None, lo: float, hi: float, pad: float = 0.08):
    """A plot range holding [lo, hi] that changes only when it must: while the data stays inside
    it and fills at least half of it, the current range is kept. A new range, each time the axes
    must be redrawn (their tick labels are the costly part of a repaint), is padded and rounded
    outward to a tenth of its span."""
    span = (hi - lo) or max(abs(hi), 1e-9)
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= lo and hi <= c_hi and (hi - lo) >= 0.5 * (c_hi - c_lo):
            return current
    grid = 10 ** math.floor(math.log10(span * (1 + 2 * pad))) / 10 if span > 0 else 1.0
    return (math.floor((lo - pad * span) / grid) * grid, math.ceil((hi + pad * span) / grid) * grid)


class PlotPanel(QWidget):
    """The shape of every plotting panel: a plot that takes the keyboard focus, a caption under it
    that says in words what the plot shows, and the model it observes."""

    def __init__(self, model, object_name: str, accessible_name: str, title: str = "", x_label: str = "",
                 y_label: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.StrongFocus)
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.plot = make_plot(title, x_label, y_label)
        layout.addWidget(self.plot, 1)
        self.caption = FrameCaption(style="color: #5b6478; padding: 2px 6px;")
        layout.addWidget(self.caption)
        # "catching up": which step the picture shows while a newer one is being computed
        self.lag_badge = QLabel(self.plot)
        self.lag_badge.setObjectName(f"{object_name}-lag")
        self.lag_badge.setStyleSheet("background: rgba(255, 255, 255, 215); color: #1d2433; border-radius: 3px;"
                                     " padding: 1px 5px; font-size: 8pt;")
        self.lag_badge.move(6, 4)
        self.lag_badge.hide()
        self.behind = False

    def show_lag(self, step: int | None, behind: bool) -> None:
        """Say which step the picture shows. ``behind``: a newer step is being computed. While
        training that is the normal state of a heavy view (a step or two behind, badge only); when
        paused the picture is also dimmed until it has caught up."""
        self.behind = behind
        running = bool(getattr(self._model, "running", False))
        if step is None or not behind:
            self.lag_badge.hide()
            self.plot.getPlotItem().setOpacity(1.0)
            return
        text = f"step {step}" if running else f"showing step {step} — catching up…"
        self.lag_badge.setText(text)
        # a fixed size, in steps of 40 px: a child whose size may change makes the plot re-lay out
        # its panel and dock every frame
        metrics = self.lag_badge.fontMetrics()
        width = 40 * -(-(metrics.horizontalAdvance(text) + 14) // 40)
        if width != self.lag_badge.width():
            self.lag_badge.setFixedSize(width, metrics.height() + 6)
        self.lag_badge.show()
        self.plot.getPlotItem().setOpacity(1.0 if running else 0.55)
