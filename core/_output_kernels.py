"""Fused kernels for the cost surface: the innermost, hottest loop of the app.

They cover the common case where, from the second grid parameter's layer on, the network is a single
path to one output column: the parameter moves one neuron's logit *affinely*,
z[g, k, n] = P[g, n] + Q[g, n] v[k] (g: first grid axis, k: second grid axis, n: sample), and every
later layer on the path is z' = R[g, n] + w f(z) (R: the held neurons' contribution plus the bias).
``Pipeline`` produces that (G, K, N) tensor block by block; a ``Reducer`` turns a block of output
logits into S[g, k] = sum_n loss(f_out(z), y_n).

What makes them fast, in numpy alone:

* the argument is produced by one BLAS call per block, [v_k, 1] @ [Q_g; P_g], doing the multiply
  and the add in one pass; every constant scale (below) is folded into it or into the next layer;
* a sigmoid is evaluated as 1/2 + 1/2 tanh(z/2): one transcendental and no division, with the 1/2s
  folded into neighbouring affine steps (absolute accuracy 1e-16, which is all a cost needs);
* sigmoid + squared error uses 1/2 (sigma(z) - y)^2 = 1/8 (tanh(z/2) + 1 - 2y)^2, so the sum over
  samples is two dot products (sum t^2 and sum (1 - 2y) t), not a subtract, a square and a sum;
* sigmoid + cross-entropy is log(1 + e^z) - y z: exp and log1p in place (logaddexp only for a block
  that overflowed), the y z part one matrix-vector product;
* linear + squared error with nothing after the parameter is a quadratic in v: closed form;
* blocks of about a megabyte, one reused buffer, in-place ufuncs.

So the lesson's (w1, w2) surface costs one tanh per grid point and sample, (w1, b1) two.
"""
from __future__ import annotations

import numpy as np

from .network import elementwise_cost

__all__ = ["Pipeline", "reducer_for", "path_activation_supported"]

_BLOCK = 1 << 17  # elements of the working buffer: 1 MiB of float64, resident in L2/L3

_rowdot = getattr(np, "vecdot", None) or (lambda a, b: np.einsum("ij,ij->i", a, b))


def _relu_inplace(z, out):
    return np.maximum(z, 0.0, out=out)


# f(z) = post_b + post_w * g(pre * z) with g an in-place ufunc (None: identity).
_SANDWICH = {
    "sigmoid": (0.5, np.tanh, 0.5, 0.5),
    "tanh": (1.0, np.tanh, 1.0, 0.0),
    "relu": (1.0, _relu_inplace, 1.0, 0.0),
    "linear": (1.0, None, 1.0, 0.0),
}


def path_activation_supported(activation) -> bool:
    """Hidden activations on the path must act elementwise (all current ones do)."""
    return activation.elementwise


def _sandwich(activation):
    if activation.name in _SANDWICH:
        return _SANDWICH[activation.name]

    def apply(z, out):  # any other elementwise activation: correct, just not in place
        out[...] = activation.forward(z)
        return out
    return (1.0, apply, 1.0, 0.0)


class Pipeline:
    """Blocks of the output logit along the path, scaled by ``out_scale`` for the reducer.

    ``stages`` lists, for each layer after the parameter's, (activation of the previous layer, w, R):
    z_next = R + w * activation(z). P, Q and every R broadcast to (G, N).
    """

    def __init__(self, P, Q, v, stages=(), out_scale=1.0):
        arrays = [np.asarray(P), np.asarray(Q)] + [np.asarray(R) for _, _, R in stages]
        G = max(a.shape[0] if a.ndim == 2 else 1 for a in arrays)
        N = np.shape(P)[-1]
        B = v.size
        self.G, self.B, self.N = G, B, N
        self.P = np.broadcast_to(P, (G, N))
        self.Q = np.broadcast_to(Q, (G, N))
        self.v = v
        self.cols = min(B, max(1, _BLOCK // N))
        self.rows = max(1, min(G, _BLOCK // (self.cols * N)))
        scales = [_sandwich(act)[0] for act, _, _ in stages] + [out_scale]
        self.PQ = np.empty((G, 2, N))
        np.multiply(self.Q, scales[0], out=self.PQ[:, 0])
        np.multiply(self.P, scales[0], out=self.PQ[:, 1])
        self.V = np.empty((B, 2))
        self.V[:, 0] = v
        self.V[:, 1] = 1.0
        self.ops = []
        for (act, w, R), s_next in zip(stages, scales[1:]):
            _, fn, post_w, post_b = _sandwich(act)
            C0 = np.empty((G, N))
            C0[...] = (np.asarray(R) + w * post_b) * s_next
            self.ops.append((fn, float(w * post_w * s_next), C0))
        self.buffer = np.empty(self.rows * self.cols * N)

    def blocks(self):
        """(g0, g1, k0, k1) of every block, in order."""
        for g0 in range(0, self.G, self.rows):
            for k0 in range(0, self.B, self.cols):
                yield g0, min(self.G, g0 + self.rows), k0, min(self.B, k0 + self.cols)

    def compute(self, g0, g1, k0, k1) -> np.ndarray:
        """The (g1-g0, k1-k0, N) block of scaled output logits, in the shared buffer."""
        z = self.buffer[:(g1 - g0) * (k1 - k0) * self.N].reshape(g1 - g0, k1 - k0, self.N)
        np.matmul(self.V[k0:k1], self.PQ[g0:g1], out=z)
        for fn, c1, C0 in self.ops:
            if fn is not None:
                fn(z, out=z)
            if c1 != 1.0:
                np.multiply(z, c1, out=z)
            np.add(z, C0[g0:g1, None, :], out=z)
        return z


class Reducer:
    """Sum over samples of an output column's loss, for every (g, k) of a Pipeline."""

    scale = 1.0  # the Pipeline delivers scale * z

    def __call__(self, pipe: Pipeline, y) -> np.ndarray:
        out = np.empty((pipe.G, pipe.B))
        for g0, g1, k0, k1 in pipe.blocks():
            z = pipe.compute(g0, g1, k0, k1)
            out[g0:g1, k0:k1] = self.block(pipe, z, y, (g0, g1, k0, k1)).reshape(g1 - g0, k1 - k0)
        return out

    def block(self, pipe, z, y, where) -> np.ndarray:
        raise NotImplementedError


class _SigmoidSquaredError(Reducer):
    scale = 0.5

    def __call__(self, pipe, y):
        self.c = 1.0 - 2.0 * y
        self.cc = float(self.c @ self.c)
        return super().__call__(pipe, y)

    def block(self, pipe, t, y, where):
        np.tanh(t, out=t)
        flat = t.reshape(-1, pipe.N)
        s = _rowdot(flat, flat)
        s += 2.0 * (flat @ self.c)
        s += self.cc
        s *= 0.125
        return s


class _SigmoidCrossEntropy(Reducer):
    def __call__(self, pipe, y):
        self.ones = np.ones(pipe.N)
        return super().__call__(pipe, y)

    def block(self, pipe, z, y, where):
        flat = z.reshape(-1, pipe.N)
        s = -(flat @ y)
        np.exp(z, out=z)
        np.log1p(z, out=z)
        softplus = flat @ self.ones
        if not np.all(np.isfinite(softplus)):  # e^z overflowed somewhere: redo this block stably
            z = pipe.compute(*where)
            np.logaddexp(0.0, z, out=z)
            softplus = z.reshape(-1, pipe.N) @ self.ones
        return s + softplus


class _LinearSquaredError(Reducer):
    def __call__(self, pipe, y):
        if pipe.ops:
            return super().__call__(pipe, y)
        # Nothing after the parameter: 1/2 sum_n (P + Q v - y)^2 is a quadratic in v.
        r = pipe.P - y
        s0, s1, s2 = _rowdot(r, r), _rowdot(r, pipe.Q), _rowdot(pipe.Q, pipe.Q)
        v = pipe.v[None, :]
        return 0.5 * (s0[:, None] + 2.0 * s1[:, None] * v + s2[:, None] * (v * v))

    def block(self, pipe, z, y, where):
        z -= y
        flat = z.reshape(-1, pipe.N)
        return 0.5 * _rowdot(flat, flat)


class _Generic(Reducer):
    def __init__(self, activation, loss):
        self.activation, self.loss = activation, loss

    def block(self, pipe, z, y, where):
        terms = elementwise_cost(self.activation, self.loss, z, self.activation.forward(z), y)
        return terms.reshape(-1, pipe.N).sum(axis=1)


def reducer_for(activation, loss) -> Reducer | None:
    """The reducer for this output activation and loss, or None when the fused form does not apply
    (an activation that mixes neurons, or a loss that is not a sum of per-output terms)."""
    if not activation.elementwise or not loss.separable:
        return None
    if activation.name == "sigmoid" and loss.name == "squared_error":
        return _SigmoidSquaredError()
    if activation.name == "sigmoid" and loss.logit_activation == "sigmoid":
        return _SigmoidCrossEntropy()
    if activation.name == "linear" and loss.name == "squared_error":
        return _LinearSquaredError()
    return _Generic(activation, loss)
