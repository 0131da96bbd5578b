"""Benchmark: contour lines by contourpy (core.contour_lines) against pyqtgraph's isocurve, same run.

Workload: the cost surface of the lesson network (1-1-1 sigmoid, squared error) on the lesson dataset,
a 128 x 128 grid of (w1, w2) over [-6, 6]² (what the cost-surface view shows at start), contoured at
the view's 9 levels (core.contour_levels).

Reference: ``pyqtgraph.functions.isocurve(grid, level, connected=True, extendToEdge=True)`` for the
same 9 levels, the call pyqtgraph's IsocurveItem made on the GUI thread for every new grid. The item
then also built a QPainterPath point by point in Python; that part is left out, so the reference is
if anything flattering to the old way.

Run by hand or by ``make bench``: ``python tests/benchmarks/bench_contours.py``. The last line is
``ratio contourpy/isocurve: R (lower is better)``.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

GRID = 128
LEVELS = 9
ROUNDS = 3          # interleaved rounds, so a burst of load elsewhere hits both sides alike
NEW_REPEATS = 20    # per round
OLD_REPEATS = 5     # per round (each takes tens of milliseconds)


def timings(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import numpy as np
    import pyqtgraph.functions as fn

    import core

    data = core.load_dataset("lesson")
    net = core.lesson_network()
    extent = (-6.0, 6.0, -6.0, 6.0)
    values = np.linspace(-6.0, 6.0, GRID)
    grid = core.cost_surface(net, data.X, data.y, "w1", values, "w2", values)
    levels = core.contour_levels(grid, LEVELS)

    def new():
        return core.contour_lines(grid, extent, levels)

    def old():
        return [fn.isocurve(grid, float(level), connected=True, extendToEdge=True) for level in levels]

    new(), old()  # warm-up
    t_new, t_old = [], []
    for _ in range(ROUNDS):
        t_new += timings(new, NEW_REPEATS)
        t_old += timings(old, OLD_REPEATS)

    points_new = sum(int(np.isfinite(line.x).sum()) for line in new())
    points_old = sum(len(piece) for pieces in old() for piece in pieces)
    print(f"workload: {GRID}x{GRID} cost surface of the lesson network (w1, w2), {LEVELS} levels; "
          f"{points_new} points (contourpy) / {points_old} (isocurve)")
    for label, t in (("contourpy, core.contour_lines", t_new), ("isocurve (reference)", t_old)):
        print(f"{label:32s} min {min(t) * 1e3:8.2f} ms   median {statistics.median(t) * 1e3:8.2f} ms   "
              f"({len(t)} runs)")
    print(f"ratio of medians: {statistics.median(t_new) / statistics.median(t_old):.4f}")
    print(f"ratio contourpy/isocurve: {min(t_new) / min(t_old):.4f} (lower is better)")


if __name__ == "__main__":
    main()
