"""The pure parts of the views' heavy jobs: top-level and free of Qt, so a worker process
(app/process_jobs.py) runs them without loading the GUI toolkit. Each composes core functions."""
from __future__ import annotations

import numpy as np

import core


def surface_grid(net, X, y, axes, extent, resolution: int, point, contours: int):
    """(grid, contour levels, contour lines, J at ``point``) of the cost over ``axes`` in ``extent``
    (a_min, a_max, b_min, b_max) at ``resolution`` points per axis, the others held at ``net``'s.
    J at the point goes through the same code as the grid, so the two agree to the last bit."""
    a_min, a_max, b_min, b_max = extent
    values_a = np.linspace(a_min, a_max, resolution)
    values_b = np.linspace(b_min, b_max, resolution)
    grid = core.cost_surface(net, X, y, axes[0], values_a, axes[1], values_b)
    levels = core.contour_levels(grid, contours)
    at_point = float(core.cost_surface(net, X, y, axes[0], [point[0]], axes[1], [point[1]])[0, 0])
    return grid, levels, tuple(core.contour_lines(grid, extent, levels)), at_point


_away_trainer = None


def train_away(spell: int, seed, seconds: float, budget):
    """The training lane's call (app/training_process.py): step the spell's runs in this worker
    process, which keeps them (and their data) between calls."""
    global _away_trainer
    if _away_trainer is None:
        from core.run_transfer import AwayTrainer
        _away_trainer = AwayTrainer()
    return _away_trainer.train(spell, seed, seconds, budget)
