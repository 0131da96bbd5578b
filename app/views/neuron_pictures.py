"""The diagram's neuron pictures as plain arrays: what each hidden neuron computes over the input plane
(two inputs: an RGBA image, blue–white–red) or along the input (one input: a curve).

Pure numpy and core, no Qt: the pictures are made in a worker process (app/process_jobs.py says why)
and come back as arrays; the diagram turns them into pixmaps.
"""
from __future__ import annotations

import math

import numpy as np

import core

POSITIVE_HEX = "#d1495b"    # warm red for positive weights and high activations
NEGATIVE_HEX = "#2e6fba"    # blue for negative ones
FIELD_RESOLUTION = 24
CURVE_SAMPLES = 60


def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float32)


_LOW, _MID, _HIGH = _rgb(NEGATIVE_HEX), np.array([255, 255, 255], np.float32), _rgb(POSITIVE_HEX)


def diverging_rgba(values: np.ndarray, low: float, mid: float, high: float) -> np.ndarray:
    """Blue (low) – white (mid) – red (high) as (rows, columns, 4) uint8 RGBA, in image order: the
    last row of ``values`` comes first (image rows run downwards, the x2 axis upwards)."""
    v = np.asarray(values, dtype=np.float32)
    t = np.where(v >= mid, (v - mid) / max(high - mid, 1e-12), (v - mid) / max(mid - low, 1e-12))
    t = np.clip(np.nan_to_num(t), -1.0, 1.0)[..., None]
    rgb = np.where(t >= 0, _MID + t * (_HIGH - _MID), _MID + (-t) * (_LOW - _MID))
    rgba = np.empty(v.shape + (4,), np.uint8)
    rgba[..., :3] = rgb.astype(np.uint8)
    rgba[..., 3] = 255
    return np.ascontiguousarray(rgba[::-1])


def activation_range(name: str, values: np.ndarray) -> tuple[float, float, float]:
    """(low, mid, high) for colouring an activation: its natural range when bounded (core says
    which are), else symmetric around 0 up to the largest |value| shown."""
    bounds = core.ACTIVATIONS[name].bounds
    if bounds is not None:
        return bounds[0], (bounds[0] + bounds[1]) / 2, bounds[1]
    top = float(np.max(np.abs(values))) if np.size(values) else 1.0
    top = top if math.isfinite(top) and top > 1e-9 else 1.0
    return -top, 0.0, top


def neuron_pictures(net: core.Network, lo, hi, x_sample: float):
    """Every hidden neuron's picture: (shape, "images", {(layer, j): RGBA array}) for 2 inputs,
    (shape, "curves", (xs, x_sample, {(layer, j): (values, low, high)})) for 1."""
    if net.sizes[0] == 2:
        fields = core.neuron_fields(net, (lo[0], hi[0]), (lo[1], hi[1]), FIELD_RESOLUTION)
        images = {}
        for layer in range(1, len(net.sizes) - 1):
            values = fields.layers[layer - 1]
            low, mid, high = activation_range(net.activations[layer - 1], values)
            for j in range(net.sizes[layer]):
                images[(layer, j)] = diverging_rgba(values[:, :, j], low, mid, high)
        return tuple(net.sizes), "images", images
    xs = np.linspace(lo[0], hi[0], CURVE_SAMPLES)
    layers = core.neuron_curves(net, xs).layers
    curves = {}
    for layer in range(1, len(net.sizes) - 1):
        values = layers[layer - 1]
        low, _mid, high = activation_range(net.activations[layer - 1], values)
        for j in range(net.sizes[layer]):
            curves[(layer, j)] = (values[:, j], low, high)
    return tuple(net.sizes), "curves", (xs, x_sample, curves)
