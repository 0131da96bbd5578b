"""Activation functions: the numeric forward pass, its derivative, and the same maths in sympy.

Each activation is one small object so that every view (the diagram, the chain-rule panel, the cost
surface) reads the *same* definition: the number the network computes, the local derivative
backpropagation multiplies, and the formula the learner is shown cannot drift apart.

sympy is imported lazily inside the ``symbolic*`` methods: importing it costs 0.3-2 s and the app's
start-up must not pay for that.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "sigmoid", "softplus", "softmax", "LEAKY_RELU_SLOPE", "ELU_ALPHA"]

LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0


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


def softplus(z):
    """log(1 + e^z) as logaddexp(0, z): never overflows, never warns, exact in both tails."""
    return np.logaddexp(0.0, np.asarray(z, dtype=np.float64))


def softmax(z, axis=-1):
    """e^z_j / sum_k e^z_k along ``axis`` (the layer's neurons), shifted by the max so it never overflows."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """log softmax(z) = z - logsumexp(z), stable for any finite logits (e.g. +-1000)."""
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True)))


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
    elementwise: bool = True  # False for activations that mix a layer's neurons (softmax)
    bounds: tuple | None = None   # (low, high) of every output, when the activation has such limits
    # What the derivative can be at most (LaTeX), so a learner reads off why a deep chain shrinks
    derivative_bound: str = ""

    def forward(self, z):
        raise NotImplementedError

    def derivative(self, z, a):
        raise NotImplementedError

    def symbolic(self, z):
        raise NotImplementedError

    def symbolic_derivative(self, z):
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """dJ/dz from dJ/da (both (..., n)): the vector-Jacobian product backpropagation needs.

        Elementwise activations multiply by ``derivative``; softmax overrides this because its
        Jacobian couples the layer's neurons.
        """
        return grad_a * self.derivative(z, a)

    def __repr__(self) -> str:
        return f"<Activation {self.name}>"


class Sigmoid(Activation):
    name = "sigmoid"
    derivative_bound = r"\le \tfrac{1}{4}"
    bounds = (0.0, 1.0)
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
    derivative_bound = r"\le 1"
    bounds = (-1.0, 1.0)
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
    derivative_bound = r"\in \{0, 1\}"
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


class LeakyReLU(Activation):
    """z for z > 0, 0.01 z otherwise: a ReLU whose negative side still passes a small gradient.
    Derivative at exactly 0 taken as the slope 0.01 (like ReLU's convention, the left value)."""

    name = "leaky_relu"
    derivative_bound = r"\in \{\alpha, 1\}"
    title = "Leaky ReLU"
    latex = r"\operatorname{LeakyReLU}"

    def forward(self, z):
        z = np.asarray(z, dtype=np.float64)
        return np.where(z > 0.0, z, LEAKY_RELU_SLOPE * z)

    def derivative(self, z, a):
        return np.where(np.asarray(z) > 0.0, 1.0, LEAKY_RELU_SLOPE)

    def symbolic(self, z):
        import sympy
        return sympy.Piecewise((z, z > 0), (sympy.Rational(1, 100) * z, True))

    def symbolic_derivative(self, z):
        import sympy
        return sympy.Piecewise((sympy.Integer(1), z > 0), (sympy.Rational(1, 100), True))


class ELU(Activation):
    """z for z > 0, e^z - 1 otherwise (alpha = 1): smooth at 0 with derivative 1 from both sides."""

    name = "elu"
    derivative_bound = r"\le 1"
    title = "ELU"
    latex = r"\operatorname{ELU}"

    def forward(self, z):
        z = np.asarray(z, dtype=np.float64)
        return np.where(z > 0.0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))  # no overflow for big z

    def derivative(self, z, a):
        z = np.asarray(z, dtype=np.float64)
        return np.where(z > 0.0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))

    def symbolic(self, z):
        import sympy
        return sympy.Piecewise((z, z > 0), (sympy.exp(z) - 1, True))

    def symbolic_derivative(self, z):
        import sympy
        return sympy.Piecewise((sympy.Integer(1), z > 0), (sympy.exp(z), True))


class Softplus(Activation):
    """log(1 + e^z), computed as logaddexp(0, z); its derivative is the sigmoid."""

    name = "softplus"
    derivative_bound = r"< 1"
    title = "Softplus"
    latex = r"\operatorname{softplus}"

    def forward(self, z):
        return softplus(z)

    def derivative(self, z, a):
        return sigmoid(z)

    def symbolic(self, z):
        from .symbolic import softplus as sym_softplus
        return sym_softplus(z)

    def symbolic_derivative(self, z):
        from .symbolic import sigmoid as sym_sigmoid
        return sym_sigmoid(z)


class Softmax(Activation):
    """a_j = e^{z_j} / sum_k e^{z_k} over a layer's neurons: an output layer's class probabilities.

    Not elementwise: da_j/dz_k = a_j (delta_jk - a_k). ``derivative`` returns only the diagonal
    a_j (1 - a_j) (what a per-neuron view such as the chain panel can show); backpropagation uses
    ``backward``, the full Jacobian product a * (g - sum_k g_k a_k). With the cross-entropy loss the
    network skips both and uses the exact fused dJ/dz = a - y.
    """

    name = "softmax"
    bounds = (0.0, 1.0)
    title = "Softmax"
    latex = r"\operatorname{softmax}"
    elementwise = False

    def forward(self, z):
        return softmax(z)

    def derivative(self, z, a):
        return a * (1.0 - a)

    def backward(self, z, a, grad_a):
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))

    def symbolic(self, z):
        """softmax_j as an opaque function of z_j (the other logits of the layer are implicit)."""
        import sympy
        return sympy.Function("softmax")(z)

    def symbolic_derivative(self, z):
        """The Jacobian's diagonal entry da_j/dz_j = softmax_j (1 - softmax_j)."""
        import sympy
        s = self.symbolic(z)
        return sympy.Mul(s, 1 - s, evaluate=False)


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (Sigmoid(), Tanh(), ReLU(), Linear(), LeakyReLU(), ELU(),
                                                          Softplus(), Softmax())}
