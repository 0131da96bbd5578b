"""The chain rule at every size: the backward recursion and every path, for one selected parameter.

Two views of the same number dJ/dθ, both read from ``Network.backward`` (so what is shown is what
training uses):

* ``backward_recursion`` — the vectorised view. From the output layer down to the parameter's layer,
  each layer's delta δ_l = dJ/dz_l: at the output from the cost (δ = ŷ − y for sigmoid + binary
  cross-entropy and softmax + cross-entropy, δ = dJ/da ⊙ f'(z) otherwise), below it
  δ_l = (W_{l+1} δ_{l+1}) ⊙ f_l'(z_l). Then dJ/dw_{l,i,j} = δ_{l,j} a_{l-1,i} (a bias: δ_{l,j}) plus
  the regularization term. Every symbol is written as core.naming names the nodes and parameters:
  the layer first, then the neuron (so the recursion speaks the chain's and the diagram's language).
* ``chain_paths`` — the scalar view. Every path from the parameter's neuron to the cost is one
  product of local derivatives (as in ``core.chain``); the data gradient is the *sum* over paths.

Batch versus one sample: the batch cost is a mean, so the batch gradient is the mean over samples of
the per-sample formula (dJ/dw = (1/N) Σ_n δ_j[n] a_i[n]), never the product of batch means. Every
per-sample array is therefore kept, and a path's batch value is the mean of its per-sample products
(the mean is linear, so path values still sum to the gradient).

Coupled layers: a softmax layer mixes its neurons (da_m/dz_j ≠ 0 for every m), so a path cannot be
followed neuron by neuron through it. As in ``core.chain``, a path stops at the first softmax layer
at or above the parameter's layer and starts from that layer's dJ/dz, taken from backpropagation
(for a softmax output with cross-entropy, the exact a − y). Sigmoid + binary cross-entropy likewise
starts from the fused dJ/dz = a − y, which stays exact where the sigmoid saturates.

With L1/L2 regularization the penalty's gradient (λ sign(w) or λ w) is an added term, not a path.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from .chain import Factor, _frac, _one
from .naming import (ParameterRef, component_latex, input_name, layer_latex, node_name, parameter_name, target_name,
                     to_latex)
from .network import regularization_gradient

__all__ = ["backward_recursion", "Recursion", "DeltaStep", "FinalStep",
           "chain_paths", "ChainPaths", "ChainPath", "path_count", "path_nodes"]


# ---------------------------------------------------------------------------------------- helpers
_YHAT = r"\hat{y}"


def _delta_vec(layer) -> str:
    """LaTeX of the delta vector of 1-based ``layer``, layer as subscript (core.naming): \\delta_{2}."""
    return layer_latex(r"\delta", layer)


def _delta_sym(layer: int, j, size: int) -> str:
    """LaTeX of one delta component, named like the layer's nodes: \\delta_{2,1} (\\delta_{2} when
    the layer has one neuron). ``j`` is 0-based, or a LaTeX index such as "k"."""
    return component_latex(r"\delta", layer, j, size)


def _node_sym(net, kind: str, layer: int, j: int) -> str:
    """LaTeX of node z or a of 1-based ``layer``, 0-based neuron j, as the chain names it."""
    return to_latex(node_name(kind, layer, j, net.sizes[layer]))


def _act_sym(net, layer: int, i: int) -> str:
    """LaTeX of a_{layer,i} (0-based i); layer 0 is the input, named as everywhere else (x or x_1)."""
    if layer == 0:
        return to_latex(input_name(i, net.sizes[0]))
    return _node_sym(net, "a", layer, i)


def _output_sym(j, size: int) -> str:
    """The network's output ŷ (a one-output network) or ŷ_j, as the targets y / y_j are named."""
    if size == 1:
        return _YHAT
    return rf"{_YHAT}_{{{j + 1 if isinstance(j, int) else j}}}"


def _check_sample(sample, n: int):
    if sample is None:
        return None
    sample = int(sample)
    if not 0 <= sample < n:
        raise IndexError(f"sample {sample} out of range: the data has {n} samples")
    return sample


def _select(per_sample: np.ndarray, sample):
    """The value at ``sample`` or, for the batch, the mean over samples (axis 0)."""
    return per_sample.mean(axis=0) if sample is None else per_sample[sample]


def _penalty_term(net, ref: ParameterRef) -> tuple[float, str]:
    """(value, LaTeX) of the regularization's contribution to dJ/dθ (0 and "" for a bias / none)."""
    kind, rate = net.regularization, net.regularization_rate
    if ref.kind == "b" or kind is None or rate == 0.0:
        return 0.0, ""
    value = float(regularization_gradient(kind, rate, net.weights[ref.layer][ref.i, ref.j]))
    name = to_latex(parameter_name(net.sizes, ref))
    return value, (rf"\lambda \operatorname{{sign}}({name})" if kind == "l1" else rf"\lambda {name}")


def _batch_value(bw, ref: ParameterRef) -> float:
    """The batch gradient exactly as ``Network.gradient_vector`` reports it."""
    if ref.kind == "w":
        return float(bw.dW[ref.layer][ref.i, ref.j])
    return float(bw.db[ref.layer][ref.j])


# ------------------------------------------------------------------------------ backward recursion
@dataclass(frozen=True)
class DeltaStep:
    """One layer of the recursion: how δ_layer = dJ/dz_layer is obtained, and its numbers.

    ``layer`` is 1-based. ``rule`` is one of
    "output_fused" (δ = ŷ − y: sigmoid + binary cross-entropy, softmax + cross-entropy),
    "output" (δ = dJ/dŷ ⊙ f'(z)), "output_jacobian" (softmax output with another loss:
    δ = J_softmax^T dJ/dŷ), "hidden" (δ = (W_{l+1} δ_{l+1}) ⊙ f'(z)) and "hidden_jacobian"
    (a hidden softmax: δ = J_softmax^T (W_{l+1} δ_{l+1})).
    ``latex`` is the vector formula; ``symbols`` the LaTeX of each component δ_{l,j}.
    Arrays are per sample, (N, size): ``deltas`` (dJ_n/dz), ``dJ_da`` (for hidden layers the
    back-propagated W_{l+1} δ_{l+1}), ``da_dz`` (f'(z); for softmax only the Jacobian's diagonal).
    ``delta`` (size,) is δ at the chosen sample, or its batch mean (which is dJ/db of the layer — but
    a weight's batch gradient is the mean of δ_j a_i, *not* mean δ_j times mean a_i).
    ``selected`` is the parameter's neuron j (0-based) in the parameter's own layer, else None.
    """

    layer: int
    size: int
    activation: str
    rule: str
    latex: str
    symbols: tuple
    deltas: np.ndarray
    dJ_da: np.ndarray
    da_dz: np.ndarray
    delta: np.ndarray
    selected: int | None = None

    def component_latex(self, j: int, next_size: int | None = None) -> str:
        """The formula of one component (0-based ``j``), named as in core.naming, e.g. for a hidden
        layer \\delta_{1,3} = \\left(\\sum_{k} w_{2,3,k} \\delta_{2,k}\\right) \\tanh'\\left(z_{1,3}\\right).
        ``next_size`` is the width of the layer above (for a hidden layer; wide when not given)."""
        from .activations import ACTIVATIONS
        l, size = self.layer, self.size
        d, f = _delta_sym(l, j, size), ACTIVATIONS[self.activation].latex
        z = component_latex("z", l, j, size)
        y_hat = _output_sym(j, size)
        if self.rule == "output_fused":
            target = "y" if size == 1 else f"y_{{{j + 1}}}"
            return rf"{d} = {y_hat} - {target}"
        if self.rule == "output":
            return rf"{d} = {_frac('J', y_hat)} \, {f}'\left({z}\right)"
        if self.rule == "output_jacobian":
            y_m = _output_sym("m", size)
            return rf"{d} = \sum_{{m}} {_frac(y_m, z)} \, {_frac('J', y_m)}"
        above = 2 if next_size is None else next_size
        if above == 1:
            back = rf"{_weight_sym(l + 1, j, 0, size, 1)} \, {_delta_sym(l + 1, 0, 1)}"
        else:
            back = rf"\sum_{{k}} {_weight_sym(l + 1, j, 'k', size, above)} {_delta_sym(l + 1, 'k', above)}"
        if self.rule == "hidden":
            return rf"{d} = \left({back}\right) {f}'\left({z}\right)"
        a_m = component_latex("a", l, "m", size)
        back_m = rf"\sum_{{k}} {_weight_sym(l + 1, 'm', 'k', size, above)} {_delta_sym(l + 1, 'k', above)}"
        return rf"{d} = \sum_{{m}} {_frac(a_m, z)} \left({back_m}\right)"


def _weight_sym(layer: int, i, j, rows: int, columns: int) -> str:
    """LaTeX of w_{layer,i,j} (0-based ints or LaTeX indices), named as core.naming names weights:
    a layer with a single weight is w_{layer}."""
    if rows * columns == 1:
        return to_latex(f"w{layer}")
    index = [str(v + 1) if isinstance(v, int) else v for v in (i, j)]
    return f"w_{{{layer},{index[0]},{index[1]}}}"


@dataclass(frozen=True)
class FinalStep:
    """The last link: dJ/dθ = δ_{l,j} a_{l-1,i} (a bias: δ_{l,j}) + the regularization term.

    Per sample (N,): ``delta`` (δ_{l,j}), ``input`` (a_{l-1,i}; ones for a bias) and ``products``
    (their product, the data term of dJ_n/dθ). Floats: ``data_term`` (the product at the sample, or
    the batch mean of products), ``penalty_term`` (λ sign(w) / λ w, 0 for a bias or without
    regularization) and ``value`` (at a sample data_term + penalty_term; for the batch the exact
    backpropagation value, equal to ``Network.gradient_vector``'s entry).
    ``latex`` is the formula (the batch form writes the mean over samples n), ``delta_symbol`` and
    ``input_symbol`` its two factors (``input_symbol`` is "1" for a bias), ``penalty_latex`` the
    regularization term ("" without one).
    """

    latex: str
    delta_symbol: str
    input_symbol: str
    penalty_latex: str
    delta: np.ndarray
    input: np.ndarray
    products: np.ndarray
    data_term: float
    penalty_term: float
    value: float


@dataclass(frozen=True)
class Recursion:
    """``backward_recursion``'s answer for parameter ``name``.

    ``steps`` run from the output layer (steps[0]) down to the parameter's layer (steps[-1]);
    ``final`` is the last link to the parameter. ``gradient`` is backpropagation's value at the same
    selection (one sample's dJ_n/dθ incl. the penalty, or the batch gradient) and ``batch_gradient``
    always the batch gradient. ``ref`` locates the parameter, ``n_samples`` is N.
    """

    name: str
    ref: ParameterRef
    sample: int | None
    n_samples: int
    steps: tuple
    final: FinalStep
    gradient: float
    batch_gradient: float

    @property
    def latex_lines(self) -> list[str]:
        """Every formula in order (the deltas top-down, then the final link) for a typeset column."""
        return [step.latex for step in self.steps] + [self.final.latex]


def _output_step(net, bw, sample) -> DeltaStep:
    out = net.depth - 1
    act = net.activation(out)
    L = out + 1
    f = act.latex
    dJ_dyhat = _frac("J", _YHAT)
    z = layer_latex("z", L)
    if net.output_uses_logits:
        rule, latex = "output_fused", rf"{_delta_vec(L)} = {_YHAT} - y"
    elif act.elementwise:
        rule = "output"
        times = r"\," if net.sizes[L] == 1 else r"\odot"   # one neuron: a plain product, as in the lesson
        latex = rf"{_delta_vec(L)} = {dJ_dyhat} {times} {f}'\left({z}\right)"
    else:
        rule = "output_jacobian"
        jac = _frac(_YHAT, z)
        latex = rf"{_delta_vec(L)} = \left({jac}\right)^{{\top}} {dJ_dyhat}"
    return _step(net, bw, out, rule, latex, sample)


def _hidden_step(net, bw, layer, sample) -> DeltaStep:
    act = net.activation(layer)
    l1 = layer + 1
    z = layer_latex("z", l1)
    if net.sizes[l1] == 1 and net.sizes[l1 + 1] == 1:
        # one neuron feeding one neuron (the lesson): the scalars it names everywhere else
        back = rf"{to_latex(f'w{l1 + 1}')} \, {_delta_vec(l1 + 1)}"
        times = r"\,"
    else:
        back = rf"\left({layer_latex('W', l1 + 1)} {_delta_vec(l1 + 1)}\right)"
        times = r"\odot"
    if act.elementwise:
        rule, latex = "hidden", rf"{_delta_vec(l1)} = {back} {times} {act.latex}'\left({z}\right)"
    else:
        rule = "hidden_jacobian"
        jac = _frac(layer_latex("a", l1), z)
        latex = rf"{_delta_vec(l1)} = \left({jac}\right)^{{\top}} {back}"
    return _step(net, bw, layer, rule, latex, sample)


def _step(net, bw, layer, rule, latex, sample) -> DeltaStep:
    n = net.sizes[layer + 1]
    deltas = bw.deltas[layer]
    return DeltaStep(layer + 1, n, net.activations[layer], rule, latex,
                     tuple(_delta_sym(layer + 1, j, n) for j in range(n)),
                     deltas, bw.dJ_da[layer], bw.da_dz[layer], np.asarray(_select(deltas, sample)))


def backward_recursion(net, name: str, X, y, sample: int | None = None) -> Recursion:
    """The backward recursion from the cost down to parameter ``name`` (see the module docstring).

    ``sample`` (0-based) selects one sample's numbers; None gives the batch (means of per-sample
    values, the per-sample arrays are always kept).
    """
    ref = net.locate(name)
    bw = net.backward(X, y)
    N = bw.targets.shape[0]
    sample = _check_sample(sample, N)
    steps = [_output_step(net, bw, sample)]
    for layer in range(net.depth - 2, ref.layer - 1, -1):
        steps.append(_hidden_step(net, bw, layer, sample))
    steps[-1] = replace(steps[-1], selected=ref.j)

    l1 = ref.layer + 1
    delta = bw.deltas[ref.layer][:, ref.j]
    d_sym = _delta_sym(l1, ref.j, net.sizes[l1])
    if ref.kind == "w":
        inp = bw.trace.activations[ref.layer][:, ref.i]
        i_sym = _act_sym(net, ref.layer, ref.i)
        per = d_sym + r" \, " + i_sym
        per_n = rf"{d_sym}[n] \, {i_sym}[n]"
    else:
        inp = np.ones(N)
        i_sym = "1"
        per = d_sym
        per_n = rf"{d_sym}[n]"
    products = delta * inp
    penalty, penalty_latex = _penalty_term(net, ref)
    lhs = _frac("J", to_latex(name))
    rhs = per if sample is not None else rf"\frac{{1}}{{N}}\sum_{{n=1}}^{{N}} {per_n}"
    if penalty_latex:
        rhs += " + " + penalty_latex
    data_term = float(_select(products, sample))
    batch = _batch_value(bw, ref)
    value = data_term + penalty if sample is not None else batch
    final = FinalStep(f"{lhs} = {rhs}", d_sym, i_sym, penalty_latex, delta, inp, products,
                      data_term, penalty, value)
    return Recursion(name, ref, sample, N, tuple(steps), final, value, batch)


# ---------------------------------------------------------------------------------------- paths
def _top_layer(net, ref: ParameterRef) -> int:
    """0-based layer where paths start: the first softmax (coupled) layer at or above the
    parameter's layer, else the output layer."""
    for layer in range(ref.layer, net.depth):
        if not net.activation(layer).elementwise:
            return layer
    return net.depth - 1


def path_count(net, name: str) -> int:
    """How many paths lead from parameter ``name`` to the cost: the product of the widths of the
    layers above the parameter's, up to and including the top layer (see ``chain_paths``)."""
    ref = net.locate(name)
    return math.prod(net.sizes[layer + 1] for layer in range(ref.layer + 1, _top_layer(net, ref) + 1))


def path_nodes(net, name: str) -> list[tuple]:
    """Every path's nodes, in ``chain_paths``' order and form ((1-based layer, neuron), top first),
    without computing any values: for stepping through the paths one at a time."""
    ref = net.locate(name)
    top = _top_layer(net, ref)
    layers = list(range(ref.layer, top + 1))
    above = [range(net.sizes[layer + 1]) for layer in layers[1:]]
    return [tuple((layer + 1, j) for layer, j in zip(reversed(layers), reversed((ref.j, *choice))))
            for choice in itertools.product(*above)]


@dataclass(frozen=True)
class ChainPath:
    """One path: ``nodes`` (1-based layer, 0-based neuron) from the top (an output neuron, or the
    neuron of a softmax layer where the path starts) down to the parameter's neuron; ``factors``
    (``core.chain.Factor``) in Leibniz order from the cost down to the parameter — kinds "loss"
    (dJ/dŷ_k), "output_delta" (the output's dJ/dz_k; a − y when fused), "aggregate" (a hidden softmax
    layer's dJ/dz), "activation" (da/dz), "weight" (dz/da = w), "input" (dz/dw = a) and "bias"
    (dz/db = 1); identical factors are the same object across paths; ``per_sample`` (N,)
    the product of the factors per sample; ``value`` that product at the sample or its batch mean."""

    nodes: tuple
    factors: tuple
    per_sample: np.ndarray
    value: float

    @property
    def latex(self) -> str:
        return r" \, ".join(f.latex for f in self.factors)

    @property
    def label(self) -> str:
        return " * ".join(f.label for f in self.factors)


@dataclass(frozen=True)
class ChainPaths:
    """``chain_paths``' answer for parameter ``name``.

    ``count`` is the number of paths; ``listed`` is False when it exceeds ``limit`` and ``paths`` is
    then empty. ``top_kind`` says how paths start: "loss" (dJ/dŷ then dŷ/dz: an elementwise output
    with a loss not fused with it), "output_delta" (the output's dJ/dz: sigmoid + binary
    cross-entropy or a softmax output) or "aggregate" (dJ/dz of a hidden softmax layer, from
    backpropagation); ``top_layer`` is that layer, 1-based.
    ``data_term`` is the sum of the path values (from backpropagation when not listed),
    ``penalty_term`` the regularization's added term, ``gradient`` backpropagation's value at the
    same selection (data_term + penalty_term up to rounding) and ``batch_gradient`` the batch value.
    ``symbols`` maps the plain names the factors use (a2.1, z2.1, w2.1.1, y, dJ/dz2.1, ...) to LaTeX.
    """

    name: str
    sample: int | None
    count: int
    limit: int
    listed: bool
    paths: tuple
    top_layer: int
    top_kind: str
    data_term: float
    penalty_term: float
    gradient: float
    batch_gradient: float
    symbols: dict


def _sym(plain):
    import sympy
    return sympy.Symbol(plain)



def chain_paths(net, name: str, X, y, sample: int | None = None, limit: int = 64) -> ChainPaths:
    """Every path from parameter ``name`` to the cost as a product of local derivatives.

    The sum of the path values plus the regularization term is the gradient (per sample, or for the
    batch). More than ``limit`` paths are counted, not listed (``ChainPaths.listed`` False).
    """
    ref = net.locate(name)
    sizes = net.sizes
    bw = net.backward(X, y)
    trace = bw.trace
    N = bw.targets.shape[0]
    sample = _check_sample(sample, N)
    top = _top_layer(net, ref)
    out = net.depth - 1
    count = path_count(net, name)
    penalty, _ = _penalty_term(net, ref)
    batch = _batch_value(bw, ref)
    if sample is None:
        gradient = batch
    else:
        gradient = float(bw.per_sample_gradient(ref)[sample])
    if top != out or not net.activation(out).elementwise or net.output_uses_logits:
        top_kind = "aggregate" if top != out else "output_delta"
    else:
        top_kind = "loss"

    symbols: dict[str, str] = {}

    def a_name(layer, j):  # 0-based layer; -1 is the input
        return input_name(j, sizes[0]) if layer < 0 else node_name("a", layer + 1, j, sizes[layer + 1])

    def z_name(layer, j):
        return node_name("z", layer + 1, j, sizes[layer + 1])

    def w_name(layer, i, j):
        return parameter_name(sizes, ParameterRef("w", layer, i, j))

    def note(*plains):
        for plain in plains:
            symbols.setdefault(plain, to_latex(plain))

    cache: dict = {}

    def factor(key, top_, bottom, kind, values, builder):
        # one Factor (and one (N,) array) per distinct local derivative, shared by every path through it
        if key not in cache:
            vals = np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=np.float64), (N,)))
            cache[key] = Factor(top_, bottom, kind, vals, sample, builder, symbols)
        return cache[key]

    if count > limit:
        return ChainPaths(name, sample, count, int(limit), False, (), top + 1, top_kind,
                          gradient - penalty, penalty, gradient, batch, symbols)

    # the last link, common to every path
    z0 = z_name(ref.layer, ref.j)
    note(name, z0)
    if ref.kind == "w":
        prev = a_name(ref.layer - 1, ref.i)
        note(prev)
        last = factor(("param",), z0, name, "input", trace.activations[ref.layer][:, ref.i],
                      lambda p=prev: _sym(p))
    else:
        last = factor(("param",), z0, name, "bias", 1.0, _one)

    paths = []
    above = [range(sizes[layer + 1]) for layer in range(ref.layer + 1, top + 1)]
    for choice in itertools.product(*above):
        neurons = [ref.j, *choice]  # neuron per layer, from the parameter's layer up to the top
        layers = list(range(ref.layer, top + 1))
        factors = []
        t, k = top, neurons[-1]
        zt, at = z_name(t, k), a_name(t, k)
        note(zt, at)
        if top_kind == "loss":
            yk = target_name(k, sizes[-1])
            note(yk)
            loss = net.loss_function
            factors.append(factor(("loss", k), "J", at, "loss", bw.dJ_da[t][:, k],
                                  lambda a=at, t_=yk: loss.symbolic_derivative(_sym(a), _sym(t_))))
        else:
            agg = f"dJ/d{zt}"
            symbols[agg] = _frac("J", to_latex(zt))
            if top_kind == "output_delta" and net.output_uses_logits:  # the fused a - y (one-hot y)
                yk = target_name(k, sizes[-1])
                note(yk)
                builder = (lambda a=at, t_=yk: _sym(a) - _sym(t_))
            else:
                builder = (lambda g=agg: _sym(g))
            factors.append(factor(("dz", t, k), "J", zt, top_kind, bw.deltas[t][:, k], builder))
        for pos in range(len(layers) - 1, -1, -1):
            layer, j = layers[pos], neurons[pos]
            z, a = z_name(layer, j), a_name(layer, j)
            note(z, a)
            if pos != len(layers) - 1 or top_kind == "loss":
                act = net.activation(layer)
                factors.append(factor(("act", layer, j), a, z, "activation", bw.da_dz[layer][:, j],
                                      lambda act=act, z=z: act.symbolic_derivative(_sym(z))))
            if pos > 0:
                below = neurons[pos - 1]
                prev_a, w = a_name(layer - 1, below), w_name(layer, below, j)
                note(prev_a, w)
                factors.append(factor(("w", layer, below, j), z, prev_a, "weight",
                                      net.weights[layer][below, j], lambda w=w: _sym(w)))
        factors.append(last)
        per_sample = np.prod([f.values for f in factors], axis=0)
        nodes = tuple((layer + 1, j) for layer, j in zip(reversed(layers), reversed(neurons)))
        paths.append(ChainPath(nodes, tuple(factors), per_sample, float(_select(per_sample, sample))))
    data_term = float(sum(p.value for p in paths))
    return ChainPaths(name, sample, count, int(limit), True, tuple(paths), top + 1, top_kind,
                      data_term, penalty, gradient, batch, symbols)
