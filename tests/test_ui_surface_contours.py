"""The cost surface's contour lines, as drawn: each piece lies where the cost equals one of the
levels the colour bar shows (checked against the cost computed at the drawn points)."""
import numpy as np

import core
from tests.windows import with_deferred_panels


def test_every_drawn_contour_piece_follows_one_level_of_the_cost(qtbot):
    window = with_deferred_panels(qtbot)
    surface, model = window.panels()["surface"], window.model
    qtbot.waitUntil(lambda: surface.result is not None and surface.result.request.snapshot.key == model.snapshot.key,
                    timeout=30000)
    levels = np.asarray(surface.result.levels)
    xs, ys = surface.contour_lines.getData()
    assert xs is not None and np.isnan(xs).any()          # several pieces, NaN between them
    breaks = np.flatnonzero(np.isnan(xs))
    pieces = list(zip(np.split(xs, breaks), np.split(ys, breaks)))
    pieces = [(a[np.isfinite(a)], b[np.isfinite(b)]) for a, b in pieces]
    pieces = [(a, b) for a, b in pieces if len(a)]
    assert len(pieces) >= len(levels) - 2
    a_name, b_name = model.axes
    span = levels.max() - levels.min()
    found = set()
    for a, b in pieces:
        cost = np.array([core.cost_surface(model.network, model.X, model.y, a_name, [x], b_name, [y])[0, 0]
                         for x, y in zip(a[::max(1, len(a) // 8)], b[::max(1, len(b) // 8)])])
        level = levels[int(np.argmin(np.abs(levels - np.median(cost))))]
        # the grid is interpolated linearly between its points: the true cost is near the level
        assert np.abs(cost - level).max() <= 0.02 * span
        found.add(float(level))
    assert len(found) >= len(levels) - 2                     # (the lowest and highest may not cross)
