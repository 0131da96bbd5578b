"""Contour levels and lines of a grid (core.contour_levels, core.contour_lines) against known geometry."""
import numpy as np
import pytest

import core

EXTENT = (-3.0, 3.0, -2.0, 2.0)  # symmetric, not square: a transposed result cannot pass
A, B = 61, 41


def paraboloid(extent=EXTENT, shape=(A, B)):
    """J = a² + b² with the app's layout: grid[i, j] at values_a[i], values_b[j]."""
    a_min, a_max, b_min, b_max = extent
    va, vb = np.linspace(a_min, a_max, shape[0]), np.linspace(b_min, b_max, shape[1])
    return va[:, None] ** 2 + vb[None, :] ** 2


def pieces(line):
    """The NaN-separated pieces of a ContourLine as (n, 2) arrays, checking the separators."""
    nan_x, nan_y = np.isnan(line.x), np.isnan(line.y)
    np.testing.assert_array_equal(nan_x, nan_y)  # separators are NaN in both coordinates
    assert not nan_x[0] and not nan_x[-1]  # no leading or trailing separator
    assert not (nan_x[1:] & nan_x[:-1]).any()  # no empty piece
    points = np.column_stack([line.x, line.y])
    bounds = [-1, *np.flatnonzero(nan_x), len(points)]
    return [points[start + 1:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def test_points_lie_on_the_circle_of_their_level():
    grid = paraboloid()
    spacing = max((EXTENT[1] - EXTENT[0]) / (A - 1), (EXTENT[3] - EXTENT[2]) / (B - 1))
    levels = [0.3, 1.0, 2.5, 3.9]  # every circle inside the grid: closed
    lines = core.contour_lines(grid, EXTENT, levels)
    assert [line.level for line in lines] == levels
    for line in lines:
        assert line.x.dtype == np.float64 and line.x.shape == line.y.shape and line.x.size > 10
        radius = np.hypot(line.x, line.y)
        radius = radius[np.isfinite(radius)]
        assert np.abs(radius - np.sqrt(line.level)).max() < spacing
        # the line goes all the way round: it reaches both ends of each axis
        assert line.x.min() < -0.9 * np.sqrt(line.level) and line.x.max() > 0.9 * np.sqrt(line.level)
        assert line.y.min() < -0.9 * np.sqrt(line.level) and line.y.max() > 0.9 * np.sqrt(line.level)
        assert line.pieces == 1  # one closed loop
        (loop,) = pieces(line)
        np.testing.assert_allclose(loop[0], loop[-1])  # closed: ends where it starts


def test_axes_are_not_swapped():
    """An ellipse wider along a than along b: the x coordinates belong to axis a."""
    a, b = np.linspace(-3, 3, A), np.linspace(-2, 2, B)
    grid = (a[:, None] / 2) ** 2 + b[None, :] ** 2  # J = 1 at a = ±2, b = ±1
    (line,) = core.contour_lines(grid, EXTENT, [1.0])
    assert np.nanmax(np.abs(line.x)) == pytest.approx(2.0, abs=0.05)
    assert np.nanmax(np.abs(line.y)) == pytest.approx(1.0, abs=0.05)


def test_level_count_and_nan_separated_pieces():
    grid = paraboloid()
    # The circle J = 6 (radius 2.45) fits between the a edges (±3) but not between the b edges (±2):
    # it leaves the grid at b = ±2, a = ±sqrt(2), leaving two arcs, one left and one right.
    levels = [1.0, 6.0, 20.0, 0.0001, -1.0]
    lines = core.contour_lines(grid, EXTENT, levels)
    assert len(lines) == len(levels)
    assert lines[0].pieces == 1
    assert lines[1].pieces == 2
    left, right = sorted(pieces(lines[1]), key=lambda p: p[:, 0].mean())
    assert (left[:, 0] < 0).all() and (right[:, 0] > 0).all()
    for arc in (left, right):
        assert {round(abs(arc[0, 1]), 9), round(abs(arc[-1, 1]), 9)} == {2.0}  # ends on the b edges
    assert lines[2].x.size == 0 and lines[2].pieces == 0  # above every value: no line
    assert lines[4].x.size == 0  # below every value
    for line in lines:
        assert not line.x.flags.writeable and not line.y.flags.writeable


def test_non_finite_grid_values_give_finite_coordinates():
    grid = paraboloid()
    grid[:10, :] = np.nan           # a band of overflowed costs
    grid[40:45, 5:30] = np.inf
    grid[30, 20] = -np.inf
    levels = core.contour_levels(grid, 9)
    assert np.isfinite(levels).all()
    lines = core.contour_lines(grid, EXTENT, levels)
    assert len(lines) == 9 and any(line.x.size for line in lines)
    values_a = np.linspace(EXTENT[0], EXTENT[1], A)
    for line in lines:
        for piece in pieces(line) if line.x.size else []:
            assert np.isfinite(piece).all()
            # the masked band a < values_a[9] has no line in it
            assert piece[:, 0].min() >= values_a[9] - 1e-12
    # nothing finite at all: no levels, and no lines at any level
    assert core.contour_levels(np.full((5, 5), np.nan), 9).size == 0
    empty = core.contour_lines(np.full((5, 5), np.nan), EXTENT, [1.0, np.nan])
    assert [line.x.size for line in empty] == [0, 0]


def test_levels_match_a_hand_computation():
    grid = np.arange(100.0)[::-1].reshape(10, 10)  # values 0 .. 99, in no particular order
    grid[0, 0] = np.nan  # 99 is gone: 99 finite values, 0 .. 98
    grid[3, 3] = np.inf  # 66 is gone too: 98 finite values
    ranked = sorted(v for v in range(99) if v != 66)
    count = 9
    expected = []
    for k in range(count):
        q = 0.04 + (0.9 - 0.04) * k / (count - 1)
        expected.append(ranked[int(q ** 1.5 * (len(ranked) - 1))])
    levels = core.contour_levels(grid, count)
    assert levels.tolist() == expected
    assert levels.tolist() == sorted(levels.tolist())  # ascending, denser near the minimum
    gaps = np.diff(levels)
    assert gaps[0] < gaps[-1]


def test_levels_are_what_the_surface_view_used():
    """The formula the cost-surface view computed in place before it moved to core."""
    data = core.load_dataset("lesson")
    values = np.linspace(-6, 6, 32)
    grid = core.cost_surface(core.lesson_network(), data.X, data.y, "w1", values, "w2", values)
    ranked = np.sort(grid[np.isfinite(grid)])
    old = ranked[((np.linspace(0.04, 0.9, 9) ** 1.5) * (ranked.size - 1)).astype(int)]
    np.testing.assert_array_equal(core.contour_levels(grid, 9), old)


@pytest.mark.parametrize("grid, extent", [
    (np.zeros(5), EXTENT), (np.zeros((1, 5)), EXTENT), (np.zeros((5, 5)), (1.0, 1.0, 0.0, 1.0)),
    (np.zeros((5, 5)), (0.0, np.inf, 0.0, 1.0)),
])
def test_bad_input_is_refused(grid, extent):
    with pytest.raises(ValueError):
        core.contour_lines(grid, extent, [0.5])
