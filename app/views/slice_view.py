"""The 1-D slice J(θ) for the selected parameter with every other one held, and the tangent line at the
current θ whose slope is dJ/dθ: the derivative drawn as what it is, a slope.

The point and the tangent follow every step at once; the curve (a forward pass per sampled θ, 100 ms
for a deep network on 1,000 samples) is computed in a worker from a frozen copy of the network, at
most a few times a second while training runs, and a stale curve is dropped.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer

import core

from ..format import fmt
from ..model import SessionModel
from .plot_style import CURVE_COLOR, POINT_COLOR, TANGENT_COLOR, PlotPanel
from ..workers import LatestOnlyWorker
from .surface import nice_half_width

SAMPLES = 241
MIN_SAMPLES = 61
# Multiply-adds one curve may cost (samples x data rows x layer widths): ~20 ms of numpy.
WORK_BUDGET = 4e6
CURVE_MS_RUNNING = 250


def slice_samples(net: core.Network, rows: int) -> int:
    """How many θ values the curve samples: the full resolution when cheap, fewer (never below
    MIN_SAMPLES, still a smooth curve) for deep networks on many rows."""
    work_per_value = rows * sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:]))
    return int(min(SAMPLES, max(MIN_SAMPLES, WORK_BUDGET // max(work_per_value, 1))))


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
        self._curve_key = None
        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._show_curve)
        self._worker.failed.connect(lambda text: model.set_message(f"Could not compute the slice: {text}"))
        self._curve_timer = QTimer(self)
        self._curve_timer.setSingleShot(True)
        self._curve_timer.timeout.connect(self._request_curve)
        for signal in (model.parametersChanged, model.selectionChanged, model.datasetChanged, model.lossChanged,
                       model.structureChanged):
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
        cost = model.cost()
        self.slope = model.gradient(name)
        half = 0.18 * h
        self.tangent.setData([theta - half, theta + half], [cost - self.slope * half, cost + self.slope * half])
        self.point.setData([theta], [cost])
        item = self.plot.getPlotItem()
        item.setLabel("bottom", name)
        item.setTitle(f"J({name}) with the others held", size="10pt")
        self.caption.setText(f"At {name} = {fmt(theta)}: J = {fmt(cost)}, slope of the tangent "
                             f"dJ/d{name} = {fmt(self.slope)}. Gradient descent moves {name} "
                             f"{'left' if self.slope > 0 else 'right'}, downhill.")
        if not self._curve_timer.isActive():
            self._curve_timer.start(CURVE_MS_RUNNING if model.running else 0)

    def _request_curve(self) -> None:
        model = self._model
        net, name, h = model.network.copy(), model.selected, self._half_width
        X, y = model.X, model.y
        values = np.linspace(-h, h, slice_samples(net, len(X)))
        key = (name, h, model.revision, net.parameter_vector().tobytes())
        if key == self._curve_key:
            return
        self._curve_key = key
        self._worker.submit(lambda: (key, values, core.cost_slice(net, X, y, name, values)))

    def _show_curve(self, result) -> None:
        key, values, costs = result
        if key != self._curve_key:
            return  # the learner moved on while it was computed
        self.curve.setData(values, costs)
        finite = costs[np.isfinite(costs)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.08 * (hi - lo or 1.0)
            h = float(values[-1])
            self.plot.getPlotItem().setRange(xRange=(-h, h), yRange=(lo - pad, hi + pad), padding=0)

    def is_settled(self) -> bool:
        return not self._curve_timer.isActive() and not self._worker.busy
