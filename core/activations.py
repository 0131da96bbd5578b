"""Activation functions: the numeric forward pass, its derivative, and the same maths in sympy.

Each activation is one small object so that every view (the diagram, the chain-rule panel, the cost
surface) reads the *same* definition: the number the network computes, the local derivative
backpropagation multiplies, and the formula the learner is shown cannot drift apart.

sympy is imported lazily inside the ``symbolic*`` methods: importing it costs 0.3-2 s and the app's
start-up must not pay for that.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "sigmoid"]


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z), stable for any float64 input.

    Written with e^-|z| so the exponential never overflows (no warnings even for |z| = 1e300) and
    the result keeps full *relative* precision in both tails: sigmoid(-40) is 4.2e-18, not 0,
    which keeps the local derivative a(1 - a) meaningful where the neuron saturates.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]; underflows quietly to 0 for huge |z|
    numerator = np.where(z >= 0.0, 1.0, e)
    return numerator / (1.0 + e)


class Activation:
    """An elementwise activation a = f(z).

    ``forward(z)`` and ``derivative(z, a)`` are numpy (float64). ``derivative`` receives both z and
    the already computed a = f(z) because several derivatives are cheapest in terms of a
    (sigmoid: a(1 - a); tanh: 1 - a^2) and backpropagation has a at hand anyway.
    ``symbolic(z)`` / ``symbolic_derivative(z)`` return sympy expressions, the derivative written in
    the form a textbook uses (sigma(z)(1 - sigma(z)), 1 - tanh^2 z), not whatever sympy.diff prints.
    """

    name: str = ""
    title: str = ""
    latex: str = ""
    elementwise: bool = True  # False for activations that mix a layer's neurons (softmax, later)

    def forward(self, z):
        raise NotImplementedError

    def derivative(self, z, a):
        raise NotImplementedError

    def symbolic(self, z):
        raise NotImplementedError

    def symbolic_derivative(self, z):
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Activation {self.name}>"


class Sigmoid(Activation):
    name = "sigmoid"
    title = "Sigmoid"
    latex = r"\sigma"

    def forward(self, z):
        return sigmoid(z)

    def derivative(self, z, a):
        return a * (1.0 - a)

    def symbolic(self, z):
        from .symbolic import sigmoid as sym_sigmoid
        return sym_sigmoid(z)

    def symbolic_derivative(self, z):
        from .symbolic import sigmoid as sym_sigmoid
        import sympy
        s = sym_sigmoid(z)
        return sympy.Mul(s, 1 - s, evaluate=False)  # kept in this order: sigma(z)(1 - sigma(z))


class Tanh(Activation):
    name = "tanh"
    title = "Hyperbolic tangent"
    latex = r"\tanh"

    def forward(self, z):
        return np.tanh(np.asarray(z, dtype=np.float64))

    def derivative(self, z, a):
        return 1.0 - a * a

    def symbolic(self, z):
        import sympy
        return sympy.tanh(z)

    def symbolic_derivative(self, z):
        import sympy
        return 1 - sympy.tanh(z) ** 2


class ReLU(Activation):
    """max(0, z). Its derivative at exactly z = 0 is taken as 0 (numerically) — a convention; the
    symbolic form is the Heaviside step, whose value at 0 sympy leaves as 1/2."""

    name = "relu"
    title = "ReLU"
    latex = r"\operatorname{ReLU}"

    def forward(self, z):
        return np.maximum(np.asarray(z, dtype=np.float64), 0.0)

    def derivative(self, z, a):
        return (np.asarray(z) > 0.0).astype(np.float64)

    def symbolic(self, z):
        import sympy
        return sympy.Max(0, z)

    def symbolic_derivative(self, z):
        import sympy
        return sympy.Heaviside(z)


class Linear(Activation):
    """The identity: a layer with it is purely affine (a regression output, for example)."""

    name = "linear"
    title = "Linear (identity)"
    latex = r"\operatorname{id}"

    def forward(self, z):
        return np.array(z, dtype=np.float64, copy=True)

    def derivative(self, z, a):
        return np.ones_like(np.asarray(z, dtype=np.float64))

    def symbolic(self, z):
        return z

    def symbolic_derivative(self, z):
        import sympy
        return sympy.Integer(1)


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (Sigmoid(), Tanh(), ReLU(), Linear())}
