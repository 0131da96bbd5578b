"""Loss landscapes beyond two weights: the cost over a plane through parameter space.

A cost surface over two chosen parameters shows a tiny corner of a network's landscape. Li et al.
(2018, "Visualizing the Loss Landscape of Neural Nets") draw the cost over a plane spanned by two
*directions* through all the parameters at once:

* ``random_plane``: two Gaussian directions, **filter-normalized** — in each layer, the direction's
  incoming weights of every neuron (with this project's (n_in, n_out) weights, a *column*) are
  scaled to the norm of that neuron's incoming weights in the network, and biases are zero. Without
  this, a direction would move small-weight neurons relatively far and big-weight ones hardly at
  all, and planes of differently scaled networks could not be compared;
* ``pca_plane``: the first two principal components of the training path, the directions in which
  the parameters actually moved the most, with the share of the path's variance each explains.

``plane_surface`` evaluates the cost at centre + a d1 + b d2 over a grid, every grid point's forward
pass batched with numpy (chunks of a few grid points at a time, so memory stays bounded);
``project_path`` places a path on a plane *and says how far each point lies off it*: a projected
point can sit on a loss it never had, and a learner must be able to see that.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, elementwise_cost, prepare_data, regularization_penalty

__all__ = ["Plane", "PathProjection", "random_plane", "pca_plane", "plane_surface", "project_path",
           "costs_at"]

# Elements of the widest per-chunk activation array (grid points x samples x neurons): 1 MiB of
# float64, so a chunk's working set stays in cache whatever the grid.
_CHUNK_ELEMENTS = 1 << 17


@dataclass(frozen=True, eq=False)
class Plane:
    """A plane through parameter space: the points ``centre + a * d1 + b * d2``.

    ``explained`` holds the share of the path's variance along d1 and d2 for a PCA plane (None for
    other planes). Vectors are in ``Network.parameter_vector()`` order and read-only.
    """

    centre: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    explained: tuple[float, float] | None = None

    def point(self, a: float, b: float) -> np.ndarray:
        """The parameter vector at plane coordinates (a, b)."""
        return self.centre + a * self.d1 + b * self.d2


@dataclass(frozen=True, eq=False)
class PathProjection:
    """Path points placed on a plane.

    ``coords`` (T, 2): each point's plane coordinates (a, b), the least-squares fit; ``distance``
    (T,): how far the point lies off the plane (the norm of what the plane cannot express);
    ``relative_distance``: that distance over the point's distance from the centre (0 in the plane,
    near 1 when the plane misses the point's displacement almost entirely). With a network and data:
    ``true_cost`` (T,) the cost the point really had and ``plane_cost`` (T,) the surface's cost at
    its projection, which is what a drawing of the path on the surface suggests.
    """

    coords: np.ndarray
    distance: np.ndarray
    relative_distance: np.ndarray
    true_cost: np.ndarray | None = None
    plane_cost: np.ndarray | None = None


def _readonly(array) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


def _layer_slices(net: Network):
    """(weight slice, weight shape, bias slice) of every layer within the parameter vector."""
    out, offset = [], 0
    for W, b in zip(net.weights, net.biases):
        w_slice = slice(offset, offset + W.size)
        offset += W.size
        out.append((w_slice, W.shape, slice(offset, offset + b.size)))
        offset += b.size
    return out


def _filter_normalized(net: Network, rng: np.random.Generator) -> np.ndarray:
    direction = np.zeros(net.parameter_count)
    for W, (w_slice, shape, _) in zip(net.weights, _layer_slices(net)):
        D = rng.standard_normal(shape)
        column_norms = np.linalg.norm(D, axis=0)
        D *= np.linalg.norm(W, axis=0) / np.where(column_norms > 0, column_norms, 1.0)
        direction[w_slice] = D.ravel()   # biases stay 0 in the direction
    return direction


def random_plane(net: Network, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent filter-normalized Gaussian directions (d1, d2) for ``net``, from ``seed``.

    In each layer, column j of a direction's weights (neuron j's incoming weights) has the norm of
    column j of the network's weights; biases are 0. A neuron whose incoming weights are all 0
    gets a zero column. Vectors in ``net.parameter_vector()`` order, read-only.
    """
    rng = np.random.default_rng(seed)
    d1 = _filter_normalized(net, rng)
    d2 = _filter_normalized(net, rng)
    return _readonly(d1), _readonly(d2)


def pca_plane(thetas) -> Plane:
    """The plane of the first two principal components of a training path, centred on its end.

    ``thetas`` (T, P): the parameters at each recorded step, the final one last. As in Li et al.,
    the path is taken relative to its end (θ_t - θ_final) and its principal components are those of
    these differences (mean-centred, as PCA does), from numpy's SVD. ``explained`` is each
    component's share of the path's variance (its squared singular value over the sum of all).
    Each direction is a unit vector, signed so that the path's start has a coordinate >= 0.
    """
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.ndim != 2 or thetas.shape[0] < 3:
        raise ValueError(f"a PCA plane needs a path of at least 3 parameter vectors, got shape {thetas.shape}")
    centre = thetas[-1]
    moves = thetas - centre
    centred = moves - moves.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    variance = s * s
    total = float(variance.sum())
    if total == 0.0 or vt.shape[0] < 2:
        raise ValueError("the path does not move: it has no principal components")
    directions = vt[:2].copy()
    for k in range(2):
        if directions[k] @ moves[0] < 0:
            directions[k] = -directions[k]
    explained = (float(variance[0] / total), float(variance[1] / total))
    return Plane(_readonly(centre), _readonly(directions[0]), _readonly(directions[1]), explained)


# --------------------------------------------------------------------------- batched costs
# Hidden activations evaluated as post_b + post_w * g(pre * z), with the affine parts folded into the
# (small) per-grid-point weights, so each grid point and sample costs one exp, an add and a
# reciprocal for sigmoid and tanh (numpy's tanh is 2-3x slower than its exp).

def _inverse_one_plus_exp(x):
    """1 / (1 + e^x) in place: sigmoid(z) = g(-z), tanh(z) = 1 - 2 g(2z). e^x may overflow to inf,
    which gives exactly 0."""
    np.exp(x, out=x)
    x += 1.0
    return np.reciprocal(x, out=x)


def _relu(x):
    return np.maximum(x, 0.0, out=x)


_SANDWICH = {  # name: (pre, g, post_w, post_b)
    "sigmoid": (-1.0, _inverse_one_plus_exp, 1.0, 0.0),
    "tanh": (2.0, _inverse_one_plus_exp, -2.0, 1.0),
    "relu": (1.0, _relu, 1.0, 0.0),
    "linear": (1.0, None, 1.0, 0.0),
}


def _sandwich(activation):
    if activation.name in _SANDWICH:
        return _SANDWICH[activation.name]
    return (1.0, activation.forward, 1.0, 0.0)


class _BatchedNetwork:
    """Costs of one network shape and dataset at many parameter vectors, a chunk at a time.

    Every layer writes into its own preallocated buffer: a fresh megabyte array per layer and chunk
    costs page faults that took longer than the matrix products themselves.
    """

    def __init__(self, net: Network, X, y):
        self.X, self.Y = prepare_data(net, X, y)
        self.N = self.X.shape[0]
        self.slices = _layer_slices(net)
        self.acts = [net.activation(layer) for layer in range(net.depth)]
        self.loss = net.loss_function
        self.kind, self.rate = net.regularization, net.regularization_rate
        self.chunk = max(1, _CHUNK_ELEMENTS // (self.N * max(net.sizes[1:])))
        self.buffers = [np.empty((self.chunk, self.N, n)) for n in net.sizes[1:]]
        out = self.acts[-1]
        self.fused_softmax = out.name == "softmax" and self.loss.logit_activation == "softmax"
        if self.fused_softmax:
            self.flat_y = self.Y.ravel()
            self.y_sums = self.Y.sum(axis=1)
            self.row_buffers = (np.empty((self.chunk, self.N)), np.empty((self.chunk, self.N)))
        self.weight_mask = np.zeros(net.parameter_count, dtype=bool)
        for w_slice, _, _ in self.slices:
            self.weight_mask[w_slice] = True

    def costs(self, thetas: np.ndarray) -> np.ndarray:
        """Batch cost (penalty included) at each row of ``thetas`` (G <= chunk, P), batched."""
        G = thetas.shape[0]
        h = self.X         # the previous layer's g(...) output, (G, N, n); first the input X
        post_w, post_b = 1.0, 0.0
        last = len(self.slices) - 1
        for layer, (w_slice, shape, b_slice) in enumerate(self.slices):
            W = thetas[:, w_slice].reshape(G, *shape)
            b = thetas[:, b_slice]
            pre, g, next_w, next_b = (1.0, None, 1.0, 0.0) if layer == last else _sandwich(self.acts[layer])
            # z = (post_b + post_w h) @ W + b, times pre: folded into W and b (G small matrices)
            if post_b:
                b = b + post_b * W.sum(axis=1)
            scale = pre * post_w
            z = np.matmul(h, W * scale if scale != 1.0 else W, out=self.buffers[layer][:G])
            z += (b * pre if pre != 1.0 else b)[:, None, :]
            h = g(z) if g is not None else z
            post_w, post_b = next_w, next_b
        cost = self._mean_loss(z)
        if self.kind is not None and self.rate != 0.0:
            cost += regularization_penalty(self.kind, self.rate, thetas[:, self.weight_mask]).sum(axis=1)
        return cost

    def _mean_loss(self, z: np.ndarray) -> np.ndarray:
        """Mean over samples of the loss of output logits z (G, N, K) -> (G,)."""
        out = self.acts[-1]
        if not self.fused_softmax:
            a = None if self.loss.logit_activation == out.name else out.forward(z)
            return elementwise_cost(out, self.loss, z, a, self.Y).sum(axis=2).mean(axis=1)
        # softmax + cross-entropy: sum_k y_k (logsumexp(z) - z_k), column by column (a reduction
        # over a 3-wide last axis is slow in numpy), with z overwritten once y . z is taken
        G, K = z.shape[0], z.shape[2]
        yz = z.reshape(G, -1) @ self.flat_y
        top, total = (buffer[:G] for buffer in self.row_buffers)
        top[...] = z[..., 0]
        for k in range(1, K):
            np.maximum(top, z[..., k], out=top)
        z -= top[..., None]
        np.exp(z, out=z)
        total[...] = z[..., 0]
        for k in range(1, K):
            total += z[..., k]
        np.log(total, out=total)
        total += top
        return (total @ self.y_sums - yz) / self.N


def costs_at(net: Network, X, y, thetas) -> np.ndarray:
    """The batch cost (as ``net.cost``) at each parameter vector of ``thetas`` (G, P), batched;
    ``net`` only gives the shape, activations, loss and regularization and is not changed."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    if thetas.shape[1] != net.parameter_count:
        raise ValueError(f"expected {net.parameter_count} parameters per row, got {thetas.shape[1]}")
    batched = _BatchedNetwork(net, X, y)
    out = np.empty(thetas.shape[0])
    with np.errstate(over="ignore", under="ignore"):
        for g0 in range(0, thetas.shape[0], batched.chunk):
            out[g0:g0 + batched.chunk] = batched.costs(thetas[g0:g0 + batched.chunk])
    return out


def _check_directions(net: Network, centre, d1, d2):
    vectors = [np.asarray(v, dtype=np.float64).ravel() for v in (centre, d1, d2)]
    for label, v in zip(("centre", "d1", "d2"), vectors):
        if v.size != net.parameter_count:
            raise ValueError(f"{label} must have {net.parameter_count} entries (the network's parameters), "
                             f"got {v.size}")
    return vectors


def plane_surface(net: Network, X, y, centre, d1, d2, alphas, betas) -> np.ndarray:
    """J on a grid of a plane: ``result[i, j]`` is the cost at centre + alphas[i] d1 + betas[j] d2.

    Every grid point's forward pass runs batched, a few grid points per chunk (about a megabyte of
    activations), so memory does not grow with the grid. ``net`` is not changed. Returns float64
    (len(alphas), len(betas)).
    """
    centre, d1, d2 = _check_directions(net, centre, d1, d2)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    betas = np.asarray(betas, dtype=np.float64).ravel()
    if alphas.size == 0 or betas.size == 0:
        raise ValueError("a plane surface needs at least one value along each direction")
    batched = _BatchedNetwork(net, X, y)
    A, B = alphas.size, betas.size
    flat_a = np.repeat(alphas, B)
    flat_b = np.tile(betas, A)
    out = np.empty(A * B)
    thetas = np.empty((batched.chunk, centre.size))
    with np.errstate(over="ignore", under="ignore"):
        for g0 in range(0, A * B, batched.chunk):
            g1 = min(A * B, g0 + batched.chunk)
            chunk = thetas[:g1 - g0]
            np.multiply(flat_a[g0:g1, None], d1, out=chunk)
            chunk += flat_b[g0:g1, None] * d2
            chunk += centre
            out[g0:g1] = batched.costs(chunk)
    return out.reshape(A, B)


def project_path(thetas, centre, d1, d2, net: Network | None = None, X=None, y=None) -> PathProjection:
    """Each path point's plane coordinates (least squares onto span(d1, d2) through ``centre``),
    its distance off the plane and, given ``net``, ``X`` and ``y``, its true cost and the plane's
    cost at its projection (see ``PathProjection``). d1 and d2 need not be orthogonal."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    centre = np.asarray(centre, dtype=np.float64).ravel()
    D = np.column_stack([np.asarray(d1, dtype=np.float64).ravel(), np.asarray(d2, dtype=np.float64).ravel()])
    if thetas.shape[1] != centre.size or D.shape[0] != centre.size:
        raise ValueError(f"path points, centre and directions must have the same length, got "
                         f"{thetas.shape[1]}, {centre.size} and {D.shape[0]}")
    if np.linalg.matrix_rank(D) < 2:
        raise ValueError("the two directions must be linearly independent to span a plane")
    moves = thetas - centre
    coords = np.linalg.lstsq(D, moves.T, rcond=None)[0].T
    residual = moves - coords @ D.T
    distance = np.linalg.norm(residual, axis=1)
    reach = np.linalg.norm(moves, axis=1)
    relative = np.divide(distance, reach, out=np.zeros_like(distance), where=reach > 0)
    true_cost = plane_cost = None
    if net is not None:
        if X is None or y is None:
            raise ValueError("the true costs need the data: pass X and y with the network")
        true_cost = costs_at(net, X, y, thetas)
        plane_cost = costs_at(net, X, y, centre + coords @ D.T)
    return PathProjection(_readonly(coords), _readonly(distance), _readonly(relative),
                          None if true_cost is None else _readonly(true_cost),
                          None if plane_cost is None else _readonly(plane_cost))
