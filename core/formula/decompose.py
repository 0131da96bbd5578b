"""A function as its chain of compositions, outermost first: h = log u, u = 2 + cos x.

``decompose(expr)`` peels layers off the top of the expression for as long as the top is a
composition:

* a single-argument function of something other than x itself (log(2 + cos x) -> log u),
* a power with a constant exponent ((1 + x²)³ -> u³, √(1 + x²) -> √u, 1/(1 + x²) -> u⁻¹),
* a constant raised to a non-trivial exponent (2^(sin x) -> 2^u) — the chain rule's a^u case,

each possibly scaled and shifted by constants: 3·log(1 + x²) + 1 peels as h = 3·log(u) + 1, and
2 + cos(x²) as u = 2 + cos v. A layer whose top is anything else — a sum of several x-terms, a
product of x-factors, or a function applied directly to x — is the innermost layer; it is not split
further (x² + 3x is ONE layer, h = x² + 3x).

Layers are named h (the whole function), then u, v, w, s, t, p, q, r (the letters the chain rule
steps of ``derive`` use at the same depth), then u_8, u_9, …. Each layer's ``derivative`` is
d(layer)/d(its inner symbol) in the recognisable forms of ``derive`` (σ(u)(1 − σ(u)), 1 − tanh² u);
their product — each factor evaluated at the inner layers' values — is h′(x):
dh/dx = dh/du · du/dv · dv/dx. ``factors_at(x0)`` returns those numbers.

Numbers at a point come from numpy, never from sympy: ``decompose`` (in the worker process) prints
each layer and each factor as numpy source (core.formula.numeric), and ``factors_at`` /
``values_at`` run that code, in microseconds for any formula. (sympy's evalf at every move of x0
took minutes for exp(exp(exp(exp(exp(x))))) and raised AttributeError for some inputs.)

Pure sympy and numpy; never Qt.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy

from .derive import CHAIN_LETTERS, _default_variable, derive, formula_latex, formula_text
from .term_order import TermOrder

__all__ = ["decompose", "Decomposition", "Layer", "MAX_LAYERS"]

#: Peeling stops after this many layers (the parser bounds nesting far below it anyway).
MAX_LAYERS = 64


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer of the composition: ``symbol = outer(inner_symbol)``, e.g. h = log(u)."""

    name: str                      # "h", "u", "v", ...
    symbol: sympy.Symbol           # Symbol(name, real=True)
    outer: sympy.Expr              # this layer in terms of inner_symbol, e.g. log(u)
    inner_symbol: sympy.Symbol     # the next layer's symbol, or the variable x for the innermost
    expression: sympy.Expr         # this layer in terms of x, e.g. log(2 + cos x)
    derivative: sympy.Expr         # d outer / d inner_symbol, e.g. 1/u
    derivative_in_x: sympy.Expr    # the same with the inner layers substituted, e.g. 1/(2 + cos x)
    is_innermost: bool             # True for the last layer (its inner symbol is x)
    value_source: str = ""         # numpy source of ``expression`` (core.formula.numeric), "" if none
    derivative_source: str = ""    # numpy source of ``derivative_in_x``
    order: object = field(default=None, repr=False)  # TermOrder its sums print in (u = 2 + cos x as typed)

    def value_at(self, x0: float) -> float:
        """This layer's value at x0 (NaN where undefined, ±inf where it overflows)."""
        return _at(self.value_source, self.expression, x0)

    def derivative_at(self, x0: float) -> float:
        """This layer's factor of the chain at x0 (NaN where undefined, ±inf where it overflows)."""
        return _at(self.derivative_source, self.derivative_in_x, x0)

    @property
    def label_latex(self) -> str:
        r"""``\frac{dh}{du}`` — the name of this layer's factor in the chain rule product."""
        return rf"\frac{{d{formula_latex(self.symbol)}}}{{d{formula_latex(self.inner_symbol)}}}"

    @property
    def latex(self) -> str:
        r"""The layer as an equation: ``h = \log{\left(u \right)}``."""
        return rf"{formula_latex(self.symbol)} = {self.outer_latex}"

    @property
    def outer_latex(self) -> str:
        return formula_latex(self.outer, self.order)

    @property
    def expression_latex(self) -> str:
        return formula_latex(self.expression, self.order)

    @property
    def derivative_only_latex(self) -> str:
        r"""``\frac{1}{u}``: d outer / d inner_symbol alone, as it enters the chain's product."""
        return formula_latex(self.derivative, self.order)

    @property
    def derivative_latex(self) -> str:
        r"""``\frac{dh}{du} = \frac{1}{u}``."""
        return rf"{self.label_latex} = {self.derivative_only_latex}"

    @property
    def text(self) -> str:
        """Plain text of the layer, e.g. ``h = log(u)``."""
        return f"{self.name} = {formula_text(self.outer, self.order)}"


@dataclass(frozen=True, eq=False)
class Decomposition:
    """``layers`` outermost first; the last layer's inner symbol is ``variable``; ``order`` the
    TermOrder the layers' sums print in."""

    expression: sympy.Expr
    variable: sympy.Symbol
    layers: tuple
    order: object = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def is_composition(self) -> bool:
        """True when there is something to chain (two layers or more)."""
        return len(self.layers) > 1

    def product_latex(self) -> str:
        r"""How the layers' derivatives combine: ``\frac{dh}{dx} = \frac{dh}{du}\,\frac{du}{dx}``."""
        x = formula_latex(self.variable)
        head = rf"\frac{{dh}}{{d{x}}}"
        if len(self.layers) == 1:
            return rf"{head} = {self.layers[0].derivative_only_latex}"
        return head + " = " + r"\,".join(layer.label_latex for layer in self.layers)

    def product_expression(self) -> sympy.Expr:
        """The product of the layers' derivatives in terms of x — equal to h′(x)."""
        return sympy.Mul(*[layer.derivative_in_x for layer in self.layers])

    def factors_at(self, x0: float) -> list:
        r"""``[(label_latex, value), ...]``: each layer's derivative at x0 (outer ones evaluated at the
        inner layers' values), outermost first; their product is h′(x0). A value is NaN where that
        factor is undefined or not real (a division by zero), and where the layer itself is (log u
        at u < 0 has no real derivative even though 1/u is a number); ±inf where it is too large
        for a float. Evaluated in float64 by generated numpy code: quick for any formula."""
        factors = []
        for layer in self.layers:
            if math.isnan(layer.value_at(x0)):
                factors.append((layer.label_latex, math.nan))  # e.g. log u at u < 0: no derivative
            else:
                factors.append((layer.label_latex, layer.derivative_at(x0)))
        return factors

    def derivative_at(self, x0: float) -> float:
        """h′(x0) as the product of ``factors_at(x0)``."""
        return math.prod(value for _, value in self.factors_at(x0))

    def values_at(self, x0: float) -> list:
        """``[(name, value), ...]``: every layer's value at x0, outermost (h) first."""
        return [(layer.name, layer.value_at(x0)) for layer in self.layers]


def _source(expr, variable) -> str:
    """numpy source of ``expr`` (in the worker, at decomposition time); "" if numpy cannot compute it."""
    from .numeric import formula_source

    try:
        return formula_source(expr, variable=variable)
    except ValueError:
        return ""


def _at(source: str, expr, x0: float) -> float:
    from .numeric import point_function

    if not source:
        return math.nan
    return point_function(source)(float(x0))


def _peel(expr, var):
    """``(outer_of, inner)`` when the top of ``expr`` is c1·f(inner) + c0 with inner ≠ x, else None."""
    c0, rest = expr.as_independent(var, as_Add=True)
    c1, core = rest.as_independent(var, as_Add=False)
    if isinstance(core, sympy.Function) and len(core.args) == 1:
        inner, func = core.args[0], core.func
        build = func
    elif core.is_Pow and not core.exp.has(var):
        inner, exponent = core.base, core.exp
        build = lambda s: s ** exponent  # noqa: E731
    elif core.is_Pow and not core.base.has(var):
        inner, base = core.exp, core.base
        build = lambda s: base ** s  # noqa: E731
    else:
        return None
    if inner == var or not inner.has(var):
        return None
    return (lambda s: c0 + c1 * build(s)), inner


def decompose(expr, variable: sympy.Symbol | None = None, order: TermOrder | None = None) -> Decomposition:
    """Split ``expr`` into its chain of compositions, outermost layer first (see the module docs).

    ``order``: the TermOrder of ``expr`` (from ``parse_with_order``), so each layer's sums print as
    typed (u = 2 + cos v for 2 + cos(x²)); the layers' sums and derivatives are recorded in it."""
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"decompose() takes a sympy expression, not {type(expr).__name__}")
    order = TermOrder() if order is None else order
    var = _default_variable() if variable is None else variable
    taken = {s.name for s in expr.free_symbols} | {var.name}
    letters = [n for n in CHAIN_LETTERS if n not in taken]

    def name_at(k):
        if k == 0:
            return "h"
        return letters[k - 1] if k - 1 < len(letters) else f"u_{k - 1}"

    pieces = []  # (name, symbol, outer, inner_symbol, expression)
    current, k = expr, 0
    while True:
        name = name_at(k)
        symbol = sympy.Symbol(name, real=True)
        peeled = _peel(current, var) if k + 1 < MAX_LAYERS else None
        if peeled is None:
            pieces.append((name, symbol, current, var, current))
            break
        outer_of, inner = peeled
        next_symbol = sympy.Symbol(name_at(k + 1), real=True)
        outer = outer_of(next_symbol)
        if isinstance(current, sympy.Add):   # 2 + cos(x²) -> 2 + cos(v), its terms as in current
            order.record(outer, [term.xreplace({inner: next_symbol}) for term in order.terms(current)])
        pieces.append((name, symbol, outer, next_symbol, current))
        current, k = inner, k + 1

    layers = []
    for i, (name, symbol, outer, inner_symbol, expression) in enumerate(pieces):
        derivative = derive(outer, inner_symbol, order).result
        inner_expression = pieces[i + 1][4] if i + 1 < len(pieces) else var
        derivative_in_x = order.substitute(derivative, {inner_symbol: inner_expression})
        layers.append(Layer(name, symbol, outer, inner_symbol, expression, derivative, derivative_in_x,
                            i + 1 == len(pieces), _source(expression, var), _source(derivative_in_x, var),
                            order))
    return Decomposition(expr, var, tuple(layers), order)
