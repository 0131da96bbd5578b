"""Gradient health: for the shown step, three bar charts per layer — how big the backpropagated
signal δ is (log scale), how many units are saturated, and how far the step that led here moved
each layer relative to its size (log scale, with the usual 1e-3 reference line).

This is where a learner reads why a deep sigmoid network learns slowly: δ shrinks layer after layer
back from the output (each sigmoid contributes a factor σ′ ≤ ¼), so the first layers' updates are
orders of magnitude below the reference line while the last layer's are near it.

The numbers come from ``core.gradient_health`` on the shown snapshot (a backward pass over the
training set), computed in a worker; a hidden panel computes nothing and catches up when shown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QSizePolicy

import core

from ..format import fmt
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .plot_style import CURVE_COLOR, PlotPanel, make_plot
from .throttle import Throttle

INTERVAL_S = 0.15          # while training, at most ~7 pictures a second
BAR_WIDTH = 0.6
SATURATION_COLOR = "#e8871e"
RATIO_COLOR = "#3a9a5b"
REFERENCE_COLOR = "#d1495b"


@dataclass(frozen=True)
class HealthRequest:
    """The gradient health of one snapshot (its network is a private, never-changed copy)."""

    snapshot: core.Snapshot

    def compute(self):
        snap = self.snapshot
        return self, core.gradient_health(snap.network, snap.X, snap.y, previous=snap.previous_theta)


SYMBOLS = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "lReLU", "elu": "ELU",
           "softplus": "s+", "linear": "lin", "softmax": "smax"}


def _log_ticks(low: int, high: int):
    """Axis ticks at the powers of ten low..high, labelled 1e-4, 0.001, 0.01, 1, 10 ..."""
    return [[(k, fmt(10.0 ** k, 1) if -3 <= k <= 3 else f"1e{k}") for k in range(low, high + 1)]]


def _layer_ticks(names):
    """Layer numbers, with the activation under each while there is room for it."""
    if len(names) > 4:
        return [[(k + 1, str(k + 1)) for k in range(len(names))]]
    return [[(k + 1, f"{k + 1} {SYMBOLS.get(name, name)}") for k, name in enumerate(names)]]


def _log_bars(values, floor=None):
    """(baseline, heights) drawing log10(values) as bars up from a baseline below them all;
    values that are not positive finite numbers get no bar (height 0)."""
    logs = np.full(len(values), np.nan)
    ok = np.isfinite(values) & (np.asarray(values) > 0)
    logs[ok] = np.log10(np.asarray(values)[ok])
    finite = logs[np.isfinite(logs)]
    low = math.floor(finite.min()) - 1 if finite.size else -1
    if floor is not None:
        low = min(low, floor)
    return low, np.where(np.isfinite(logs), logs - low, 0.0)


class GradientHealthView(PlotPanel):
    """‖δ‖, saturated share and update ratio per layer of the shown snapshot."""

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "gradient-health", "Gradient health", title="‖δ‖ per layer (log)",
                         parent=parent)
        self.saturation_plot = make_plot("Saturated")
        self.ratio_plot = make_plot("Update ratio (log)")
        row = QHBoxLayout()
        row.setSpacing(2)
        self.layout().removeWidget(self.plot)
        for plot, stretch in ((self.plot, 3), (self.saturation_plot, 2), (self.ratio_plot, 3)):
            plot.setMinimumWidth(90)   # three plots share one dock: they shrink rather than overflow
            plot.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Expanding)
            row.addWidget(plot, stretch)
        self.layout().insertLayout(0, row, 1)
        self.delta_bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH, brush=CURVE_COLOR)
        self.saturation_bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH, brush=SATURATION_COLOR)
        self.ratio_bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH, brush=RATIO_COLOR)
        self.plot.getPlotItem().addItem(self.delta_bars)
        self.saturation_plot.getPlotItem().addItem(self.saturation_bars)
        self.ratio_plot.getPlotItem().addItem(self.ratio_bars)
        self.saturation_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.02)
        self.saturation_plot.getPlotItem().getAxis("left").setTicks(
            [[(v, f"{int(100 * v)}%") for v in (0.0, 0.25, 0.5, 0.75, 1.0)]])
        reference = math.log10(core.HEALTHY_UPDATE_RATIO)
        self.reference_line = pg.InfiniteLine(pos=reference, angle=0,
                                              pen=pg.mkPen(REFERENCE_COLOR, width=1.5, style=Qt.DashLine),
                                              label="1e-3", labelOpts={"position": 0.92, "color": REFERENCE_COLOR})
        self.ratio_plot.getPlotItem().addItem(self.reference_line)
        self.health: core.GradientHealth | None = None
        self.shown_snapshot: core.Snapshot | None = None
        self._requested_key = None
        self._worker = LatestOnlyWorker(self, keep_up=True)
        self._worker.finished.connect(self._show)
        self._worker.failed.connect(lambda text: model.set_message(f"Gradient health failed: {text}"))
        self._throttle = Throttle(self._request, INTERVAL_S, self)
        model.snapshotChanged.connect(self.refresh)
        model.historyReset.connect(self.refresh)

    # ------------------------------------------------------------------ requests
    def is_showing(self) -> bool:
        """On screen: a dock tabbed behind another stays "visible" to Qt, moved out of sight."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def refresh(self, *_args) -> None:
        if self.is_showing():
            self._throttle.request(immediate=not self._model.running)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self, self.refresh)   # once laid out: built into a dock already in front

    def event(self, event) -> bool:
        if event.type() == QEvent.ParentChange and isinstance(self.parentWidget(), QDockWidget):
            # brought forward as a tab, the dock says so (the panel gets no show event)
            self.parentWidget().visibilityChanged.connect(self._on_dock_visibility)
        return super().event(event)

    def _on_dock_visibility(self, visible: bool) -> None:
        if visible:
            self._throttle.request(immediate=True)   # hidden, it computed nothing: catch up

    def _request(self) -> None:
        snapshot = self._model.snapshot
        if snapshot.key == self._requested_key:
            return
        self._requested_key = snapshot.key
        self._worker.submit(HealthRequest(snapshot).compute)
        self._show_lag()

    # ------------------------------------------------------------------ drawing
    def _show(self, result) -> None:
        request, health = result
        snapshot = request.snapshot
        if snapshot.revision != self._model.revision:
            return   # an older problem: its layers may not even exist any more
        self.health, self.shown_snapshot = health, snapshot
        x = np.arange(1, len(health.layers) + 1)
        ticks = _layer_ticks(snapshot.network.activations)
        for plot in (self.plot, self.saturation_plot, self.ratio_plot):
            item = plot.getPlotItem()
            item.getAxis("bottom").setTicks(ticks)
            item.setXRange(0.4, len(x) + 0.6, padding=0)
        low, heights = _log_bars(health.delta_norms)
        self.delta_bars.setOpts(x=x, height=heights, y0=low)
        top = low + float(heights.max()) if heights.size else low + 1
        self.plot.getPlotItem().setYRange(low, math.ceil(top) + 0.2, padding=0)
        self.plot.getPlotItem().getAxis("left").setTicks(_log_ticks(low, math.ceil(top)))
        saturation = np.nan_to_num(health.saturation, nan=0.0)
        self.saturation_bars.setOpts(x=x, height=saturation, y0=0.0)
        ratios = health.update_ratios
        reference = math.log10(core.HEALTHY_UPDATE_RATIO)
        low_r, heights_r = _log_bars(10.0 ** ratios, floor=int(reference) - 1)
        self.ratio_bars.setOpts(x=x, height=heights_r, y0=low_r)
        top_r = max(low_r + float(heights_r.max()) if heights_r.size else low_r, reference + 1)
        self.ratio_plot.getPlotItem().setYRange(low_r, math.ceil(top_r) + 0.2, padding=0)
        self.ratio_plot.getPlotItem().getAxis("left").setTicks(_log_ticks(low_r, math.ceil(top_r)))
        self.caption.setText(self._describe(snapshot, health))
        self._show_lag()

    def _describe(self, snapshot: core.Snapshot, health: core.GradientHealth) -> str:
        first, last = health.layers[0], health.layers[-1]
        parts = [f"Step {snapshot.step}: ‖δ‖, the signal backpropagated into each layer (mean over samples), "
                 + (f"is {fmt(last.delta_norm)}" if len(health.layers) == 1 else
                    f"is {fmt(last.delta_norm)} at the output and {fmt(first.delta_norm)} at layer 1")]
        factor = health.vanishing_factor
        if len(health.layers) > 1 and math.isfinite(factor) and factor > 0:
            if factor < 0.1:
                parts[-1] += f": {fmt(1 / factor, 2)}× smaller — the gradient vanishes on the way back"
                if "sigmoid" in snapshot.network.activations[:-1]:
                    parts[-1] += " (each sigmoid layer multiplies it by σ′ ≤ ¼)"
            elif factor > 10:
                parts[-1] += f": {fmt(factor, 2)}× larger — the gradient grows on the way back"
        saturated = [f"{h.layer + 1}: {100 * h.saturated:.0f}%" for h in health.layers
                     if h.saturated is not None and h.saturated > 0]
        if saturated:
            parts.append("saturated (flat activation, derivative ≈ 0; dead for ReLU) in layer " + ", ".join(saturated))
        ratios = health.update_ratios
        if np.all(np.isnan(ratios)):
            parts.append("the update ratio needs a step: none led here yet")
        else:
            low = [str(h.layer + 1) for h in health.layers if h.update_ratio is not None and h.update_ratio < -5]
            parts.append("update ratio of the step that led here, log10(‖Δθ‖/‖θ‖) per layer; ~1e-3 is healthy"
                         + (f"; layer {', '.join(low)} barely moved (< 1e-5)" if low else ""))
        return "; ".join(parts) + "."

    def _show_lag(self) -> None:
        shown = self.shown_snapshot
        self.show_lag(None if shown is None else shown.step,
                      shown is not None and shown.key != self._model.snapshot.key)

    # ------------------------------------------------------------------ reading (tests, tours)
    def shown_values(self) -> dict[str, np.ndarray]:
        """The numbers the bars draw, read back from the bars: ``delta`` (‖δ‖ per layer),
        ``saturated`` (share, 0 where undefined) and ``update_ratio`` (log10; NaN: no bar)."""
        def read(bars, log: bool):
            opts = bars.opts
            heights = np.asarray(opts["height"], dtype=float)
            tops = np.asarray(opts["y0"], dtype=float) + heights
            if not log:
                return tops
            return np.where(heights > 0, tops, np.nan)
        return {"delta": 10.0 ** read(self.delta_bars, True), "saturated": read(self.saturation_bars, False),
                "update_ratio": read(self.ratio_bars, True)}

    def is_settled(self) -> bool:
        if not self.is_showing():
            return True
        return (not self._worker.busy and not self._throttle.pending and self.shown_snapshot is not None
                and self.shown_snapshot.key == self._model.snapshot.key)
