"""h and h′ on a shared x axis, the point x0 (arrow keys or drag), the tangent at x0, and the chain
factors at x0 whose product is h′(x0). Undefined stretches of h show as gaps."""
from __future__ import annotations

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


class FunctionPlotPanel(PlotPanel):
    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(model, "function-plot", "Function, derivative and tangent", x_label="x", parent=parent)
        item = self.plot.getPlotItem()
        item.addLegend(offset=(8, 8), labelTextSize="9pt")
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
        self.layout().insertWidget(1, self.readout)
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
        compiled = self._model.compiled
        h = compiled.sample(self._xs)
        dh = compiled.sample_derivative(self._xs)
        self.h_curve.setData(self._xs, h)
        self.dh_curve.setData(self._xs, dh)
        from core.formula.numeric import suggest_y_range

        y_range = suggest_y_range(h, dh)  # a pole must not flatten the rest of the picture
        if y_range is not None:
            self.plot.getPlotItem().setYRange(*y_range, padding=0)
        self._update_point()

    def _update_point(self, *_args) -> None:
        model = self._model
        if model.compiled is None:
            return
        x0 = model.x0
        self.x0_line.blockSignals(True)
        self.x0_line.setValue(x0)
        self.x0_line.blockSignals(False)
        h0, slope = model.compiled.at(x0)
        if math.isfinite(h0) and math.isfinite(slope):
            half = 0.12 * (X_RANGE[1] - X_RANGE[0])
            self.tangent.setData([x0 - half, x0 + half], [h0 - slope * half, h0 + slope * half])
            self.point.setData([x0], [h0])
        else:
            self.tangent.setData([], [])
            self.point.setData([], [])
        factors = model.analysis.decomposition.factors_at(x0)
        if math.isfinite(h0) and math.isfinite(slope):
            parts = r"\cdot ".join(rf"\underbrace{{{latex_number(v)}}}_{{{label}}}" for label, v in factors)
            self.readout_latex = rf"h'({latex_number(x0)}) = {parts} = {latex_number(slope)}"
            self.caption.setText(f"At x0 = {fmt(x0)}: h = {fmt(h0)}, slope of the tangent h′(x0) = {fmt(slope)}. "
                                 "Left/Right move x0 (Shift: finer), or drag the grey line.")
        else:
            self.readout_latex = ""
            self.caption.setText(f"h is not defined at x0 = {fmt(x0)}: move x0 (Left/Right) into its domain.")
        if self.readout_latex:
            show_math(self.readout, self.readout_latex, 15)
        else:
            clear_math(self.readout)

    @property
    def tangent_slope(self) -> float:
        xs, ys = self.tangent.getData()
        return float((ys[1] - ys[0]) / (xs[1] - xs[0])) if xs is not None and len(xs) == 2 else math.nan
