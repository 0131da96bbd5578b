"""The live quantities a lesson's expressions name (x, y, z1, a1, z2, a2, w1 … b2, dJ_dw2, eta, J …)
and the evaluation of those expressions.

The numbers are the ones the panels show: node values from the shown network's forward pass at the
chosen sample, parameters and the batch gradient dJ/dθ from the session's snapshot, η and the cost
J of that snapshot. So "type ∂J/∂a2" is checked against the very a2 the diagram writes.

Expressions are read by the studio's own whitelisting formula parser (core.formula.parser, with the
quantity names as extra variables): a lesson file is text from anywhere, never handed to eval or
sympify.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .model import Expression

__all__ = ["FIXED_NAMES", "QuantityMissing", "compile_expression", "evaluate", "network_quantities",
           "race_quantities", "health_quantities", "function_quantities", "plain", "quantity_names_in"]

#: Names that do not depend on the network's shape.
FIXED_NAMES = {
    "x": "the input of the chosen sample", "y": "its target", "yhat": "the network's output ŷ there",
    "J": "the cost over the batch", "eta": "the learning rate η", "N": "the number of training samples",
    "step": "the number of steps taken", "x0": "the Function lab's point x0",
    "h_x0": "the Function lab's h(x0)", "dh_x0": "the Function lab's h′(x0)",
    "J_best": "the lowest cost among a race's runs",
}
# Names that follow the network: nodes z1, a2 (z2_1 for neuron 1 of a wider layer), inputs x1, targets
# y1, parameters w1, b2, w2_1_3 (the studio's w2.1.3), gradients dJ_dw2.
# prev_w2: a parameter one step earlier; J_sgd, J_momentum …: a race's runs' costs (by update rule);
# delta1 …: the gradient-health size of δ in layer 1 … (health_quantities).
_SHAPED = re.compile(r"(?:[za]\d+(?:_\d+)?|[xy]\d+|(?:prev_)?[wb]\d+(?:_\d+)*|dJ_d[wb]\d+(?:_\d+)*"
                     r"|J_[a-z]+|delta\d+)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class QuantityMissing(KeyError):
    """An expression names a quantity the studio does not have now (z3 on a 1 → 1 → 1 network)."""

    def __str__(self) -> str:
        return f"{self.args[0]} is not a quantity of the network shown now"


def plain(name: str) -> str:
    """A studio name as an expression writes it: w2.1.3 -> w2_1_3."""
    return name.replace(".", "_")


def quantity_names_in(text: str) -> set[str]:
    """Every identifier of `text` that can be a quantity (the parser is told these are names)."""
    return {word for word in _IDENTIFIER.findall(text) if word in FIXED_NAMES or _SHAPED.fullmatch(word)}


def compile_expression(text: str, line: int) -> Expression:
    """`text` parsed once, as an Expression; ValueError with the parser's message when it is not one."""
    from ..formula.parser import FormulaError, parse_formula
    import sympy

    names = quantity_names_in(text)
    symbols = {name: sympy.Symbol(name, real=True) for name in names}
    try:
        tree = parse_formula(text, symbols)
    except FormulaError as error:
        raise ValueError(error.message) from None
    return Expression(text, line, tree)


def evaluate(expression: Expression, values: dict[str, float]) -> float:
    """The expression's value for these quantities; QuantityMissing names one it needs but lacks."""
    tree = expression.tree
    if tree is None:
        tree = compile_expression(expression.text, expression.line).tree
    import sympy

    replacements = {}
    for symbol in tree.free_symbols:
        if symbol.name not in values:
            raise QuantityMissing(symbol.name)
        replacements[symbol] = sympy.Float(values[symbol.name])
    try:
        value = float(tree.xreplace(replacements).evalf())
    except (TypeError, ValueError):   # complex or undefined there
        return math.nan
    return value


def network_quantities(snapshot, sample: int) -> dict[str, float]:
    """The quantities of the shown snapshot at `sample` (0-based index into its training data)."""
    net, X, y = snapshot.network, np.asarray(snapshot.X), np.asarray(snapshot.y)
    values: dict[str, float] = {"J": float(snapshot.cost), "eta": float(snapshot.learning_rate),
                                "N": float(len(X)), "step": float(snapshot.step)}
    for name, value, gradient in zip(snapshot.names, snapshot.theta, snapshot.gradient):
        values[plain(name)] = float(value)
        values[f"dJ_d{plain(name)}"] = float(gradient)
    previous = getattr(snapshot, "previous_theta", None)
    if previous is not None:   # after a step: where it started, so "how far did w1 move?" is w1 - prev_w1
        for name, value in zip(snapshot.names, previous):
            values[f"prev_{plain(name)}"] = float(value)
    values.update(race_quantities(snapshot))
    if not len(X):
        return values
    sample = min(max(int(sample), 0), len(X) - 1)
    row, target = X[sample:sample + 1], np.atleast_1d(y[sample])
    for i, value in enumerate(row[0]):
        values[f"x{i + 1}"] = float(value)
    values["x"] = float(row[0][0])
    for k, value in enumerate(target):
        values[f"y{k + 1}"] = float(value)
    values["y"] = float(target[0])
    trace = net.forward(row)
    for layer, (z, a) in enumerate(zip(trace.zs, trace.activations[1:])):
        width = z.shape[1]
        for j in range(width):
            suffix = f"{layer + 1}" if width == 1 else f"{layer + 1}_{j + 1}"
            values[f"z{suffix}"] = float(z[0, j])
            values[f"a{suffix}"] = float(a[0, j])
    values["yhat"] = float(trace.activations[-1][0, 0])
    return values


def race_quantities(snapshot) -> dict[str, float]:
    """While a race is on: each run's cost at the shown step by its update rule (J_sgd, J_momentum,
    J_adam …, the names the race dialog and core.RULES use) and the lowest of them, J_best, so a
    choice can ask which optimizer is ahead on the live race ("Adam if J_adam - J_best < 1e-12")."""
    if not getattr(snapshot, "racing", False) or snapshot.rule is None:
        return {}
    from ..update_rules import RULES

    costs = {f"J_{snapshot.rule.name}": float(snapshot.cost)}
    # the other runs are traces labelled "Momentum η 0.2": the rule by its title (AdamW before Adam)
    titles = sorted(RULES.items(), key=lambda item: -len(item[1].title))
    for trace in snapshot.others:
        for name, rule in titles:
            if trace.label.startswith(f"{rule.title} η"):
                costs.setdefault(f"J_{name}", float(trace.cost))
                break
    costs["J_best"] = min(costs.values())
    return costs


def health_quantities(snapshot) -> dict[str, float]:
    """delta1, delta2 …: the size of the backpropagated signal δ in each layer (first layer first),
    the numbers the gradient-health panel draws (core.gradient_health on the shown step). A backward
    pass over the training set: asked for only by steps that name these quantities."""
    from ..gradient_health import gradient_health

    if not len(snapshot.X):
        return {}
    health = gradient_health(snapshot.network, snapshot.X, snapshot.y)
    return {f"delta{layer + 1}": float(value) for layer, value in enumerate(health.delta_norms)}


def function_quantities(x0: float, h: float, dh: float) -> dict[str, float]:
    """The Function lab's point and the values there."""
    return {"x0": float(x0), "h_x0": float(h), "dh_x0": float(dh)}
