"""Learning-rate schedules: the rate each step uses, as a pure function of the step number.

A run keeps its base rate η (the one the learner sets) and a schedule; the step from ``k`` to
``k + 1`` uses ``schedule.rate(η, k)``. Because the rate depends on nothing but the step, replay
rebuilds it exactly, and the trajectory records the rate in effect at every step.

The formulas are torch.optim.lr_scheduler's, written per step instead of per ``scheduler.step()``
call: StepLR, ExponentialLR, CosineAnnealingLR (held at its minimum after ``t_max`` instead of
rising again) and an inverse-time decay η / (1 + decay·k).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .update_rules import Named

__all__ = ["Constant", "StepDecay", "Exponential", "Cosine", "InverseTime", "SCHEDULES", "make_schedule"]


class _Schedule(Named):
    def _require(self, ok: bool, text: str) -> None:
        if not ok:
            raise ValueError(f"{self.name} schedule: {text}")

    def _require_whole(self, name: str, least: int) -> None:
        value = getattr(self, name)
        self._require(isinstance(value, int) and not isinstance(value, bool) and value >= least,
                      f"{name} must be a whole number >= {least}, got {value!r}")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Constant(_Schedule):
    """η at every step."""

    name = "constant"
    title = "Constant"

    def rate(self, base: float, step: int) -> float:
        return base


@dataclass(frozen=True)
class StepDecay(_Schedule):
    """η·γ^⌊k / step_size⌋: the rate drops by a factor γ every ``step_size`` steps (StepLR)."""

    step_size: int = 100
    gamma: float = 0.5
    name = "step"
    title = "Step decay"

    def __post_init__(self):
        self._require_whole("step_size", 1)
        self._require(_number(self.gamma) and 0 < self.gamma <= 1, f"gamma must be in (0, 1], got {self.gamma!r}")

    def rate(self, base: float, step: int) -> float:
        return base * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class Exponential(_Schedule):
    """η·γ^k (ExponentialLR)."""

    gamma: float = 0.99
    name = "exponential"
    title = "Exponential"

    def __post_init__(self):
        self._require(_number(self.gamma) and 0 < self.gamma <= 1, f"gamma must be in (0, 1], got {self.gamma!r}")

    def rate(self, base: float, step: int) -> float:
        return base * self.gamma ** step


@dataclass(frozen=True)
class Cosine(_Schedule):
    """η_min + (η − η_min)(1 + cos(π·k / t_max)) / 2 up to ``t_max``, then η_min (CosineAnnealingLR)."""

    t_max: int = 1000
    eta_min: float = 0.0
    name = "cosine"
    title = "Cosine"

    def __post_init__(self):
        self._require_whole("t_max", 1)
        self._require(_number(self.eta_min) and self.eta_min >= 0, f"eta_min must be >= 0, got {self.eta_min!r}")

    def rate(self, base: float, step: int) -> float:
        k = min(step, self.t_max)
        return self.eta_min + (base - self.eta_min) * (1.0 + math.cos(math.pi * k / self.t_max)) / 2.0


@dataclass(frozen=True)
class InverseTime(_Schedule):
    """η / (1 + decay·k): the 1/t decay of the classic convergence proofs."""

    decay: float = 0.01
    name = "inverse_time"
    title = "1/t decay"

    def __post_init__(self):
        self._require(_number(self.decay) and self.decay >= 0, f"decay must be >= 0, got {self.decay!r}")

    def rate(self, base: float, step: int) -> float:
        return base / (1.0 + self.decay * step)


SCHEDULES = {s.name: s for s in (Constant, StepDecay, Exponential, Cosine, InverseTime)}


def make_schedule(name: str = "constant", **hyper):
    """The schedule called ``name`` with these hyper-parameters (a clear ValueError otherwise)."""
    try:
        cls = SCHEDULES[name]
    except KeyError:
        raise ValueError(f"unknown schedule {name!r}; choose from {', '.join(SCHEDULES)}") from None
    try:
        return cls(**hyper)
    except TypeError as exc:
        raise ValueError(f"{name} schedule: {exc}") from None
