"""Gradient health: per layer, how big the backpropagated signal is, how many units are saturated,
and how far a step moved the parameters relative to their size.

Why deep sigmoid networks learn slowly is visible in three numbers per layer (Nielsen's book,
chapter 5; Karpathy's makemore notebooks):

* ``delta_norm``: the size of δ = ∂J_n/∂z, the signal backpropagation sends into the layer for
  one example n, averaged over the examples (mean of ‖δ_n‖). Each layer back multiplies δ by the
  weights and an activation derivative — σ′ ≤ 1/4 — so in a deep sigmoid chain it shrinks layer
  after layer. ``batch_delta_norm`` is the norm of the batch mean of δ, which is ∂J/∂b (Nielsen's
  "speed of learning" of the layer); it can be small also because examples pull opposite ways;
* ``saturated``: the share of a layer's outputs in the flat part of its activation, where the
  derivative is nearly 0: |tanh| > 0.97, sigmoid outside [0.03, 0.97], and for ReLU the share of
  units never active on the batch ("dead"); None for activations without such a region;
* ``update_ratio``: log10(‖Δθ_layer‖ / ‖θ_layer‖) of a step, the layer's weights and biases
  together; around -3 is the usual healthy value, much lower means the layer barely learns.

A pure function of a network, its data and (for the ratio) the parameters before or after a step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .datasets import load_dataset
from .network import Network, prepare_data

__all__ = ["LayerHealth", "GradientHealth", "gradient_health", "vanishing_gradient_example",
           "TANH_SATURATION", "SIGMOID_BAND", "HEALTHY_UPDATE_RATIO"]

TANH_SATURATION = 0.97
SIGMOID_BAND = (0.03, 0.97)
HEALTHY_UPDATE_RATIO = 1e-3


@dataclass(frozen=True)
class LayerHealth:
    """The health of one layer (``layer`` 0-based: the layer whose weights are w{layer + 1})."""

    layer: int
    activation: str
    delta_norm: float            # mean over samples of ‖δ_n‖
    batch_delta_norm: float      # ‖mean over samples of δ_n‖ = ‖∂J/∂b‖
    saturated: float | None
    update_ratio: float | None   # log10 of step size over parameter size; None without a step


@dataclass(frozen=True)
class GradientHealth:
    """Every layer's health, first layer first, with the numbers as arrays for plotting."""

    layers: tuple[LayerHealth, ...]

    @property
    def delta_norms(self) -> np.ndarray:
        return np.array([h.delta_norm for h in self.layers])

    @property
    def saturation(self) -> np.ndarray:
        """Saturated share per layer; NaN where the activation has no saturated region."""
        return np.array([math.nan if h.saturated is None else h.saturated for h in self.layers])

    @property
    def update_ratios(self) -> np.ndarray:
        """log10 update ratio per layer; NaN without a step (-inf for a layer the step did not move)."""
        return np.array([math.nan if h.update_ratio is None else h.update_ratio for h in self.layers])

    @property
    def vanishing_factor(self) -> float:
        """‖δ‖ of the first layer over ‖δ‖ of the last: far below 1 when the gradient vanishes."""
        last = self.layers[-1].delta_norm
        return self.layers[0].delta_norm / last if last > 0 else math.nan


def _saturated_share(activation: str, a: np.ndarray) -> float | None:
    if activation == "tanh":
        return float(np.mean(np.abs(a) > TANH_SATURATION))
    if activation == "sigmoid":
        low, high = SIGMOID_BAND
        return float(np.mean((a < low) | (a > high)))
    if activation == "relu":
        return float(np.mean(~np.any(a > 0.0, axis=0)))
    return None


def _layer_vectors(net: Network, theta: np.ndarray) -> list[np.ndarray]:
    out, offset = [], 0
    for W, b in zip(net.weights, net.biases):
        size = W.size + b.size
        out.append(theta[offset:offset + size])
        offset += size
    return out


def _update_ratios(net: Network, previous, after) -> list[float | None]:
    if previous is not None and after is not None:
        raise ValueError("give the parameters before the step (previous) or after it (after), not both")
    if previous is None and after is None:
        return [None] * net.depth
    here = net.parameter_vector()
    other = np.asarray(previous if previous is not None else after, dtype=np.float64).ravel()
    if other.size != here.size:
        raise ValueError(f"expected {here.size} parameters, got {other.size}")
    before, moved = (other, here) if previous is not None else (here, other)
    ratios = []
    for b, m in zip(_layer_vectors(net, before), _layer_vectors(net, moved)):
        step, size = float(np.linalg.norm(m - b)), float(np.linalg.norm(b))
        if step == 0.0:
            ratios.append(-math.inf)
        elif size == 0.0:
            ratios.append(math.inf)
        else:
            ratios.append(math.log10(step / size))
    return ratios


def gradient_health(net: Network, X, y, previous=None, after=None) -> GradientHealth:
    """Per-layer δ norms and saturation of ``net`` on (X, y), and the update ratio of a step.

    For the step, give the parameter vector before it (``previous``; the network holds the
    parameters after it) or after it (``after``; the network holds those before it). ``net`` is
    not changed.
    """
    X, Y = prepare_data(net, X, y)
    with np.errstate(over="ignore", under="ignore"):
        backward = net.backward(X, Y)
    ratios = _update_ratios(net, previous, after)
    layers = []
    for layer in range(net.depth):
        delta = backward.deltas[layer]
        name = net.activations[layer]
        layers.append(LayerHealth(
            layer=layer, activation=name,
            delta_norm=float(np.linalg.norm(delta, axis=1).mean()),
            batch_delta_norm=float(np.linalg.norm(delta.mean(axis=0))),
            saturated=_saturated_share(name, backward.trace.activations[layer + 1]),
            update_ratio=ratios[layer]))
    return GradientHealth(tuple(layers))


def vanishing_gradient_example(activation: str = "sigmoid", init: str = "xavier", seed: int = 0,
                               hidden_layers: int = 6, width: int = 8, samples: int = 200):
    """(net, X, y): a deep network on the circle data, the classic picture of vanishing gradients.

    Six hidden sigmoid layers of 8 (the studio's deepest network) with a sigmoid output and binary
    cross-entropy: δ of the first layer is thousands of times smaller than the last's (about 1e-4 at
    the default seeds), so the early layers hardly learn. ``activation="tanh"`` (or ``"relu"`` with
    ``init="he"``) shows the cure: the first layer's δ stays within a factor of a hundred of the
    last's. The initialization matters too, but cannot cure sigmoid alone: from ``init="small"``
    (std 0.01) the factor is about 1e-13, Xavier or He bring it to 1e-4 or 1e-3.
    """
    data = load_dataset("circle", n=samples, seed=seed)
    sizes = [2] + [width] * hidden_layers + [1]
    net = Network(sizes, [activation] * hidden_layers + ["sigmoid"], "binary_cross_entropy", seed=seed, init=init)
    return net, data.X, data.y
