"""A reusable workspace for the batch gradient of a ``Network``: the same numbers, about 7x faster
(0.55 ms against 3.9 ms for a [2, 16, 16, 3] step on 5,000 samples, tests/benchmarks/bench_step.py).

``Network.backward`` keeps every intermediate because the app shows them; training does not need
them, and on a few thousand samples its cost is mostly *not arithmetic*:

* every temporary of a few hundred kB is fresh memory (glibc hands blocks over its mmap threshold
  straight back to the kernel), so each step page-faults its way through megabytes of zeros;
* OpenBLAS splits even a 16 x 16 x 5000 product over threads, and on a small shared machine the
  hand-off costs more than it saves (measured: the K = 5000 reduction of dW takes 66 us on one
  thread, 108 us on two);
* row-wise softmax on (N, 3) arrays runs numpy's inner loops three elements at a time.

``StepWorkspace`` removes all three: its buffers are allocated once per (shape, batch size) and
reused, every elementwise step runs in place (``out=``), the layout is *feature-major* (a layer's
values are an (n, N) array, so softmax and every per-neuron reduction run along rows of N
contiguous values), and BLAS is held to ``blas_threads`` threads while a gradient is computed.

Two layout tricks remove the bias work: each layer's input is stored with an extra row of ones,
and the flat parameter vector (``Network.parameter_vector`` order: per layer W row-major, then b)
is, per layer, exactly the row-major (n_in + 1, n_out) matrix [W; b]. So z = [W; b]^T [a; 1] is one
product, and the gradient [dW; db] = [a; 1] delta^T is one product written straight into the flat
gradient: no bias add, no bias sum, no concatenation.

The results equal ``Network.backward`` (cost) and ``Network.gradient_vector`` up to rounding
(tests/test_core_fast_step.py holds them to 1e-12 relative over random architectures, activations,
losses and regularizations): the elementwise formulas are the ones of core.activations and
core.losses, evaluated in the same order; only the sums run in a different order. Every activation
and loss is supported: tanh, sigmoid, ReLU and linear hidden layers and the softmax + cross-entropy
and linear + squared-error outputs have in-place paths, anything else calls the activation's and the
loss's own methods on views of the buffers (correct, just with temporaries).

Lanes: every buffer has a leading *lane* axis, so one pass can compute the gradients of several
parameter vectors of the same network on the same data (``gradients(thetas)``: a race's optimizers,
core/lockstep.py). Each operation then runs once for all lanes, and a race of six pays the Python
and interpreter-lock hand-over cost of one step instead of six; the arithmetic is the same. A lane's
numbers never depend on the others (see ``StepWorkspace``), so a one-lane pass -- a run alone, or
its replay -- gives the same bits as its lane in a race.

Usage (see ``StepWorkspace``)::

    ws = StepWorkspace(net, X, y)      # binds the network and the data; allocates once
    cost, grad = ws.gradient()         # at the network's *current* parameters
    net.set_parameter_vector(ws.parameters - rate * grad)
    cost, grad = ws.gradient()         # reuses every buffer; grad is overwritten in place
    costs, grads = ws.gradients(thetas)  # (lanes, P) parameter vectors: every lane in one pass

BLAS threads: the limit is set on entry to ``gradient`` and the previous setting restored on exit,
so the rest of the process keeps its configuration. That costs about 2 us of a 0.55 ms step, so
keeping a limit open across steps (which would leak into whatever else runs meanwhile) is not worth
it. One thread rather than OpenBLAS's choice (2 threads for the 16 x 16 x 5000 products here): 12%
slower on an idle machine (0.55 vs 0.49 ms), but with one other busy process on the 2 cores the
90th percentile stays at 1.1 ms instead of 14 ms, because a 2-thread product waits for whichever
thread the scheduler parked. OpenBLAS's thread count is process-wide, so a
BLAS call made *concurrently by another thread* during a gradient runs with the limit too (harmless,
just slower); pass ``blas_threads=None`` to never touch it. Without threadpoolctl installed the
workspace still works, with BLAS's own threading.
"""
from __future__ import annotations

import functools
import time

import numpy as np

from .network import Network, elementwise_cost, prepare_data, regularization_gradient, regularization_penalty

__all__ = ["StepWorkspace", "StaleWorkspace", "blas_thread_limit", "blas_threads"]

# Hidden activations with an in-place forward and a backward that needs only a = f(z) (not z): one
# buffer per layer holds z, then a.
_INPLACE_HIDDEN = ("tanh", "sigmoid", "relu", "linear")


class StaleWorkspace(ValueError):
    """The network no longer fits the bound data (its input or output size changed): bind anew."""


# ---------------------------------------------------------------------------------- BLAS threads
_BLAS = None  # threadpoolctl controllers of the BLAS libraries, found once (the scan takes ms)


def _blas_controllers():
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController
            _BLAS = tuple(lib for lib in ThreadpoolController().lib_controllers
                          if lib.user_api == "blas")
        except Exception:  # optional (ImportError) or unusable here: BLAS keeps its own threading
            _BLAS = ()
    return _BLAS


class blas_thread_limit:
    """Context manager: at most ``threads`` BLAS threads inside, the previous counts restored after.

    Cheap (about a microsecond per library each way), so it can wrap every gradient. ``threads=None``
    does nothing.
    """

    __slots__ = ("threads", "saved")

    def __init__(self, threads: int | None):
        self.threads = threads
        self.saved = ()

    def __enter__(self):
        if self.threads is not None:
            libs = _blas_controllers()
            self.saved = tuple((lib, lib.get_num_threads()) for lib in libs)
            for lib, count in self.saved:
                if count != self.threads:
                    lib.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc):
        for lib, count in self.saved:
            if count != self.threads:
                lib.set_num_threads(count)
        self.saved = ()
        return False


def blas_threads() -> dict:
    """{library path: current thread count} of the BLAS libraries (for reports)."""
    return {lib.filepath: lib.get_num_threads() for lib in _blas_controllers()}


# ---------------------------------------------------------------------------------- the workspace
class StepWorkspace:
    """Preallocated buffers and a compiled sequence of in-place operations for one network shape,
    one bound batch (X, y) and a number of *lanes*: parameter vectors whose gradients are computed
    together (a race's optimizers, all on the same network shape and data).

    ``gradient()`` is one lane at the network's current parameters, read every call, so the caller
    updates the network as usual (``set_parameter_vector``, ``set``, ...). ``gradients(thetas)``
    takes a stack of parameter vectors, one row per lane, and returns every lane's cost and gradient
    from one pass: each operation runs once over all lanes, so a race of six pays the Python and
    thread hand-over cost of one step, not six.

    **A lane's numbers do not depend on the other lanes.** Every buffer has the lane as its leading
    axis and lanes never mix: the products are ``np.matmul`` over stacked matrices (one BLAS call
    per lane with that lane's shapes and strides, whatever the number of lanes), the elementwise
    steps act on each value alone, reductions run inside a lane, and each lane's cost is its own
    dot product. So lane r of a batch of six is, bit for bit, the same numbers as a batch of one at
    those parameters (tests/test_core_fast_step.py holds every lane to equality over random
    architectures): a race's runs replay, and train alone, exactly as they trained together.

    Checks of the network's shape, activations and loss happen every call: after an edit that keeps
    the input and output sizes the buffers are rebuilt; if the input or output size changed the bound
    data no longer fits and ``StaleWorkspace`` is raised (``is_stale`` tells in advance).
    Regularization kind and rate are read every call.

    The bound X and y are copied (into the layout the products want), so later changes to the
    caller's arrays are not seen: call ``bind`` for new data (same buffers when N is unchanged;
    this is what a mini-batch loop does).

    Floating point: the operations are those of ``Network.backward``, so a step that overflows there
    overflows here (raising under ``np.errstate(over="raise")``, or giving non-finite values);
    callers check the result exactly as they check a Backward's. With several lanes a raise does not
    say which lane overflowed: compute the lanes one by one to find out (same numbers). After a
    raise the buffers hold garbage until the next call, which recomputes everything.

    Not thread-safe: one workspace belongs to one thread at a time (its buffers are shared state).
    """

    def __init__(self, net: Network, X, y, *, blas_threads: int | None = 1):
        self.net = net
        self.blas_threads = blas_threads
        self._key = None
        self._N = None
        self.bind(X, y)
        self._ensure_plan(1)

    # ------------------------------------------------------------------ data
    def bind(self, X, y) -> None:
        """Use this batch from now on (copied; buffers are reused when N is unchanged)."""
        X, Y = prepare_data(self.net, X, y)
        N = X.shape[0]
        if N < 1:
            raise ValueError("a gradient needs at least one sample")
        n_in, n_out = X.shape[1], Y.shape[1]
        if (N, n_in, n_out) != (self._N, getattr(self, "_n_in", None), getattr(self, "_n_out", None)):
            self._N, self._n_in, self._n_out = N, n_in, n_out
            self._XT = np.empty((n_in + 1, N))      # [X^T; 1]: the first layer's input, every lane's
            self._XT[n_in] = 1.0
            self._YT = np.empty((n_out, N))
            self._key = None                        # buffers depend on N: rebuild
        self._XT[:n_in] = X.T
        self._YT[...] = Y.T
        self._ysum = Y.sum(axis=1)                  # cross-entropy's delta is a * sum_k y_k - y
        self._ysum_is_one = bool(np.all(self._ysum == 1.0))  # one-hot targets: skip that product
        self._inv_n = 1.0 / N

    @property
    def n_samples(self) -> int:
        return self._N

    @property
    def lanes(self) -> int:
        """How many parameter vectors the buffers are built for (the last call's)."""
        return self._params.shape[0]

    @property
    def parameters(self) -> np.ndarray:
        """The parameters of the last ``gradient()`` (lane 0 of the last call), flat."""
        return self._lane0[0]

    # ------------------------------------------------------------------ structure
    def _structure(self):
        net = self.net
        return net.sizes, net.activations, str(net.loss)

    @property
    def is_stale(self) -> bool:
        """True when the network's input or output size no longer matches the bound data."""
        sizes = self.net.sizes
        return sizes[0] != self._n_in or sizes[-1] != self._n_out

    def _ensure_plan(self, lanes: int) -> None:
        key = (self._structure(), lanes)
        if key == self._key:
            return
        if self.is_stale:
            raise StaleWorkspace(f"the network is now {list(key[0][0])} but the bound data has "
                                 f"{self._n_in} inputs and {self._n_out} outputs; bind new data")
        self._build(*key[0], lanes)
        self._key = key

    def _build(self, sizes, activations, loss_name, R) -> None:
        """Allocate the buffers for this structure and ``R`` lanes, and compile the operations of
        one pass."""
        net, N = self.net, self._N
        L = len(sizes) - 1
        # Stacked flat parameter and gradient vectors (one row per lane) with one
        # (R, n_in + 1, n_out) [W; b] view per layer.
        counts = [(n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(int)
        self._params = np.empty((R, offsets[-1]))
        self._grads = np.empty((R, offsets[-1]))
        self._lane0 = (self._params[0], self._grads[0])   # gradient()'s views, the same every call
        theta = [self._params[:, offsets[l]:offsets[l + 1]].reshape(R, sizes[l] + 1, sizes[l + 1])
                 for l in range(L)]
        gtheta = [self._grads[:, offsets[l]:offsets[l + 1]].reshape(R, sizes[l] + 1, sizes[l + 1])
                  for l in range(L)]
        self._theta, self._gtheta = theta, gtheta
        self._costs = np.zeros(R)

        # inputs[l]: layer l's input with a row of ones, (R, sizes[l] + 1, N); inputs[0] is [X^T; 1],
        # the same for every lane (a broadcast view, no copies).
        inputs = [np.broadcast_to(self._XT, (R,) + self._XT.shape)]
        for n in sizes[1:-1]:
            buf = np.empty((R, n + 1, N))
            buf[:, n] = 1.0
            inputs.append(buf)
        acts = [net.activation(l) for l in range(L)]
        # z buffers only where the activation needs z besides a (the generic fallback).
        zs = [None if (l < L - 1 and acts[l].name in _INPLACE_HIDDEN) else np.empty((R, sizes[l + 1], N))
              for l in range(L)]
        deltas = [np.empty((R, sizes[l + 1], N)) for l in range(L)]
        temps = {n: np.empty((R, n, N)) for n in set(sizes[1:])}
        self._bufs = (inputs, zs, deltas, temps)  # kept alive with the closures below

        ops = []  # (phase, callable): a pass runs them in order; the benchmark times phases

        # ---- forward
        for l in range(L):
            src = inputs[l]
            out = inputs[l + 1][:, :sizes[l + 1]] if l < L - 1 else zs[l]
            target = out if zs[l] is None else zs[l]
            ops.append(("forward matmul", _product(theta[l].transpose(0, 2, 1), src, target)))
            if l < L - 1:
                ops.append(("activations", self._forward_op(acts[l], zs[l], out, temps[sizes[l + 1]])))

        # ---- output layer: cost and delta (scaled by 1/N, so every gradient product is a mean)
        out_op = self._output_op(acts[-1], net.loss_function, zs[-1], deltas[-1])
        ops.append(("softmax/loss", out_op))

        # ---- backward
        for l in range(L - 1, -1, -1):
            ops.append(("backward matmul", _product(inputs[l], deltas[l].transpose(0, 2, 1), gtheta[l])))
            if l > 0:
                W_next = theta[l][:, :sizes[l]]  # weights of layer l without the bias row
                ops.append(("backward matmul", _product(W_next, deltas[l], deltas[l - 1])))
                ops.append(("activations", self._backward_op(acts[l - 1], zs[l - 1], inputs[l][:, :sizes[l]],
                                                             deltas[l - 1], temps[sizes[l]])))
        self._ops = ops
        self._run = [fn for _, fn in ops]

    # ------------------------------------------------------------------ compiled pieces
    @staticmethod
    def _forward_op(act, z, a, tmp):
        """a = f(z) for a hidden layer; ``z is None`` means z is already in ``a`` (in place)."""
        name = act.name
        if z is None and name == "tanh":
            return _bind(np.tanh, a, out=a)
        if z is None and name == "relu":
            return _bind(np.maximum, a, 0.0, out=a)
        if z is None and name == "linear":
            return _noop
        if z is None and name == "sigmoid":
            mask = np.empty(a.shape, dtype=bool)

            def sigmoid_inplace():
                # activations.sigmoid's formula, in place: where(z >= 0, 1, e) / (1 + e), e = e^-|z|
                np.greater_equal(a, 0.0, out=mask)
                np.abs(a, out=tmp)
                np.negative(tmp, out=tmp)
                np.exp(tmp, out=tmp)
                np.add(tmp, 1.0, out=a)          # a now holds the denominator 1 + e
                np.copyto(tmp, 1.0, where=mask)  # tmp now holds the numerator
                np.divide(tmp, a, out=a)
            return sigmoid_inplace

        def generic():  # lane by lane: an activation may mix a lane's neurons (softmax)
            for r in range(a.shape[0]):
                a[r] = act.forward(z[r].T).T
        return generic

    @staticmethod
    def _backward_op(act, z, a, delta, tmp):
        """delta = dJ/da * f'(z), in place on ``delta`` (which holds dJ/da on entry)."""
        name = act.name
        if z is None and name == "tanh":
            def tanh_backward():  # Tanh.derivative: 1 - a a
                np.multiply(a, a, out=tmp)
                np.subtract(1.0, tmp, out=tmp)
                np.multiply(delta, tmp, out=delta)
            return tanh_backward
        if z is None and name == "sigmoid":
            def sigmoid_backward():  # Sigmoid.derivative: a (1 - a)
                np.subtract(1.0, a, out=tmp)
                np.multiply(a, tmp, out=tmp)
                np.multiply(delta, tmp, out=delta)
            return sigmoid_backward
        if z is None and name == "relu":
            mask = np.empty(a.shape, dtype=bool)

            def relu_backward():  # ReLU.derivative: 1 where z > 0 (equivalently a > 0), else 0
                np.greater(a, 0.0, out=mask)
                np.multiply(delta, mask, out=delta)
            return relu_backward
        if z is None and name == "linear":
            return _noop

        def generic():
            for r in range(delta.shape[0]):
                if act.elementwise:
                    np.multiply(delta[r], act.derivative(z[r].T, a[r].T).T, out=delta[r])
                else:
                    delta[r] = act.backward(z[r].T, a[r].T, delta[r].T).T
        return generic

    def _output_op(self, act, loss, z, delta):
        """Each lane's cost (into self._costs) and output delta / N, from the output logits ``z``."""
        YT, costs = self._YT, self._costs
        lanes = range(z.shape[0])
        if act.name == "softmax" and loss.logit_activation == "softmax":
            e = np.empty_like(z)
            m, s = np.empty((z.shape[0], 1, z.shape[2])), np.empty((z.shape[0], 1, z.shape[2]))
            scratch = delta[:, :1]

            def softmax_cross_entropy():
                # CrossEntropy.elementwise_from_logits: -y (z - (m + log sum e^(z - m))), summed;
                # feature-major, so the max and the sum run over n_out rows of N contiguous values.
                np.max(z, axis=1, out=m, keepdims=True)
                np.subtract(z, m, out=e)
                np.exp(e, out=e)
                np.sum(e, axis=1, out=s, keepdims=True)
                np.log(s, out=scratch)            # delta's first row as scratch: log-sum-exp = m + log s
                np.add(m, scratch, out=m)
                np.subtract(z, m, out=delta)      # log softmax
                for r in lanes:
                    costs[r] = -float(np.vdot(YT, delta[r])) * self._inv_n
                # CrossEntropy.logit_delta: a sum_k y_k - y with a = e / s; then / N
                np.divide(e, s, out=delta)
                if not self._ysum_is_one:
                    np.multiply(delta, self._ysum, out=delta)
                np.subtract(delta, YT, out=delta)
                np.multiply(delta, self._inv_n, out=delta)
            return softmax_cross_entropy
        if act.name == "linear" and loss.name == "squared_error":
            def linear_squared_error():
                np.subtract(z, YT, out=delta)     # a - y, the derivative; 1/2 (a - y)^2 the loss
                for r in lanes:
                    costs[r] = 0.5 * float(np.vdot(delta[r], delta[r])) * self._inv_n
                np.multiply(delta, self._inv_n, out=delta)
            return linear_squared_error

        def generic():
            # Network.backward's output layer, on (N, n_out) views of each lane's feature-major buffers.
            Y = YT.T
            for r in lanes:
                zT = z[r].T
                a = act.forward(zT)
                costs[r] = float(elementwise_cost(act, loss, zT, a, Y).sum()) * self._inv_n
                if loss.logit_activation is not None and loss.logit_activation == act.name:
                    d = loss.logit_delta(a, Y)
                else:
                    d = act.backward(zT, a, loss.derivative(a, Y))
                np.multiply(d.T, self._inv_n, out=delta[r])
        return generic

    # ------------------------------------------------------------------ the gradient
    def _load_parameters(self) -> None:
        net = self.net
        for th, W, b in zip(self._theta, net.weights, net.biases):
            n_in = W.shape[0]
            th[0, :n_in] = W
            th[0, n_in] = b

    def _regularize(self) -> None:
        """Add each lane's penalty to its cost and the penalty's gradient to its dW (as
        Network.penalty and Network._penalty_gradient do, layer by layer)."""
        net = self.net
        kind, rate = net.regularization, net.regularization_rate
        if kind is None or rate == 0.0:
            return
        for r in range(self._costs.size):
            penalty = 0.0
            for g, th in zip(self._gtheta, self._theta):
                W = th[r, :th.shape[1] - 1]
                g[r, :W.shape[0]] += regularization_gradient(kind, rate, W)
                penalty += np.sum(regularization_penalty(kind, rate, W))
            self._costs[r] += float(penalty)

    def _pass(self) -> None:
        with blas_thread_limit(self.blas_threads):
            for op in self._run:
                op()
        self._regularize()

    def gradient(self):
        """(cost, flat gradient) at the network's current parameters, in ``parameter_names`` order.

        The gradient is a view of a buffer that the next call overwrites: copy it to keep it.
        ``self.parameters`` holds, after the call, the parameters it was computed at (same order).
        """
        self._ensure_plan(1)
        self._load_parameters()
        self._pass()
        return float(self._costs[0]), self._lane0[1]

    def gradients(self, thetas):
        """(costs, gradients) of every lane: ``thetas`` is (lanes, parameter_count), one parameter
        vector per row in ``parameter_names`` order; ``costs`` (lanes,), ``gradients`` like ``thetas``.

        Row r equals, bit for bit, ``gradients(thetas[r:r + 1])`` (see the class). Both results are
        views of buffers that the next call overwrites: copy them to keep them.
        """
        thetas = np.asarray(thetas, dtype=np.float64)
        if thetas.ndim != 2 or thetas.shape[0] < 1:
            raise ValueError(f"thetas must be (lanes >= 1, parameters), got shape {thetas.shape}")
        self._ensure_plan(thetas.shape[0])
        if thetas.shape != self._params.shape:
            raise ValueError(f"each lane needs {self._params.shape[1]} parameters, got {thetas.shape[1]}")
        self._params[...] = thetas
        self._pass()
        return self._costs, self._grads

    def outputs(self, lane: int = 0) -> np.ndarray:
        """A lane's output logits z from the last pass, (N, n_out): a view that the next call
        overwrites (copy it to keep it)."""
        return self._bufs[1][-1][lane].T

    def profile(self, repeats: int = 100) -> dict:
        """Seconds per gradient spent in each phase (median over ``repeats`` runs), for benchmarks.

        Phases: "load parameters", "forward matmul", "activations", "softmax/loss",
        "backward matmul", "regularization". Timing each operation adds a little overhead.
        """
        self._ensure_plan(1)
        samples: dict[str, list] = {}
        clock = time.perf_counter
        with blas_thread_limit(self.blas_threads):
            for _ in range(repeats):
                totals = dict.fromkeys(("load parameters", "forward matmul", "activations",
                                        "softmax/loss", "backward matmul", "regularization"), 0.0)
                t0 = clock()
                self._load_parameters()
                totals["load parameters"] += clock() - t0
                for phase, op in self._ops:
                    t0 = clock()
                    op()
                    totals[phase] += clock() - t0
                t0 = clock()
                self._regularize()
                totals["regularization"] += clock() - t0
                for phase, seconds in totals.items():
                    samples.setdefault(phase, []).append(seconds)
        return {phase: float(np.median(values)) for phase, values in samples.items()}


def _noop():
    return None


def _bind(fn, *args, **kwargs):
    """fn(*args, **kwargs) as a no-argument callable; a partial is called from C, a closure is not."""
    return functools.partial(fn, *args, **kwargs)


# Up to this many rows or columns in a product's result, one matrix-vector product per row/column
# beats OpenBLAS's gemm on these shapes (measured with N = 5000: the (17, N) @ (N, 3) gradient of
# the output layer takes 21 us as three gemv, 43 us as one gemm; (3, 17) @ (17, N) 24 us vs 29 us).
_GEMV_MAX = 4


def _product(A, B, out):
    """out = A @ B for stacked (lanes, rows, cols) matrices as a callable, the fastest way for these
    shapes (see _GEMV_MAX). Each lane is its own BLAS call, so the number of lanes never changes a
    lane's result (the lane axis is numpy's outer loop, never a BLAS dimension)."""
    rows, cols = out.shape[-2:]
    if cols <= _GEMV_MAX and cols < rows:
        calls = [_bind(np.matmul, A, B[..., k:k + 1], out=out[..., k:k + 1]) for k in range(cols)]
    elif rows <= _GEMV_MAX and rows < cols:
        calls = [_bind(np.matmul, A[..., i:i + 1, :], B, out=out[..., i:i + 1, :]) for i in range(rows)]
    else:
        return _bind(np.matmul, A, B, out=out)

    def by_vectors():
        for call in calls:
            call()
    return by_vectors
