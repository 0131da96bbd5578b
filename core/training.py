"""Full-batch gradient descent with divergence caught *before* it damages the network.

A learner will try a learning rate of a million. That must produce a clear message and an intact
network, not NaNs in every view: each step is computed on the side, checked (finite cost, gradient
and parameters, no floating-point overflow, every |parameter| <= PARAMETER_LIMIT) and only then
applied; a failed check raises ``TrainingDiverged`` with the parameters exactly as before the step.
"""
from __future__ import annotations

import math

import numpy as np

from .history import History
from .network import Backward, Network, prepare_data

__all__ = ["PARAMETER_LIMIT", "TrainingDiverged", "GradientDescent", "gradient_step"]

# Beyond |1000| a sigmoid unit is a hard step for any input away from 0 (sigmoid(1000 * 0.05) is
# 1 - 2e-22): gradients vanish, the lesson's surface (a few units wide) is meaningless out there,
# and a parameter that got that far was thrown by a too-large step, not learned. Stopping here
# also keeps far away from float overflow in z = a W + b.
PARAMETER_LIMIT = 1e3


class TrainingDiverged(ArithmeticError):
    """A gradient step would have made training blow up; the network was left as it was.

    ``parameter`` names the parameter that escaped (None when the cost itself overflowed), ``value``
    the value it would have taken, ``learning_rate`` the rate used.
    """

    def __init__(self, message: str, learning_rate: float, parameter: str | None = None,
                 value: float | None = None):
        super().__init__(message)
        self.learning_rate = learning_rate
        self.parameter = parameter
        self.value = value


def format_number(value: float) -> str:
    """Short human form for messages: 1e6 -> "1e6", 32000 -> "3.2e4", 0.05 -> "0.05", nan -> "NaN"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:.3g}"


def _mask(net: Network, only) -> np.ndarray | None:
    """Boolean mask over parameter_names for ``only`` (None: every parameter trains)."""
    if only is None:
        return None
    names = net.parameter_names()
    mask = np.zeros(len(names), dtype=bool)
    for name in only:
        net.locate(name)  # a clear ValueError for unknown names
        mask[names.index(name)] = True
    return mask


def _check_rate(learning_rate) -> float:
    rate = float(learning_rate)
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"the learning rate must be a finite number >= 0, got {learning_rate!r}")
    return rate


def _diverged(rate: float, what: str) -> str:
    return (f"The step with learning rate {format_number(rate)} {what}: training diverged. "
            "Lower the learning rate or reset.")


def _step(net: Network, X, Y, rate: float, mask, current: Backward) -> Backward:
    """One checked step from the state ``current`` describes; returns the Backward at the new point.

    On any failure the parameters are restored and TrainingDiverged is raised.
    """
    names = net.parameter_names()
    old = net.parameter_vector()
    gradient = np.concatenate([p for W, b in zip(current.dW, current.db) for p in (W.ravel(), b)])
    if not np.all(np.isfinite(gradient)):
        raise TrainingDiverged(_diverged(rate, "met a gradient that is not a finite number"), rate)
    if mask is not None:
        gradient = np.where(mask, gradient, 0.0)
    with np.errstate(over="raise", invalid="raise"):
        try:
            new = old - rate * gradient
        except FloatingPointError:
            new = np.full_like(old, np.inf)
    bad = ~np.isfinite(new) | (np.abs(new) > PARAMETER_LIMIT)
    if bad.any():
        k = int(np.argmax(np.where(bad, np.nan_to_num(np.abs(new), nan=np.inf, posinf=np.inf), -1.0)))
        raise TrainingDiverged(_diverged(rate, f"sent {names[k]} to {format_number(float(new[k]))}"),
                               rate, names[k], float(new[k]))
    net.set_parameter_vector(new)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            after = net.backward(X, Y)
        cost = after.cost
        finite = math.isfinite(cost) and all(np.all(np.isfinite(g)) for g in (*after.dW, *after.db))
    except FloatingPointError:
        finite, cost = False, math.inf
    if not finite:
        net.set_parameter_vector(old)
        raise TrainingDiverged(_diverged(rate, f"made the cost {format_number(cost)} (a numeric overflow)"),
                               rate)
    return after


def _current(net: Network, X, Y) -> Backward:
    """The backward pass at the current parameters; a non-finite result is reported by ``_step``."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return net.backward(X, Y)


def gradient_step(net: Network, X, y, learning_rate: float, only=None) -> float:
    """One full-batch step θ <- θ - η dJ/dθ (only the parameters named in ``only``, if given).

    Returns the cost after the step. Raises TrainingDiverged, leaving ``net`` untouched, if the step
    would give a non-finite cost/gradient/parameter, overflow, or a |parameter| > PARAMETER_LIMIT.
    """
    X, Y = prepare_data(net, X, y)
    return _step(net, X, Y, _check_rate(learning_rate), _mask(net, only), _current(net, X, Y)).cost


class GradientDescent:
    """Repeated checked gradient steps on one network and dataset, recorded in a ``History``.

    The starting point is recorded as step 0. ``only`` restricts training to some parameters (the
    app's "train only the two plotted parameters"); ``learning_rate`` and ``only`` may be changed
    between calls. ``history`` and ``step_count`` are plain attributes so a caller can carry a run's
    record over to a new optimizer.
    """

    def __init__(self, net: Network, X, y, learning_rate: float, only=None, history_capacity: int = 2000):
        self.net = net
        self.X, self.y = prepare_data(net, X, y)
        self.learning_rate = learning_rate
        self.only = only
        self.step_count = 0
        self.history = History(history_capacity)
        self.history.append(0, self.cost, net.parameter_vector())

    @property
    def learning_rate(self) -> float:
        return self._rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._rate = _check_rate(value)

    @property
    def only(self):
        return None if self._only is None else list(self._only)

    @only.setter
    def only(self, names) -> None:
        self._mask = _mask(self.net, names)
        self._only = None if names is None else tuple(names)

    @property
    def cost(self) -> float:
        """The cost at the network's current parameters."""
        return self.net.cost(self.X, self.y)

    def step(self, count: int = 1) -> float:
        """Take ``count`` steps; return the cost after the last one.

        If a step diverges, the steps before it stay applied and recorded, the failing one is not
        applied, and TrainingDiverged propagates.
        """
        count = int(count)
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        current = _current(self.net, self.X, self.y)  # parameters may have been edited since the last call
        for _ in range(count):
            current = _step(self.net, self.X, self.y, self._rate, self._mask, current)
            self.step_count += 1
            self.history.append(self.step_count, current.cost, self.net.parameter_vector())
        return current.cost
