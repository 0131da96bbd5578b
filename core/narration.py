"""A narrated update: one optimizer step broken into the sub-steps a learner reads one at a time.

``narrate_update(rule, gradient, state, theta, learning_rate, index)`` returns the sub-steps of the
rule's update at parameter ``index`` — gradient, then velocity or moments, then bias correction, then
the step — each with its formula (LaTeX, for the parameter written ``symbol``), its numbers there and
the arrow on the cost surface that shows it.
The numbers come from running the rule's own ``update`` (so the narrated step is the step that will
be taken, to the last bit) and from the state it returns; the formulas are the rule's, written out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .run import format_number
from .update_rules import AdaGrad, Adam, Momentum, RMSprop, SGD

__all__ = ["NarratedStep", "narrate_update"]


@dataclass(frozen=True)
class NarratedStep:
    title: str          # what this sub-step does, in words
    latex: str          # its formula
    value: float        # its number at the parameter
    note: str = ""      # why it is there
    arrow: str = ""     # the arrow of the update (core.update_parts) that draws it: "gradient" (−ηg),
    #                     "velocity" (−ηv, −ηm̂), "scaled" (the per-parameter rates), "step" (Δθ)


def _n(value: float) -> str:
    return format_number(float(value))


def narrate_update(rule, gradient, state: dict, theta, learning_rate: float, index: int,
                   symbol: str = r"\theta") -> tuple[tuple[NarratedStep, ...], np.ndarray, dict]:
    """(sub-steps, new θ, new state) of ``rule``'s update at parameter ``index``."""
    gradient, theta = np.asarray(gradient, dtype=float), np.asarray(theta, dtype=float)
    new_theta, new_state = rule.update(gradient, state, theta, learning_rate)
    i, g, t, eta = index, float(gradient[index]), float(theta[index]), learning_rate
    p = symbol
    steps = [NarratedStep("The gradient", rf"g = \frac{{\partial J}}{{\partial {p}}}", g,
                          "from the chain rule, over the batch", "gradient")]
    decay = getattr(rule, "weight_decay", 0.0)
    if decay and not getattr(rule, "decoupled", False):
        steps.append(NarratedStep("Weight decay added to the gradient", rf"g \leftarrow g + \lambda {p}",
                                  g + decay * t, f"λ = {_n(decay)} pulls the parameter towards 0", "gradient"))
        g = g + decay * t
    if isinstance(rule, Momentum):
        mu = rule.momentum
        v = float(new_state["velocity"][i])
        formula = r"v \leftarrow g" if state["t"] == 0 else rf"v \leftarrow \mu v + g"
        if rule.dampening and state["t"]:
            formula = rf"v \leftarrow \mu v + (1 - {_n(rule.dampening)})\,g"
        steps.append(NarratedStep("The velocity remembers past gradients", formula, v,
                                  f"μ = {_n(mu)}: about {_n(1 / (1 - mu)) if mu < 1 else '∞'} gradients' worth", "velocity"))
        if rule.nesterov:
            steps.append(NarratedStep("Look ahead along the velocity", r"d = g + \mu v", g + mu * v,
                                      "Nesterov: the step uses the gradient plus where the velocity goes", "velocity"))
    elif isinstance(rule, AdaGrad):
        s = float(new_state["sum"][i])
        steps.append(NarratedStep("Add the squared gradient to the running sum", r"s \leftarrow s + g^2", s,
                                  "steep parameters collect a large sum and slow down", "scaled"))
        steps.append(NarratedStep("Scale the step by the sum", rf"\eta_{p} = \frac{{\eta}}{{\sqrt{{s}} + \epsilon}}",
                                  float(eta / (1 + state["t"] * rule.lr_decay) / (np.sqrt(s) + rule.eps)),
                                  "this parameter's own learning rate", "scaled"))
    elif isinstance(rule, RMSprop):
        v = float(new_state["square_avg"][i])
        steps.append(NarratedStep("Average the squared gradients", r"v \leftarrow \alpha v + (1 - \alpha)\,g^2", v,
                                  f"α = {_n(rule.alpha)}: old steepness is forgotten", "scaled"))
        steps.append(NarratedStep("Scale the step by the average", rf"\eta_{p} = \frac{{\eta}}{{\sqrt{{v}} + \epsilon}}",
                                  float(eta / (np.sqrt(v) + rule.eps)), "this parameter's own learning rate", "scaled"))
    elif isinstance(rule, Adam):
        beta1, beta2 = rule.betas
        k = state["t"] + 1
        if rule.decoupled and rule.weight_decay:
            steps.append(NarratedStep("Decay the parameter (AdamW)", rf"{p} \leftarrow {p}\,(1 - \eta\lambda)",
                                      t * (1 - eta * rule.weight_decay), "decoupled from the moments", "step"))
        m, v = float(new_state["exp_avg"][i]), float(new_state["exp_avg_sq"][i])
        steps.append(NarratedStep("First moment: the average gradient", r"m \leftarrow \beta_1 m + (1 - \beta_1)\,g",
                                  m, f"β₁ = {_n(beta1)}", "velocity"))
        steps.append(NarratedStep("Second moment: the average squared gradient",
                                  r"v \leftarrow \beta_2 v + (1 - \beta_2)\,g^2", v, f"β₂ = {_n(beta2)}", "scaled"))
        if rule.bias_correction:
            steps.append(NarratedStep("Bias correction: m and v started at 0, so early averages are too small",
                                      rf"\hat m = \frac{{m}}{{1 - \beta_1^{{{k}}}}}", m / (1 - beta1 ** k),
                                      f"v̂ = v / (1 − β₂^{k}) = {_n(v / (1 - beta2 ** k))}", "velocity"))
        else:
            steps.append(NarratedStep("No bias correction: the first steps use the too-small m and v",
                                      r"\hat m = m", m, "switch it on to see the first steps speed up", "velocity"))
    elif not isinstance(rule, SGD):
        raise ValueError(f"no narration for {rule.name!r}")
    steps.append(NarratedStep("The step", rf"{p} \leftarrow {p} + \Delta{p}", float(new_theta[i]),
                              f"Δ = {_n(new_theta[i] - t)} (from {_n(t)}, η = {_n(eta)})", "step"))
    return tuple(steps), new_theta, new_state
