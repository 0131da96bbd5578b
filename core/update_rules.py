"""Update rules: how a gradient becomes a parameter change, as pure functions of plain state.

A rule is an object with two pure methods, in the spirit of optax:

* ``init(theta) -> state``: the rule's starting state for parameters ``theta`` (a dict of plain
  float64 arrays and numbers; empty for plain gradient descent);
* ``update(gradient, state, theta, learning_rate) -> (new_theta, new_state)``: one step. Neither
  argument is modified; the result is fresh arrays.

Because the state is plain values, a run can copy it into a keyframe, replay from it bit for bit,
save it in a session file and race several rules from the same start. The rule object itself holds
only its hyper-parameters (frozen), so it is shared freely between runs and threads.

Plain gradient descent (``sgd``) is the first rule; momentum, Nesterov, AdaGrad, RMSprop, Adam and
AdamW follow on the same interface (their state: velocities, running sums, a step counter).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

__all__ = ["UpdateRule", "SGD", "RULES", "make_rule", "copy_state", "state_nbytes"]


class UpdateRule(Protocol):
    """What a run needs of an update rule (see the module docstring)."""

    name: str

    def init(self, theta: np.ndarray) -> dict: ...

    def update(self, gradient: np.ndarray, state: dict, theta: np.ndarray,
               learning_rate: float) -> tuple[np.ndarray, dict]: ...


@dataclass(frozen=True)
class SGD:
    """Plain gradient descent, θ ← θ − η g (torch.optim.SGD without momentum). No state."""

    name = "sgd"

    def init(self, theta: np.ndarray) -> dict:
        return {}

    def update(self, gradient, state, theta, learning_rate):
        return theta - learning_rate * gradient, state

    @property
    def hyper(self) -> dict:
        """The hyper-parameters by name (none for plain gradient descent)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


RULES = {"sgd": SGD}


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
