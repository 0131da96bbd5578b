"""One look for every pyqtgraph plot: white background, readable axes, consistent colours."""
import pyqtgraph as pg
from PySide6.QtCore import Qt

PATH_COLOR = "#ff5a36"
POINT_COLOR = "#ff5a36"
CURVE_COLOR = "#2e6fba"
TANGENT_COLOR = "#d1495b"
CLASS_COLORS = ("#2e6fba", "#e8871e", "#3a9a5b", "#8e5bc4")

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
    for side in ("left", "bottom"):
        item.getAxis(side).enableAutoSIPrefix(False)  # "J (x0.001)" confuses more than it helps
    item.setMenuEnabled(False)
    return widget
