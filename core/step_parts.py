"""The parts of one update, as vectors in parameter space, for drawing at the shown point.

A learner watching an optimizer's path asks *why* it went where it did. At step k the studio can
show, all in parameter units so their lengths compare:

* ``gradient_step`` = −η ∇J(θ_k): where plain gradient descent would step from here;
* ``step`` = θ_k − θ_{k−1}: the step the rule actually took to get here;
* ``velocity``: what a momentum-like rule carries from step to step, as a step (−η v for momentum and
  Nesterov, −η b for RMSprop with momentum, −η m̂ for Adam's bias-corrected first moment); for
  heavy-ball momentum at a constant rate it *is* the step just taken;
* ``rates``: an adaptive rule's per-parameter learning rate (AdaGrad η_t / (√s + ε), RMSprop
  η / (√v + ε), Adam η / (√v̂ + ε)), the factor it used on each parameter at its last step, and
  ``scaled_step`` = −rates ⊙ ∇J(θ_k): the gradient scaled per parameter, to set beside −η ∇J.

Rule states follow core.update_rules (torch.optim's names); weight decay is left out of the arrows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["UpdateParts", "update_parts"]


@dataclass(frozen=True, eq=False)
class UpdateParts:
    """See the module docstring; every vector has the parameters' length, None where it does not apply."""

    gradient_step: np.ndarray
    step: np.ndarray | None
    velocity: np.ndarray | None
    velocity_name: str            # "v", "b", "m̂" or "" (no velocity)
    rates: np.ndarray | None
    scaled_step: np.ndarray | None


def _velocity(rule, state, t: int):
    """(velocity vector, its symbol) of a momentum-like rule's state, or (None, "")."""
    name = getattr(rule, "name", "")
    if name in ("momentum", "nesterov") and t > 0:
        return state["velocity"], "v"
    if name == "rmsprop" and "momentum_buffer" in state and t > 0:
        return state["momentum_buffer"], "b"
    if name in ("adam", "adamw") and t > 0:
        m = state["exp_avg"]
        return (m / (1.0 - rule.betas[0] ** t) if rule.bias_correction else m), "m̂" if rule.bias_correction else "m"
    return None, ""


def _rates(rule, state, t: int, learning_rate: float):
    """The adaptive rule's per-parameter learning rate at its last step, or None."""
    name = getattr(rule, "name", "")
    if t == 0:
        return None
    if name == "adagrad":
        rate = learning_rate / (1.0 + (t - 1) * rule.lr_decay)
        return rate / (np.sqrt(state["sum"]) + rule.eps)
    if name == "rmsprop":
        square = state["square_avg"]
        if rule.centered:
            square = square - state["grad_avg"] ** 2
        return learning_rate / (np.sqrt(square) + rule.eps)
    if name in ("adam", "adamw"):
        v = state["exp_avg_sq"]
        if rule.bias_correction:
            v = v / (1.0 - rule.betas[1] ** t)
        return learning_rate / (np.sqrt(v) + rule.eps)
    return None


def update_parts(rule, state, theta, previous_theta, gradient, learning_rate: float) -> UpdateParts:
    """The update's parts at parameters ``theta`` (see the module docstring).

    ``rule`` and ``state``: the run's update rule and its state after the step that led to ``theta``;
    ``previous_theta``: the parameters one step earlier (None at the start); ``gradient``: ∇J at
    ``theta``; ``learning_rate``: η now.
    """
    theta = np.asarray(theta, dtype=np.float64)
    gradient = np.asarray(gradient, dtype=np.float64)
    state = state or {}
    t = int(state.get("t", 0))
    step = None if previous_theta is None else theta - np.asarray(previous_theta, dtype=np.float64)
    velocity, symbol = _velocity(rule, state, t)
    rates = _rates(rule, state, t, learning_rate)
    with np.errstate(over="ignore", invalid="ignore"):
        return UpdateParts(
            gradient_step=-learning_rate * gradient, step=step,
            velocity=None if velocity is None else -learning_rate * np.asarray(velocity, dtype=np.float64),
            velocity_name=symbol, rates=rates, scaled_step=None if rates is None else -rates * gradient)
