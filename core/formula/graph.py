"""The computation graph of a formula: its primitive operations as a DAG, evaluated forward (values and
tangents dnode/dx) and backward (adjoints dh/dnode), with every edge's local derivative.

    >>> g = computation_graph(parse_formula("log(2 + cos(x))"))
    >>> [n.label for n in g.nodes]
    ['x', 'cos', '2', '+', 'log']
    >>> v = g.evaluate(1.0)
    >>> v.adjoint[0] == v.tangent[g.output]          # both are h'(1)

How sympy's tree becomes nodes (sympy itself only has Add, Mul and Pow):

- **Identical sub-expressions are one node.** `sin(x)*sin(x) + sin(x)` (sympy: sin(x)**2 + sin(x))
  has one `sin` node with two parents, and its adjoint is the sum over both uses.
- **Subtraction and division are recovered for readability**, because a learner writes and reads
  `x - sin(x)` and `sin(x)/x`, not `x + (-1)*sin(x)` and `sin(x)*x**(-1)`:
  an Add whose terms carry negative coefficients becomes `sub(positive terms, negated terms)`
  (label "−"), or `neg(...)` when every term is negative; a Mul with a negative coefficient becomes
  `neg(...)` (label "−", one argument); factors with negative exponents (and the denominator of a
  rational coefficient) go below a `div` (label "÷"): `x**(-2)` is `1 ÷ x^2`, `x/2` is `x ÷ 2`.
- Powers: `x**(1/2)` is `sqrt` (label "√"); a constant exponent is a one-argument `pow` node labelled
  with it ("^2", "^(1/3)", "^π"); a non-constant exponent (`2**x`, `x**x`) is a two-argument `pow`
  (label "^").
- Sums and products stay n-ary (`x^2 + sin x + 1` is one "+" node); a sum's arguments come in the
  order its terms were typed when a TermOrder is given (`2 + cos x`: 2, then cos), else in sympy's
  printing order; products in sympy's order.
- Constants (numbers, π, e) are leaves with op "const"; x-free sub-expressions such as `log(2)` are
  built from them like anything else (every node has `.constant` to dim or skip such parts).

A node may use the same argument twice (only possible with an unevaluated tree such as
`Mul(x, x, evaluate=False)`); `args` then repeats it, and `local[(parent, child)]` is the *total*
d(parent)/d(child) summed over both positions, so every sum below runs over distinct
(parent, child) edges.

Pure sympy + numpy; the Graph pickles (it travels from the worker process to the GUI). Building
uses sympy (in the worker); ``Graph.evaluate`` uses numpy only — constants were turned into floats
when the graph was built — so the GUI can call it at every x0 on its own thread (about 10 µs for
the lesson's graph, cached per x0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import sympy

__all__ = ["Node", "Edge", "Graph", "GraphValues", "computation_graph"]

# Short diagram labels of functions whose label is not their name.
_FUNCTION_LABELS = {"sigmoid": "σ", "abs": "abs"}
_CONST_LABELS = {sympy.pi: "π", sympy.E: "e"}


@dataclass(frozen=True)
class Node:
    """One operation of the graph.

    ``op``: "x", "const", "add", "sub", "mul", "div", "neg", "pow", "sqrt" or a function name
    ("sin", "log", "sigmoid", "abs", ...). ``label``: short text for a diagram ("+", "×", "^2",
    "sin", "x", "2"). ``args``: ids of the argument nodes, in order. ``expr``: the sympy expression
    this node computes (in terms of x); ``latex``: its LaTeX, ``text`` the same as plain text (sums in
    the graph's TermOrder). ``exponent``: the constant exponent of a
    one-argument "pow" node, else None. ``constant``: True when the node does not depend on x;
    ``number``: then its value as a float, and ``exponent_number`` the exponent's (computed once, in the worker: ``evaluate`` never calls
    sympy for the operations the parser produces, so it is safe and fast on the GUI thread).
    """

    id: int
    op: str
    label: str
    args: tuple[int, ...]
    expr: sympy.Expr
    latex: str
    exponent: sympy.Expr | None = None
    constant: bool = False
    number: float | None = None
    exponent_number: float | None = None
    text: str = ""


@dataclass(frozen=True)
class Edge:
    """The edge from a node (``parent``) to one of its arguments (``child``): ``expr`` is the local
    derivative d(parent)/d(child) as a formula in x (summed over repeated uses); ``latex`` prints it
    on demand (a product of many factors has long edge formulas: only print those you show)."""

    parent: int
    child: int
    expr: sympy.Expr
    order: object = field(default=None, repr=False, compare=False)   # TermOrder its sums print in

    @property
    def latex(self) -> str:
        from .derive import formula_latex

        return formula_latex(self.expr, self.order)


@dataclass(frozen=True)
class GraphValues:
    """The graph evaluated at ``x0``. Indexed by node id (ids are 0..n-1 in topological order).

    ``value[id]``: forward value. ``tangent[id]``: d(node)/dx by forward mode (tangent of x is 1).
    ``adjoint[id]``: dh/d(node) after the backward pass (adjoint of the output is 1; a node used by
    several parents sums their contributions). ``local[(parent, child)]``: d(parent)/d(child) at x0.
    ``contribution[(parent, child)]``: adjoint[parent] * local[(parent, child)], the gradient flowing
    along that edge in the backward pass (a node's adjoint is the sum of its incoming contributions).
    ``local_by_use[(parent, position)]`` and ``contribution_by_use[(parent, position)]``: the same per
    argument position, so a node used twice by one parent (x in x^x: base and exponent) shows each
    use's share; the per-pair values above are their sums.
    ``forward_order``: node ids in the order the forward pass computes them (inputs first);
    ``backward_order``: the order the backward pass finalises adjoints (output first; every node
    reaches the output, so it is forward_order reversed).
    Values are floats; NaN where the formula is undefined at x0 (log of a negative, ...), ±inf at a pole.
    """

    x0: float
    value: tuple[float, ...]
    tangent: tuple[float, ...]
    adjoint: tuple[float, ...]
    local: dict[tuple[int, int], float]
    contribution: dict[tuple[int, int], float]
    forward_order: tuple[int, ...]
    backward_order: tuple[int, ...]
    local_by_use: dict[tuple[int, int], float] = field(default_factory=dict)
    contribution_by_use: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def derivative(self) -> float:
        """h'(x0) by forward mode (== the adjoint of x by the backward pass)."""
        return self.tangent[-1] if self.tangent else math.nan


@dataclass(frozen=True, eq=False)
class Graph:
    """``nodes`` in topological order (arguments before the nodes that use them; ``nodes[i].id == i``),
    ``output`` the id of h's node (the last one), ``edges`` one per distinct (parent, child) pair,
    ``variable`` the symbol x. The node with op "x" (if h depends on x) has id 0: see ``variable_id``.
    ``order``: the TermOrder the nodes' sums are ordered and printed in (None: sympy's order)."""

    nodes: tuple[Node, ...]
    output: int
    edges: tuple[Edge, ...]
    variable: sympy.Symbol
    order: object = field(default=None, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def variable_id(self) -> int | None:
        """Id of the node x, or None when h does not depend on x."""
        return 0 if self.nodes and self.nodes[0].op == "x" else None

    @property
    def forward_order(self) -> tuple[int, ...]:
        return tuple(range(len(self.nodes)))

    @property
    def backward_order(self) -> tuple[int, ...]:
        return tuple(reversed(range(len(self.nodes))))

    def parents(self, node_id: int) -> tuple[int, ...]:
        """Ids of the nodes that use ``node_id`` as an argument."""
        return tuple(e.parent for e in self.edges if e.child == node_id)

    def edge(self, parent: int, child: int) -> Edge:
        for e in self.edges:
            if e.parent == parent and e.child == child:
                return e
        raise KeyError((parent, child))

    def evaluate(self, x0: float) -> GraphValues:
        """Forward values, local derivatives, forward-mode tangents and backward-mode adjoints at x0.
        Never raises or warns for a bad x0: undefined values are NaN."""
        x0 = float(x0)
        cached = self._cache.get(x0)
        if cached is not None:
            return cached
        with np.errstate(all="ignore"):
            values = _evaluate(self, x0)
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[x0] = values
        return values

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def __setstate__(self, state):
        for key, value in state.items():
            object.__setattr__(self, key, value)


# ---------------------------------------------------------------------------------------------- build

def _default_variable() -> sympy.Symbol:
    try:
        from .functions import X
    except ImportError:  # helper A's module not there yet: the same symbol (sympy symbols compare by name+assumptions)
        X = sympy.Symbol("x", real=True)
    return X


def _number_label(value: sympy.Expr) -> str:
    if value in _CONST_LABELS:
        return _CONST_LABELS[value]
    if isinstance(value, sympy.Integer):
        text = str(int(value))
        return text if len(text) <= 8 else f"{float(value):.3g}"
    if isinstance(value, sympy.Rational):
        text = f"{value.p}/{value.q}"
        return text if len(text) <= 9 else f"{float(value):.4g}"
    if isinstance(value, sympy.Float):
        return f"{float(value):.6g}"
    text = str(value)
    return text if len(text) <= 8 else "c"


def _exponent_label(exponent: sympy.Expr) -> str:
    text = _number_label(exponent)
    if isinstance(exponent, sympy.Integer) and exponent >= 0:
        return "^" + text
    if isinstance(exponent, sympy.Float) and exponent >= 0:
        return "^" + text
    if len(text) == 1:       # π, e
        return "^" + text
    return f"^({text})"


def _negative_constant(value: sympy.Expr) -> bool:
    return bool(value.is_number and value.is_extended_negative)


def _is_negative_term(term: sympy.Expr) -> bool:
    coefficient, _ = term.as_coeff_Mul()
    return bool(coefficient.is_Number and coefficient.is_negative)


class _Builder:
    def __init__(self, variable: sympy.Symbol, order=None):
        from .derive import formula_latex, formula_text

        self.variable = variable
        self.order = order
        self.nodes: list[Node] = []
        self.keys: dict[tuple, int] = {}
        self.latex = lambda e: formula_latex(e, order)
        self.text = lambda e: formula_text(e, order)

    def node(self, op: str, label: str, args: tuple[int, ...], expr: sympy.Expr,
             exponent: sympy.Expr | None = None) -> int:
        key = (op, args, exponent, expr if op in ("const", "x") else None)
        found = self.keys.get(key)
        if found is not None:
            return found
        node_id = len(self.nodes)
        constant = op != "x" and all(self.nodes[a].constant for a in args)
        number = _sympy_value(expr) if constant else None
        exponent_number = _sympy_value(exponent) if exponent is not None else None
        self.nodes.append(Node(node_id, op, label, args, expr, self.latex(expr), exponent, constant, number,
                               exponent_number, self.text(expr)))
        self.keys[key] = node_id
        return node_id

    # -- the cases -----------------------------------------------------------------------------------
    def build(self, e: sympy.Expr) -> int:
        if e == self.variable:
            return self.node("x", str(self.variable), (), e)
        if isinstance(e, sympy.Symbol):
            raise ValueError(f"the computation graph knows only the variable {self.variable}, not {e}")
        if e.is_Number or e.is_NumberSymbol or e.is_Atom:
            return self.node("const", _number_label(e), (), e)
        if e.is_Add:
            return self.add(e)
        if e.is_Mul:
            return self.mul(e)
        if e.is_Pow:
            return self.power(e)
        if isinstance(e, sympy.Function) or isinstance(e, sympy.core.function.Application):
            return self.function(e)
        raise ValueError(f"cannot draw {type(e).__name__} as a computation graph node")

    def sum_of(self, terms: list[sympy.Expr]) -> int:
        if len(terms) == 1:
            return self.build(terms[0])
        args = tuple(self.build(t) for t in terms)
        total = sympy.Add(*terms) if self.order is None else self.order.add(*terms)
        return self.node("add", "+", args, total)

    def add(self, e: sympy.Expr) -> int:
        if not e.is_commutative:
            terms = list(e.args)
        else:
            terms = list(e.as_ordered_terms()) if self.order is None else self.order.terms(e)
        positive = [t for t in terms if not _is_negative_term(t)]
        negative = [-t for t in terms if _is_negative_term(t)]
        if not negative:
            return self.sum_of(positive)
        if not positive:
            return self.node("neg", "−", (self.sum_of(negative),), e)
        lhs = self.sum_of(positive)
        rhs = self.sum_of(negative)
        return self.node("sub", "−", (lhs, rhs), e)

    def product_of(self, factors: list[sympy.Expr]) -> int:
        if not factors:
            return self.build(sympy.S.One)
        if len(factors) == 1:
            return self.build(factors[0])
        args = tuple(self.build(f) for f in factors)
        return self.node("mul", "×", args, sympy.Mul(*factors))

    def mul(self, e: sympy.Expr) -> int:
        coefficient, rest = e.as_coeff_mul()
        if coefficient.is_negative:
            return self.node("neg", "−", (self.build(-e),), e)
        numerator: list[sympy.Expr] = []
        denominator: list[sympy.Expr] = []
        if isinstance(coefficient, sympy.Rational) and not isinstance(coefficient, sympy.Integer):
            if coefficient.p != 1:
                numerator.append(sympy.Integer(coefficient.p))
            denominator.append(sympy.Integer(coefficient.q))
        elif coefficient != 1:
            numerator.append(coefficient)
        for factor in rest:
            if factor.is_Pow and _negative_constant(factor.exp):
                denominator.append(sympy.Pow(factor.base, -factor.exp))
            else:
                numerator.append(factor)
        if not denominator:
            return self.product_of(numerator)
        top, bottom = self.product_of(numerator), self.product_of(denominator)
        return self.node("div", "÷", (top, bottom), e)

    def power(self, e: sympy.Expr) -> int:
        base, exponent = e.base, e.exp
        if _negative_constant(exponent):
            return self.node("div", "÷", (self.build(sympy.S.One), self.build(sympy.Pow(base, -exponent))), e)
        if exponent == sympy.S.Half:
            return self.node("sqrt", "√", (self.build(base),), e)
        if not exponent.has(self.variable):
            return self.node("pow", _exponent_label(exponent), (self.build(base),), e, exponent)
        return self.node("pow", "^", (self.build(base), self.build(exponent)), e)

    def function(self, e: sympy.Expr) -> int:
        op = _function_op(e)
        args = tuple(self.build(a) for a in e.args)
        return self.node(op, _FUNCTION_LABELS.get(op, op), args, e)


def _function_op(e: sympy.Expr) -> str:
    name = type(e).__name__
    return "abs" if name == "Abs" else name.lower() if name in ("Heaviside", "Max", "Min") else name


def computation_graph(expr: sympy.Expr, variable: sympy.Symbol | None = None, order=None) -> Graph:
    """The computation graph of ``expr`` (a function of x, the parser's variable, unless ``variable``
    is given) — or text, read by the whitelisting parser (never sympify, which runs code). Raises
    ValueError for another free symbol or an expression that is not a function tree (e.g. a
    relation). ``order``: the TermOrder of ``expr`` (from ``parse_with_order``): a sum's node takes
    its arguments in typed order and prints as typed; text given here brings its own."""
    from .inputs import as_expression
    from .parser import parse_with_order

    variable = _default_variable() if variable is None else variable
    if isinstance(expr, str) and order is None:
        expr, order = parse_with_order(expr)
    expr = as_expression(expr)
    if not isinstance(expr, sympy.Expr):
        raise ValueError(f"not an expression: {expr}")
    builder = _Builder(variable, order)
    if expr.has(variable):
        builder.build(variable)        # x first, so it is node 0 even in x**x or 2**x
    output = builder.build(expr)
    nodes = tuple(builder.nodes)
    if output != len(nodes) - 1:       # only when expr is x itself, built first
        raise AssertionError("the output is not the last node")
    edges = []
    for node in nodes:
        if not node.args:
            continue
        partials = _partial_exprs(node, [nodes[a].expr for a in node.args])
        for child in dict.fromkeys(node.args):
            local = sympy.Add(*(p for a, p in zip(node.args, partials) if a == child))
            edges.append(Edge(node.id, child, local, order))
    return Graph(nodes, output, tuple(edges), variable, order)


# ------------------------------------------------------------------------------------- local derivatives

def _op_expression(node: Node, arguments: list[sympy.Expr]) -> sympy.Expr:
    """This node's operation applied to ``arguments`` (symbols or expressions)."""
    op = node.op
    if op == "add":
        return sympy.Add(*arguments)
    if op == "mul":
        return sympy.Mul(*arguments)
    if op == "sub":
        return arguments[0] - arguments[1]
    if op == "div":
        return arguments[0] / arguments[1]
    if op == "neg":
        return -arguments[0]
    if op == "sqrt":
        return sympy.sqrt(arguments[0])
    if op == "pow":
        if node.exponent is not None:
            return arguments[0] ** node.exponent
        return arguments[0] ** arguments[1]
    return type(node.expr)(*arguments)


def _partial_exprs(node: Node, args: list[sympy.Expr]) -> list[sympy.Expr]:
    """d(node)/d(argument) per argument position, as formulas in x (built directly: no diff/subs)."""
    op = node.op
    if op == "add":
        return [sympy.S.One] * len(args)
    if op == "sub":
        return [sympy.S.One, sympy.S.NegativeOne]
    if op == "neg":
        return [sympy.S.NegativeOne]
    if op == "mul":
        return [sympy.Mul(*(a for j, a in enumerate(args) if j != i)) for i in range(len(args))]
    if op == "div":
        top, bottom = args
        return [1 / bottom, -top / bottom ** 2]
    if op == "sqrt":
        return [1 / (2 * sympy.sqrt(args[0]))]
    if op == "pow" and node.exponent is not None:
        return [node.exponent * args[0] ** (node.exponent - 1)]
    if op == "pow":
        base, exponent = args
        return [exponent * base ** (exponent - 1), base ** exponent * sympy.log(base)]
    try:  # a function application: sympy knows its derivative with respect to each argument
        return [node.expr.fdiff(i + 1) for i in range(len(args))]
    except Exception:  # noqa: BLE001 - fall back on differentiating the operation itself
        dummies = [sympy.Dummy(f"a{i}", real=True) for i in range(len(args))]
        op_expr = _op_expression(node, dummies)
        point = dict(zip(dummies, args))
        return [sympy.diff(op_expr, d).subs(point, simultaneous=True) for d in dummies]


def _local_expr(node: Node, child: int, nodes: tuple[Node, ...]) -> sympy.Expr:
    """d(node)/d(child) as a formula in x, summed over every position where child is an argument."""
    partials = _partial_exprs(node, [nodes[a].expr for a in node.args])
    return sympy.Add(*(p for a, p in zip(node.args, partials) if a == child))


# -------------------------------------------------------------------------------------------- numbers

def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


# name -> (value(u), derivative(u, value)); numpy float64 scalars under errstate(all="ignore").
_UNARY = {
    "sin": (np.sin, lambda u, v: np.cos(u)),
    "cos": (np.cos, lambda u, v: -np.sin(u)),
    "tan": (np.tan, lambda u, v: 1.0 + v * v),
    "sec": (lambda u: 1.0 / np.cos(u), lambda u, v: v * np.tan(u)),
    "csc": (lambda u: 1.0 / np.sin(u), lambda u, v: -v * np.cos(u) / np.sin(u)),
    "cot": (lambda u: np.cos(u) / np.sin(u), lambda u, v: -1.0 / np.sin(u) ** 2),
    "asin": (np.arcsin, lambda u, v: 1.0 / np.sqrt(1.0 - u * u)),
    "acos": (np.arccos, lambda u, v: -1.0 / np.sqrt(1.0 - u * u)),
    "atan": (np.arctan, lambda u, v: 1.0 / (1.0 + u * u)),
    "sinh": (np.sinh, lambda u, v: np.cosh(u)),
    "cosh": (np.cosh, lambda u, v: np.sinh(u)),
    "tanh": (np.tanh, lambda u, v: 1.0 - v * v),
    "asinh": (np.arcsinh, lambda u, v: 1.0 / np.sqrt(u * u + 1.0)),
    "acosh": (np.arccosh, lambda u, v: 1.0 / np.sqrt(u * u - 1.0)),
    "atanh": (np.arctanh, lambda u, v: 1.0 / (1.0 - u * u)),
    "exp": (np.exp, lambda u, v: v),
    "log": (np.log, lambda u, v: 1.0 / u),
    "sqrt": (np.sqrt, lambda u, v: 0.5 / v),
    "abs": (np.abs, lambda u, v: np.sign(u)),
    "sign": (np.sign, lambda u, v: 0.0 * u),
    "sigmoid": (_sigmoid, lambda u, v: v * (1.0 - v)),
    "relu": (lambda u: np.maximum(0.0, u), lambda u, v: np.heaviside(u, 0.5)),
    "softplus": (lambda u: np.logaddexp(0.0, u), lambda u, v: _sigmoid(u)),
    "heaviside": (lambda u: np.heaviside(u, 0.5), lambda u, v: 0.0 * u),
}


def _real(value) -> float:
    """A Python float; NaN for complex or unevaluable values."""
    try:
        z = complex(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan
    if z.imag != 0.0 and not math.isnan(z.imag):
        return math.nan
    return z.real


def _sympy_value(expr: sympy.Expr) -> float:
    try:
        return _real(sympy.N(expr, 17))
    except Exception:  # noqa: BLE001 - a value we cannot compute is undefined, never a crash
        return math.nan


def _generic(node: Node, args: list[float]) -> tuple[float, list[float]]:
    """Value and partial derivatives of an operation without a numpy rule, through sympy."""
    dummies = [sympy.Dummy(f"a{i}", real=True) for i in range(len(args))]
    op_expr = _op_expression(node, dummies)
    point = {d: sympy.Float(a, 17) for d, a in zip(dummies, args)}
    value = _sympy_value(op_expr.subs(point))
    partials = [_sympy_value(sympy.diff(op_expr, d).subs(point)) for d in dummies]
    return value, partials


def _operation(node: Node, args: list[np.float64]) -> tuple[float, list[float]]:
    op = node.op
    if op == "add":
        return sum(args[1:], args[0]), [1.0] * len(args)
    if op == "sub":
        return args[0] - args[1], [1.0, -1.0]
    if op == "neg":
        return -args[0], [-1.0]
    if op == "mul":
        partials = []
        for i in range(len(args)):
            others = np.float64(1.0)
            for j, a in enumerate(args):
                if j != i:
                    others = others * a
            partials.append(others)
        product = np.float64(1.0)
        for a in args:
            product = product * a
        return product, partials
    if op == "div":
        a, b = args
        return a / b, [1.0 / b, -a / (b * b)]
    if op == "pow" and node.exponent is not None:
        p = node.exponent
        if p.is_Integer:
            n = int(p)
            return args[0] ** n, [n * args[0] ** (n - 1) if n != 0 else 0.0 * args[0]]
        q = node.exponent_number
        return np.power(args[0], q), [q * np.power(args[0], q - 1.0)]
    if op == "pow":
        a, b = args
        value = np.power(a, b)
        return value, [b * np.power(a, b - 1.0), value * np.log(a)]
    rule = _UNARY.get(op)
    if rule is not None and len(args) == 1:
        value = rule[0](args[0])
        return value, [rule[1](args[0], value)]
    return _generic(node, [float(a) for a in args])


def _evaluate(graph: Graph, x0: float) -> GraphValues:
    n = len(graph.nodes)
    value = [np.float64(math.nan)] * n
    local: dict[tuple[int, int], float] = {}
    local_by_use: dict[tuple[int, int], float] = {}
    for node in graph.nodes:
        if node.op == "x":
            value[node.id] = np.float64(x0)
            continue
        if node.op == "const":
            value[node.id] = np.float64(node.number if node.number is not None else _sympy_value(node.expr))
            continue
        result, partials = _operation(node, [value[a] for a in node.args])
        value[node.id] = np.float64(node.number if node.number is not None else _real(result))
        for position, (child, partial) in enumerate(zip(node.args, partials)):
            key = (node.id, child)
            local_by_use[(node.id, position)] = _real(partial)
            local[key] = float(local.get(key, 0.0) + _real(partial))

    tangent = [0.0] * n
    for node in graph.nodes:
        if node.op == "x":
            tangent[node.id] = 1.0
        elif node.args:
            tangent[node.id] = float(sum(local[(node.id, c)] * tangent[c] for c in dict.fromkeys(node.args)))

    adjoint = [0.0] * n
    contribution: dict[tuple[int, int], float] = {}
    if n:
        adjoint[graph.output] = 1.0
    for node in reversed(graph.nodes):
        for child in dict.fromkeys(node.args):
            flow = adjoint[node.id] * local[(node.id, child)]
            contribution[(node.id, child)] = flow
            adjoint[child] += flow
    contribution_by_use = {use: adjoint[use[0]] * partial for use, partial in local_by_use.items()}

    return GraphValues(
        x0=x0,
        value=tuple(float(v) for v in value),
        tangent=tuple(tangent),
        adjoint=tuple(adjoint),
        local=local,
        contribution=contribution,
        forward_order=graph.forward_order,
        backward_order=graph.backward_order,
        local_by_use=local_by_use,
        contribution_by_use=contribution_by_use,
    )
