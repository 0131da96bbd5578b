"""The cost surface J(θa, θb) over two chosen parameters with the others held: heatmap, contour lines,
the current point, the descent path so far and the negative-gradient arrow — all of one snapshot.

The grid, its contour levels and lines (core.cost_surface, core.contour_levels, core.contour_lines)
are computed in a worker from an immutable request holding the snapshot. The picture (grid, point,
path, arrow, caption) is always drawn from the snapshot its grid belongs to, so the point never sits
on a surface of another step. When a new snapshot needs no new grid (only the two plotted
parameters changed: "train only these two", or a move along them), the point and path follow at
once. While training, grids are coarser (they change every step); once paused, the fine grid follows.
Other branches of the timeline are drawn as faint paths; the runs of a race in their colours, with a
legend, over a fixed plane through their common start (a click, or a drag from the start ring or the
point, moves the start: every run restarts, computed off the GUI thread; surface_drag.py).

The session's surface plane (Y) can also be a plane through all the parameters: two random
filter-normalized directions or the path's first two principal components (surface_planes.py, in the
same worker, coarse first). There the path is projected on the plane, its points fading with their
distance off it, and the caption gives a point's distance, true cost and the surface's cost there (the
start's, or the point under the mouse). The update's arrows at the shown point (surface_arrows.py)
are drawn in every plane.
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

from .. import process_jobs
from ..format import fmt
from ..job_functions import surface_grid
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .plot_style import (PATH_COLOR, POINT_COLOR, RUN_COLORS, RUN_CURVE_COLORS, PlotPanel, clear_line, set_line_pen,
                         steady_range)
from .lesson_marks import PointMark
from .surface_arrows import UpdateArrows, part_vectors
from .surface_drag import StartGrip
from .surface_narration import narration_arrows
from .surface_planes import PlaneRequest, PlaneResult, axis_labels, plane_arrows, plane_key, point_report

FINE = 128
RUNNING = 48          # while training: a new grid every few steps beats a sharp one every second
COARSE = 24           # the first picture, at once
MIN_RUNNING = 12
# Multiply-adds a grid may cost (points x rows x the network's products): ~60 ms while training,
# ~0.5 s once paused — a 128-point fine grid of a 16x3 network on 200 rows took tens of seconds,
# so the surface showed a step long gone while every other view had moved on
RUNNING_WORK = 3e7
FINE_WORK = 2.5e8
CONTOURS = 9
MIN_HALF_WIDTH = 6.0
MAX_TRACES = max(core.timeline.MAX_BRANCHES, core.race.MAX_ENTRANTS)
FAINT_PEN = pg.mkPen((255, 255, 255, 110), width=1)   # 1 px: plot_style.set_line_pen says why
HOVER_PIXELS = 12     # the mouse describes a path point this close to it


@dataclass(frozen=True)
class SurfaceRequest:
    """Everything a surface depends on: the snapshot, the axes, the extent and the resolution."""

    snapshot: core.Snapshot
    axes: tuple[str, str]
    extent: tuple[float, float, float, float]  # a_min, a_max, b_min, b_max
    resolution: int
    in_process: bool = False   # compute here, not in the worker process (workers run synchronously)

    @property
    def key(self) -> tuple:
        return surface_key(self.snapshot, self.axes, self.extent)

    def compute(self) -> "SurfaceResult":
        snap = self.snapshot
        # J at the point itself, through the same code: equals the snapshot's cost (off a race's plane,
        # the surface's J under the point). In a worker process: app/process_jobs.py says why.
        point = (snap.value(self.axes[0]), snap.value(self.axes[1]))
        grid, levels, contours, at_point = process_jobs.run(
            process_jobs.SURFACE, surface_grid, surface_network(snap), snap.X, snap.y, tuple(self.axes), self.extent,
            self.resolution, point, CONTOURS, in_process=self.in_process)
        return SurfaceResult(self, grid, levels, contours, at_point)


@dataclass(frozen=True)
class SurfaceResult:
    request: SurfaceRequest
    grid: np.ndarray
    levels: np.ndarray  # contour levels, ascending (fewer than CONTOURS only when no value is finite)
    contours: tuple[core.ContourLine, ...]  # one per level, in parameter coordinates
    at_point: float     # J at the snapshot's point, computed like the grid
    error = ""

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return self.request.extent

    @property
    def levels_key(self) -> tuple:
        """What the colour range is kept for: one problem, one pair of axes."""
        return (self.request.snapshot.revision, self.request.axes)


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


def _resolution(net: core.Network, rows: int, work: float, most: int, least: int) -> int:
    """Grid points per axis within ``work`` multiply-adds, between ``least`` and ``most``."""
    work_per_point = rows * sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:]))
    return int(min(most, max(least, (work / max(work_per_point, 1)) ** 0.5)))


def running_resolution(net: core.Network, rows: int) -> int:
    """Grid points per axis while training: RUNNING when cheap, fewer for deep networks on many
    rows (whose surface changes every step anyway), so the picture keeps moving."""
    return _resolution(net, rows, RUNNING_WORK, RUNNING, MIN_RUNNING)


def fine_resolution(net: core.Network, rows: int) -> int:
    """Grid points per axis once paused: FINE when affordable, fewer for big networks on many rows,
    so the fine picture follows within about half a second."""
    return _resolution(net, rows, FINE_WORK, FINE, RUNNING)


def path_colour(snapshot: core.Snapshot) -> str:
    return RUN_COLORS[snapshot.branch % len(RUN_COLORS)] if snapshot.racing else PATH_COLOR


def update_parts(snapshot: core.Snapshot) -> core.UpdateParts:
    """The update's parts at the snapshot's point (core.update_parts)."""
    return core.update_parts(snapshot.rule, snapshot.rule_state, snapshot.theta, snapshot.previous_theta,
                             snapshot.gradient, snapshot.learning_rate)


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
        # Every level's line in one item (NaN between pieces), updated in place; the lines come finished
        # from the worker. (An item per level cost a tenth of a millisecond each per repaint.)
        self.contour_lines = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255, 150), width=1), connect="finite")
        self.contour_lines.setZValue(-5)  # above the image (-10), below the path and the markers (0)
        item.addItem(self.contour_lines)
        self.traces = [item.plot([], [], pen=FAINT_PEN) for _ in range(MAX_TRACES)]
        for trace in self.traces:
            trace.setZValue(-2)
        self._legend_key = None
        item.scene().sigMouseClicked.connect(self._on_click)
        item.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.path = set_line_pen(item.plot([], []), pg.mkPen(PATH_COLOR, width=2))
        # a plane's projected path points, each fading with its distance off the plane
        self.path_points = pg.ScatterPlotItem(size=7, pen=None)
        self.start_marker = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("#ffffff"), pen=pg.mkPen(PATH_COLOR, width=2))
        self.point = pg.ScatterPlotItem(size=14, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w", width=2))
        for extra in (self.path_points, self.start_marker, self.point):
            item.addItem(extra)
        self._lesson_mark = PointMark(item, self.point)   # a lesson step's "point" highlight
        self.arrows = UpdateArrows(item)
        # in a race, a drag from the start ring or the point moves the start (surface_drag.py)
        self._drag_position: tuple[float, float] | None = None   # the start under the mouse while dragged
        self.start_grip = StartGrip(item.getViewBox(), self._grip_points, model.begin_race_start_gesture,
                                    self._drag_start_to, self._drop_start_at)

        self._worker = LatestOnlyWorker(self, keep_up=True)
        self._worker.finished.connect(self._show)
        self._worker.failed.connect(lambda text: model.set_message(f"Cost surface failed: {text}"))
        self._extent: tuple[float, float, float, float] | None = None
        self._plane_extent: tuple[float, float, float, float] | None = None   # a plane's, kept while it grows
        self._requested: tuple | None = None   # (key, resolution) of the newest request
        self.result: SurfaceResult | PlaneResult | None = None
        self._levels = None                     # the colour range, kept while J stays inside it
        self._levels_key = None                 # the result's levels_key it was chosen for
        self.shown_snapshot: core.Snapshot | None = None   # the snapshot the picture is drawn from
        self.grid: np.ndarray | None = None
        self.resolution = 0
        self.hovered: int | None = None         # the plane path's point under the mouse, if any
        self._narration_text = ""               # the caption's words on the narrated sub-step (U)
        self._started = False  # the first grid waits for the window's first paint (start())

        model.snapshotChanged.connect(self.refresh)
        model.axesChanged.connect(self._on_axes)
        model.surfacePlaneChanged.connect(self._on_axes)
        model.historyReset.connect(self._invalidate)
        model.runningChanged.connect(lambda _running: self.refresh())
        model.narrationChanged.connect(self._redraw_overlay)
        self._on_axes()

    # ------------------------------------------------------------------ a lesson's highlight
    def set_lesson_highlight(self, names=()) -> None:
        """Mark what a lesson step names here: "point" rings the current point (it follows it)."""
        self._lesson_mark.set_shown("point" in names)

    def clear_lesson_highlight(self) -> None:
        self.set_lesson_highlight(())

    def lesson_highlighted(self) -> set[str]:
        """What a lesson has marked and is drawn: {"point"} or nothing."""
        return {"point"} if self._lesson_mark.is_drawn() else set()

    # ------------------------------------------------------------------ requests
    def start(self) -> None:
        """Begin computing surfaces; called once the window has painted, keeping start-up light."""
        self._started = True
        self.refresh()

    @property
    def plane_mode(self) -> str:
        return self._model.surface_plane

    def _on_axes(self, *_args) -> None:
        if self.plane_mode == "axes":
            a, b = self._model.axes
            self._set_labels(to_unicode(a), to_unicode(b))
        else:
            self._set_labels(*axis_labels(self.plane_mode, self._model.plane_seed))
        self._invalidate()

    def _set_labels(self, a: str, b: str) -> None:
        item = self.plot.getPlotItem()
        if item.getAxis("bottom").labelText != a:
            item.setLabel("bottom", a)
        if item.getAxis("left").labelText != b:
            item.setLabel("left", b)

    def axis_titles(self) -> tuple[str, str]:
        """The texts under the horizontal axis and beside the vertical one."""
        item = self.plot.getPlotItem()
        return item.getAxis("bottom").labelText, item.getAxis("left").labelText

    def _invalidate(self, *_args) -> None:
        self._extent = None
        self._plane_extent = None
        self._requested = None
        self.hovered = None
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

    def _request_maker(self, snapshot: core.Snapshot):
        """(key, colour key, a function resolution -> request) for the shown plane, or None while the
        snapshot the plane needs is on its way."""
        model = self._model
        mode, axes = self.plane_mode, model.axes
        if mode != "axes":
            if snapshot.path_thetas is None:
                return None   # the snapshot with the full path is on its way
            seed = model.plane_seed
            return (plane_key(snapshot, mode, seed), (snapshot.revision, mode, seed),
                    lambda n: PlaneRequest(snapshot, mode, seed, n, self._plane_extent, CONTOURS))
        extent = self._extent = self._fit_extent(snapshot, axes)
        return (surface_key(snapshot, axes, extent), (snapshot.revision, tuple(axes)),
                lambda n: SurfaceRequest(snapshot, axes, extent, n, in_process=self._worker.synchronous))

    def refresh(self, *_args) -> None:
        if not self._started:
            return
        model = self._model
        snapshot = model.snapshot
        if snapshot.axes != tuple(model.axes):
            return  # the snapshot over the new axes is on its way
        maker = self._request_maker(snapshot)
        if maker is None:
            return
        key, levels_key, request = maker
        if self.result is not None and self.result.request.key == key:
            if isinstance(self.result, SurfaceResult):
                self._draw_overlay(snapshot)   # same grid: the point and path follow at once
            self._show_lag()
            return
        net, rows = snapshot.network, len(snapshot.X)
        fine = fine_resolution(net, rows)
        resolution = running_resolution(net, rows) if model.running else fine
        if self._requested != (key, resolution):
            # progressive: a quick grid of this very snapshot first, the fine one after it
            if self.result is None or self.result.levels_key != levels_key:
                self._worker.submit(request(COARSE).compute)
            elif resolution == fine and not self._worker.busy:
                self._worker.submit(request(running_resolution(snapshot.network, len(snapshot.X))).compute)
            self._requested = (key, resolution)
            self._worker.submit(request(resolution).compute)
        self._show_lag()

    def _is_current(self, result) -> bool:
        """True if ``result`` still belongs to the session's problem and plane."""
        request, model = result.request, self._model
        if request.snapshot.revision != model.revision:
            return False
        if isinstance(result, PlaneResult):
            return (request.mode, request.seed) == (model.surface_plane, model.plane_seed)
        return model.surface_plane == "axes" and request.axes == tuple(model.axes)

    def _show(self, result) -> None:
        if not self._is_current(result):
            return  # another problem or another plane since
        request, grid = result.request, result.grid
        if result.error:
            self._show_no_plane(result)
            return
        a_min, a_max, b_min, b_max = extent = result.extent
        finite = grid[np.isfinite(grid)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1e-9
        # colour levels that change only when J leaves them: each change redraws the colour bar's axis
        levels = self._levels = steady_range(self._levels if self._levels_key == result.levels_key else None,
                                             lo, hi, pad=0.0)
        self._levels_key = result.levels_key
        self.image.setImage(grid, levels=levels, autoLevels=False)
        if self.colorbar.levels() != levels:
            self.colorbar.setLevels(levels)
        n = grid.shape[0]
        # pixel centres on the grid's points: the image reaches half a cell beyond the extent
        da, db = (a_max - a_min) / (n - 1), (b_max - b_min) / (n - 1)
        self.image.setRect(QRectF(a_min - da / 2, b_min - db / 2, a_max - a_min + da, b_max - b_min + db))
        gap = np.array([np.nan])
        xs = [part for line in result.contours for part in (line.x, gap)]
        ys = [part for line in result.contours for part in (line.y, gap)]
        self.contour_lines.setData(np.concatenate(xs) if xs else np.empty(0),
                                   np.concatenate(ys) if ys else np.empty(0), connect="finite")
        self.plot.getPlotItem().setRange(xRange=(a_min, a_max), yRange=(b_min, b_max), padding=0)
        self.grid, self.result, self.resolution = grid, result, n
        if isinstance(result, PlaneResult):
            self._plane_extent = extent
            self._set_labels(*axis_labels(request.mode, request.seed, result.plane))
            self._draw_plane_overlay(result)
        else:
            self._draw_overlay(request.snapshot)
        self._show_lag()
        if request.snapshot is not self._model.snapshot:
            # a newer snapshot came while this grid was computed; if the grid is its grid too, it
            # was not asked again (refresh found it requested), so its point and path go on it now
            self.refresh()

    def _show_no_plane(self, result: PlaneResult) -> None:
        """No plane to draw (too short a path, degenerate directions): an empty plot that says why."""
        self.result, self.grid, self.resolution = result, None, result.request.resolution
        self.shown_snapshot = result.request.snapshot
        self.image.clear()
        for item in (self.contour_lines, *self.traces, self.path):
            item.setData([], [])
        for item in (self.path_points, self.start_marker, self.point):
            item.setData([], [])
        self.arrows.draw((0.0, 0.0), {}, None)
        self._set_labels(*axis_labels(result.request.mode, result.request.seed))
        self.caption.setText(result.error)
        self._show_lag()

    # ------------------------------------------------------------------ drawing: two parameters
    def _draw_overlay(self, snapshot: core.Snapshot) -> None:
        """Point, path, arrows and caption of ``snapshot`` (whose grid is the one shown)."""
        self.shown_snapshot = snapshot
        a_name, b_name = snapshot.axes
        path = snapshot.path
        self._draw_others(snapshot)
        self.path.setData(path[:, 0], path[:, 1])
        self.path_points.setData([], [])
        start = self._drag_position if self._drag_position is not None else (path[0, 0], path[0, 1])
        self.start_marker.setData([start[0]], [start[1]])
        a, b = snapshot.value(a_name), snapshot.value(b_name)
        self.point.setData([a], [b])
        ia, ib = snapshot.names.index(a_name), snapshot.names.index(b_name)
        parts = update_parts(snapshot)
        vectors = {name: (float(v[ia]), float(v[ib])) for name, v in part_vectors(parts).items()}
        extent = self.result.extent if self.result is not None else self._extent
        narrated, narrating = self._narration_arrows(
            lambda p: {name: (float(v[ia]), float(v[ib])) for name, v in part_vectors(p).items()})
        velocity_name = parts.velocity_name
        if narrated is not None:
            vectors, velocity_name = narrated, self._model.narrated_parts.velocity_name
        self.arrows.draw((a, b), vectors, extent, velocity_name)
        rates = ""
        if parts.rates is not None:
            rates = (f" {snapshot.rule.title}'s rates: η for {to_unicode(a_name)} {fmt(float(parts.rates[ia]))}, "
                     f"for {to_unicode(b_name)} "
                     f"{fmt(float(parts.rates[ib]))} (η = {fmt(snapshot.learning_rate)}).")
        if snapshot.racing:
            under = self.result.at_point if self.result is not None else None
            under_text = "" if under is None else f" (the surface under it: {fmt(under)})"
            self.caption.setText(
                f"Race, step {snapshot.step}: J({to_unicode(a_name)}, {to_unicode(b_name)}) on a fixed plane through the common start "
                f"(white ring), the other parameters held at their start values. Each run also moves those, so "
                f"a path's cost differs from the surface under it: {snapshot.label} has J = "
                f"{fmt(snapshot.cost)}{under_text}. Click the surface, drag the white ring or the point (a drag "
                f"elsewhere pans), or press Alt+arrows to start the race there.{rates}")
            self._prefix_caption(narrating)
            return
        held = [n for n in snapshot.names if n not in snapshot.axes]
        held_text = ", ".join(f"{to_unicode(n)} = {fmt(snapshot.value(n))}" for n in held[:6])
        more = f" and {len(held) - 6} more" if len(held) > 6 else ""
        only = "Training only these two parameters." if self._model.train_only_axes else \
            "The others train too, so the surface moves as they change."
        ga, gb = snapshot.gradient_of(a_name), snapshot.gradient_of(b_name)
        self.caption.setText(
            f"Step {snapshot.step}: J({to_unicode(a_name)}, {to_unicode(b_name)}) with {held_text}{more} held. Point: ({fmt(a)}, {fmt(b)}), "
            f"J = {fmt(snapshot.cost)}. −∇J = ({fmt(-ga)}, {fmt(-gb)}). {only}{rates}")
        self._prefix_caption(narrating)

    def _redraw_overlay(self, *_args) -> None:
        """The arrows and caption again (the narrated sub-step changed), on the shown grid."""
        if isinstance(self.result, PlaneResult) and self.result.projection is not None and not self.result.error:
            self._draw_plane_overlay(self.result)
        elif isinstance(self.result, SurfaceResult) and self.shown_snapshot is not None:
            self._draw_overlay(self.shown_snapshot)

    def _narration_arrows(self, to_plot) -> tuple[dict | None, str]:
        """The narrated update's arrows and words while U explains one (surface_narration.py)."""
        vectors, self._narration_text = narration_arrows(self._model, self.arrows, to_plot)
        return vectors, self._narration_text

    def _prefix_caption(self, text: str) -> None:
        if text:
            self.caption.setText(f"{text} {self.caption.text()}")

    # ------------------------------------------------------------------ drawing: a plane
    def _draw_plane_overlay(self, result: PlaneResult) -> None:
        """The projected paths, the point, the arrows and the caption of a plane's result."""
        snapshot = self.shown_snapshot = result.request.snapshot
        coords = result.projection.coords
        self._draw_others(snapshot, dict(result.others))
        self.path.setData(coords[:, 0], coords[:, 1])
        colour = pg.mkColor(path_colour(snapshot))
        brushes = []
        for relative in result.projection.relative_distance:
            faded = pg.mkColor(colour)
            faded.setAlpha(int(40 + 215 * (1.0 - min(1.0, float(relative)))))
            brushes.append(pg.mkBrush(faded))
        self.path_points.setData(coords[:, 0], coords[:, 1], brush=brushes)
        self.start_marker.setData([coords[0, 0]], [coords[0, 1]])
        a, b = result.point
        self.point.setData([a], [b])
        narrated, _text = self._narration_arrows(lambda p: plane_arrows(p, result.plane))
        if narrated is not None:
            self.arrows.draw((a, b), narrated, result.extent, self._model.narrated_parts.velocity_name)
        else:
            self.arrows.draw((a, b), result.arrows or {}, result.extent, result.parts.velocity_name)
        self._plane_caption(result)

    def _plane_caption(self, result: PlaneResult) -> None:
        snapshot, mode = result.request.snapshot, result.request.mode
        plane = ("two random filter-normalized directions (seed " f"{result.request.seed}; Shift+Y: new ones)"
                 if mode == "random" else "the first two principal components of the path so far")
        if snapshot.racing:
            where = (f"Race, step {snapshot.step}: J over a plane through the race's common start (white ring), "
                     f"spanned by {plane}. {snapshot.label} has J = {fmt(snapshot.cost)}, the surface under its "
                     f"projection {fmt(result.at_point)}. (Y back to two parameters to move the start by clicking.)")
        else:
            where = f"Step {snapshot.step}: J over a plane through θ (the point at (0, 0)) spanned by {plane}."
        hovered = self.hovered if self.hovered is not None and self.hovered < len(result.projection.distance) else None
        if hovered is not None:
            report = point_report(result, hovered)
        elif snapshot.racing:   # the start is the plane's centre: the shown point is the one off it
            report = point_report(result, -1, f"{snapshot.label} at step {snapshot.step}")
        else:
            report = point_report(result, 0, "The start")
        rates = ""
        parts = result.parts
        if parts.rates is not None:
            rates = (f" {snapshot.rule.title}'s per-parameter rates run from {fmt(float(np.min(parts.rates)))} to "
                     f"{fmt(float(np.max(parts.rates)))} (η = {fmt(snapshot.learning_rate)}).")
        self.caption.setText(f"{where} The path's points fade with their distance off the plane. {report}{rates}")
        self._prefix_caption(self._narration_text)

    def _on_mouse_moved(self, position) -> None:
        """Over a plane, the caption describes the path point under the mouse (the start otherwise)."""
        result = self.result
        if not isinstance(result, PlaneResult) or result.projection is None:
            return
        box = self.plot.getPlotItem().getViewBox()
        coords = result.projection.coords
        nearest = None
        if box.sceneBoundingRect().contains(position):
            scene = [box.mapViewToScene(pg.Point(float(a), float(b))) for a, b in coords]
            gaps = [math.hypot(p.x() - position.x(), p.y() - position.y()) for p in scene]
            k = int(np.argmin(gaps))
            nearest = k if gaps[k] <= HOVER_PIXELS else None
        if nearest != self.hovered:
            self.hovered = nearest
            self._plane_caption(result)

    def _show_lag(self) -> None:
        shown = self.shown_snapshot
        self.show_lag(None if shown is None else shown.step, shown is not None and shown.key != self._model.snapshot.key)

    def _draw_others(self, snapshot: core.Snapshot, plane_paths: dict | None = None) -> None:
        """The other runs' paths (over the axes, or ``plane_paths``: branch -> projected path): a
        race's in their colours (named in the title), other branches faint."""
        racing = snapshot.racing
        for k, item in enumerate(self.traces):
            trace = snapshot.others[k] if k < len(snapshot.others) else None
            path = None if trace is None else trace.path if plane_paths is None else plane_paths.get(trace.branch)
            if path is None:
                clear_line(item)
                continue
            pen = pg.mkPen(RUN_COLORS[trace.branch % len(RUN_COLORS)], width=2) if racing else FAINT_PEN
            set_line_pen(item, pen).setData(path[:, 0], path[:, 1])
        width = 1.2 if plane_paths is not None else 2.5 if racing else 2   # a plane's path: its points speak
        set_line_pen(self.path, pg.mkPen(path_colour(snapshot), width=width))
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
        """In a race, a click on the surface moves the common start there: every run restarts (over
        two parameters; a plane's point would move every parameter), computed off the GUI thread.
        Outside a race a click (and so a drag) leaves the parameters alone: they are the trained
        run's, edited in the diagram and the parameter table."""
        if not self._model.racing or self.plane_mode != "axes" or event.button() != Qt.LeftButton:
            return
        box = self.plot.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = box.mapSceneToView(event.scenePos())
        self._model.move_race_start_to(point.x(), point.y(), self._model.begin_race_start_gesture())
        event.accept()

    def _grip_points(self) -> list[tuple[float, float]]:
        """Where a drag moves the race's start: from the start ring or the shown point (a race over
        two parameters only)."""
        if not self._model.racing or self.plane_mode != "axes" or self.shown_snapshot is None \
                or not isinstance(self.result, SurfaceResult):
            return []
        points = []
        for item in (self.start_marker, self.point):
            xs, ys = item.getData()
            if xs is not None and len(xs):
                points.append((float(xs[0]), float(ys[0])))
        return points

    def _drag_start_to(self, a: float, b: float, gesture: int) -> None:
        """A drag's position: the ring follows the mouse at once, the runs when they are computed."""
        self._drag_position = (a, b)
        self.start_marker.setData([a], [b])
        self._model.move_race_start_to(a, b, gesture)

    def _drop_start_at(self, a: float, b: float, gesture: int) -> None:
        self._drag_position = None
        self.start_marker.setData([a], [b])
        self._model.move_race_start_to(a, b, gesture)

    @property
    def start_position(self) -> tuple[float, float] | None:
        """The start ring's position as drawn (plot coordinates), or None when not drawn."""
        xs, ys = self.start_marker.getData()
        return None if xs is None or not len(xs) else (float(xs[0]), float(ys[0]))

    def is_settled(self) -> bool:
        """True once the fine grid of the shown snapshot is on screen."""
        shown = self.shown_snapshot
        return (not self._worker.busy and shown is not None and shown.key == self._model.snapshot.key
                and self.resolution == fine_resolution(shown.network, len(shown.X)))

    @property
    def point_position(self) -> tuple[float, float]:
        xs, ys = self.point.getData()
        return float(xs[0]), float(ys[0])

    @property
    def path_projection(self) -> core.PathProjection | None:
        """The shown run's path projected on the drawn plane (None over two parameters)."""
        return self.result.projection if isinstance(self.result, PlaneResult) else None

    @property
    def point_value(self) -> float | None:
        """J at the drawn point computed with the drawn grid's code and snapshot (None: no grid yet)."""
        return None if self.result is None else self.result.at_point
