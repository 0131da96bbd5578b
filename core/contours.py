"""Contour lines of a cost surface: which levels to draw, and the lines themselves, as plain arrays.

Why here and not in the view: the lines used to come from pyqtgraph's IsocurveItem, which runs a
pure-Python marching squares (about 9 ms per level on a 128 x 128 grid) on the GUI thread the first
time it paints after every new grid. Here they are computed by contourpy, matplotlib's own compiled
contouring library, in the same worker that computes the grid, so the GUI thread only hands finished
arrays to a plot item.

The grid has the layout ``core.cost_surface`` returns: ``grid[i, j]`` is J at ``values_a[i]``,
``values_b[j]``, with ``values_a = linspace(a_min, a_max, A)`` and ``values_b = linspace(b_min, b_max,
B)``. Lines are returned in parameter coordinates (x along axis a, y along axis b), every piece of one
level joined into one pair of arrays with a NaN row between pieces: one plot item drawn with
``connect="finite"`` draws the whole level. Closed loops end on their first point.
"""
from __future__ import annotations

from dataclasses import dataclass

import contourpy
import numpy as np

__all__ = ["ContourLine", "contour_lines", "contour_levels"]


@dataclass(frozen=True)
class ContourLine:
    """Every piece of the contour J = ``level``: x (axis a) and y (axis b), NaN between pieces.

    Both arrays are float64, of equal length, read-only (a result is shared between threads), and
    empty when the level does not cross the grid.
    """

    level: float
    x: np.ndarray
    y: np.ndarray

    @property
    def pieces(self) -> int:
        """How many separate lines (open or closed) make up this level."""
        return int(np.isnan(self.x).sum()) + 1 if self.x.size else 0


def contour_levels(grid, count: int) -> np.ndarray:
    """``count`` contour levels at quantiles of the finite values of ``grid``, denser near the minimum.

    Quantiles rather than evenly spaced values because a cost surface is mostly a steep wall with a
    shallow valley: even spacing would put every line on the wall. The quantiles 0.04 .. 0.9 are
    spread by a power of 1.5, so more lines fall near the minimum, where descent ends and the
    learner looks. The levels are values of the grid itself, in ascending order (repeats are
    possible on a flat grid); with no finite value there are no levels.
    """
    grid = np.asarray(grid, dtype=np.float64)
    ranked = np.sort(grid[np.isfinite(grid)])
    if ranked.size == 0:
        return np.empty(0)
    return ranked[((np.linspace(0.04, 0.9, count) ** 1.5) * (ranked.size - 1)).astype(int)]


def contour_lines(grid, extent, levels) -> list[ContourLine]:
    """The contour lines of ``grid`` at each of ``levels``, in parameter coordinates.

    ``extent`` is (a_min, a_max, b_min, b_max), the first and last values of the grid's axes. Non-finite
    grid values (a cost that overflowed) are masked: lines stop at them instead of running through
    garbage, and no coordinate is non-finite except the NaN separators. A non-finite level gives no
    line. Returns one ``ContourLine`` per level, in the order given.
    """
    z = np.asarray(grid, dtype=np.float64)
    if z.ndim != 2 or min(z.shape) < 2:
        raise ValueError(f"contour lines need a 2-D grid of at least 2 x 2 values, got shape {z.shape}")
    a_min, a_max, b_min, b_max = (float(v) for v in extent)
    if not all(np.isfinite([a_min, a_max, b_min, b_max])) or not (a_min < a_max and b_min < b_max):
        raise ValueError(f"extent must be finite (a_min, a_max, b_min, b_max) with min < max, got {extent!r}")
    x = np.linspace(a_min, a_max, z.shape[0])
    y = np.linspace(b_min, b_max, z.shape[1])
    # contourpy wants z[row, column] at (x[column], y[row]): the transpose of our (a, b) layout.
    z = z.T
    if not np.isfinite(z).all():
        z = np.ma.masked_invalid(z)
    generator = contourpy.contour_generator(x, y, z, line_type=contourpy.LineType.ChunkCombinedNan)
    return [_line(float(level), generator) for level in np.asarray(levels, dtype=np.float64).ravel()]


_SEPARATOR = np.full((1, 2), np.nan)


def _line(level: float, generator) -> ContourLine:
    points = np.empty((0, 2))
    if np.isfinite(level):
        # ChunkCombinedNan: one (n, 2) array per chunk (None for a chunk the level misses), its pieces
        # already NaN-separated; chunks are joined with one more separator.
        chunks = [c for c in generator.lines(level)[0] if c is not None and len(c)]
        if chunks:
            parts = [chunks[0]]
            for chunk in chunks[1:]:
                parts += [_SEPARATOR, chunk]
            points = np.concatenate(parts) if len(parts) > 1 else chunks[0]
    xs, ys = np.array(points[:, 0]), np.array(points[:, 1])  # contiguous copies we own
    xs.flags.writeable = ys.flags.writeable = False
    return ContourLine(level, xs, ys)
