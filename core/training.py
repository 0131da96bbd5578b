"""Gradient descent (full batch, mini-batch or one sample at a time) with divergence caught
*before* it damages the network.

A learner will try a learning rate of a million. That must produce a clear message and an intact
network, not NaNs in every view: each step is computed on the side, checked (finite cost, gradient
and parameters, no floating-point overflow, every |parameter| <= PARAMETER_LIMIT) and only then
applied; a failed check raises ``TrainingDiverged`` with the parameters exactly as before the step.
"""
from __future__ import annotations

import math

import numpy as np

from .fast_step import StepWorkspace
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


def _flat(current: Backward) -> np.ndarray:
    """The gradient in ``parameter_names`` order from a backward pass."""
    return np.concatenate([p for W, b in zip(current.dW, current.db) for p in (W.ravel(), b)])


def _move(net: Network, rate: float, mask, current) -> np.ndarray:
    """Apply θ <- θ - η g with g from ``current`` (a Backward, or the flat gradient) after checking
    it; return the old parameters.

    Raises TrainingDiverged (parameters untouched) for a non-finite gradient or a new parameter that
    is not finite or beyond PARAMETER_LIMIT.
    """
    names = net.parameter_names()
    old = net.parameter_vector()
    gradient = _flat(current) if isinstance(current, Backward) else current
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
    return old


def _overflowed(net: Network, old: np.ndarray, rate: float, cost: float):
    """Undo a step whose cost came out non-finite and say so."""
    net.set_parameter_vector(old)
    raise TrainingDiverged(_diverged(rate, f"made the cost {format_number(cost)} (a numeric overflow)"),
                           rate)


def _step(net: Network, X, Y, rate: float, mask, current: Backward) -> Backward:
    """One checked full-batch step from the state ``current`` describes; returns the Backward at the
    new point (which the next full-batch step starts from, so each step costs one backward pass).

    On any failure the parameters are restored and TrainingDiverged is raised.
    """
    old = _move(net, rate, mask, current)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            after = net.backward(X, Y)
        cost = after.cost
        finite = math.isfinite(cost) and all(np.all(np.isfinite(g)) for g in (*after.dW, *after.db))
    except FloatingPointError:
        finite, cost = False, math.inf
    if not finite:
        _overflowed(net, old, rate, cost)
    return after


def _fast_step(net: Network, workspace: StepWorkspace, rate: float, mask, gradient) -> tuple:
    """``_step`` on the preallocated workspace: the same checks, about 7x faster on a full batch
    (no fresh temporaries, so no page faults; see core.fast_step). Returns (cost, gradient) at the
    new point; the gradient is the workspace's buffer, valid until its next call."""
    old = _move(net, rate, mask, gradient)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            cost, gradient = workspace.gradient()
        finite = math.isfinite(cost) and bool(np.all(np.isfinite(gradient)))
    except FloatingPointError:
        finite, cost = False, math.inf
    if not finite:
        _overflowed(net, old, rate, cost)
    return cost, gradient


def _batch_step(net: Network, X, Y, batch, rate: float, mask) -> float:
    """One checked step on the samples ``batch``; returns the FULL cost on (X, Y) after it.

    The full cost is what the history records (so curves of different batch sizes compare) and it
    is also the divergence check; the next batch's gradient is checked when that step starts.
    """
    old = _move(net, rate, mask, _current(net, X[batch], Y[batch]))
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            cost = net.cost(X, Y)
    except FloatingPointError:
        cost = math.inf
    if not math.isfinite(cost):
        _overflowed(net, old, rate, cost)
    return cost


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
    app's "train only the two plotted parameters"); ``learning_rate``, ``only`` and ``batch_size``
    may be changed between calls. ``history`` and ``step_count`` are plain attributes so a caller
    can carry a run's record over to a new optimizer.

    ``batch_size``: None (or >= N) is full-batch gradient descent, each step one pass over the data;
    1 is stochastic gradient descent, one sample per step; k takes k samples per step (the last
    batch of a pass may be smaller). Each pass visits every sample once, in an order shuffled from
    ``(shuffle_seed, pass number)`` alone, so a run is reproducible and ``next_batch`` can show
    which samples the next step will use. Whatever the batch, the history records the cost on the
    FULL training set after each step, so curves of different batch sizes can be compared.

    ``X_test``/``y_test`` (optional) are held-out data: their cost is recorded with every step
    (``history.test_costs``) but never trained on.
    """

    def __init__(self, net: Network, X, y, learning_rate: float, only=None, history_capacity: int = 2000,
                 *, batch_size: int | None = None, shuffle_seed: int = 0, X_test=None, y_test=None):
        self.net = net
        self.X, self.y = prepare_data(net, X, y)
        if (X_test is None) != (y_test is None):
            raise ValueError("give both X_test and y_test, or neither")
        self.X_test, self.y_test = (None, None) if X_test is None else prepare_data(net, X_test, y_test)
        if self.X_test is not None and len(self.X_test) == 0:
            raise ValueError("the test set is empty")
        self.learning_rate = learning_rate
        self.only = only
        self.batch_size = batch_size
        seed = int(shuffle_seed)
        if seed != shuffle_seed or seed < 0:
            raise ValueError(f"shuffle_seed must be an integer >= 0, got {shuffle_seed!r}")
        self._shuffle_seed = seed
        self._seen = 0          # samples used by all steps so far: epoch = seen / N
        self._pass = 0          # which shuffled order the mini-batches are drawn from
        self._position = 0      # how far into that order
        self._order = None      # the order itself, drawn when first needed
        self._workspace: StepWorkspace | None = None
        self.step_count = 0
        self.history = History(history_capacity)
        self.history.append(0, self.cost, net.parameter_vector(), self._test_cost_or_nan())

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
    def batch_size(self) -> int | None:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value) -> None:
        """None for full batch, else an integer >= 1; a change takes effect at the next step and
        continues the current shuffled pass where it was."""
        if value is not None:
            size = int(value) if not isinstance(value, bool) else 0
            if size != value or size < 1:
                raise ValueError(f"the batch size must be None (full batch) or an integer >= 1, got {value!r}")
            value = size
        self._batch_size = value

    @property
    def shuffle_seed(self) -> int:
        return self._shuffle_seed

    @property
    def full_batch(self) -> bool:
        """True when every step uses all the training data (batch_size None or >= N)."""
        return self._batch_size is None or self._batch_size >= len(self.X)

    @property
    def epoch(self) -> float:
        """Passes over the training data so far (samples used / N): 1 per full-batch step, 1/N per
        single-sample step. Whole after each complete pass."""
        return self._seen / len(self.X)

    @property
    def next_batch(self) -> np.ndarray:
        """The row indices of the training data the next step will use (a copy), in batch order."""
        n = len(self.X)
        if self.full_batch:
            return np.arange(n)
        if self._order is None:
            rng = np.random.default_rng([self._shuffle_seed, self._pass])
            self._order = rng.permutation(n)
        return self._order[self._position:self._position + self._batch_size].copy()

    def _advance(self, used: int) -> None:
        self._seen += used
        if not self.full_batch:
            self._position += used
            if self._position >= len(self.X):
                self._pass += 1
                self._position = 0
                self._order = None

    def _full_batch_workspace(self) -> StepWorkspace:
        """The buffers for full-batch steps, made on first use (the workspace follows edits of the
        hidden layers by itself; new input or output sizes need new data, so a new optimizer)."""
        if self._workspace is None:
            self._workspace = StepWorkspace(self.net, self.X, self.y)
        return self._workspace

    def record(self) -> None:
        """Add the current point to the history (after the parameters were edited by hand), with
        its test cost like every step's record."""
        self.history.append(self.step_count, self.cost, self.net.parameter_vector(), self._test_cost_or_nan())

    @property
    def cost(self) -> float:
        """The cost on the full training set at the network's current parameters."""
        return self.net.cost(self.X, self.y)

    @property
    def test_cost(self) -> float | None:
        """The cost on the test set at the current parameters (None without test data)."""
        if self.X_test is None:
            return None
        return self.net.cost(self.X_test, self.y_test)

    def _test_cost_or_nan(self) -> float:
        if self.X_test is None:
            return math.nan
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self.test_cost

    def step(self, count: int = 1) -> float:
        """Take ``count`` steps; return the full training cost after the last one.

        If a step diverges, the steps before it stay applied and recorded, the failing one is not
        applied (nor counted in ``epoch``), and TrainingDiverged propagates.
        """
        count = int(count)
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        if self.full_batch:
            # The gradient after each step is the next step's start: one gradient pass per step.
            workspace = self._full_batch_workspace()
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                cost, gradient = workspace.gradient()  # parameters may have been edited since the last call
        else:
            cost = self.cost if count == 0 else math.nan
        for _ in range(count):
            if self.full_batch:
                cost, gradient = _fast_step(self.net, workspace, self._rate, self._mask, gradient)
                self._advance(len(self.X))
            else:
                batch = self.next_batch
                cost = _batch_step(self.net, self.X, self.y, batch, self._rate, self._mask)
                self._advance(len(batch))
            self.step_count += 1
            self.history.append(self.step_count, cost, self.net.parameter_vector(), self._test_cost_or_nan())
        return cost
