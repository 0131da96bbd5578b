"""The cost surface J(θa, θb) over two chosen parameters with the others held: heatmap, contour lines,
the current point, the descent path so far and the negative-gradient arrow.

The grid is computed by core.cost_surface in a worker from an immutable request (a copy of the network);
results for anything but the newest request are dropped. A coarse grid is drawn at once the first time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

import core

from ..format import fmt
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .plot_style import PATH_COLOR, POINT_COLOR, PlotPanel

FINE = 128
COARSE = 32
CONTOURS = 9
MIN_HALF_WIDTH = 6.0


@dataclass(frozen=True)
class SurfaceRequest:
    """Everything a surface depends on, captured on the GUI thread."""

    network: core.Network
    X: np.ndarray
    y: np.ndarray
    axes: tuple[str, str]
    extent: tuple[float, float, float, float]  # a_min, a_max, b_min, b_max
    resolution: int

    def compute(self) -> "SurfaceResult":
        a_min, a_max, b_min, b_max = self.extent
        values_a = np.linspace(a_min, a_max, self.resolution)
        values_b = np.linspace(b_min, b_max, self.resolution)
        grid = core.cost_surface(self.network, self.X, self.y, self.axes[0], values_a, self.axes[1], values_b)
        return SurfaceResult(self, grid)


@dataclass(frozen=True)
class SurfaceResult:
    request: SurfaceRequest
    grid: np.ndarray


def nice_half_width(value: float) -> float:
    """Half-width of an axis that holds |value| with a margin, rounded so the view doesn't jitter."""
    needed = max(MIN_HALF_WIDTH, abs(value) * 1.3)
    return float(2 * math.ceil(needed / 2))


class CostSurfaceView(PlotPanel):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "cost-surface", "Cost surface", parent=parent)
        item = self.plot.getPlotItem()
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        item.addItem(self.image)
        self.colormap = pg.colormap.get("viridis")
        self.image.setColorMap(self.colormap)
        self.colorbar = pg.ColorBarItem(colorMap=self.colormap, interactive=False, width=12, label="J")
        self.colorbar.setImageItem(self.image, insert_in=item)
        self.contours = []
        for _ in range(CONTOURS):
            iso = pg.IsocurveItem(pen=pg.mkPen((255, 255, 255, 150), width=1))
            iso.setParentItem(self.image)
            self.contours.append(iso)
        self.path = item.plot([], [], pen=pg.mkPen(PATH_COLOR, width=2))
        self.start_marker = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("#ffffff"), pen=pg.mkPen(PATH_COLOR, width=2))
        self.point = pg.ScatterPlotItem(size=14, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w", width=2))
        self.arrow_line = item.plot([], [], pen=pg.mkPen("#ffffff", width=3))
        self.arrow_head = pg.ArrowItem(headLen=16, tipAngle=35, brush="#ffffff", pen=pg.mkPen("#1d2433"))
        for extra in (self.start_marker, self.point, self.arrow_head):
            item.addItem(extra)

        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._on_result)
        self._worker.failed.connect(lambda text: model.set_message(f"Cost surface failed: {text}"))
        self._extent: tuple[float, float, float, float] | None = None
        self._requested_key = None
        self.shown_request: SurfaceRequest | None = None
        self.grid: np.ndarray | None = None
        self._started = False  # the first grid waits for the window's first paint (start())

        model.parametersChanged.connect(self.refresh)
        model.axesChanged.connect(self._on_axes)
        model.datasetChanged.connect(self._invalidate)
        model.lossChanged.connect(self._invalidate)
        model.historyReset.connect(self._invalidate)
        self._on_axes()

    # ------------------------------------------------------------------ requests
    def start(self) -> None:
        """Begin computing surfaces; called once the window has painted, keeping start-up light."""
        self._started = True
        self.refresh()

    def _on_axes(self, *_args) -> None:
        a, b = self._model.axes
        item = self.plot.getPlotItem()
        item.setLabel("bottom", a)
        item.setLabel("left", b)
        self._invalidate()

    def _invalidate(self, *_args) -> None:
        self._extent = None
        self._requested_key = None
        self.refresh()

    def _fit_extent(self) -> tuple[float, float, float, float]:
        """Symmetric axes that hold the whole path; they only grow, so the picture stays put."""
        model = self._model
        names = model.parameter_names()
        ia, ib = (names.index(n) for n in model.axes)
        params = model.history.parameters
        current = model.network.parameter_vector()
        ha = nice_half_width(max(np.abs(params[:, ia]).max(initial=0), abs(current[ia])))
        hb = nice_half_width(max(np.abs(params[:, ib]).max(initial=0), abs(current[ib])))
        if self._extent is not None:
            ha, hb = max(ha, self._extent[1]), max(hb, self._extent[3])
        return (-ha, ha, -hb, hb)

    def _surface_key(self, extent) -> tuple:
        """The surface changes only with the held parameters, the axes, the data, the cost or the extent."""
        model = self._model
        held = [n for n in model.parameter_names() if n not in model.axes]
        return (model.axes, tuple(model.network.get(n) for n in held), id(model.dataset),
                model.loss_name, extent, tuple(model.network.sizes))

    def refresh(self, *_args) -> None:
        if not self._started:
            return
        extent = self._fit_extent()
        key = self._surface_key(extent)
        if key != self._requested_key:
            self._requested_key = key
            self._extent = extent
            net = self._model.network.copy()
            if self.grid is None:  # first picture: a coarse grid at once, the fine one follows
                self._show(SurfaceRequest(net, self._model.X, self._model.y, self._model.axes, extent,
                                          COARSE).compute())
            self._worker.submit(SurfaceRequest(net, self._model.X, self._model.y, self._model.axes,
                                               extent, FINE).compute)
        self._update_overlay()

    def _on_result(self, result: SurfaceResult) -> None:
        self._show(result)

    def _show(self, result: SurfaceResult) -> None:
        request, grid = result.request, result.grid
        a_min, a_max, b_min, b_max = request.extent
        finite = grid[np.isfinite(grid)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1e-9
        self.image.setImage(grid, levels=(lo, hi), autoLevels=False)
        self.colorbar.setLevels((lo, hi))
        n = grid.shape[0]
        self.image.setRect(QRectF(a_min, b_min, a_max - a_min, b_max - b_min))
        # contour levels at quantiles of J, denser near the minimum where the descent ends
        ranked = np.sort(finite)
        levels = ranked[((np.linspace(0.04, 0.9, CONTOURS) ** 1.5) * (ranked.size - 1)).astype(int)] \
            if ranked.size else []
        for iso, level in zip(self.contours, levels):
            iso.setData(grid)
            iso.setLevel(float(level))
            iso.setPos(0.5, 0.5)  # pixel centres, in image coordinates
        self.plot.getPlotItem().setRange(xRange=(a_min, a_max), yRange=(b_min, b_max), padding=0)
        self.grid, self.shown_request = grid, request
        self.resolution = n

    def _update_overlay(self) -> None:
        model = self._model
        names = model.parameter_names()
        ia, ib = (names.index(n) for n in model.axes)
        params = model.history.parameters
        self.path.setData(params[:, ia], params[:, ib])
        self.start_marker.setData([params[0, ia]], [params[0, ib]])
        current = model.network.parameter_vector()
        a, b = float(current[ia]), float(current[ib])
        self.point.setData([a], [b])
        gradient = model.gradient_vector()
        ga, gb = float(gradient[ia]), float(gradient[ib])
        norm = math.hypot(ga, gb)
        if self._extent is not None and norm > 0:
            span = self._extent[1] - self._extent[0]
            length = span * 0.25 * norm / (norm + 0.05)  # grows with |∇J| but stays on screen
            end_a, end_b = a - ga / norm * length, b - gb / norm * length
            self.arrow_line.setData([a, end_a], [b, end_b])
            self.arrow_head.setPos(end_a, end_b)
            self.arrow_head.setStyle(angle=180 - math.degrees(math.atan2(-gb, -ga)))
            self.arrow_head.show()
        else:
            self.arrow_line.setData([], [])
            self.arrow_head.hide()
        held = [n for n in names if n not in model.axes]
        held_text = ", ".join(f"{n} = {fmt(model.network.get(n))}" for n in held[:6])
        more = f" and {len(held) - 6} more" if len(held) > 6 else ""
        only = "Training only these two parameters." if model.train_only_axes else \
            "The others train too, so the surface moves as they change."
        self.caption.setText(
            f"J({model.axes[0]}, {model.axes[1]}) with {held_text}{more} held. Point: ({fmt(a)}, {fmt(b)}), "
            f"J = {fmt(model.cost())}. White arrow: −∇J = ({fmt(-ga)}, {fmt(-gb)}). {only}")

    def is_settled(self) -> bool:
        """True once the fine grid for the newest request is on screen."""
        return not self._worker.busy and getattr(self, "resolution", 0) == FINE

    @property
    def point_position(self) -> tuple[float, float]:
        xs, ys = self.point.getData()
        return float(xs[0]), float(ys[0])
