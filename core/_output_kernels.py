"""Fused output-layer kernels for the cost surface: the innermost, hottest loop of the app.

Each kernel receives an output logit that is affine in the swept parameter,
z[g, k, n] = P[g, n] + Q[g, n] * v[k] (g: first grid axis, k: second grid axis, n: sample),
and returns S[g, k] = sum_n loss(f(z[g, k, n]), y[n]) for one output column.

What makes them fast, in numpy alone:

* the (G, K, N) argument is produced by a single BLAS call per block, [v_k, 1] @ [Q_g; P_g], which
  does the multiply and the add in one pass over memory;
* sigmoid + squared error uses 1/2 (sigma(z) - y)^2 = 1/8 (tanh(z/2) + 1 - 2y)^2, so each grid
  point and sample costs one tanh and no division, and the sum over samples is two dot products
  (sum t^2 and sum (1 - 2y) t) instead of a subtract, a square and a sum;
* sigmoid + cross-entropy takes the y z part in closed form ((P . y) + (Q . y) v) so only the
  softplus touches the big tensor;
* linear + squared error is a quadratic in v: closed form, no big tensor at all;
* blocks of about a megabyte, one reused buffer, in-place ufuncs.
"""
from __future__ import annotations

import functools

import numpy as np

from .network import elementwise_cost

__all__ = ["output_kernel"]

_BLOCK = 1 << 17  # elements of the working buffer: 1 MiB of float64, resident in L2/L3
_SOFTPLUS_DIRECT_LIMIT = 700.0  # below this, log1p(exp(z)) cannot overflow (exp overflows at 709.78)

_rowdot = getattr(np, "vecdot", None) or (lambda a, b: np.einsum("ij,ij->i", a, b))


class _AffineBlocks:
    """z = scale * (P + Q v), block by block, into one reused buffer."""

    def __init__(self, P, Q, v, scale=1.0):
        G, N = P.shape
        B = v.size
        self.G, self.B, self.N = G, B, N
        self.cols = min(B, max(1, _BLOCK // N))
        self.rows = max(1, min(G, _BLOCK // (self.cols * N)))
        self.PQ = np.empty((G, 2, N))
        np.multiply(Q, scale, out=self.PQ[:, 0])
        np.multiply(P, scale, out=self.PQ[:, 1])
        self.V = np.empty((B, 2))
        self.V[:, 0] = v
        self.V[:, 1] = 1.0
        self.buffer = np.empty(self.rows * self.cols * N)

    def __iter__(self):
        """Yields (g0, g1, k0, k1, z) with z the (g1-g0, k1-k0, N) block, computed in the buffer."""
        for g0 in range(0, self.G, self.rows):
            g1 = min(self.G, g0 + self.rows)
            for k0 in range(0, self.B, self.cols):
                k1 = min(self.B, k0 + self.cols)
                z = self.buffer[:(g1 - g0) * (k1 - k0) * self.N].reshape(g1 - g0, k1 - k0, self.N)
                np.matmul(self.V[k0:k1], self.PQ[g0:g1], out=z)
                yield g0, g1, k0, k1, z


def _sigmoid_squared_error(P, Q, v, y):
    c = 1.0 - 2.0 * y
    cc = float(c @ c)
    blocks = _AffineBlocks(P, Q, v, scale=0.5)
    out = np.empty((blocks.G, blocks.B))
    for g0, g1, k0, k1, t in blocks:
        np.tanh(t, out=t)
        flat = t.reshape(-1, blocks.N)
        s = _rowdot(flat, flat)
        s += 2.0 * (flat @ c)
        s += cc
        s *= 0.125
        out[g0:g1, k0:k1] = s.reshape(g1 - g0, k1 - k0)
    return out


def _sigmoid_cross_entropy(P, Q, v, y):
    linear = (P @ y)[:, None] + (Q @ y)[:, None] * v[None, :]
    reach = P + np.maximum(Q * v.max(), Q * v.min())
    direct = bool(np.all(reach < _SOFTPLUS_DIRECT_LIMIT))  # NaNs fail this too: take the safe path
    blocks = _AffineBlocks(P, Q, v)
    ones = np.ones(blocks.N)
    out = np.empty((blocks.G, blocks.B))
    for g0, g1, k0, k1, z in blocks:
        if direct:
            np.exp(z, out=z)
            np.log1p(z, out=z)
        else:
            np.logaddexp(0.0, z, out=z)
        out[g0:g1, k0:k1] = (z.reshape(-1, blocks.N) @ ones).reshape(g1 - g0, k1 - k0)
    out -= linear
    return out


def _linear_squared_error(P, Q, v, y):
    # 1/2 sum_n (P + Q v - y)^2 = 1/2 (|r|^2 + 2 (r . Q) v + |Q|^2 v^2) with r = P - y.
    r = P - y
    s0, s1, s2 = _rowdot(r, r), _rowdot(r, Q), _rowdot(Q, Q)
    return 0.5 * (s0[:, None] + 2.0 * s1[:, None] * v[None, :] + s2[:, None] * (v * v)[None, :])


def _generic(activation, loss, P, Q, v, y):
    blocks = _AffineBlocks(P, Q, v)
    out = np.empty((blocks.G, blocks.B))
    for g0, g1, k0, k1, z in blocks:
        terms = elementwise_cost(activation, loss, z, activation.forward(z), y)
        out[g0:g1, k0:k1] = terms.sum(axis=-1)
    return out


def output_kernel(activation, loss):
    """The kernel for this output activation and loss, or None when the fused form does not apply
    (an activation that mixes neurons, or a loss that is not a sum of per-output terms)."""
    if not activation.elementwise or not loss.separable:
        return None
    if activation.name == "sigmoid" and loss.name == "squared_error":
        return _sigmoid_squared_error
    if activation.name == "sigmoid" and loss.logit_activation == "sigmoid":
        return _sigmoid_cross_entropy
    if activation.name == "linear" and loss.name == "squared_error":
        return _linear_squared_error
    return functools.partial(_generic, activation, loss)
