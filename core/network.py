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
from .losses import ALL_LOSSES, Loss
from .naming import ParameterRef, parameter_table

__all__ = ["Network", "Trace", "Backward", "LossName", "lesson_network", "prepare_data",
           "INITIALIZATIONS", "REGULARIZATIONS", "regularization_penalty", "regularization_gradient"]

INITIALIZATIONS = ("xavier", "he", "small", "zero")
REGULARIZATIONS = (None, "l1", "l2")
SMALL_INIT_STD = 0.01


def regularization_penalty(kind, rate, w):
    """The penalty of weights ``w`` (any shape, summed): L1 rate * sum |w|, L2 rate/2 * sum w^2."""
    if kind is None or rate == 0.0:
        return 0.0
    w = np.asarray(w, dtype=np.float64)
    if kind == "l1":
        return rate * np.abs(w)
    return 0.5 * rate * w * w


def regularization_gradient(kind, rate, w):
    """The penalty's gradient for weights ``w`` (same shape): L1 rate * sign(w), L2 rate * w;
    0 without a penalty."""
    if kind is None or rate == 0.0:
        return np.zeros_like(np.asarray(w, dtype=np.float64))
    return rate * (np.sign(w) if kind == "l1" else np.asarray(w, dtype=np.float64))


def _init_weights(rng, scheme, n_in, n_out):
    """One layer's (n_in, n_out) weights under ``scheme`` (see ``Network``)."""
    if scheme == "xavier":
        return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))
    if scheme == "he":
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    if scheme == "small":
        return rng.normal(0.0, SMALL_INIT_STD, size=(n_in, n_out))
    return np.zeros((n_in, n_out))


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


def _check_activation(name) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose from {sorted(ACTIVATIONS)}")


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
    * ``deltas[l]`` dJ_n/dz, (N, n) — the product of the two (for sigmoid + binary cross-entropy and
      softmax + cross-entropy the exact fused a - y, which stays finite where a(1 - a) underflows).
      For a softmax layer ``da_dz`` holds only the Jacobian's diagonal a(1 - a); ``deltas`` uses the
      full Jacobian (``Activation.backward``), so there delta is *not* dJ_da * da_dz;
    * ``dW[l]``, ``db[l]`` the *batch* gradient of J = mean_n J_n (+ the regularization penalty,
      whose own gradient is kept in ``penalty_dW``), shaped like the parameters.
    """

    trace: Trace
    targets: np.ndarray
    sample_losses: np.ndarray
    dJ_da: list
    da_dz: list
    deltas: list
    dW: list
    db: list
    penalty: float = 0.0          # the regularization term of the cost (0 without regularization)
    penalty_dW: list | None = None  # its gradient, per layer (already included in dW)

    @property
    def cost(self) -> float:
        """The batch cost: mean per-sample loss plus the regularization penalty."""
        return float(self.sample_losses.mean()) + self.penalty

    def per_sample_gradient(self, ref: ParameterRef) -> np.ndarray:
        """dJ_n/dθ for every sample n, shape (N,); its mean is the batch gradient.

        With regularization each sample carries the whole penalty gradient (J_n = loss_n + penalty),
        so the mean is still the batch gradient.
        """
        delta = self.deltas[ref.layer][:, ref.j]
        if ref.kind == "b":
            return delta.copy()
        out = self.trace.activations[ref.layer][:, ref.i] * delta
        if self.penalty_dW is not None:
            out = out + self.penalty_dW[ref.layer][ref.i, ref.j]
        return out


class Network:
    """A fully connected network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    ``activations`` holds one activation name per layer (a single name applies to every layer);
    ``loss`` is a name from ``core.LOSSES``. Parameters are float64 ``weights[l]`` (n_in, n_out) and
    ``biases[l]`` (n_out,), addressed by name with the scheme of ``parameter_names``.

    ``loss`` may be any of ``core.ALL_LOSSES`` (``cross_entropy`` is meant for a ``softmax`` output
    layer with one-hot targets; it is then taken exactly from the logits).

    ``regularization`` (None, "l1" or "l2") adds a weight penalty to the cost and its gradient:
    L1 ``rate * sum|w|`` (gradient ``rate * sign(w)``, 0 at w = 0), L2 ``rate/2 * sum w^2``
    (gradient ``rate * w``), with ``rate = regularization_rate``. Biases are not regularized (they
    shift a unit, they do not make the function more complex). Both may be changed at any time.

    ``init`` chooses the random starting weights (biases start at 0), drawn from ``seed``:
    "xavier" (Glorot normal, std sqrt(2 / (n_in + n_out)); the default and the historical scheme,
    so existing seeds give the same numbers), "he" (std sqrt(2 / n_in), for ReLU-like units),
    "small" (std 0.01) or "zero" (every weight 0: symmetric, shown to teach why not to).

    Structural edits (``add_layer``, ``remove_layer``, ``add_neuron``, ``remove_neuron``) change
    the shape in place and keep every weight that still connects the same two neurons.
    """

    def __init__(self, sizes, activations, loss: str = "squared_error", seed: int = 0, *,
                 regularization: str | None = None, regularization_rate: float = 0.01,
                 init: str = "xavier"):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        if isinstance(activations, str):
            activations = [activations] * (len(sizes) - 1)
        activations = tuple(activations)
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"need {len(sizes) - 1} activation names (one per layer), got {len(activations)}")
        for name in activations:
            _check_activation(name)
        if init not in INITIALIZATIONS:
            raise ValueError(f"unknown init {init!r}; choose from {list(INITIALIZATIONS)}")
        self._sizes = sizes
        self._activations = activations
        self._loss = ""
        self.loss = loss
        self._regularization = None
        self._regularization_rate = 0.0
        self.regularization = regularization
        self.regularization_rate = regularization_rate
        self.init = init
        self._edits = 0  # structural edits so far: seeds the weights of new neurons
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
        if name not in ALL_LOSSES:
            raise ValueError(f"unknown loss {name!r}; choose from {list(ALL_LOSSES)}")
        self._loss = name

    @property
    def loss_function(self) -> Loss:
        return ALL_LOSSES[self._loss]

    @property
    def regularization(self) -> str | None:
        """None, "l1" or "l2" (see the class docstring)."""
        return self._regularization

    @regularization.setter
    def regularization(self, kind) -> None:
        if kind is not None:
            kind = str(kind).lower()
        if kind not in REGULARIZATIONS:
            raise ValueError(f"unknown regularization {kind!r}; choose from {list(REGULARIZATIONS)}")
        self._regularization = kind

    @property
    def regularization_rate(self) -> float:
        return self._regularization_rate

    @regularization_rate.setter
    def regularization_rate(self, rate) -> None:
        rate = float(rate)
        if not np.isfinite(rate) or rate < 0:
            raise ValueError(f"the regularization rate must be a finite number >= 0, got {rate!r}")
        self._regularization_rate = rate

    def penalty(self) -> float:
        """The regularization term of the cost at the current weights (0.0 without regularization)."""
        kind, rate = self._regularization, self._regularization_rate
        if kind is None or rate == 0.0:
            return 0.0
        return float(sum(np.sum(regularization_penalty(kind, rate, W)) for W in self.weights))

    def _penalty_gradient(self):
        kind, rate = self._regularization, self._regularization_rate
        if kind is None or rate == 0.0:
            return None
        return [regularization_gradient(kind, rate, W) for W in self.weights]

    def activation(self, layer: int) -> Activation:
        """The activation object of 0-based ``layer``."""
        return ACTIVATIONS[self._activations[layer]]

    @property
    def output_uses_logits(self) -> bool:
        """True when the loss is computed exactly from the output logit (sigmoid + cross-entropy)."""
        return self.loss_function.logit_activation == self._activations[-1]

    # ------------------------------------------------------------------ parameters
    def reinitialize(self, seed: int | None = None, init: str | None = None) -> None:
        """Fresh random weights under ``init`` (default: the network's; Glorot-normal unless chosen
        otherwise, so sigmoid/tanh units start unsaturated), zero biases."""
        if seed is None:
            seed = self.seed
        if init is not None:
            if init not in INITIALIZATIONS:
                raise ValueError(f"unknown init {init!r}; choose from {list(INITIALIZATIONS)}")
            self.init = init
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.weights = [_init_weights(rng, self.init, n_in, n_out)
                        for n_in, n_out in zip(self._sizes[:-1], self._sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in self._sizes[1:]]

    # ------------------------------------------------------------------ structural edits
    def _edit_rng(self):
        self._edits += 1
        return np.random.default_rng([int(self.seed) & 0xFFFFFFFF, self._edits])

    def _set_structure(self, sizes, activations, weights, biases) -> None:
        self._sizes = tuple(int(s) for s in sizes)
        self._activations = tuple(activations)
        self.weights = [np.ascontiguousarray(W, dtype=np.float64) for W in weights]
        self.biases = [np.ascontiguousarray(b, dtype=np.float64) for b in biases]
        self._table = parameter_table(self._sizes)
        self._names = tuple(self._table)

    def _check_hidden(self, layer: int, what: str) -> int:
        layer = int(layer)
        if not 0 <= layer < self.depth - 1:
            raise IndexError(f"{what}: layer {layer} is not a hidden layer (0-based hidden layers are "
                             f"0..{self.depth - 2}; the input and output sizes are fixed by the data)")
        return layer

    def add_layer(self, index: int, size: int, activation: str) -> None:
        """Insert a hidden layer of ``size`` neurons so that it becomes 0-based layer ``index``
        (0 <= index <= depth - 1: before the current layer ``index``; the output layer stays last).

        The new layer gets fresh weights (``init``) and zero biases. The layer it now feeds has new
        inputs, so its weights are fresh too, except that when ``size`` equals that layer's old input
        count the weights are kept (the new layer then starts as a re-mapping of the same width).
        Its biases and every other layer are kept.
        """
        index, size = int(index), int(size)
        if not 0 <= index <= self.depth - 1:
            raise IndexError(f"add_layer: index must be in 0..{self.depth - 1}, got {index}")
        if size < 1:
            raise ValueError(f"add_layer: size must be >= 1, got {size}")
        _check_activation(activation)
        rng = self._edit_rng()
        n_prev = self._sizes[index]
        weights, biases = list(self.weights), list(self.biases)
        new_W = _init_weights(rng, self.init, n_prev, size)
        following = weights[index]
        if following.shape[0] != size:
            following = _init_weights(rng, self.init, size, following.shape[1])
        weights[index:index + 1] = [new_W, following]
        biases.insert(index, np.zeros(size))
        sizes = list(self._sizes)
        sizes.insert(index + 1, size)
        activations = list(self._activations)
        activations.insert(index, activation)
        self._set_structure(sizes, activations, weights, biases)

    def remove_layer(self, index: int) -> None:
        """Remove hidden layer ``index`` (0-based; the output layer cannot be removed).

        The layer after it now reads the layer before it: its weights are kept when the widths match
        (they still connect a neuron to the same target position), otherwise drawn fresh; its biases
        and every other layer are kept.
        """
        index = self._check_hidden(index, "remove_layer")
        rng = self._edit_rng()
        weights, biases = list(self.weights), list(self.biases)
        n_prev = self._sizes[index]
        following = weights[index + 1]
        if following.shape[0] != n_prev:
            following = _init_weights(rng, self.init, n_prev, following.shape[1])
        weights[index:index + 2] = [following]
        del biases[index]
        sizes = list(self._sizes)
        del sizes[index + 1]
        activations = list(self._activations)
        del activations[index]
        self._set_structure(sizes, activations, weights, biases)

    def add_neuron(self, layer: int) -> None:
        """Append one neuron to hidden ``layer`` (0-based): fresh incoming and outgoing weights
        (``init``; zero under "zero"), bias 0; every existing weight is kept."""
        layer = self._check_hidden(layer, "add_neuron")
        rng = self._edit_rng()
        n_prev, n, n_next = self._sizes[layer], self._sizes[layer + 1], self._sizes[layer + 2]
        scale_in = _init_weights(rng, self.init, n_prev, n + 1)[:, -1:]
        scale_out = _init_weights(rng, self.init, n + 1, n_next)[-1:, :]
        weights, biases = list(self.weights), list(self.biases)
        weights[layer] = np.hstack([weights[layer], scale_in])
        weights[layer + 1] = np.vstack([weights[layer + 1], scale_out])
        biases[layer] = np.append(biases[layer], 0.0)
        sizes = list(self._sizes)
        sizes[layer + 1] += 1
        self._set_structure(sizes, self._activations, weights, biases)

    def remove_neuron(self, layer: int, j: int) -> None:
        """Remove neuron ``j`` (0-based) of hidden ``layer`` (0-based) with its bias, its incoming
        column and its outgoing row; every other weight is kept. A layer keeps at least one neuron."""
        layer = self._check_hidden(layer, "remove_neuron")
        n = self._sizes[layer + 1]
        j = int(j)
        if not 0 <= j < n:
            raise IndexError(f"remove_neuron: neuron {j} out of range for a layer of {n}")
        if n == 1:
            raise ValueError("remove_neuron: a layer needs at least one neuron (use remove_layer)")
        weights, biases = list(self.weights), list(self.biases)
        weights[layer] = np.delete(weights[layer], j, axis=1)
        weights[layer + 1] = np.delete(weights[layer + 1], j, axis=0)
        biases[layer] = np.delete(biases[layer], j)
        sizes = list(self._sizes)
        sizes[layer + 1] -= 1
        self._set_structure(sizes, self._activations, weights, biases)

    def set_activation(self, layer: int, name: str) -> None:
        """Use activation ``name`` in 0-based ``layer`` (the output layer is ``depth - 1``).

        Weights are kept: the same numbers now pass through a different non-linearity, which is
        exactly what a learner comparing activations wants to see.
        """
        layer = int(layer)
        if not 0 <= layer < self.depth:
            raise IndexError(f"set_activation: layer must be in 0..{self.depth - 1}, got {layer}")
        _check_activation(name)
        activations = list(self._activations)
        activations[layer] = name
        self._activations = tuple(activations)

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
        """The batch cost J = mean over samples of the per-sample loss (+ the regularization penalty)."""
        X, Y = prepare_data(self, X, y)
        return float(self._sample_losses(self.forward(X), Y).mean()) + self.penalty()

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
            # exact: sigmoid + binary cross-entropy and softmax + cross-entropy give a - y
            deltas[out] = loss.logit_delta(a_out, Y)
        else:
            deltas[out] = self.activation(out).backward(trace.zs[out], a_out, dJ_da[out])
        for layer in range(out - 1, -1, -1):
            act = self.activation(layer)
            dJ_da[layer] = deltas[layer + 1] @ self.weights[layer + 1].T
            da_dz[layer] = act.derivative(trace.zs[layer], trace.activations[layer + 1])
            if act.elementwise:
                deltas[layer] = dJ_da[layer] * da_dz[layer]
            else:
                deltas[layer] = act.backward(trace.zs[layer], trace.activations[layer + 1], dJ_da[layer])
        dW = [trace.activations[layer].T @ deltas[layer] / N for layer in range(L)]
        db = [deltas[layer].mean(axis=0) for layer in range(L)]
        penalty_dW = self._penalty_gradient()
        if penalty_dW is not None:
            dW = [g + p for g, p in zip(dW, penalty_dW)]
        return Backward(trace, Y, self._sample_losses(trace, Y), dJ_da, da_dz, deltas, dW, db,
                        self.penalty(), penalty_dW)

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
        extra = ""
        if self._regularization is not None:
            extra += f", regularization={self._regularization!r}, regularization_rate={self._regularization_rate!r}"
        if self.init != "xavier":
            extra += f", init={self.init!r}"
        return (f"Network(sizes={list(self._sizes)}, activations={list(self._activations)}, "
                f"loss={self._loss!r}{extra})")


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
