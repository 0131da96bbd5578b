"""Update rules: how a gradient becomes a parameter change, as pure functions of plain state.

A rule is an object with two pure methods, in the spirit of optax:

* ``init(theta) -> state``: the rule's starting state for parameters ``theta`` (a dict of plain
  float64 arrays and numbers; empty for plain gradient descent);
* ``update(gradient, state, theta, learning_rate) -> (new_theta, new_state)``: one step. Neither
  argument is modified; the result is fresh arrays.

Because the state is plain values, a run can copy it into a keyframe, replay from it bit for bit,
save it in a session file and race several rules from the same start. The rule object itself holds
only its hyper-parameters (frozen), so it is shared freely between runs and threads.

The rules follow torch.optim's formulas, defaults and hyper-parameter names (``momentum``, ``alpha``,
``eps``, ``betas``, ``weight_decay``), so a learner who moves on to PyTorch sees the same numbers:
``sgd``, ``momentum``, ``nesterov``, ``adagrad``, ``rmsprop``, ``adam``, ``adamw``. Their state holds
velocities, running sums and a step counter ``t``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

__all__ = ["UpdateRule", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW", "RULES",
           "make_rule", "copy_state", "state_nbytes"]


class UpdateRule(Protocol):
    """What a run needs of an update rule (see the module docstring)."""

    name: str

    def init(self, theta: np.ndarray) -> dict: ...

    def update(self, gradient: np.ndarray, state: dict, theta: np.ndarray,
               learning_rate: float) -> tuple[np.ndarray, dict]: ...


_RANGES = {   # hyper-parameter: (test, the range in words)
    "momentum": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "dampening": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "alpha": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta1": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta2": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "eps": (lambda v: v > 0, "> 0"),
    "weight_decay": (lambda v: v >= 0, ">= 0"),
    "lr_decay": (lambda v: v >= 0, ">= 0"),
    "initial_accumulator_value": (lambda v: v >= 0, ">= 0"),
}


def _check(rule: str, **values) -> None:
    """Validate hyper-parameters: finite numbers in their ranges, with messages naming them."""
    for name, value in values.items():
        test, text = _RANGES[name]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or not test(value):
            raise ValueError(f"{rule}: {name} must be a finite number {text}, got {value!r}")


def _check_flags(rule: str, **flags) -> None:
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{rule}: {name} must be True or False, got {value!r}")


def _betas(rule: str, betas) -> tuple[float, float]:
    try:
        beta1, beta2 = (float(b) for b in betas)
    except (TypeError, ValueError):
        raise ValueError(f"{rule}: betas must be two numbers in [0, 1), got {betas!r}") from None
    _check(rule, beta1=beta1, beta2=beta2)
    return beta1, beta2


class Named:
    """A frozen dataclass with a ``name``, a ``title`` and its fields as hyper-parameters (rules and
    learning-rate schedules: for tables, legends and session files)."""

    name = ""
    title = ""

    @property
    def hyper(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Rule(Named):
    """Shared by the rules: their hyper-parameters, and torch.optim's coupled weight decay."""

    def _decayed(self, gradient, theta):
        """torch.optim's L2 weight decay: g + λθ (coupled; AdamW decouples it instead)."""
        return gradient + self.weight_decay * theta if self.weight_decay else gradient


@dataclass(frozen=True)
class SGD(_Rule):
    """Plain gradient descent, θ ← θ − η g (torch.optim.SGD without momentum). No state."""

    weight_decay: float = 0.0
    name = "sgd"
    title = "Gradient descent"

    def __post_init__(self):
        _check(self.name, weight_decay=self.weight_decay)

    def init(self, theta: np.ndarray) -> dict:
        return {}

    def update(self, gradient, state, theta, learning_rate):
        return theta - learning_rate * self._decayed(gradient, theta), state


@dataclass(frozen=True)
class Momentum(_Rule):
    """Heavy ball as torch.optim.SGD(momentum=μ): v ← μv + (1 − dampening) g, θ ← θ − ηv.

    The velocity remembers past gradients, so steps grow along a consistent slope and the zig-zag
    across a narrow valley cancels out. (torch sets v = g on the first step; with dampening 0 that
    is μ·0 + g, the same.)"""

    momentum: float = 0.9
    dampening: float = 0.0
    weight_decay: float = 0.0
    name = "momentum"
    title = "Momentum"
    nesterov = False

    def __post_init__(self):
        _check(self.name, momentum=self.momentum, dampening=self.dampening, weight_decay=self.weight_decay)

    def init(self, theta: np.ndarray) -> dict:
        return {"velocity": np.zeros_like(theta), "t": 0}

    def update(self, gradient, state, theta, learning_rate):
        g = self._decayed(gradient, theta)
        if state["t"] == 0:
            velocity = g.copy()      # torch's first step: the buffer is the gradient itself
        else:
            velocity = self.momentum * state["velocity"] + (1.0 - self.dampening) * g
        direction = g + self.momentum * velocity if self.nesterov else velocity
        return theta - learning_rate * direction, {"velocity": velocity, "t": state["t"] + 1}


@dataclass(frozen=True)
class Nesterov(Momentum):
    """Nesterov momentum as torch.optim.SGD(momentum=μ, nesterov=True): v ← μv + g,
    θ ← θ − η(g + μv) — the step looks ahead along the velocity before it commits."""

    name = "nesterov"
    title = "Nesterov"
    nesterov = True

    def __post_init__(self):
        super().__post_init__()
        if self.dampening:
            raise ValueError("nesterov: Nesterov momentum requires dampening 0 (as in torch.optim)")


@dataclass(frozen=True)
class AdaGrad(_Rule):
    """torch.optim.Adagrad: s ← s + g², θ ← θ − η_t g / (√s + ε), η_t = η / (1 + (t − 1)·lr_decay).

    Each parameter's step shrinks with the sum of its squared gradients: steep directions slow
    down early, flat ones keep moving — and every step shrinks for ever."""

    lr_decay: float = 0.0
    weight_decay: float = 0.0
    eps: float = 1e-10
    initial_accumulator_value: float = 0.0
    name = "adagrad"
    title = "AdaGrad"

    def __post_init__(self):
        _check(self.name, lr_decay=self.lr_decay, weight_decay=self.weight_decay, eps=self.eps,
               initial_accumulator_value=self.initial_accumulator_value)

    def init(self, theta: np.ndarray) -> dict:
        return {"sum": np.full_like(theta, float(self.initial_accumulator_value)), "t": 0}

    def update(self, gradient, state, theta, learning_rate):
        t = state["t"] + 1
        g = self._decayed(gradient, theta)
        rate = learning_rate / (1.0 + (t - 1) * self.lr_decay)
        total = state["sum"] + g * g
        return theta - rate * g / (np.sqrt(total) + self.eps), {"sum": total, "t": t}


@dataclass(frozen=True)
class RMSprop(_Rule):
    """torch.optim.RMSprop: v ← αv + (1 − α)g², θ ← θ − η g / (√v + ε) (with ``centered``, v minus
    the squared running mean of g; with ``momentum`` μ, b ← μb + g/(√v + ε), θ ← θ − ηb).

    Like AdaGrad, but the squared gradients are a running average, so old steepness is forgotten."""

    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False
    name = "rmsprop"
    title = "RMSprop"

    def __post_init__(self):
        _check(self.name, alpha=self.alpha, eps=self.eps, weight_decay=self.weight_decay, momentum=self.momentum)
        _check_flags(self.name, centered=self.centered)

    def init(self, theta: np.ndarray) -> dict:
        state = {"square_avg": np.zeros_like(theta), "t": 0}
        if self.momentum:
            state["momentum_buffer"] = np.zeros_like(theta)
        if self.centered:
            state["grad_avg"] = np.zeros_like(theta)
        return state

    def update(self, gradient, state, theta, learning_rate):
        g = self._decayed(gradient, theta)
        a = self.alpha
        square_avg = a * state["square_avg"] + (1.0 - a) * g * g
        new = {"square_avg": square_avg, "t": state["t"] + 1}
        if self.centered:
            grad_avg = a * state["grad_avg"] + (1.0 - a) * g
            new["grad_avg"] = grad_avg
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            avg = np.sqrt(square_avg) + self.eps
        if self.momentum:
            buffer = self.momentum * state["momentum_buffer"] + g / avg
            new["momentum_buffer"] = buffer
            return theta - learning_rate * buffer, new
        return theta - learning_rate * g / avg, new


@dataclass(frozen=True)
class Adam(_Rule):
    """torch.optim.Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − η m̂ / (√v̂ + ε) with the
    bias corrections m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).

    m and v start at zero, so early averages are too small; the corrections undo that. Switch
    ``bias_correction`` off (not a torch option) to see the first steps crawl without them."""

    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    bias_correction: bool = True
    name = "adam"
    title = "Adam"
    decoupled = False

    def __post_init__(self):
        object.__setattr__(self, "betas", _betas(self.name, self.betas))
        _check(self.name, eps=self.eps, weight_decay=self.weight_decay)
        _check_flags(self.name, bias_correction=self.bias_correction)

    def init(self, theta: np.ndarray) -> dict:
        return {"exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta), "t": 0}

    def update(self, gradient, state, theta, learning_rate):
        beta1, beta2 = self.betas
        t = state["t"] + 1
        if self.decoupled:   # AdamW: shrink the parameters themselves, outside the moments
            theta = theta * (1.0 - learning_rate * self.weight_decay)
            g = gradient
        else:
            g = self._decayed(gradient, theta)
        exp_avg = beta1 * state["exp_avg"] + (1.0 - beta1) * g
        exp_avg_sq = beta2 * state["exp_avg_sq"] + (1.0 - beta2) * g * g
        if self.bias_correction:
            step_size = learning_rate / (1.0 - beta1 ** t)
            denom = np.sqrt(exp_avg_sq) / np.sqrt(1.0 - beta2 ** t) + self.eps
        else:
            step_size, denom = learning_rate, np.sqrt(exp_avg_sq) + self.eps
        new_theta = theta - step_size * exp_avg / denom
        return new_theta, {"exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq, "t": t}


@dataclass(frozen=True)
class AdamW(Adam):
    """torch.optim.AdamW: Adam whose weight decay is decoupled, θ ← θ(1 − ηλ) before the Adam step
    (λ = 1e-2 by default), instead of being added to the gradient."""

    weight_decay: float = 1e-2
    name = "adamw"
    title = "AdamW"
    decoupled = True


RULES = {rule.name: rule for rule in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW)}


def make_rule(name: str = "sgd", **hyper) -> UpdateRule:
    """The rule called ``name`` with these hyper-parameters (a clear ValueError for unknown ones)."""
    try:
        cls = RULES[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(RULES)}") from None
    try:
        return cls(**hyper)
    except TypeError as exc:
        raise ValueError(f"{name}: {exc}") from None


def copy_state(state: dict) -> dict:
    """A deep copy of a rule state (arrays copied, numbers as they are), for keyframes and forks."""
    return {key: value.copy() if isinstance(value, np.ndarray) else value for key, value in state.items()}


def state_nbytes(state: dict) -> int:
    return sum(value.nbytes for value in state.values() if isinstance(value, np.ndarray))
