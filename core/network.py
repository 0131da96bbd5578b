"""A small fully connected network with every intermediate of forward and backward passes kept.

The lesson network is x -> z1 = w1 x + b1 -> a1 = f1(z1) -> z2 = w2 a1 + b2 -> y_hat = a2 = f2(z2)
-> J(y, y_hat); ``Network`` is the same thing for any layer sizes. It keeps every intermediate
(``Trace``, ``Backward``) because the app's job is to *show* them: the chain-rule panel reads the
local derivatives straight from here, so what is displayed is exactly what training uses.

Shapes: ``weights[l]`` is (n_in, n_out) so a layer is z = a_prev @ W + b on rows of samples;
data X is (N, n_inputs) and targets y are (N, n_outputs) (a flat (N,) is accepted for one column).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, Activation
from .losses import LOSSES, Loss
from .naming import ParameterRef, parameter_table

__all__ = ["Network", "Trace", "Backward", "LossName", "lesson_network", "prepare_data"]


def prepare_data(net: "Network", X, y=None):
    """X as float64 (N, n_inputs) and y as float64 (N, n_outputs), checked against the network.

    A flat X is read as N samples of one input, a flat y as N targets of one output — the shapes the
    1-D lesson datasets naturally come in.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and net.sizes[0] == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != net.sizes[0]:
        raise ValueError(f"X must have shape (N, {net.sizes[0]}), got {X.shape}")
    if y is None:
        return X
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1 and net.sizes[-1] == 1:
        y = y[:, None]
    if y.shape != (X.shape[0], net.sizes[-1]):
        raise ValueError(f"y must have shape ({X.shape[0]}, {net.sizes[-1]}), got {y.shape}")
    return X, y


def elementwise_cost(activation: Activation, loss: Loss, z, a, y):
    """Per-output loss terms of an output layer with logit z and activation a = f(z).

    The single place that decides whether the loss is taken from the logit (sigmoid + cross-entropy:
    exact and overflow-free) or from a; the network and the cost surface both call it, so a surface
    value always equals the cost the network reports.
    """
    if loss.logit_activation is not None and loss.logit_activation == activation.name:
        return loss.elementwise_from_logits(z, y)
    return loss.elementwise(a, y)


class LossName(str):
    """The network's loss name that can also be *called*: ``net.loss(X, y)`` is the batch cost.

    The app both reads/assigns ``net.loss`` as a name ("squared_error") and calls ``net.loss(X, y)``;
    a str that forwards calls to ``Network.cost`` serves both without two spellings.
    """

    def __new__(cls, name: str, network: "Network"):
        obj = super().__new__(cls, name)
        obj._network = network
        return obj

    def __call__(self, X, y) -> float:
        return self._network.cost(X, y)

    def __reduce__(self):  # pickles/copies as the plain name
        return (str, (str(self),))


@dataclass
class Trace:
    """Everything the forward pass computed: ``zs[l]`` (N, n_{l+1}) for l = 0..L-1 and
    ``activations[l]`` for l = 0..L with ``activations[0]`` the input X and ``activations[L]`` y_hat."""

    zs: list
    activations: list

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]


@dataclass
class Backward:
    """A full backward pass, every local derivative kept (per sample unless noted).

    Index l = 0..L-1 refers to layer l+1 (the layer whose pre-activation is ``trace.zs[l]``):

    * ``dJ_da[l]``  dJ_n/da of that layer's outputs, (N, n)  — for the output layer, the loss derivative;
    * ``da_dz[l]``  the activation's local derivative f'(z), (N, n);
    * ``deltas[l]`` dJ_n/dz, (N, n) — the product of the two (for sigmoid + cross-entropy the exact
      fused a - y, which stays finite where a(1 - a) underflows);
    * ``dW[l]``, ``db[l]`` the *batch* gradient of J = mean_n J_n, shaped like the parameters.
    """

    trace: Trace
    targets: np.ndarray
    sample_losses: np.ndarray
    dJ_da: list
    da_dz: list
    deltas: list
    dW: list
    db: list

    @property
    def cost(self) -> float:
        return float(self.sample_losses.mean())

    def per_sample_gradient(self, ref: ParameterRef) -> np.ndarray:
        """dJ_n/dθ for every sample n, shape (N,); its mean is the batch gradient."""
        delta = self.deltas[ref.layer][:, ref.j]
        if ref.kind == "b":
            return delta.copy()
        return self.trace.activations[ref.layer][:, ref.i] * delta


class Network:
    """A fully connected network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    ``activations`` holds one activation name per layer (a single name applies to every layer);
    ``loss`` is a name from ``core.LOSSES``. Parameters are float64 ``weights[l]`` (n_in, n_out) and
    ``biases[l]`` (n_out,), addressed by name with the scheme of ``parameter_names``.
    """

    def __init__(self, sizes, activations, loss: str = "squared_error", seed: int = 0):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        if isinstance(activations, str):
            activations = [activations] * (len(sizes) - 1)
        activations = tuple(activations)
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"need {len(sizes) - 1} activation names (one per layer), got {len(activations)}")
        for name in activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; choose from {sorted(ACTIVATIONS)}")
        self._sizes = sizes
        self._activations = activations
        self._loss = ""
        self.loss = loss
        self._table = parameter_table(sizes)
        self._names = tuple(self._table)
        self.seed = seed
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.reinitialize(seed)

    # ------------------------------------------------------------------ structure
    @property
    def sizes(self) -> tuple:
        return self._sizes

    @property
    def activations(self) -> tuple:
        """Activation names, one per layer (layer 1 first)."""
        return self._activations

    @property
    def depth(self) -> int:
        """Number of layers with parameters, L."""
        return len(self._sizes) - 1

    @property
    def loss(self) -> LossName:
        """The loss name; also callable: ``net.loss(X, y)`` is the batch cost (see ``cost``)."""
        return LossName(self._loss, self)

    @loss.setter
    def loss(self, name: str) -> None:
        name = str(name)
        if name not in LOSSES:
            raise ValueError(f"unknown loss {name!r}; choose from {list(LOSSES)}")
        self._loss = name

    @property
    def loss_function(self) -> Loss:
        return LOSSES[self._loss]

    def activation(self, layer: int) -> Activation:
        """The activation object of 0-based ``layer``."""
        return ACTIVATIONS[self._activations[layer]]

    @property
    def output_uses_logits(self) -> bool:
        """True when the loss is computed exactly from the output logit (sigmoid + cross-entropy)."""
        return self.loss_function.logit_activation == self._activations[-1]

    # ------------------------------------------------------------------ parameters
    def reinitialize(self, seed: int | None = None) -> None:
        """Fresh random weights (Glorot-normal, so sigmoid/tanh units start unsaturated), zero biases."""
        if seed is None:
            seed = self.seed
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.weights = [rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))
                        for n_in, n_out in zip(self._sizes[:-1], self._sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in self._sizes[1:]]

    def parameter_names(self) -> list[str]:
        """Names in the canonical order: per layer, weights then biases (see core.naming).

        Layers are 1-based (w1 feeds layer 1). A layer with exactly one weight calls it ``w{l}``,
        otherwise ``w{l}.{i}.{j}`` (i = 1-based source neuron, j = 1-based target neuron); its bias
        is ``b{l}`` for a one-neuron layer, else ``b{l}.{j}``. Lesson network: w1, b1, w2, b2.
        """
        return list(self._names)

    @property
    def parameter_count(self) -> int:
        return len(self._names)

    def locate(self, name: str) -> ParameterRef:
        """(kind "w"|"b", 0-based layer, i, j) of a parameter; i is None for a bias."""
        try:
            return self._table[name]
        except (KeyError, TypeError):
            raise ValueError(f"unknown parameter {name!r}; this network has {', '.join(self._names)}") from None

    def get(self, name: str) -> float:
        ref = self.locate(name)
        if ref.kind == "w":
            return float(self.weights[ref.layer][ref.i, ref.j])
        return float(self.biases[ref.layer][ref.j])

    def set(self, name: str, value: float) -> None:
        ref = self.locate(name)
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
        if ref.kind == "w":
            self.weights[ref.layer][ref.i, ref.j] = value
        else:
            self.biases[ref.layer][ref.j] = value

    def parameter_vector(self) -> np.ndarray:
        """A float64 copy of all parameters in ``parameter_names`` order."""
        parts = []
        for W, b in zip(self.weights, self.biases):
            parts.append(W.ravel())
            parts.append(b)
        return np.concatenate(parts).astype(np.float64, copy=True)

    def set_parameter_vector(self, vector) -> None:
        v = np.asarray(vector, dtype=np.float64).ravel()
        if v.shape != (len(self._names),):
            raise ValueError(f"expected {len(self._names)} parameters, got {v.size}")
        offset = 0
        for W, b in zip(self.weights, self.biases):
            W[...] = v[offset:offset + W.size].reshape(W.shape)
            offset += W.size
            b[...] = v[offset:offset + b.size]
            offset += b.size

    def copy(self) -> "Network":
        clone = Network.__new__(Network)
        clone.__dict__.update(self.__dict__)
        clone.weights = [W.copy() for W in self.weights]
        clone.biases = [b.copy() for b in self.biases]
        return clone

    # ------------------------------------------------------------------ passes
    def forward(self, X) -> Trace:
        act = prepare_data(self, X)
        zs, acts = [], [act]
        for layer, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = act @ W + b
            act = self.activation(layer).forward(z)
            zs.append(z)
            acts.append(act)
        return Trace(zs, acts)

    def predict(self, X) -> np.ndarray:
        """y_hat, shape (N, n_outputs)."""
        return self.forward(X).output

    def _sample_losses(self, trace: Trace, Y) -> np.ndarray:
        out = self.depth - 1
        return elementwise_cost(self.activation(out), self.loss_function,
                                trace.zs[out], trace.activations[-1], Y).sum(axis=1)

    def cost(self, X, y) -> float:
        """The batch cost J = mean over samples of the per-sample loss."""
        X, Y = prepare_data(self, X, y)
        return float(self._sample_losses(self.forward(X), Y).mean())

    def backward(self, X, y) -> Backward:
        X, Y = prepare_data(self, X, y)
        trace = self.forward(X)
        L, N = self.depth, X.shape[0]
        loss = self.loss_function
        dJ_da, da_dz, deltas = [None] * L, [None] * L, [None] * L
        out = L - 1
        a_out = trace.activations[-1]
        dJ_da[out] = loss.derivative(a_out, Y)
        da_dz[out] = self.activation(out).derivative(trace.zs[out], a_out)
        if self.output_uses_logits:
            deltas[out] = a_out - Y  # d/dz [log(1 + e^z) - y z] exactly; no 0 * inf at saturation
        else:
            deltas[out] = dJ_da[out] * da_dz[out]
        for layer in range(out - 1, -1, -1):
            dJ_da[layer] = deltas[layer + 1] @ self.weights[layer + 1].T
            da_dz[layer] = self.activation(layer).derivative(trace.zs[layer], trace.activations[layer + 1])
            deltas[layer] = dJ_da[layer] * da_dz[layer]
        dW = [trace.activations[layer].T @ deltas[layer] / N for layer in range(L)]
        db = [deltas[layer].mean(axis=0) for layer in range(L)]
        return Backward(trace, Y, self._sample_losses(trace, Y), dJ_da, da_dz, deltas, dW, db)

    def gradients(self, X, y):
        """(dW, db): the batch gradient, lists shaped like ``weights`` and ``biases``."""
        bw = self.backward(X, y)
        return bw.dW, bw.db

    def gradient_vector(self, X, y) -> np.ndarray:
        """The batch gradient in ``parameter_names`` order."""
        dW, db = self.gradients(X, y)
        return np.concatenate([p for W, b in zip(dW, db) for p in (W.ravel(), b)])

    def chain(self, name: str, X, y, sample: int | None = None):
        """The chain-rule breakdown of dJ/d(name); see ``core.chain.Chain``."""
        from .chain import build_chain
        return build_chain(self, name, X, y, sample)

    def __repr__(self) -> str:
        return (f"Network(sizes={list(self._sizes)}, activations={list(self._activations)}, "
                f"loss={self._loss!r})")


# The lesson's starting point: w1 < 0 < w2 makes the network answer backwards (it predicts class 1
# on the left; separating the classes needs w1 w2 > 0), so the initial cost (0.21 squared error,
# 1.09 cross-entropy) is clearly improvable and the point sits on a slope of the (w1, w2) surface,
# far from the valley. From here full-batch descent at learning rate 2 crosses w1 = 0 and settles in
# the w1, w2 > 0 valley within a few hundred steps: a path worth watching.
LESSON_START = {"w1": -1.5, "b1": 0.5, "w2": 2.0, "b2": -0.5}


def lesson_network(loss: str = "squared_error", seed: int = 0) -> Network:
    """The lesson's 1-1-1 sigmoid network with fixed, pleasant starting values (``LESSON_START``).

    ``seed`` only seeds ``reinitialize()``; the starting values are always the same so every
    learner (and every screenshot in the lesson) sees the same picture.
    """
    net = Network([1, 1, 1], ["sigmoid", "sigmoid"], loss, seed=seed)
    for name, value in LESSON_START.items():
        net.set(name, value)
    return net
