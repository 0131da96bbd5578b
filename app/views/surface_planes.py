"""The cost surface over a plane through all the parameters, computed off the GUI thread.

Two planes of issue 10 §3 (the third, two parameters, is surface.py's own ``SurfaceRequest``):

* ``"random"``: two filter-normalized random directions (core.random_plane, Li et al.) from the
  learner's seed, normalized to the network at the plane's centre;
* ``"pca"``: the first two principal components of the shown run's path (core.pca_plane) up to the
  shown step, with the share of the path's variance each explains.

The plane goes through the shown parameters θ, so the point sits at (0, 0) on a surface whose value
there is the snapshot's cost. In a race it goes through the race's common start instead (every run
starts there; the runs' other parameters differ), and the shown point is projected like the paths.

A ``PlaneRequest`` holds the snapshot; its ``compute`` (in the view's worker) builds the plane, the
grid (core.plane_surface), its contours, the path projected with each point's distance off the
plane, true cost and surface cost (core.project_path), the other runs' projected paths, and the
update's arrows (core.update_parts) in plane coordinates: everything the view draws, from one step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import core

from ..format import fmt
from .surface_arrows import part_vectors

RANDOM_HALF_WIDTH = 1.0   # Li et al. draw a filter-normalized plane over [-1, 1]²
MARGIN = 1.3              # the extent holds the projected path with this margin


@dataclass(frozen=True)
class PlaneRequest:
    """A plane's surface for one snapshot: its kind, seed, resolution and the smallest extent to use
    (the view's current one, so the picture only grows while the plane stays the same)."""

    snapshot: core.Snapshot
    mode: str                  # "random" or "pca"
    seed: int
    resolution: int
    min_extent: tuple[float, float, float, float] | None = None
    contours: int = 9

    @property
    def key(self) -> tuple:
        return plane_key(self.snapshot, self.mode, self.seed)

    def compute(self) -> "PlaneResult":
        snap = self.snapshot
        try:
            plane = make_plane(snap, self.mode, self.seed)
            projection = core.project_path(snap.path_thetas, plane.centre, plane.d1, plane.d2,
                                           snap.network, snap.X, snap.y)
        except ValueError as exc:
            return PlaneResult(self, None, None, error=why_no_plane(snap, self.mode, self.seed, exc))
        others = tuple((trace.branch, core.project_path(trace.thetas, plane.centre, plane.d1, plane.d2).coords)
                       for trace in snap.others if trace.thetas is not None and len(trace.thetas))
        extent = fit_extent(self.min_extent, [projection.coords] + [c for _b, c in others],
                            RANDOM_HALF_WIDTH if self.mode == "random" else 0.0)
        a_min, a_max, b_min, b_max = extent
        alphas = np.linspace(a_min, a_max, self.resolution)
        betas = np.linspace(b_min, b_max, self.resolution)
        grid = core.plane_surface(snap.network, snap.X, snap.y, plane.centre, plane.d1, plane.d2, alphas, betas)
        levels = core.contour_levels(grid, self.contours)
        point = projection.coords[-1]
        # J under the point, through the same code as the grid (the snapshot's cost off a race's start)
        at_point = float(core.plane_surface(snap.network, snap.X, snap.y, plane.centre, plane.d1, plane.d2,
                                            [point[0]], [point[1]])[0, 0])
        parts = core.update_parts(snap.rule, snap.rule_state, snap.theta, snap.previous_theta, snap.gradient,
                                  snap.learning_rate)
        return PlaneResult(self, plane, projection, extent=extent, grid=grid, levels=levels,
                           contours=tuple(core.contour_lines(grid, extent, levels)), at_point=at_point,
                           others=others, parts=parts, arrows=plane_arrows(parts, plane))


@dataclass(frozen=True, eq=False)
class PlaneResult:
    request: PlaneRequest
    plane: core.Plane | None
    projection: core.PathProjection | None   # the shown run's path; its last point is the shown θ
    error: str = ""                          # why there is no plane (then nothing else is set)
    extent: tuple[float, float, float, float] | None = None
    grid: np.ndarray | None = None
    levels: np.ndarray | None = None
    contours: tuple = ()
    at_point: float | None = None
    others: tuple = ()                       # (branch, projected path) of a race's other runs
    parts: core.UpdateParts | None = None
    arrows: dict | None = None               # arrow name -> (da, db) in plane coordinates

    @property
    def levels_key(self) -> tuple:
        """What the colour range is kept for: one problem, one kind of plane, one seed."""
        request = self.request
        return (request.snapshot.revision, request.mode, request.seed)

    @property
    def point(self) -> tuple[float, float]:
        a, b = self.projection.coords[-1]
        return float(a), float(b)


def plane_key(snapshot: core.Snapshot, mode: str, seed: int) -> tuple:
    """What a plane's grid depends on: the step shown (its parameters, path and cost), the kind of
    plane and its seed, and a race's common start (a restart can come back to the same step)."""
    start = None if snapshot.plane is None else snapshot.plane.parameter_vector().tobytes()
    return (snapshot.revision, "plane", mode, seed, snapshot.key, start)


def make_plane(snapshot: core.Snapshot, mode: str, seed: int) -> core.Plane:
    """The plane of ``mode`` for ``snapshot``: through θ, or through a race's common start."""
    start = snapshot.plane
    centre_net = snapshot.network if start is None else start
    centre = centre_net.parameter_vector()
    if mode == "random":
        d1, d2 = core.random_plane(centre_net, seed)
        return core.Plane(centre, d1, d2)
    if mode == "pca":
        pca = core.pca_plane(snapshot.path_thetas)
        return pca if start is None else core.Plane(centre, pca.d1, pca.d2, pca.explained)
    raise ValueError(f"unknown plane {mode!r}")


def why_no_plane(snapshot: core.Snapshot, mode: str, seed: int, exc: Exception) -> str:
    """The caption's words when a plane cannot be drawn, and what to do about it."""
    if mode == "pca":
        if snapshot.path_thetas is None or len(snapshot.path_thetas) < 3:
            return ("The principal components need a path of at least 3 steps: train a few steps (S or Space), "
                    "or press Y for another plane.")
        return f"The path has no two principal components ({exc}): train further, or press Y for another plane."
    return (f"Random directions of seed {seed} do not span a plane ({exc}). Filter normalization gives each "
            f"neuron's weights the norm of its weights in the network, so a network with one weight per neuron "
            f"(or all weights 0) only gets sign flips: press Shift+Y for another seed.")


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at least ``value`` (> 0), so an axis does not jitter."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    decade = 10.0 ** math.floor(math.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * decade >= value * (1 - 1e-12):
            return m * decade
    return 10.0 * decade


def fit_extent(current, coords_list, floor: float) -> tuple[float, float, float, float]:
    """Symmetric axes about the plane's centre that hold every projected path with a margin (at
    least ``floor``); they only grow from ``current``."""
    reach = [0.0, 0.0]
    for coords in coords_list:
        if len(coords):
            reach = [max(reach[k], float(np.abs(coords[:, k]).max())) for k in (0, 1)]
    ha, hb = (nice_ceiling(max(floor, MARGIN * r)) if max(floor, r) > 0 else 1.0 for r in reach)
    if current is not None:
        ha, hb = max(ha, current[1]), max(hb, current[3])
    return (-ha, ha, -hb, hb)


def plane_arrows(parts: core.UpdateParts, plane: core.Plane) -> dict:
    """Each update part as a vector in plane coordinates: its least-squares projection on (d1, d2)."""
    chosen = {name: v for name, v in part_vectors(parts).items() if np.all(np.isfinite(v))}
    if not chosen:
        return {}
    zero = np.zeros_like(plane.centre)
    coords = core.project_path(np.array(list(chosen.values())), zero, plane.d1, plane.d2).coords
    return {name: (float(a), float(b)) for name, (a, b) in zip(chosen, coords)}


def axis_labels(mode: str, seed: int, plane: core.Plane | None = None) -> tuple[str, str]:
    """The axes' titles: which direction, and for principal components their share of the path's
    variance (once ``plane`` is computed)."""
    if mode == "pca":
        if plane is None or plane.explained is None:
            return ("PC1 of the path", "PC2 of the path")
        e1, e2 = plane.explained
        return (f"PC1 of the path ({100 * e1:.1f}% of its variance)", f"PC2 ({100 * e2:.1f}% of its variance)")
    return (f"random direction d1 (filter-normalized, seed {seed})", f"random direction d2 (seed {seed})")


def point_report(result: PlaneResult, index: int, what: str = "") -> str:
    """One path point in words: how far it lies off the plane, its true cost and the surface's there."""
    projection = result.projection
    steps = result.request.snapshot.path_theta_steps
    k = int(index) % len(projection.distance)
    name = what or f"Step {int(steps[k])}"
    distance, relative = float(projection.distance[k]), float(projection.relative_distance[k])
    true_cost, plane_cost = float(projection.true_cost[k]), float(projection.plane_cost[k])
    where = "on the plane" if distance <= 1e-12 * max(1.0, float(np.linalg.norm(result.plane.centre))) else \
        f"{fmt(distance)} off the plane ({100 * relative:.0f}% of its distance from the centre)"
    return f"{name}: {where}; its true J = {fmt(true_cost)}, the surface shows {fmt(plane_cost)} there."
