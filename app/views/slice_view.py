"""The 1-D slice J(θ) for the selected parameter with every other one held, and the tangent line at the
current θ whose slope is dJ/dθ: the derivative drawn as what it is, a slope.

Curve, point and tangent are drawn from one snapshot, so the tangent always touches its curve. The
curve (a forward pass per sampled θ, 100 ms for a deep network on 1,000 samples) is computed in a
worker from the snapshot; when a new snapshot moves only the selected parameter, the curve stays
valid and the point and tangent follow at once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

import core

from core.naming import to_unicode

from .. import process_jobs
from ..format import fmt
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .plot_style import CURVE_COLOR, POINT_COLOR, TANGENT_COLOR, PlotPanel, set_line_pen, steady_range
from .surface import nice_half_width

SAMPLES = 241
MIN_SAMPLES = 61
# Multiply-adds one curve may cost (samples x data rows x layer widths): ~20 ms of numpy.
WORK_BUDGET = 4e6
NEIGHBOUR = 1e-4       # the samples beside the point, as a fraction of the half-width


def slice_samples(net: core.Network, rows: int) -> int:
    """How many θ values the curve samples: the full resolution when cheap, fewer (never below
    MIN_SAMPLES, still a smooth curve) for deep networks on many rows."""
    work_per_value = rows * sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:]))
    return int(min(SAMPLES, max(MIN_SAMPLES, WORK_BUDGET // max(work_per_value, 1))))


def slice_key(snapshot: core.Snapshot, name: str, half_width: float) -> tuple:
    """What the curve depends on: every parameter but ``name``, the cost and the range."""
    held = np.delete(snapshot.theta, snapshot.names.index(name))
    net = snapshot.network
    return (snapshot.revision, name, half_width, held.tobytes(), str(net.loss), net.regularization,
            net.regularization_rate)


@dataclass(frozen=True)
class SliceRequest:
    snapshot: core.Snapshot
    name: str
    half_width: float
    in_process: bool = False   # compute here, not in the worker process (workers run synchronously)

    def compute(self):
        snap, h = self.snapshot, self.half_width
        # the point and two close neighbours are samples too: at the point the drawn curve is exact,
        # and its slope there (a central difference) is the tangent's
        theta, delta = snap.value(self.name), NEIGHBOUR * h
        values = np.union1d(np.linspace(-h, h, slice_samples(snap.network, len(snap.X))),
                            [theta - delta, theta, theta + delta])
        costs = process_jobs.run(process_jobs.SLICE, core.cost_slice, snap.network, snap.X, snap.y, self.name, values,
                                 in_process=self.in_process)   # app/process_jobs.py says why
        return self, values, costs


class CostSliceView(PlotPanel):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "cost-slice", "Cost slice and tangent", y_label="J", parent=parent)
        item = self.plot.getPlotItem()
        self.curve = set_line_pen(item.plot([], []), pg.mkPen(CURVE_COLOR, width=2.5))
        self.tangent = item.plot([], [], pen=pg.mkPen(TANGENT_COLOR, width=2, style=Qt.DashLine))
        self.point = pg.ScatterPlotItem(size=12, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w", width=2))
        item.addItem(self.point)
        self.slope = 0.0
        self._half_width = 0.0
        self._name = ""
        self._labelled = ""              # the parameter the axis label and title name
        self._requested = None
        self.curve_key = None            # the key of the drawn curve
        self._y_range = None             # the plot's range, kept while the curve stays inside it
        self._x_half = None
        self.shown_snapshot: core.Snapshot | None = None
        self._worker = LatestOnlyWorker(self, keep_up=True)
        self._worker.finished.connect(self._show_curve)
        self._worker.failed.connect(lambda text: model.set_message(f"Could not compute the slice: {text}"))
        model.snapshotChanged.connect(self.refresh)
        model.selectionChanged.connect(self.refresh)
        model.historyReset.connect(self._reset_range)
        self.refresh()

    def _reset_range(self) -> None:
        self._half_width = 0.0
        self.refresh()

    def refresh(self, *_args) -> None:
        model = self._model
        snapshot, name = model.snapshot, model.selected
        if name not in snapshot.names:
            return
        if name != self._name:
            self._name, self._half_width = name, 0.0
        self._half_width = max(self._half_width, nice_half_width(snapshot.value(name)))
        key = slice_key(snapshot, name, self._half_width)
        if key == self.curve_key:
            self._draw_point(snapshot, name)   # the drawn curve is this snapshot's curve too
        elif self.curve_key is None or self.curve_key[1] != name:
            # another parameter: its point and tangent at once, its curve when the worker has it
            # (no curve of another parameter stays under them meanwhile)
            self.curve.setData([], [])
            self.curve_key = None
            self._draw_point(snapshot, name)
        if key != self.curve_key and key != self._requested:
            self._requested = key
            self._worker.submit(SliceRequest(snapshot, name, self._half_width,
                                             in_process=self._worker.synchronous).compute)
        self._show_lag()

    def _show_curve(self, result) -> None:
        request, values, costs = result
        model = self._model
        if request.snapshot.revision != model.revision or request.name != model.selected:
            return  # the learner moved on while it was computed
        self.curve.setData(values, costs)
        self.curve_key = slice_key(request.snapshot, request.name, request.half_width)
        finite = costs[np.isfinite(costs)]
        if finite.size:
            h = request.half_width
            y_range = steady_range(self._y_range if self._x_half == h else None,
                                   float(finite.min()), float(finite.max()))
            if (y_range, h) != (self._y_range, self._x_half):
                self._y_range, self._x_half = y_range, h
                self.plot.getPlotItem().setRange(xRange=(-h, h), yRange=y_range, padding=0)
        self._draw_point(request.snapshot, request.name)
        self._show_lag()

    def _draw_point(self, snapshot: core.Snapshot, name: str) -> None:
        """The point and tangent of ``snapshot``, whose curve is the one drawn."""
        self.shown_snapshot = snapshot
        theta, cost = snapshot.value(name), snapshot.cost
        self.slope = snapshot.gradient_of(name)
        half = 0.18 * self._half_width
        self.tangent.setData([theta - half, theta + half], [cost - self.slope * half, cost + self.slope * half])
        self.point.setData([theta], [cost])
        name = to_unicode(name)   # from here on, the name as the learner reads it
        if name != self._labelled:
            # only when the parameter changes: a label set anew redraws its axis (grid lines and
            # all), which took a fifth of the GUI thread while the 16x3 network trained
            self._labelled = name
            item = self.plot.getPlotItem()
            item.setLabel("bottom", name)
            item.setTitle(f"J({name}) with the others held", size="10pt")
        self.caption.setText(f"Step {snapshot.step}: at {name} = {fmt(theta)}, J = {fmt(cost)}; slope of the "
                             f"tangent dJ/d{name} = {fmt(self.slope)}. Gradient descent moves {name} "
                             f"{'left' if self.slope > 0 else 'right'}, downhill.")

    def _show_lag(self) -> None:
        shown = self.shown_snapshot
        self.show_lag(None if shown is None else shown.step,
                      shown is not None and (shown.key != self._model.snapshot.key or self._name != self._model.selected))

    def is_settled(self) -> bool:
        shown = self.shown_snapshot
        return (not self._worker.busy and shown is not None and shown.key == self._model.snapshot.key
                and self.curve_key is not None and self.curve_key[1] == self._model.selected)
