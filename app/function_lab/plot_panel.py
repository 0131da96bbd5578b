"""h and h′ on a shared x axis, the point x0 (arrow keys or drag), the tangent at x0, and the chain
factors at x0 whose product is h′(x0). Undefined stretches of h show as gaps."""
from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ..format import fmt, latex_number
from ..typesetter import clear_math, show_math
from ..views.plot_style import CURVE_COLOR, POINT_COLOR, TANGENT_COLOR, PlotPanel
from .model import FunctionLabModel

X_RANGE = (-2 * math.pi, 2 * math.pi)
SAMPLES = 1601
DERIVATIVE_COLOR = "#e8871e"
TANGENT_HALF_WIDTH = 0.12 * (X_RANGE[1] - X_RANGE[0])
READOUT_SIZE = 17
#: A formula longer than this is cut with "…" in the key (the whole of it is in the key's tooltip).
KEY_FORMULA_CHARS = 48


def key_html(formula: str = "", derivative: str = "") -> str:
    """The plot's key: which curve is which, with h and h′ written out (sums as the learner typed
    them, from the analysis) so the learner can tell the curves of ``2 + cos x`` and its derivative."""
    def named(name: str, text: str) -> str:
        if not text:
            return name
        shown = text if len(text) <= KEY_FORMULA_CHARS else text[:KEY_FORMULA_CHARS - 1] + "…"
        return f"{name} = {html.escape(shown)}"

    return (f"<span style='color:{CURVE_COLOR}'>━━</span> {named('h(x)', formula)} &nbsp;&nbsp; "
            f"<span style='color:{DERIVATIVE_COLOR}'>━━</span> {named('h′(x)', derivative)} &nbsp;&nbsp; "
            f"<span style='color:{TANGENT_COLOR}'>╍╍</span> tangent at x0 &nbsp;&nbsp; "
            f"<span style='color:{POINT_COLOR}'>●</span> (x0, h(x0))")


LEGEND_HTML = key_html()


class FunctionPlotPanel(PlotPanel):
    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(model, "function-plot", "Function, derivative and tangent", x_label="x", parent=parent)
        item = self.plot.getPlotItem()
        # the key sits above the plot, not on it: a legend inside the axes covered the curves
        self.key = QLabel(LEGEND_HTML)
        self.key.setObjectName("function-plot-key")
        self.key.setWordWrap(True)   # a long formula wraps rather than widening the dock
        self.key.setStyleSheet("padding: 2px 8px; font-size: 10pt;")
        self.layout().insertWidget(0, self.key)
        self.h_curve = item.plot([], [], pen=pg.mkPen(CURVE_COLOR, width=2.5), name="h(x)", connect="finite")
        self.dh_curve = item.plot([], [], pen=pg.mkPen(DERIVATIVE_COLOR, width=2), name="h′(x)",
                                  connect="finite")
        self.tangent = item.plot([], [], pen=pg.mkPen(TANGENT_COLOR, width=2, style=Qt.DashLine),
                                 name="tangent at x0")
        self.point = pg.ScatterPlotItem(size=12, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w", width=2))
        item.addItem(self.point)
        self.x0_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#9aa3b5", width=1.5),
                                       hoverPen=pg.mkPen(POINT_COLOR, width=2))
        self.x0_line.sigPositionChangeFinished.connect(lambda line: model.set_x0(line.value()))
        self.x0_line.sigDragged.connect(lambda line: model.set_x0(line.value()))
        item.addItem(self.x0_line)
        item.setXRange(*X_RANGE, padding=0.02)
        self.readout = QLabel()
        self.readout.setObjectName("chain-readout")
        self.layout().insertWidget(2, self.readout)
        self._base_range = None
        self.y_range: tuple[float, float] | None = None   # the y range shown now
        self._xs = np.linspace(*X_RANGE, SAMPLES)
        self.readout_latex = ""
        model.analysisChanged.connect(self._on_analysis)
        model.x0Changed.connect(self._update_point)

    def keyPressEvent(self, event) -> None:
        """Left and Right move x0 (Shift for finer steps) while the plot has the focus."""
        if event.key() in (Qt.Key_Left, Qt.Key_Right):
            direction = 1 if event.key() == Qt.Key_Right else -1
            self._model.move_x0(direction, fine=bool(event.modifiers() & Qt.ShiftModifier))
            return
        super().keyPressEvent(event)

    def _on_analysis(self) -> None:
        from core.formula.plot_range import bulk_y_range

        analysis, compiled = self._model.analysis, self._model.compiled
        self.key.setText(key_html(analysis.formula, analysis.derivative_formula))
        self.key.setToolTip(f"h(x) = {analysis.formula}\nh′(x) = {analysis.derivative_formula}")
        self._h = compiled.sample(self._xs)
        dh = compiled.sample_derivative(self._xs)   # NaN where h is undefined
        self.h_curve.setData(self._xs, self._h)
        self.dh_curve.setData(self._xs, dh)
        self._base_range = bulk_y_range(self._h, dh)  # poles and explosive tails do not set the scale
        self.y_range = None
        self._update_point()

    def _update_point(self, *_args) -> None:
        from core.formula.plot_range import tangent_segment, view_range

        model = self._model
        if model.compiled is None:
            return
        x0 = model.x0
        self.x0_line.blockSignals(True)
        self.x0_line.setValue(x0)
        self.x0_line.blockSignals(False)
        h0, slope = model.compiled.at(x0)   # slope is NaN where h0 is
        wanted = view_range(self._base_range, self._xs, self._h, x0, h0, TANGENT_HALF_WIDTH)
        if wanted is not None:
            held = self.y_range is not None and self.y_range[0] <= wanted[0] and wanted[1] <= self.y_range[1] \
                and (wanted[1] - wanted[0]) >= 0.5 * (self.y_range[1] - self.y_range[0])
            if not held:   # keep the axes still while x0 moves, unless they must change
                self.y_range = wanted
                self.plot.getPlotItem().setYRange(*wanted, padding=0)
        segment = tangent_segment(x0, h0, slope, TANGENT_HALF_WIDTH, self.y_range) if self.y_range else None
        if segment is not None:
            (xa, ya), (xb, yb) = segment
            self.tangent.setData([xa, xb], [ya, yb])
            self.point.setData([x0], [h0])
        else:
            self.tangent.setData([], [])
            self.point.setData([x0], [h0]) if math.isfinite(h0) else self.point.setData([], [])
        factors = model.analysis.decomposition.factors_at(x0)
        if math.isfinite(h0) and math.isfinite(slope):
            self.readout_latex = chain_readout_latex(x0, factors, slope)
            self.caption.setText(f"At x0 = {fmt(x0)}: h = {fmt(h0)}, slope of the tangent h′(x0) = {fmt(slope)}. "
                                 "Left/Right move x0 (Shift: finer), or drag the grey line.")
        elif math.isfinite(h0):
            self.readout_latex = ""
            self.caption.setText(f"At x0 = {fmt(x0)}: h = {fmt(h0)}, but h has no derivative there: "
                                 "move x0 (Left/Right).")
        else:
            self.readout_latex = ""
            self.caption.setText(f"h is not defined at x0 = {fmt(x0)}, so neither is h′(x0): "
                                 "move x0 (Left/Right) into its domain.")
        if self.readout_latex:
            show_math(self.readout, self.readout_latex, READOUT_SIZE)
        else:
            clear_math(self.readout)

    @property
    def tangent_slope(self) -> float:
        xs, ys = self.tangent.getData()
        return float((ys[1] - ys[0]) / (xs[1] - xs[0])) if xs is not None and len(xs) == 2 else math.nan


def chain_readout_latex(x0: float, factors: list, slope: float) -> str:
    r"""h′(x0) as the chain rule's product, names first and then numbers at full size:
    ``h'(1) = \frac{dh}{du}\cdot\frac{du}{dx} = 0.394 \cdot ({-}0.841) = {-}0.331`` — a negative factor in
    parentheses, and a single factor (nothing to chain) written once: ``h'(1) = 1.45``."""
    head = rf"h'({latex_number(x0)})"
    if len(factors) < 2:
        return rf"{head} = {latex_number(slope)}"
    names = r" \cdot ".join(label for label, _value in factors)
    numbers = r" \cdot ".join(rf"\left({latex_number(v)}\right)" if v < 0 else latex_number(v)
                              for _label, v in factors)
    return rf"{head} = {names} = {numbers} = {latex_number(slope)}"
