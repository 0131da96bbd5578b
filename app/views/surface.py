"""The cost surface J(θa, θb) over two chosen parameters with the others held: heatmap, contour lines,
the current point, the descent path so far and the negative-gradient arrow — all of one snapshot.

The grid, its contour levels and lines (core.cost_surface, core.contour_levels, core.contour_lines)
are computed in a worker from an immutable request holding the snapshot. The picture (grid, point,
path, arrow, caption) is always drawn from the snapshot its grid belongs to, so the point never sits
on a surface of another step. When a new snapshot needs no new grid (only the two plotted
parameters changed: "train only these two", or a move along them), the point and path follow at
once. While training, grids are coarser (they change every step); once paused, the fine grid follows.
Other branches of the timeline are drawn as faint paths; the runs of a race in their colours, with a
legend, over a fixed plane through their common start (a click moves the start: every run restarts).
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

import core

from core.naming import to_unicode

from ..format import fmt
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .plot_style import PATH_COLOR, POINT_COLOR, RUN_COLORS, RUN_CURVE_COLORS, PlotPanel, steady_range

FINE = 128
RUNNING = 48          # while training: a new grid every few steps beats a sharp one every second
COARSE = 24           # the first picture, at once
MIN_RUNNING = 12
# Multiply-adds a grid may cost while training (points x rows x the network's products): ~60 ms
RUNNING_WORK = 3e7
CONTOURS = 9
MIN_HALF_WIDTH = 6.0
MAX_TRACES = max(core.timeline.MAX_BRANCHES, core.race.MAX_ENTRANTS)
FAINT_PEN = pg.mkPen((255, 255, 255, 110), width=1.5)


@dataclass(frozen=True)
class SurfaceRequest:
    """Everything a surface depends on: the snapshot, the axes, the extent and the resolution."""

    snapshot: core.Snapshot
    axes: tuple[str, str]
    extent: tuple[float, float, float, float]  # a_min, a_max, b_min, b_max
    resolution: int

    @property
    def key(self) -> tuple:
        return surface_key(self.snapshot, self.axes, self.extent)

    def compute(self) -> "SurfaceResult":
        snap = self.snapshot
        a_min, a_max, b_min, b_max = self.extent
        values_a = np.linspace(a_min, a_max, self.resolution)
        values_b = np.linspace(b_min, b_max, self.resolution)
        plane = surface_network(snap)
        grid = core.cost_surface(plane, snap.X, snap.y, self.axes[0], values_a, self.axes[1], values_b)
        levels = core.contour_levels(grid, CONTOURS)
        # J at the point itself, through the same code: equals the snapshot's cost (off a race's plane,
        # the surface's J under the point)
        a, b = snap.value(self.axes[0]), snap.value(self.axes[1])
        at_point = float(core.cost_surface(plane, snap.X, snap.y, self.axes[0], [a], self.axes[1], [b])[0, 0])
        return SurfaceResult(self, grid, levels, tuple(core.contour_lines(grid, self.extent, levels)), at_point)


@dataclass(frozen=True)
class SurfaceResult:
    request: SurfaceRequest
    grid: np.ndarray
    levels: np.ndarray  # contour levels, ascending (fewer than CONTOURS only when no value is finite)
    contours: tuple[core.ContourLine, ...]  # one per level, in parameter coordinates
    at_point: float     # J at the snapshot's point, computed like the grid


def surface_key(snapshot: core.Snapshot, axes, extent) -> tuple:
    """What the grid depends on: the problem, the held parameters, the cost and the extent."""
    names = snapshot.names
    net = surface_network(snapshot)
    held = np.delete(net.parameter_vector(), [names.index(a) for a in axes])
    return (snapshot.revision, tuple(axes), held.tobytes(), str(net.loss), net.regularization,
            net.regularization_rate, tuple(extent))


def surface_network(snapshot: core.Snapshot) -> core.Network:
    """The network whose held parameters the surface uses: a race's fixed plane through the common
    start, else the snapshot's own."""
    return snapshot.plane if snapshot.plane is not None else snapshot.network


def running_resolution(net: core.Network, rows: int) -> int:
    """Grid points per axis while training: RUNNING when cheap, fewer for deep networks on many
    rows (whose surface changes every step anyway), so the picture keeps moving."""
    work_per_point = rows * sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:]))
    return int(min(RUNNING, max(MIN_RUNNING, (RUNNING_WORK / max(work_per_point, 1)) ** 0.5)))


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
        # One item per level, updated in place; the lines come finished from the worker.
        self.contours = []
        for _ in range(CONTOURS):
            line = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255, 150), width=1), connect="finite")
            line.setZValue(-5)  # above the image (-10), below the path and the markers (0)
            item.addItem(line)
            self.contours.append(line)
        self.traces = [item.plot([], [], pen=FAINT_PEN) for _ in range(MAX_TRACES)]
        for trace in self.traces:
            trace.setZValue(-2)
        self._legend_key = None
        item.scene().sigMouseClicked.connect(self._on_click)
        self.path = item.plot([], [], pen=pg.mkPen(PATH_COLOR, width=2))
        self.start_marker = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("#ffffff"), pen=pg.mkPen(PATH_COLOR, width=2))
        self.point = pg.ScatterPlotItem(size=14, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w", width=2))
        self.arrow_line = item.plot([], [], pen=pg.mkPen("#ffffff", width=3))
        self.arrow_head = pg.ArrowItem(headLen=16, tipAngle=35, brush="#ffffff", pen=pg.mkPen("#1d2433"))
        for extra in (self.start_marker, self.point, self.arrow_head):
            item.addItem(extra)

        self._worker = LatestOnlyWorker(self, keep_up=True)
        self._worker.finished.connect(self._show)
        self._worker.failed.connect(lambda text: model.set_message(f"Cost surface failed: {text}"))
        self._extent: tuple[float, float, float, float] | None = None
        self._requested: tuple | None = None   # (key, resolution) of the newest request
        self.result: SurfaceResult | None = None
        self._levels = None                     # the colour range, kept while J stays inside it
        self._levels_key = None                 # (revision, axes) it was chosen for
        self.shown_snapshot: core.Snapshot | None = None   # the snapshot the picture is drawn from
        self.grid: np.ndarray | None = None
        self.resolution = 0
        self._started = False  # the first grid waits for the window's first paint (start())

        model.snapshotChanged.connect(self.refresh)
        model.axesChanged.connect(self._on_axes)
        model.historyReset.connect(self._invalidate)
        model.runningChanged.connect(lambda _running: self.refresh())
        self._on_axes()

    # ------------------------------------------------------------------ requests
    def start(self) -> None:
        """Begin computing surfaces; called once the window has painted, keeping start-up light."""
        self._started = True
        self.refresh()

    def _on_axes(self, *_args) -> None:
        a, b = self._model.axes
        item = self.plot.getPlotItem()
        item.setLabel("bottom", to_unicode(a))
        item.setLabel("left", to_unicode(b))
        self._invalidate()

    def _invalidate(self, *_args) -> None:
        self._extent = None
        self._requested = None
        self.refresh()

    def _fit_extent(self, snapshot: core.Snapshot, axes) -> tuple[float, float, float, float]:
        """Symmetric axes that hold the whole path; they only grow, so the picture stays put."""
        ia, ib = (snapshot.names.index(n) for n in axes)
        path = snapshot.path if snapshot.axes == tuple(axes) else np.empty((0, 2))
        ha = nice_half_width(max(np.abs(path[:, 0]).max(initial=0), abs(snapshot.theta[ia])))
        hb = nice_half_width(max(np.abs(path[:, 1]).max(initial=0), abs(snapshot.theta[ib])))
        if self._extent is not None:
            ha, hb = max(ha, self._extent[1]), max(hb, self._extent[3])
        return (-ha, ha, -hb, hb)

    def refresh(self, *_args) -> None:
        if not self._started:
            return
        model = self._model
        snapshot, axes = model.snapshot, model.axes
        if snapshot.axes != tuple(axes):
            return  # the snapshot over the new axes is on its way
        extent = self._extent = self._fit_extent(snapshot, axes)
        key = surface_key(snapshot, axes, extent)
        if self.result is not None and self.result.request.key == key:
            self._draw_overlay(snapshot)   # same grid: the point and path follow at once
            self._show_lag()
            return
        resolution = running_resolution(snapshot.network, len(snapshot.X)) if model.running else FINE
        if self._requested != (key, resolution):
            # progressive: a quick grid of this very snapshot first, the fine one after it
            if self.result is None or self.result.request.key[0] != snapshot.revision:
                self._worker.submit(SurfaceRequest(snapshot, axes, extent, COARSE).compute)
            elif resolution == FINE and not self._worker.busy:
                quick = running_resolution(snapshot.network, len(snapshot.X))
                self._worker.submit(SurfaceRequest(snapshot, axes, extent, quick).compute)
            self._requested = (key, resolution)
            self._worker.submit(SurfaceRequest(snapshot, axes, extent, resolution).compute)
        self._show_lag()

    def _show(self, result: SurfaceResult) -> None:
        request, grid = result.request, result.grid
        if request.snapshot.revision != self._model.revision or request.axes != tuple(self._model.axes):
            return  # another problem or other axes since
        a_min, a_max, b_min, b_max = request.extent
        finite = grid[np.isfinite(grid)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1e-9
        # colour levels that change only when J leaves them: each change redraws the colour bar's axis
        levels = self._levels = steady_range(self._levels if self._levels_key == request.key[:2] else None,
                                             lo, hi, pad=0.0)
        self._levels_key = request.key[:2]
        self.image.setImage(grid, levels=levels, autoLevels=False)
        if self.colorbar.levels() != levels:
            self.colorbar.setLevels(levels)
        n = grid.shape[0]
        # pixel centres on the grid's points: the image reaches half a cell beyond the extent
        da, db = (a_max - a_min) / (n - 1), (b_max - b_min) / (n - 1)
        self.image.setRect(QRectF(a_min - da / 2, b_min - db / 2, a_max - a_min + da, b_max - b_min + db))
        for k, line in enumerate(self.contours):
            if k < len(result.contours):
                line.setData(result.contours[k].x, result.contours[k].y, connect="finite")
            else:
                line.setData([], [])
        self.plot.getPlotItem().setRange(xRange=(a_min, a_max), yRange=(b_min, b_max), padding=0)
        self.grid, self.result, self.resolution = grid, result, n
        self._draw_overlay(request.snapshot)
        self._show_lag()

    def _draw_overlay(self, snapshot: core.Snapshot) -> None:
        """Point, path, arrow and caption of ``snapshot`` (whose grid is the one shown)."""
        self.shown_snapshot = snapshot
        a_name, b_name = snapshot.axes
        path = snapshot.path
        self._draw_others(snapshot)
        self.path.setData(path[:, 0], path[:, 1])
        self.start_marker.setData([path[0, 0]], [path[0, 1]])
        a, b = snapshot.value(a_name), snapshot.value(b_name)
        self.point.setData([a], [b])
        ga, gb = snapshot.gradient_of(a_name), snapshot.gradient_of(b_name)
        norm = math.hypot(ga, gb)
        extent = self.result.request.extent if self.result is not None else self._extent
        if extent is not None and norm > 0:
            span = extent[1] - extent[0]
            length = span * 0.25 * norm / (norm + 0.05)  # grows with |∇J| but stays on screen
            end_a, end_b = a - ga / norm * length, b - gb / norm * length
            self.arrow_line.setData([a, end_a], [b, end_b])
            self.arrow_head.setPos(end_a, end_b)
            self.arrow_head.setStyle(angle=180 - math.degrees(math.atan2(-gb, -ga)))
            self.arrow_head.show()
        else:
            self.arrow_line.setData([], [])
            self.arrow_head.hide()
        if snapshot.racing:
            under = self.result.at_point if self.result is not None else None
            under_text = "" if under is None else f" (the surface under it: {fmt(under)})"
            self.caption.setText(
                f"Race, step {snapshot.step}: J({a_name}, {b_name}) on a fixed plane through the common start "
                f"(white ring), the other parameters held at their start values. Each run also moves those, so "
                f"a path's cost differs from the surface under it: {snapshot.label} has J = "
                f"{fmt(snapshot.cost)}{under_text}. Click the surface (or Alt+arrows) to start the race there.")
            return
        held = [n for n in snapshot.names if n not in snapshot.axes]
        held_text = ", ".join(f"{to_unicode(n)} = {fmt(snapshot.value(n))}" for n in held[:6])
        more = f" and {len(held) - 6} more" if len(held) > 6 else ""
        only = "Training only these two parameters." if self._model.train_only_axes else \
            "The others train too, so the surface moves as they change."
        self.caption.setText(
            f"Step {snapshot.step}: J({to_unicode(a_name)}, {to_unicode(b_name)}) with {held_text}{more} held. Point: ({fmt(a)}, {fmt(b)}), "
            f"J = {fmt(snapshot.cost)}. White arrow: −∇J = ({fmt(-ga)}, {fmt(-gb)}). {only}")

    def _show_lag(self) -> None:
        shown = self.shown_snapshot
        self.show_lag(None if shown is None else shown.step, shown is not None and shown.key != self._model.snapshot.key)

    def _draw_others(self, snapshot: core.Snapshot) -> None:
        """The other runs' paths: a race's in their colours (with a legend), other branches faint."""
        racing = snapshot.racing
        for k, item in enumerate(self.traces):
            trace = snapshot.others[k] if k < len(snapshot.others) else None
            if trace is None:
                item.setData([], [])
                continue
            pen = pg.mkPen(RUN_COLORS[trace.branch % len(RUN_COLORS)], width=2) if racing else FAINT_PEN
            item.setData(trace.path[:, 0], trace.path[:, 1], pen=pen)
        colour = RUN_COLORS[snapshot.branch % len(RUN_COLORS)] if racing else PATH_COLOR
        self.path.setPen(pg.mkPen(colour, width=2.5 if racing else 2))
        runs = sorted([(snapshot.branch, snapshot.label)] + [(t.branch, t.label) for t in snapshot.others]) \
            if racing else []
        if runs != self._legend_key:
            # the key as the plot's title, one coloured name per run: a legend box would cover the paths
            self._legend_key = runs
            self.plot.getPlotItem().setTitle(
                "  ".join(f"<span style='color:{RUN_CURVE_COLORS[b % len(RUN_CURVE_COLORS)]}'>━ {html.escape(label)}</span>"
                          for b, label in runs) if runs else None, size="8pt")

    @property
    def legend_labels(self) -> list[str]:
        """The runs named in the surface's key (a race), in race order."""
        return [label for _branch, label in (self._legend_key or [])]

    def _on_click(self, event) -> None:
        """In a race, a click on the surface moves the common start there: every run restarts."""
        if not self._model.racing or event.button() != Qt.LeftButton:
            return
        box = self.plot.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = box.mapSceneToView(event.scenePos())
        self._model.restart_race_at(point.x(), point.y())
        event.accept()

    def is_settled(self) -> bool:
        """True once the fine grid of the shown snapshot is on screen."""
        return (not self._worker.busy and self.resolution == FINE
                and self.shown_snapshot is not None and self.shown_snapshot.key == self._model.snapshot.key)

    @property
    def point_position(self) -> tuple[float, float]:
        xs, ys = self.point.getData()
        return float(xs[0]), float(ys[0])

    @property
    def point_value(self) -> float | None:
        """J at the drawn point computed with the drawn grid's code and snapshot (None: no grid yet)."""
        return None if self.result is None else self.result.at_point
