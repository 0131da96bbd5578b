"""Colours for the data view: the class palette and the decision-field image of a 2-input network.

The numbers (the network's output over a grid of the input plane, each cell's class and how sure the
network is) come from core (``core.decision_field``, ``core.confidence_and_class``); this module only
turns them into pixels, so it is pure numpy and the picture is made in a worker process
(``FieldRequest.compute``; app/process_jobs.py says why):

* classification: each cell takes its predicted class's colour, blended with white by the network's
  confidence — pale where the network hesitates (a probability near 0.5, or near uniform over k
  classes), saturated where it is sure. The points are drawn fully saturated on top, so they stand out.
* regression: the predicted value through a colormap, lightened the same way so points stay visible.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import core

# (name, hex): the names go into captions ("class 0 = ring (blue)"), so a learner can match them.
PALETTE = (("blue", "#2e6fba"), ("orange", "#e8871e"), ("green", "#3a9a5b"), ("purple", "#8e5bc4"),
           ("red", "#d1495b"), ("teal", "#1b9aaa"), ("brown", "#8c5a3c"), ("pink", "#d65db1"),
           ("olive", "#8a8f2a"), ("grey", "#6b7280"))
FIELD_MIN_STRENGTH = 0.06   # colour strength of a cell where the network is undecided
FIELD_MAX_STRENGTH = 0.5    # ... and where it is certain (never as strong as the points)
REGRESSION_STRENGTH = 0.55  # regression field: colormap blended this much over white
REGRESSION_COLORMAP = "viridis"


def class_color(index: int) -> str:
    return PALETTE[int(index) % len(PALETTE)][1]


def class_color_name(index: int) -> str:
    return PALETTE[int(index) % len(PALETTE)][0]


def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


PALETTE_RGB = np.stack([_rgb(c) for _n, c in PALETTE])  # (colours, 3), 0..255


def class_colors(probs) -> tuple[np.ndarray, np.ndarray]:
    """RGBA (N, 4) uint8 colours of network outputs (N, k) and the class of each row."""
    classes, confidence = core.confidence_and_class(probs)
    strength = FIELD_MIN_STRENGTH + (FIELD_MAX_STRENGTH - FIELD_MIN_STRENGTH) * confidence
    base = PALETTE_RGB[classes % len(PALETTE_RGB)]
    rgb = 255.0 + (base - 255.0) * strength[:, None]
    rgba = np.empty((len(classes), 4), dtype=np.uint8)
    rgba[:, :3] = np.clip(np.rint(rgb), 0, 255)
    rgba[:, 3] = 255
    return rgba, classes


def nearest_class_of_color(rgb) -> int:
    """Which palette colour a field pixel is a tint of (the direction away from white)."""
    d = 255.0 - np.asarray(rgb, dtype=np.float64)[:3]
    ref = 255.0 - PALETTE_RGB
    cos = ref @ d / (np.linalg.norm(ref, axis=1) * (np.linalg.norm(d) + 1e-12))
    return int(np.argmax(cos))


@functools.cache
def regression_lut() -> np.ndarray:
    """(256, 3) RGB of the regression colormap (pyqtgraph's table: a worker process imports it once)."""
    import pyqtgraph as pg  # the colormap table only; no widget is made

    lut = pg.colormap.get(REGRESSION_COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=False)
    return np.asarray(lut, dtype=np.float64)[:, :3]


def value_colors(values, levels: tuple[float, float], strength: float = 1.0) -> np.ndarray:
    """RGBA (N, 4) uint8 for regression values through the colormap, blended over white by ``strength``."""
    lo, hi = levels
    t = np.clip((np.asarray(values, dtype=np.float64) - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    rgb = regression_lut()[np.rint(t * 255).astype(int)]
    rgb = 255.0 + (rgb - 255.0) * strength
    rgba = np.empty((len(t), 4), dtype=np.uint8)
    rgba[:, :3] = np.clip(np.rint(rgb), 0, 255)
    rgba[:, 3] = 255
    return rgba


def grid_axes(xlim, ylim, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres along x and y of a ``resolution`` x ``resolution`` grid covering the limits."""
    (x0, x1), (y0, y1) = xlim, ylim
    n = int(resolution)
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    return xs, ys


def network_field(net, xlim, ylim, resolution: int) -> np.ndarray:
    """core.decision_field at the cell centres of ``grid_axes``, as (n_x, n_y, outputs): [i, j] is at
    (xs[i], ys[j]) — pyqtgraph's column-major image order."""
    xs, ys = grid_axes(xlim, ylim, resolution)
    field = core.decision_field(net, (xs[0], xs[-1]), (ys[0], ys[-1]), resolution)
    return np.ascontiguousarray(np.transpose(field.values, (1, 0, 2)))


@dataclass(frozen=True)
class FieldRequest:
    """Everything the picture depends on, captured on the GUI thread (the network is a copy)."""

    network: object
    task: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    resolution: int
    levels: tuple[float, float] = (0.0, 1.0)   # regression colour range
    snapshot_key: tuple = ()                   # the snapshot whose network this is (revision, run, step, …)

    def compute(self) -> "FieldResult":
        values = network_field(self.network, self.xlim, self.ylim, self.resolution)
        n_x, n_y, k = values.shape
        flat = values.reshape(-1, k)
        boundary = None
        if self.task == "regression":
            rgba = value_colors(flat[:, 0], self.levels, REGRESSION_STRENGTH)
            classes = None
        else:
            rgba, classes = class_colors(flat)
            classes = classes.reshape(n_x, n_y)
            if self.task == "classification":   # the dashed ŷ = 0.5 line, by contourpy, here
                xs, ys = grid_axes(self.xlim, self.ylim, self.resolution)
                boundary = core.contour_lines(values[:, :, 0], (xs[0], xs[-1], ys[0], ys[-1]), [0.5])[0]
        return FieldResult(self, values, rgba.reshape(n_x, n_y, 4), classes, boundary)


@dataclass(frozen=True)
class FieldResult:
    request: FieldRequest
    values: np.ndarray          # (n_x, n_y, outputs)
    image: np.ndarray           # (n_x, n_y, 4) uint8, column-major for pyqtgraph: [i, j] = (x_i, y_j)
    classes: np.ndarray | None  # (n_x, n_y) predicted class, None for regression
    boundary: object = None     # core.ContourLine of ŷ = 0.5 (two classes), else None
