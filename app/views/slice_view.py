"""The 1-D slice J(θ) for the selected parameter with every other one held, and the tangent line at the
current θ whose slope is dJ/dθ: the derivative drawn as what it is, a slope.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

import core

from ..format import fmt
from ..model import SessionModel
from .plot_style import CURVE_COLOR, POINT_COLOR, TANGENT_COLOR, PlotPanel
from .surface import nice_half_width

SAMPLES = 241


class CostSliceView(PlotPanel):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "cost-slice", "Cost slice and tangent", y_label="J", parent=parent)
        item = self.plot.getPlotItem()
        self.curve = item.plot([], [], pen=pg.mkPen(CURVE_COLOR, width=2.5))
        self.tangent = item.plot([], [], pen=pg.mkPen(TANGENT_COLOR, width=2, style=Qt.DashLine))
        self.point = pg.ScatterPlotItem(size=12, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w", width=2))
        item.addItem(self.point)
        self.slope = 0.0
        self._half_width = 0.0
        self._name = ""
        for signal in (model.parametersChanged, model.selectionChanged, model.datasetChanged, model.lossChanged):
            signal.connect(self.refresh)
        model.historyReset.connect(self._reset_range)
        self.refresh()

    def _reset_range(self) -> None:
        self._half_width = 0.0
        self.refresh()

    def refresh(self, *_args) -> None:
        model = self._model
        net = model.network
        name = model.selected
        theta = net.get(name)
        if name != self._name:
            self._name, self._half_width = name, 0.0
        self._half_width = max(self._half_width, nice_half_width(theta))
        h = self._half_width
        values = np.linspace(-h, h, SAMPLES)
        costs = core.cost_slice(net, model.X, model.y, name, values)
        self.curve.setData(values, costs)
        cost = model.cost()
        self.slope = model.gradient(name)
        half = 0.18 * h
        self.tangent.setData([theta - half, theta + half], [cost - self.slope * half, cost + self.slope * half])
        self.point.setData([theta], [cost])
        item = self.plot.getPlotItem()
        item.setLabel("bottom", name)
        item.setTitle(f"J({name}) with the others held", size="10pt")
        finite = costs[np.isfinite(costs)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.08 * (hi - lo or 1.0)
            item.setRange(xRange=(-h, h), yRange=(lo - pad, hi + pad), padding=0)
        self.caption.setText(f"At {name} = {fmt(theta)}: J = {fmt(cost)}, slope of the tangent "
                             f"dJ/d{name} = {fmt(self.slope)}. Gradient descent moves {name} "
                             f"{'left' if self.slope > 0 else 'right'}, downhill.")
