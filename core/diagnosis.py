"""Why training went wrong, in plain words: a cost that rose and stays up, and saturated neurons.

A learning rate that is too large does not always make numbers explode (that is caught by the run's
divergence guard). On the lesson's sigmoid network it throws the weights so far that the sigmoids
saturate: σ(z) is flat where z lands, σ′(z) ≈ 0 on every sample, the gradient falls to 1e-10 and
gradient descent cannot come back — J sits at 0.25, accuracy at 50 %, and training runs on without a
word. ``diagnose`` recognises that state from numbers a snapshot already holds, so the window can
say what happened and what to do. Pure numpy; no Qt.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .naming import node_name, to_unicode
from .run import format_number

__all__ = ["Diagnosis", "diagnose", "cost_rise", "saturated_units"]

RISE_SHARE = 0.05        # a rise counts when it gives back at least this share of the starting cost ...
RISE_FACTOR = 1.1        # ... and the cost is at least this many times the best it reached
STAY_RECORDS = 10        # ... and has stayed over halfway up for this many recorded steps since
FLAT_SHARE = 0.01        # a neuron is saturated where f'(z) is below this share of f's steepest slope
SATURATED_SAMPLES = 0.95  # ... on at least this share of the samples
VANISHED_GRADIENT = 1e-6  # the largest |dJ/dθ| below this: the gradient has vanished


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong at one step: ``kind`` "stuck" (the cost is up and saturated neurons stop the
    gradient), "overshoot" (the cost rose and stays up) or "saturated" (no progress, saturated
    neurons, a vanished gradient); the numbers behind it and ``message``, for the learner."""

    kind: str
    best_cost: float
    cost: float
    largest_gradient: float
    units: tuple            # plain names of the saturated neurons (a1, a2.3, ...)
    learning_rate: float
    message: str


def cost_rise(costs, share: float = RISE_SHARE, factor: float = RISE_FACTOR,
              stay: int = STAY_RECORDS) -> tuple[float, float] | None:
    """(best, now) when the cost rose well above the lowest it reached and stayed up since: the
    last ``stay`` records all lie over halfway from the best to now. None otherwise."""
    costs = np.asarray(costs, dtype=np.float64)
    costs = costs[np.isfinite(costs)]
    if costs.size < stay + 1:
        return None
    best_at = int(np.argmin(costs))
    best, now = float(costs[best_at]), float(costs[-1])
    rise = now - best
    if costs.size - 1 - best_at < stay or rise <= share * max(abs(float(costs[0])), abs(best)) \
            or now <= factor * best:
        return None
    if float(costs[-stay:].min()) <= best + 0.5 * rise:
        return None
    return best, now


def saturated_units(net, X, flat_share: float = FLAT_SHARE, samples: float = SATURATED_SAMPLES) -> list[str]:
    """Plain names of the neurons (elementwise activations that can flatten) whose derivative f'(z)
    is below ``flat_share`` of its steepest value on at least ``samples`` of the inputs ``X``."""
    from .activations import ACTIVATIONS

    trace = net.forward(np.asarray(X, dtype=np.float64))
    found = []
    for layer, name in enumerate(net.activations):
        act = ACTIVATIONS[name]
        if not act.elementwise or name not in ("sigmoid", "tanh"):
            continue   # ReLU's flat side is a different story (dead units); linear never flattens
        steepest = 0.25 if name == "sigmoid" else 1.0
        slopes = act.derivative(trace.zs[layer], trace.activations[layer + 1])
        flat = (slopes < flat_share * steepest).mean(axis=0)
        size = net.sizes[layer + 1]
        found += [node_name("a", layer + 1, j, size) for j in range(size) if flat[j] >= samples]
    return found


def _units_text(net, units) -> str:
    last = net.depth
    names = ["the output ŷ" if u.startswith(f"a{last}") and net.sizes[-1] == 1 else to_unicode(u) for u in units]
    if len(names) > 4:
        names = names[:3] + [f"{len(units) - 3} more"]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    text = f"{text} {'is' if len(units) == 1 else 'are'} saturated"
    return text[0].upper() + text[1:]


def diagnose(net, X, costs, gradient, learning_rate: float) -> Diagnosis | None:
    """What went wrong at the step whose network is ``net`` (trained on ``X``), given the recorded
    ``costs`` up to and including it and its ``gradient``; None when nothing is wrong."""
    costs = np.asarray(costs, dtype=np.float64)
    if costs.size == 0 or not np.isfinite(costs[-1]):
        return None
    gradient = np.asarray(gradient, dtype=np.float64)
    largest = float(np.abs(gradient).max()) if gradient.size else 0.0
    rise = cost_rise(costs)
    now = float(costs[-1])
    no_progress = costs.size > STAY_RECORDS and now >= 0.9 * float(costs[0]) and largest < VANISHED_GRADIENT
    if rise is None and not no_progress:
        return None
    units = tuple(saturated_units(net, X))
    eta = f"{learning_rate:g}"
    if rise is not None:
        best = rise[0]
        if units:
            message = (f"Training is stuck: the cost rose from {format_number(best)} to {format_number(now)} and "
                       f"stays there. {_units_text(net, units)}: steps of η = {eta} pushed z where the activation "
                       f"is flat, so the gradient has all but vanished (largest |∂J/∂θ| = "
                       f"{format_number(largest)}) and gradient descent cannot climb back. Press Reset (Ctrl+R) to "
                       f"start again with a rate that trains.")
            kind = "stuck"
        else:
            message = (f"The cost rose from {format_number(best)} to {format_number(now)} and stays up: steps of "
                       f"η = {eta} are too long and overshoot the valley. Halve η (Shift+L) and carry on, or "
                       f"press Reset (Ctrl+R) to start again with a rate that trains.")
            kind = "overshoot"
        return Diagnosis(kind, best, now, largest, units, float(learning_rate), message)
    if not units:
        return None
    message = (f"Training makes no progress: {_units_text(net, units).lower()[0]}{_units_text(net, units)[1:]} (the activation is flat where z "
               f"lies) and the gradient has vanished (largest |∂J/∂θ| = {format_number(largest)}). Try a new "
               f"random start (Shift+I) or another initialization (I).")
    return Diagnosis("saturated", float(costs.min()), now, largest, units, float(learning_rate), message)
