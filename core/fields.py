"""What the network computes over its input space, sampled for the views.

* ``decision_field``: the output over a grid of the (x1, x2) plane (2-input networks) — the
  decision regions a classifier draws, or the surface a regressor fits;
* ``neuron_fields``: every neuron's activation a_{l,j} over the same plane, so the learner sees
  each unit's own little decision boundary and how later layers combine them;
* ``neuron_curves`` / ``prediction_curve``: the same for 1-input networks, as curves over x;
* ``confidence_and_class``: predicted class and a [0, 1] confidence per grid point.

Colour is the view's job; everything here is plain numbers. Grids are image-shaped: ``values[r, c]``
is at (x = xs[c], y = ys[r]), rows running with increasing x2 (draw with the origin at the bottom).
One forward pass over all grid points, so a field always equals ``net.predict`` at those points.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["decision_field", "DecisionField", "neuron_fields", "NeuronFields", "neuron_curves",
           "NeuronCurves", "prediction_curve", "PredictionCurve", "confidence_and_class", "output_kind"]


def output_kind(net) -> str:
    """"probability" for a sigmoid or softmax output layer (values in [0, 1]), else "value"."""
    return "probability" if net.activations[-1] in ("sigmoid", "softmax") else "value"


def _axis(lim, resolution: int, label: str) -> np.ndarray:
    lo, hi = (float(v) for v in lim)
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise ValueError(f"{label} must be two finite numbers, low < high; got {lim!r}")
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    return np.linspace(lo, hi, resolution)


def _plane(net, xlim, ylim, resolution):
    if net.sizes[0] != 2:
        raise ValueError(f"a field over the plane needs a 2-input network; this one has {net.sizes[0]} inputs")
    xs, ys = _axis(xlim, resolution, "xlim"), _axis(ylim, resolution, "ylim")
    gx, gy = np.meshgrid(xs, ys)  # (res_y, res_x), row r at ys[r]
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def _line(net, xs) -> np.ndarray:
    if net.sizes[0] != 1:
        raise ValueError(f"a curve over x needs a 1-input network; this one has {net.sizes[0]} inputs")
    xs = np.asarray(xs, dtype=np.float64).ravel()
    if xs.size == 0:
        raise ValueError("xs must not be empty")
    return xs


@dataclass(frozen=True)
class DecisionField:
    """``values`` (res, res, k): the network output at (xs[c], ys[r]) in ``values[r, c]``;
    ``xs``, ``ys`` (res,) the grid axes; ``kind`` "probability" or "value" (``output_kind``)."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    kind: str


def decision_field(net, xlim, ylim, resolution: int = 64) -> DecisionField:
    """The output of a 2-input ``net`` over ``xlim`` x ``ylim`` on a resolution x resolution grid."""
    xs, ys, points = _plane(net, xlim, ylim, resolution)
    out = net.predict(points)
    return DecisionField(xs, ys, out.reshape(ys.size, xs.size, -1), output_kind(net))


@dataclass(frozen=True)
class NeuronFields:
    """``layers[l - 1]`` (res, res, n_l) is layer l's activations (1-based l = 1..L, the output layer
    last), ``values[r, c, j]`` at (xs[c], ys[r]); ``hidden`` is every layer but the output."""

    xs: np.ndarray
    ys: np.ndarray
    layers: tuple

    @property
    def hidden(self) -> tuple:
        return self.layers[:-1]

    def neuron(self, layer: int, j: int) -> np.ndarray:
        """a_{layer, j} over the grid, (res, res): 1-based ``layer``, 0-based ``j``."""
        return self.layers[layer - 1][:, :, j]


def neuron_fields(net, xlim, ylim, resolution: int = 24) -> NeuronFields:
    """Every neuron's activation of a 2-input ``net`` over the plane (one forward pass)."""
    xs, ys, points = _plane(net, xlim, ylim, resolution)
    acts = net.forward(points).activations[1:]
    return NeuronFields(xs, ys, tuple(a.reshape(ys.size, xs.size, -1) for a in acts))


@dataclass(frozen=True)
class NeuronCurves:
    """``layers[l - 1]`` (M, n_l): layer l's activations at each of ``xs`` (M,), output layer last."""

    xs: np.ndarray
    layers: tuple

    @property
    def hidden(self) -> tuple:
        return self.layers[:-1]

    def neuron(self, layer: int, j: int) -> np.ndarray:
        """a_{layer, j} along xs, (M,): 1-based ``layer``, 0-based ``j``."""
        return self.layers[layer - 1][:, j]


def neuron_curves(net, xs) -> NeuronCurves:
    """Every neuron's activation of a 1-input ``net`` along ``xs``."""
    xs = _line(net, xs)
    return NeuronCurves(xs, tuple(net.forward(xs[:, None]).activations[1:]))


@dataclass(frozen=True)
class PredictionCurve:
    """``values`` (M, k): the output at each of ``xs`` (M,); ``kind`` as in ``DecisionField``."""

    xs: np.ndarray
    values: np.ndarray
    kind: str


def prediction_curve(net, xs) -> PredictionCurve:
    """The output of a 1-input ``net`` along ``xs``."""
    xs = _line(net, xs)
    return PredictionCurve(xs, net.predict(xs[:, None]), output_kind(net))


def confidence_and_class(probs) -> tuple[np.ndarray, np.ndarray]:
    """(class, confidence) from probabilities ``probs`` (..., k): the argmax class (int) and how
    decided the prediction is, scaled to [0, 1] — 0 on the boundary, 1 when certain.

    k = 1 (one sigmoid output, binary): class p >= 0.5, confidence |2p − 1|. k >= 2: class argmax,
    confidence (max p − 1/k) / (1 − 1/k), so a uniform prediction is 0 whatever the number of
    classes. Values outside [0, 1] (a linear output) are clipped first.
    """
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    if p.ndim == 0:
        raise ValueError("probs needs a last axis of classes")
    k = p.shape[-1]
    if k == 1:
        q = p[..., 0]
        return (q >= 0.5).astype(np.intp), np.abs(2.0 * q - 1.0)
    top = p.max(axis=-1)
    confidence = np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    return np.argmax(p, axis=-1), confidence
