"""Per-sample losses J_n(y_hat, y) and their derivatives, numeric and symbolic.

Conventions (shared by the network, the chain-rule breakdown and the cost surface):

* ``value(y_hat, y)`` is the loss of each sample, shape (N,), *summed over the outputs*;
  the cost the app plots and training minimises is the batch mean J = (1/N) sum_n J_n.
* ``derivative(y_hat, y)`` is dJ_n/dy_hat per sample and output, shape (N, n_out) — the first
  factor of every chain (the 1/N of the batch mean is applied when gradients are averaged).
* ``elementwise(y_hat, y)`` is the per-output term before the sum, broadcasting over any leading
  axes; the cost surface uses it on (grid, grid, N, n_out) tensors.

Binary cross-entropy is evaluated *from the logit* z whenever the output activation is the sigmoid
(``logit_activation``): log(1 + e^z) - y z is exact for every z, whereas log(sigmoid(z)) loses
everything once sigmoid(z) rounds to 1. For other output activations y_hat is clipped to
[eps, 1 - eps] so the logarithms stay finite. Likewise the categorical ``cross_entropy`` is taken
from the logits of a softmax output (y_k (logsumexp(z) - z_k)), finite at logits of +-1000.

``LOSSES`` lists the lesson's losses (the app's cost menu); ``ALL_LOSSES`` adds ``cross_entropy``,
which needs a multi-output (softmax) network to make sense.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Loss", "LOSSES", "ALL_LOSSES", "BCE_EPSILON"]

# Far enough from 0 and 1 that the clip never touches a sigmoid output in ordinary ranges
# (|z| < 27), so gradients there match finite differences; close enough that the cost of a
# confidently wrong prediction is large (~27.6) but finite.
BCE_EPSILON = 1e-12


def _targets_like(y_hat, y):
    """Targets as float64 with y_hat's shape, accepting (N,) for a single output."""
    y_hat = np.asarray(y_hat, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != y_hat.shape and y.ndim == y_hat.ndim - 1 and y_hat.shape[-1] == 1:
        y = y[..., None]
    return y_hat, y


class Loss:
    """A per-sample loss; see the module docstring for shapes and conventions."""

    name: str = ""
    title: str = ""
    latex: str = ""        # the per-sample formula the app shows
    batch_latex: str = ""  # the batch cost: the mean of the per-sample formula
    separable: bool = True  # J_n is a sum of independent per-output terms (the surface exploits it)
    logit_activation: str | None = None  # output activation whose logit gives an exact, stable loss

    def elementwise(self, y_hat, y):
        raise NotImplementedError

    def value(self, y_hat, y):
        """Per-sample loss, shape (N,): the per-output terms summed over the outputs."""
        y_hat, y = _targets_like(y_hat, y)
        return self.elementwise(y_hat, y).sum(axis=-1)

    def derivative(self, y_hat, y):
        raise NotImplementedError

    def elementwise_from_logits(self, z, y):
        """Per-output terms from the output logits when the output activation is ``logit_activation``."""
        raise NotImplementedError

    def logit_delta(self, a, y):
        """dJ_n/dz of the output logits when the loss is taken from them (exact, finite everywhere)."""
        raise NotImplementedError

    def symbolic(self, y_hat, y):
        raise NotImplementedError

    def symbolic_derivative(self, y_hat, y):
        """dJ/dy_hat in the form the lesson writes it (tests check it equals sympy.diff of symbolic)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Loss {self.name}>"


class SquaredError(Loss):
    name = "squared_error"
    title = "Squared error"
    latex = r"J = \frac{1}{2}\left(\hat{y} - y\right)^2"
    batch_latex = r"J = \frac{1}{N}\sum_{n=1}^{N} \frac{1}{2}\left(\hat{y}_n - y_n\right)^2"

    def elementwise(self, y_hat, y):
        d = np.subtract(y_hat, y, dtype=np.float64)
        return 0.5 * d * d

    def derivative(self, y_hat, y):
        y_hat, y = _targets_like(y_hat, y)
        return y_hat - y

    def symbolic(self, y_hat, y):
        import sympy
        return sympy.Rational(1, 2) * (y_hat - y) ** 2

    def symbolic_derivative(self, y_hat, y):
        return y_hat - y


class BinaryCrossEntropy(Loss):
    name = "binary_cross_entropy"
    title = "Binary cross-entropy"
    latex = r"J = -\left[y \log \hat{y} + (1 - y)\log(1 - \hat{y})\right]"
    batch_latex = (r"J = -\frac{1}{N}\sum_{n=1}^{N}\left[y_n \log \hat{y}_n"
                   r" + (1 - y_n)\log(1 - \hat{y}_n)\right]")
    logit_activation = "sigmoid"

    def elementwise(self, y_hat, y):
        p = np.clip(np.asarray(y_hat, dtype=np.float64), BCE_EPSILON, 1.0 - BCE_EPSILON)
        y = np.asarray(y, dtype=np.float64)
        return -(y * np.log(p) + (1.0 - y) * np.log1p(-p))

    def elementwise_from_logits(self, z, y):
        """The same loss with y_hat = sigmoid(z): log(1 + e^z) - y z, written so e^x never overflows."""
        z = np.asarray(z, dtype=np.float64)
        softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
        return softplus - np.asarray(y, dtype=np.float64) * z

    def logit_delta(self, a, y):
        return a - y  # d/dz [log(1 + e^z) - y z] exactly; no 0 * inf at saturation

    def derivative(self, y_hat, y):
        """(y_hat - y) / (y_hat (1 - y_hat)), with y_hat clipped like the value.

        Where the clip is active the true derivative of the clipped loss would be 0; we keep the
        unclipped formula's direction instead, so a saturated wrong prediction still says which way
        to move. (With a sigmoid output the network multiplies this by a(1 - a) only for display;
        its gradient uses the exact fused form a - y.)
        """
        y_hat, y = _targets_like(y_hat, y)
        p = np.clip(y_hat, BCE_EPSILON, 1.0 - BCE_EPSILON)
        return (p - y) / (p * (1.0 - p))

    def symbolic(self, y_hat, y):
        import sympy
        return -(y * sympy.log(y_hat) + (1 - y) * sympy.log(1 - y_hat))

    def symbolic_derivative(self, y_hat, y):
        return (y_hat - y) / (y_hat * (1 - y_hat))


class CrossEntropy(Loss):
    """Categorical cross-entropy -sum_k y_k log y_hat_k, for softmax outputs and one-hot targets.

    With a softmax output it is computed from the logits, y_k (logsumexp(z) - z_k) per output: finite
    and exact even at logits of +-1000, and its gradient is the fused a sum_k y_k - y (= a - y for
    one-hot targets). With any other output activation y_hat is clipped to [eps, 1] like binary
    cross-entropy's.
    """

    name = "cross_entropy"
    title = "Cross-entropy"
    latex = r"J = -\sum_{k} y_k \log \hat{y}_k"
    batch_latex = r"J = -\frac{1}{N}\sum_{n=1}^{N}\sum_{k} y_{n,k} \log \hat{y}_{n,k}"
    logit_activation = "softmax"

    def elementwise(self, y_hat, y):
        p = np.clip(np.asarray(y_hat, dtype=np.float64), BCE_EPSILON, 1.0)
        return -np.asarray(y, dtype=np.float64) * np.log(p)

    def elementwise_from_logits(self, z, y):
        from .activations import log_softmax
        return -np.asarray(y, dtype=np.float64) * log_softmax(z)

    def logit_delta(self, a, y):
        return a * y.sum(axis=-1, keepdims=True) - y

    def derivative(self, y_hat, y):
        y_hat, y = _targets_like(y_hat, y)
        return -y / np.clip(y_hat, BCE_EPSILON, 1.0)

    def symbolic(self, y_hat, y):
        import sympy
        return -y * sympy.log(y_hat)

    def symbolic_derivative(self, y_hat, y):
        return -y / y_hat


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (SquaredError(), BinaryCrossEntropy())}
"""The lesson's losses (the app's cost menu): each applies to any output layer."""

ALL_LOSSES: dict[str, Loss] = {**LOSSES, "cross_entropy": CrossEntropy()}
"""Every loss a ``Network`` accepts: ``LOSSES`` plus the multi-class cross-entropy (softmax outputs)."""
