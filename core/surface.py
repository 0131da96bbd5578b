"""Cost surfaces and slices: J over a grid of values of one or two parameters, others held.

This is the hot loop behind the live plots (a 128 x 128 grid over thousands of samples, redrawn while
training runs), so it is organised around what actually depends on what:

* layers before the first varied parameter's layer are computed once, for the data only;
* layers between the two parameters depend on the first grid axis only: (A, N, n);
* only from the second parameter's layer on is there a full (A, B, N) tensor. There the swept
  neuron's logit is *affine* in the second parameter, z = P + Q v with P, Q of shape (A, N). When
  the parameter reaches the cost along a single path (its layer is the output layer, or every later
  layer has one neuron — every pair of the lesson network), the rest is one fused pipeline
  (``_output_kernels``): the grid argument comes from one BLAS call per block, each later layer is
  R + w f(z) in place, there is one transcendental per layer, grid point and sample, and the sum
  over samples is a dot product. Other networks take a generic broadcast path, still chunked.
* everything runs in chunks of about a megabyte reusing buffers, so the working set stays in cache.

A parameter pair is accepted in either order; internally the earlier layer is the first axis.

Regularization (L1/L2 on the weights) is added after the data term: the penalty of the held weights
is a constant, and a varied weight contributes its own penalty along its grid axis. Softmax outputs
(whose loss couples the output neurons) take the generic broadcast path.
"""
from __future__ import annotations

import numpy as np

from ._output_kernels import Pipeline, path_activation_supported, reducer_for
from .network import Network, elementwise_cost, prepare_data, regularization_penalty

__all__ = ["cost_surface", "cost_slice"]

# Elements per working chunk of the generic (multi-layer) path: (chunk of A) x (chunk of B) x N x width.
_GENERIC_CHUNK = 1 << 17
# Elements of the per-row (A, N, width) arrays kept while the second axis is swept.
_ROW_CHUNK = 1 << 20


def _grid_values(values, label: str) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size == 0:
        raise ValueError(f"values for {label} must not be empty")
    return v


def _affine(act: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """act (..., n_in) @ W + b as a single BLAS call on the flattened leading axes."""
    lead = act.shape[:-1]
    z = np.ascontiguousarray(act).reshape(-1, W.shape[0]) @ W
    z += b
    return z.reshape(*lead, W.shape[1])


def _vary(z: np.ndarray, ref, delta: np.ndarray, act_prev: np.ndarray) -> np.ndarray:
    """z computed with the parameter at its held value -> z with the parameter moved by ``delta``.

    ``delta`` is shaped to broadcast as a grid axis (e.g. (A, 1, 1) or (1, B, 1)); only column j of
    z changes, by delta * a_prev[..., i] for a weight or by delta for a bias.
    """
    change = delta * act_prev[..., ref.i] if ref.kind == "w" else delta
    shape = np.broadcast_shapes(z.shape[:-1], np.shape(change)) + z.shape[-1:]
    out = np.empty(shape)
    out[...] = z
    out[..., ref.j] += change
    return out


class _Grid:
    """A network's parameters and data, frozen for one surface computation (the net is not touched)."""

    def __init__(self, net: Network, X, y):
        X, Y = prepare_data(net, X, y)
        self.X, self.Y = X, Y
        self.N = X.shape[0]
        self.W = [w.copy() for w in net.weights]
        self.b = [b.copy() for b in net.biases]
        self.acts = [net.activation(layer) for layer in range(net.depth)]
        self.loss = net.loss_function
        self.L = net.depth
        self.width = max(net.sizes)
        self.net = net

    def held(self, ref) -> float:
        return float(self.W[ref.layer][ref.i, ref.j] if ref.kind == "w" else self.b[ref.layer][ref.j])

    def forward(self, act, start, stop, variations):
        """Layers start..stop-1 on grid activations (GA, GB, N, n); returns (last z, last activation)."""
        z = None
        for layer in range(start, stop):
            z = _affine(act, self.W[layer], self.b[layer])
            for ref, delta in variations.get(layer, ()):
                z = _vary(z, ref, delta, act)
            act = self.acts[layer].forward(z)
        return z, act

    def mean_cost(self, z, act) -> np.ndarray:
        """Batch-mean cost of output logits/activations (..., N, n_out) -> (...)."""
        terms = elementwise_cost(self.acts[-1], self.loss, z, act, self.Y)
        return terms.sum(axis=-1).mean(axis=-1)


def cost_slice(net: Network, X, y, name: str, values) -> np.ndarray:
    """J with ``name`` = each of ``values`` (all else held), shape (len(values),); ``net`` is unchanged."""
    g = _Grid(net, X, y)
    ref = net.locate(name)
    v = _grid_values(values, name)
    act = g.X[None]  # (1, N, n_in): the slice axis is the leading one
    _, act = g.forward(act, 0, ref.layer, {})
    out = np.empty(v.size)
    rows = max(1, _ROW_CHUNK // (g.N * g.width))
    with np.errstate(over="ignore", under="ignore"):
        for a0 in range(0, v.size, rows):
            delta = (v[a0:a0 + rows] - g.held(ref))[:, None]
            z, a = g.forward(act, ref.layer, g.L, {ref.layer: [(ref, delta)]})
            out[a0:a0 + rows] = g.mean_cost(z, a)
    return out + _penalty_along(net, [(ref, v)])[0]


def cost_surface(net: Network, X, y, name_a: str, values_a, name_b: str, values_b) -> np.ndarray:
    """J on a grid: ``result[i, j]`` is the cost with name_a = values_a[i] and name_b = values_b[j].

    Any two different parameters of any network (same layer, different layers, weights or biases);
    all other parameters are held at their current values and ``net`` is not modified. Returns a
    float64 array of shape (len(values_a), len(values_b)).
    """
    if name_a == name_b:
        raise ValueError(f"a cost surface needs two different parameters, got {name_a!r} twice")
    ra, rb = net.locate(name_a), net.locate(name_b)
    va, vb = _grid_values(values_a, name_a), _grid_values(values_b, name_b)
    g = _Grid(net, X, y)
    with np.errstate(over="ignore", under="ignore"):
        if rb.layer < ra.layer:
            out = np.ascontiguousarray(_surface(g, rb, vb, ra, va).T)
        else:
            out = _surface(g, ra, va, rb, vb)
    pen_a, pen_b = _penalty_along(net, [(ra, va), (rb, vb)])
    out += np.reshape(pen_a, (-1, 1)) if np.ndim(pen_a) else pen_a
    out += np.reshape(pen_b, (1, -1)) if np.ndim(pen_b) else pen_b
    return out


def _penalty_along(net: Network, axes):
    """The regularization penalty with each (ref, values) of ``axes`` varied: the held weights'
    penalty is folded into the first entry (a scalar or an array along the first axis), each varied
    weight's own penalty is an array along its axis (0.0 for a bias or without regularization)."""
    kind, rate = net.regularization, net.regularization_rate
    if kind is None or rate == 0.0:
        return [0.0] * len(axes)
    total = net.penalty()
    parts = []
    for ref, values in axes:
        if ref.kind == "w":
            held = float(net.weights[ref.layer][ref.i, ref.j])
            total -= float(regularization_penalty(kind, rate, held))
            parts.append(regularization_penalty(kind, rate, values))
        else:
            parts.append(0.0)
    parts[0] = parts[0] + total
    return parts


def _surface(g: _Grid, ra, va, rb, vb) -> np.ndarray:
    la, lb, L, N = ra.layer, rb.layer, g.L, g.N
    A, B = va.size, vb.size
    out = np.empty((A, B))
    # Layers before the first parameter: once, for the data only. Grid layout (GA, GB, N, n).
    _, prefix = g.forward(g.X[None, None], 0, la, {})
    reducer = _fast_reducer(g, lb)
    if reducer is not None:
        rows = max(1, min(A, _ROW_CHUNK // (N * g.width)))
        cols = B
    else:
        cols = max(1, min(B, _GENERIC_CHUNK // (N * g.width)))
        rows = max(1, min(A, _GENERIC_CHUNK // (cols * N * g.width)))

    for a0 in range(0, A, rows):
        a1 = min(A, a0 + rows)
        delta_a = (va[a0:a1] - g.held(ra))[:, None, None]  # (rows, 1, 1): the first grid axis
        # Up to (not including) layer lb: depends on the first axis only.
        if la < lb:
            _, act_b = g.forward(prefix, la, lb, {la: [(ra, delta_a)]})
            same_layer = []
        else:
            act_b = prefix
            same_layer = [(ra, delta_a)]
        if reducer is not None:
            out[a0:a1] = _path_stage(g, reducer, act_b, same_layer, rb, vb)
            continue
        for b0 in range(0, B, cols):
            b1 = min(B, b0 + cols)
            delta_b = (vb[b0:b1] - g.held(rb))[None, :, None]  # (1, cols, 1)
            z, act = g.forward(act_b, lb, L, {lb: same_layer + [(rb, delta_b)]})
            out[a0:a1, b0:b1] = g.mean_cost(z, act)
    return out


def _fast_reducer(g: _Grid, lb: int):
    """The fused reducer when, from layer ``lb`` on, the swept parameter reaches the cost along a
    single path (every later layer has one neuron); None otherwise (then the generic path runs)."""
    sizes = g.net.sizes
    if any(sizes[layer + 1] != 1 for layer in range(lb + 1, g.L)):
        return None
    if not all(path_activation_supported(g.acts[layer]) for layer in range(lb, g.L - 1)):
        return None
    return reducer_for(g.acts[-1], g.loss)


def _path_stage(g: _Grid, reducer, act_in, same_layer, rb, vb) -> np.ndarray:
    """From the second parameter's layer to the cost, along the single path it reaches it by.

    ``act_in`` (GA, 1, N, n_in) feeds layer ``rb.layer``; ``same_layer`` holds the first parameter's
    variation when it is in that layer too. The swept neuron's logit is z = P + Q v; each later
    (one-neuron) layer is R + w f(z). When the parameter is in the output layer, the output columns
    it does not touch add a per-row constant.
    """
    lb, L, j = rb.layer, g.L, rb.j
    z = g.forward(act_in, lb, lb + 1, {lb: same_layer})[0][:, 0]  # (GA, N, n_lb), b held
    act_in = act_in[:, 0]
    coef = act_in[..., rb.i] if rb.kind == "w" else np.ones((1, g.N))
    P = z[..., j] - coef * g.held(rb)
    Q = coef
    stages = []
    extra = 0.0
    if lb == L - 1:
        others = [k for k in range(z.shape[-1]) if k != j]
        if others:
            zo = z[..., others]
            terms = elementwise_cost(g.acts[-1], g.loss, zo, g.acts[-1].forward(zo), g.Y[:, others])
            extra = terms.sum(axis=(-1, -2))[:, None]
        y = g.Y[:, j]
    else:
        held = [k for k in range(z.shape[-1]) if k != j]
        W = g.W[lb + 1]
        R = g.b[lb + 1][0] + (g.acts[lb].forward(z[..., held]) @ W[held, 0] if held else 0.0)
        stages.append((g.acts[lb], W[j, 0], np.atleast_2d(R)))
        for layer in range(lb + 2, L):
            stages.append((g.acts[layer - 1], g.W[layer][0, 0], np.full((1, g.N), g.b[layer][0])))
        y = g.Y[:, 0]
    pipe = Pipeline(P, Q, vb, stages, reducer.scale)
    return (reducer(pipe, y) + extra) / g.N
