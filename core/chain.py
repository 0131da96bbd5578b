"""The chain rule made visible: dJ/dθ as an ordered product of local derivatives.

For the lesson network, dJ/dw1 = dJ/da2 · da2/dz2 · dz2/da1 · da1/dz1 · dz1/dw1: one factor per edge
of the path from the cost back to the parameter. Each ``Factor`` carries its per-sample numbers
(taken from the backward pass, so they are the numbers training uses) and, lazily, its sympy formula
in terms of the node symbols (z2, a1, w2, x, y, ...).

Why the app shows the chain *per sample*: the batch cost is a mean, J = (1/N) sum_n J_n, so
dJ/dθ = (1/N) sum_n prod_k f_k(n) — the mean of per-sample products. The product of the factors'
batch means, prod_k mean_n f_k(n), is in general *not* the gradient (a mean of products is not a
product of means). ``Chain.product`` is therefore the mean of per-sample products for the batch and
the plain product at one sample.

Sigmoid + cross-entropy: the first two factors are shown as the lesson writes them,
dJ/da = (a - y) / (a (1 - a)) and da/dz = a (1 - a); their product is the a - y that training uses
exactly, up to rounding, until the sigmoid saturates (|z| > ~27, where y_hat is clipped for the
display factor). ``Chain.gradient`` is always backpropagation's exact value.

Unique paths only: the chain is expanded through a later layer only while that layer has exactly one
neuron, so the path is unique. Where a later layer has several neurons the chain starts with an
*aggregated* factor dJ/da_{l,j} (kind "aggregate") whose value comes from backpropagation (it is
the sum over that layer's paths) and whose formula is an opaque sympy Symbol named ``dJ/da{l}.{j}``
(LaTeX \\frac{\\partial J}{\\partial a_{l,j}}). Path enumeration through wide layers is a later step.

A softmax layer couples its neurons (da_k/dz_j is non-zero for every k), so for a parameter of a
softmax layer (the output layer, usually) the chain starts one step lower, with the aggregated
dJ/dz_{l,j} from backpropagation (for a softmax output with cross-entropy the exact a - y); the
product then still equals the gradient. With L1/L2
regularization the penalty's gradient is an added term, not a factor: ``Chain.gradient`` includes
it, the product of the factors is the data term only.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from .naming import ParameterRef, input_name, node_name, parameter_name, target_name, to_latex

__all__ = ["Chain", "Factor", "build_chain"]


def _frac(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _network_latex_printer():
    """sympy's LaTeX printer, except that the step function (ReLU's derivative) is written
    1[z > 0]: sympy's default θ(z) would clash with θ, which the studio keeps for parameters."""
    from sympy.printing.latex import LatexPrinter

    class NetworkLatexPrinter(LatexPrinter):
        def _print_Heaviside(self, expr, exp=None):
            tex = rf"\mathbb{{1}}\left[{self._print(expr.args[0])} > 0\right]"
            return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    return NetworkLatexPrinter


class _LazyPrinter:
    """Builds the printer class on first use: sympy is not imported at start-up."""

    def __call__(self, settings):
        global _NetworkLatexPrinter
        _NetworkLatexPrinter = _network_latex_printer()
        return _NetworkLatexPrinter(settings)


_NetworkLatexPrinter = _LazyPrinter()


class Factor:
    """One local derivative d(top)/d(bottom) along the chain.

    ``values`` (N,) per sample; ``value`` the batch mean, or the value at the chain's sample;
    ``formula`` (sympy, lazy) the local derivative in node symbols; ``formula_latex`` (lazy) its LaTeX
    with node names typeset (a2 -> a_2). ``kind`` says which local relation it differentiates:
    "loss" (J w.r.t. the output), "activation" (a w.r.t. z), "weight" (z w.r.t. the previous a:
    the weight), "input" (z w.r.t. a weight: the incoming activation), "bias" (z w.r.t. a bias: 1),
    "aggregate" (dJ/da summed over several paths, from backprop).
    """

    def __init__(self, top: str, bottom: str, kind: str, values: np.ndarray, sample, builder, symbols,
                 bound: str = ""):
        self.top = top
        self.bound = bound   # LaTeX of the most it can be (an activation's slope: σ′ ≤ ¼), or ""
        self.bottom = bottom
        self.kind = kind
        self.label = f"d{top}/d{bottom}"
        self.latex = _frac(symbols.get(top, top), symbols.get(bottom, bottom))
        self.values = values
        self.value = float(values.mean() if sample is None else values[sample])
        self._builder = builder
        self._symbols = symbols

    @cached_property
    def formula(self):
        """sympy expression of the local derivative, in plain-named node Symbols (e.g. a2 - y)."""
        return self._builder()

    @cached_property
    def formula_latex(self) -> str:
        import sympy
        names = {sympy.Symbol(plain): tex for plain, tex in self._symbols.items()}
        # order="none" prints factors as built (sigma(z)(1 - sigma(z))), not sympy's canonical order
        return _NetworkLatexPrinter({"symbol_names": names, "order": "none"}).doprint(self.formula)

    @property
    def expanded_latex(self) -> str:
        """``formula_latex``, except that an aggregated factor is written as the sum the backward
        recursion computes: dJ/da of a neuron j feeding a wide layer l + 1 is
        sum_k w_{l+1,j,k} delta_{l+1,k} (named as core.naming names weights and nodes); dJ/dz of a
        coupled (softmax) neuron is its delta, delta_{l,j}."""
        if self.kind != "aggregate":
            return self.formula_latex
        layer, _, j = self.bottom[1:].partition(".")
        layer, j = int(layer), int(j or 1)
        if self.bottom[0] == "a":
            return rf"\sum_k w_{{{layer + 1},{j},k}}\, \delta_{{{layer + 1},k}}"
        return rf"\delta_{{{layer},{j}}}"

    def __repr__(self) -> str:
        return f"<Factor {self.label} = {self.value:.6g}>"


class Chain:
    """dJ/d``name`` as a product of ``factors``, ordered from the cost back to the parameter.

    * ``product``: the mean over samples of the per-sample products (the batch gradient) when
      ``sample`` is None; the product of the factor values at ``sample`` (dJ_k/dθ) otherwise.
    * ``gradient``: the batch gradient from backpropagation, whatever the sample.
    * ``per_sample_products``: (N,) product of the factors' values for each sample.
    * ``nodes``: (1-based layer, 0-based neuron) of the neurons the chain passes through, from its top
      (the output layer, or the layer of an aggregated factor) back to the parameter's layer.
    * ``symbols``: plain name -> LaTeX for every symbol the formulas use.
    """

    def __init__(self, name, sample, factors, nodes, symbols, per_sample_products, gradient, values):
        self.name = name
        self.sample = sample
        self.factors = factors
        self.nodes = nodes
        self.symbols = symbols
        self.per_sample_products = per_sample_products
        self.gradient = gradient
        self._values = values

    @property
    def product(self) -> float:
        if self.sample is None:
            return float(self.per_sample_products.mean())
        return float(self.per_sample_products[self.sample])

    @property
    def label(self) -> str:
        return f"dJ/d{self.name}"

    @property
    def latex(self) -> str:
        """Leibniz form: \\frac{∂J}{∂w_1} = \\frac{∂J}{∂a_2} \\frac{∂a_2}{∂z_2} ..."""
        lhs = _frac("J", self.symbols[self.name])
        return lhs + " = " + r" \, ".join(f.latex for f in self.factors)

    def values_at(self, sample: int) -> dict[str, float]:
        """The numeric value of every symbol in ``symbols`` at one sample (for substituting into formulas)."""
        return {name: float(v if np.ndim(v) == 0 else v[sample]) for name, v in self._values.items()}

    def __repr__(self) -> str:
        return f"<Chain {self.label}: {' * '.join(f.label for f in self.factors)} = {self.product:.6g}>"


def _one():
    import sympy
    return sympy.Integer(1)


def build_chain(net, name: str, X, y, sample=None) -> Chain:
    """Break dJ/d``name`` of ``net`` on data (X, y) into local factors; see the module docstring."""
    ref = net.locate(name)
    bw = net.backward(X, y)
    trace = bw.trace
    N = trace.activations[0].shape[0]
    if sample is not None:
        sample = int(sample)
        if not 0 <= sample < N:
            raise IndexError(f"sample {sample} out of range: the data has {N} samples")
    sizes, L = net.sizes, net.depth

    # The path: from the parameter's layer up through single-neuron layers.
    path = [(ref.layer, ref.j)]  # (0-based layer, 0-based neuron)
    # A softmax layer of several neurons couples them: the chain starts at its dJ/dz (docstring).
    coupled_top = not net.activation(ref.layer).elementwise and sizes[ref.layer + 1] > 1
    while not coupled_top and path[-1][0] + 1 < L and sizes[path[-1][0] + 2] == 1:
        path.append((path[-1][0] + 1, 0))
    top_layer, top_j = path[-1]
    reaches_output = top_layer == L - 1

    symbols: dict[str, str] = {}
    values: dict[str, object] = {}

    def a_name(layer, j):  # activation of 0-based layer (layer -1 means the inputs)
        if layer < 0:
            return input_name(j, sizes[0])
        return node_name("a", layer + 1, j, sizes[layer + 1])

    def z_name(layer, j):
        return node_name("z", layer + 1, j, sizes[layer + 1])

    def w_name(layer, i, j):
        return parameter_name(sizes, ParameterRef("w", layer, i, j))

    def note(plain, value):
        symbols[plain] = to_latex(plain)
        values[plain] = value

    def sym(plain):
        import sympy
        return sympy.Symbol(plain)

    factors: list[Factor] = []
    per_sample = np.ones(N)

    def add(top, bottom, kind, vals, builder, bound=""):
        nonlocal per_sample
        vals = np.ascontiguousarray(np.broadcast_to(np.asarray(vals, dtype=np.float64), (N,)))
        factors.append(Factor(top, bottom, kind, vals, sample, builder, symbols, bound))
        per_sample = per_sample * vals

    top_a = a_name(top_layer, top_j)
    note(top_a, trace.activations[top_layer + 1][:, top_j])
    if coupled_top:  # softmax: start from dJ/dz of the output neuron (see the module docstring)
        top_z = z_name(top_layer, top_j)
        note(top_z, trace.zs[top_layer][:, top_j])
        agg = f"dJ/d{top_z}"
        symbols[agg] = _frac("J", to_latex(top_z))
        add("J", top_z, "aggregate", bw.deltas[top_layer][:, top_j], lambda agg=agg: sym(agg))
    elif reaches_output:
        k = top_j
        y_name = target_name(k, sizes[-1])
        note(y_name, bw.targets[:, k])
        loss = net.loss_function
        add("J", top_a, "loss", bw.dJ_da[top_layer][:, k],
            lambda a=top_a, t=y_name: loss.symbolic_derivative(sym(a), sym(t)))
    else:
        agg = f"dJ/d{top_a}"
        symbols[agg] = _frac("J", to_latex(top_a))
        add("J", top_a, "aggregate", bw.dJ_da[top_layer][:, top_j], lambda agg=agg: sym(agg))

    for position in range(len(path) - 1, -1, -1):
        layer, j = path[position]
        a, z = a_name(layer, j), z_name(layer, j)
        act = net.activation(layer)
        note(a, trace.activations[layer + 1][:, j])
        note(z, trace.zs[layer][:, j])
        if not (coupled_top and position == len(path) - 1):
            add(a, z, "activation", bw.da_dz[layer][:, j],
                lambda act=act, z=z: act.symbolic_derivative(sym(z)), act.derivative_bound)
        if position > 0:
            below_layer, below_j = path[position - 1]
            prev_a = a_name(below_layer, below_j)
            w = w_name(layer, below_j, j)
            note(w, float(net.weights[layer][below_j, j]))
            note(prev_a, trace.activations[below_layer + 1][:, below_j])
            add(z, prev_a, "weight", net.weights[layer][below_j, j], lambda w=w: sym(w))

    # The last link: z of the parameter's neuron w.r.t. the parameter itself.
    z = z_name(ref.layer, ref.j)
    note(name, net.get(name))
    if ref.kind == "w":
        prev_a = a_name(ref.layer - 1, ref.i)
        note(prev_a, trace.activations[ref.layer][:, ref.i])
        add(z, name, "input", trace.activations[ref.layer][:, ref.i], lambda prev_a=prev_a: sym(prev_a))
    else:
        add(z, name, "bias", 1.0, _one)

    nodes = [(layer + 1, j) for layer, j in reversed(path)]
    gradient = float(bw.per_sample_gradient(ref).mean())
    return Chain(name, sample, factors, nodes, symbols, per_sample, gradient, values)
