"""The computation graph: structure (shared sub-expressions, sub/div recovered, short labels, orders)
and numbers (adjoint of x == tangent of h == sympy.diff == central finite differences; every node's
adjoint is the sum over its parents of parent adjoint x local derivative)."""
import math
import pickle
import warnings

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.formula.functions import X as x
from core.formula.graph import computation_graph
from core.symbolic import relu, sigmoid, softplus

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

Mul = sympy.Mul
Pow = sympy.Pow

CORPUS = [
    sympy.log(2 + sympy.cos(x)),
    sympy.sin(x) * sympy.sin(x) + sympy.sin(x),
    x * x,
    Mul(x, x, evaluate=False),
    Mul(sympy.exp(x), Pow(sympy.exp(x), -1, evaluate=False), evaluate=False) + sympy.sin(x),
    sympy.exp(x) / (1 + sympy.exp(x)) + sympy.exp(x),
    x - sympy.sin(x),
    sympy.sin(x) / x,
    -3 * x / 2,
    1 / x ** 2,
    sympy.sqrt(1 + x ** 2),
    1 / sympy.sqrt(1 + x ** 2),
    2 ** x,
    x ** x,
    (x ** 2 + 1) / (x - 2),
    sigmoid(2 * x - 1),
    sigmoid(sigmoid(x)) * sigmoid(x),
    relu(x - 0.25) + softplus(3 * x),
    sympy.tanh(sympy.sin(x)) ** 2,
    sympy.exp(sympy.sin(3 * x)),
    (1 + x ** 2) ** 3,
    x ** sympy.Rational(3, 2),
    sympy.atan(x) + sympy.asin(x / 2) - sympy.acos(x / 3),
    sympy.sec(x) + sympy.csc(x) + sympy.cot(x),
    sympy.sinh(x) * sympy.cosh(x),
    sympy.Abs(x - 1) * x,
    sympy.pi * x + sympy.E,
    sympy.log(x ** 2 + 1) * sympy.log(x ** 2 + 1) - sympy.log(x ** 2 + 1),
    -x - 2,
    x ** 2 * sympy.sin(x) * sympy.exp(-x),
    sympy.Float(0.5) * x ** 3 - sympy.Rational(1, 3) * x,
    x,
]
POINTS = [-1.3, -0.4, 0.35, 0.8, 1.7]


def _f(expr, x0):
    value = complex(sympy.N(expr.subs(x, x0), 30))
    return value.real if value.imag == 0 else math.nan


def _close(a, b, tol=1e-7):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def _reachable_from_output(graph):
    seen, todo = set(), [graph.output]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.nodes[node].args)
    return seen


def check_graph(expr, x0, fd=True):
    """Every identity the Function lab relies on, at one point."""
    graph = computation_graph(expr)
    values = graph.evaluate(x0)
    nodes = graph.nodes
    assert [n.id for n in nodes] == list(range(len(nodes)))
    assert graph.output == len(nodes) - 1
    # forward_order is topological; backward_order is its reverse over the nodes reaching h
    position = {node_id: i for i, node_id in enumerate(values.forward_order)}
    assert sorted(position) == list(range(len(nodes)))
    for node in nodes:
        assert all(position[a] < position[node.id] for a in node.args)
    reach = _reachable_from_output(graph)
    assert list(values.backward_order) == [n for n in reversed(values.forward_order) if n in reach]
    # node values are the values of their expressions
    h = _f(expr, x0)
    if math.isnan(h):
        return None
    for node in nodes:
        assert _close(values.value[node.id], _f(node.expr, x0)), (node, values.value[node.id])
    # h'(x0): backward pass == forward mode == sympy.diff == finite differences
    exact = _f(sympy.diff(expr, x), x0)
    if graph.variable_id is not None:
        assert _close(values.adjoint[graph.variable_id], exact), (expr, x0)
    assert _close(values.tangent[graph.output], exact), (expr, x0)
    assert _close(values.derivative, exact)
    if fd:
        step = 1e-6
        central = (graph.evaluate(x0 + step).value[graph.output]
                   - graph.evaluate(x0 - step).value[graph.output]) / (2 * step)
        assert abs(central - exact) <= 1e-5 * max(1.0, abs(exact)), (expr, x0, central, exact)
    # adjoint of a node == sum over its parents of parent adjoint * local derivative; tangents likewise
    for node in nodes:
        if node.id == graph.output:
            assert values.adjoint[node.id] == 1.0
            continue
        parents = graph.parents(node.id)
        assert parents, "every node except h is used"
        total = sum(values.adjoint[p] * values.local[(p, node.id)] for p in parents)
        assert _close(values.adjoint[node.id], total)
        assert _close(total, sum(values.contribution[(p, node.id)] for p in parents))
    for node in nodes:
        if node.args:
            total = sum(values.local[(node.id, c)] * values.tangent[c] for c in dict.fromkeys(node.args))
            assert _close(values.tangent[node.id], total)
    # edge formulas agree with the edge numbers
    for edge in graph.edges:
        assert _close(values.local[(edge.parent, edge.child)], _f(edge.expr, x0))
    return graph


@pytest.mark.parametrize("expr", CORPUS, ids=[str(e) for e in CORPUS])
def test_graph_identities_over_the_corpus(expr):
    checked = 0
    for x0 in POINTS:
        if check_graph(expr, x0) is not None:
            checked += 1
    assert checked >= 2, "the corpus entry should be defined at some points"


def test_lesson_graph_nodes_and_labels():
    graph = computation_graph(sympy.log(2 + sympy.cos(x)))
    assert [(n.label, n.args) for n in graph.nodes] == [
        ("x", ()), ("cos", (0,)), ("2", ()), ("+", (1, 2)), ("log", (3,))]
    assert [n.op for n in graph.nodes] == ["x", "cos", "const", "add", "log"]
    assert graph.nodes[2].constant and not graph.nodes[3].constant
    assert graph.nodes[4].latex == sympy.latex(sympy.log(2 + sympy.cos(x)))
    assert {(e.parent, e.child): e.expr for e in graph.edges} == {
        (1, 0): -sympy.sin(x), (3, 1): 1, (3, 2): 1, (4, 3): 1 / (sympy.cos(x) + 2)}
    values = graph.evaluate(1.0)
    assert values.forward_order == (0, 1, 2, 3, 4) and values.backward_order == (4, 3, 2, 1, 0)
    assert _close(values.adjoint[0], -math.sin(1.0) / (2 + math.cos(1.0)))


def test_reused_subexpression_is_one_node_and_accumulates():
    expr = sympy.sin(x) * sympy.sin(x) + sympy.sin(x)          # sympy: sin(x)**2 + sin(x)
    graph = computation_graph(expr)
    sines = [n for n in graph.nodes if n.op == "sin"]
    assert len(sines) == 1
    sine = sines[0].id
    assert len(graph.parents(sine)) == 2
    values = graph.evaluate(0.6)
    # dh/dsin = 2 sin + 1, summed over the square and the direct use
    assert _close(values.adjoint[sine], 2 * math.sin(0.6) + 1)
    assert _close(values.adjoint[0], (2 * math.sin(0.6) + 1) * math.cos(0.6))


def test_same_argument_twice_sums_the_local_derivative():
    graph = computation_graph(Mul(x, x, evaluate=False))
    assert [(n.label, n.args) for n in graph.nodes] == [("x", ()), ("×", (0, 0))]
    assert len(graph.edges) == 1
    values = graph.evaluate(1.5)
    assert values.local[(1, 0)] == 3.0 and values.adjoint[0] == 3.0 and values.tangent[1] == 3.0
    assert graph.edges[0].expr == 2 * x


def test_exp_over_exp_shares_the_exponential():
    expr = Mul(sympy.exp(x), Pow(sympy.exp(x), -1, evaluate=False), evaluate=False) + sympy.exp(x)
    graph = computation_graph(expr)
    assert sum(n.op == "exp" for n in graph.nodes) == 1
    values = graph.evaluate(0.3)
    assert _close(values.value[graph.output], 1 + math.exp(0.3))
    assert _close(values.adjoint[0], math.exp(0.3))


def _shape(expr):
    graph = computation_graph(expr)

    def show(node_id):
        node = graph.nodes[node_id]
        if not node.args:
            return node.label
        return f"{node.label}(" + ", ".join(show(a) for a in node.args) + ")"

    return show(graph.output)


@pytest.mark.parametrize("expr, shape", [
    (x - sympy.sin(x), "−(x, sin(x))"),
    (2 - x, "−(2, x)"),
    (x - 2, "−(x, 2)"),
    (-x, "−(x)"),
    (-x - 2, "−(+(x, 2))"),
    (-3 * x, "−(×(3, x))"),
    (sympy.sin(x) / x, "÷(sin(x), x)"),
    (1 / x, "÷(1, x)"),
    (x ** -2, "÷(1, ^2(x))"),
    (x / 2, "÷(x, 2)"),
    (3 * x / 2, "÷(×(3, x), 2)"),
    ((x ** 2 + 1) / (x - 2), "÷(+(^2(x), 1), −(x, 2))"),
    (sympy.sqrt(x), "√(x)"),
    (1 / sympy.sqrt(x), "÷(1, √(x))"),
    (x ** sympy.Rational(1, 3), "^(1/3)(x)"),
    (x ** sympy.pi, "^π(x)"),
    (2 ** x, "^(2, x)"),
    (x ** x, "^(x, x)"),
    (sympy.exp(-x), "exp(−(x))"),
    (sigmoid(x) + relu(x) + softplus(x), "+(relu(x), σ(x), softplus(x))"),
    (sympy.Abs(x), "abs(x)"),
    (sympy.pi * x + sympy.E, "+(×(π, x), e)"),
    (sympy.Integer(7), "7"),
    (sympy.Rational(-1, 2), "-1/2"),
])
def test_shapes_and_labels(expr, shape):
    assert _shape(expr) == shape


def test_labels_are_short():
    expr = (sympy.Float(0.123456789) * x ** sympy.Rational(12345, 67891)
            + sympy.Integer(10) ** 30 * sigmoid(x) + sympy.log(2) * sympy.tanh(x))
    for node in computation_graph(expr).nodes:
        assert 1 <= len(node.label) <= 10, node.label


def test_undefined_points_are_nan_without_warnings():
    graph = computation_graph(sympy.log(x) + sympy.sqrt(x) + 1 / x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = graph.evaluate(-1.0)
        math.isnan(values.value[graph.output])
        graph.evaluate(0.0)
        computation_graph(sympy.exp(sympy.exp(x))).evaluate(1000.0)
        computation_graph(sympy.tan(x)).evaluate(math.pi / 2)
        computation_graph(x ** x).evaluate(-0.5)
    assert math.isnan(values.value[graph.output])


def test_constant_formula():
    graph = computation_graph(sympy.Integer(3))
    assert graph.variable_id is None and len(graph.nodes) == 1
    values = graph.evaluate(2.0)
    assert values.value == (3.0,) and values.derivative == 0.0 and values.adjoint == (1.0,)


def test_other_symbols_are_refused():
    with pytest.raises(ValueError, match="only the variable"):
        computation_graph(x + sympy.Symbol("y"))


def test_graph_pickles_and_evaluates_after():
    graph = computation_graph(sigmoid(2 * x - 1) * sympy.log(1 + x ** 2))
    graph.evaluate(0.5)
    copy = pickle.loads(pickle.dumps(graph))
    assert [n.label for n in copy.nodes] == [n.label for n in graph.nodes]
    assert copy.evaluate(0.5) == graph.evaluate(0.5)




# ------------------------------------------------------------------------------- random expressions

_UNARY = [sympy.sin, sympy.cos, sympy.exp, sympy.tanh, sigmoid, sympy.atan, softplus,
          lambda u: sympy.log(1 + u ** 2), lambda u: sympy.sqrt(1 + u ** 2)]
_leaves = st.sampled_from([x, x, x, sympy.Integer(2), sympy.Integer(-3), sympy.Rational(1, 2), sympy.pi])


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(_UNARY), children).map(lambda t: t[0](t[1])),
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(lambda t: t[0] / (2 + t[1] ** 2)),
        st.tuples(children, st.integers(2, 4)).map(lambda t: t[0] ** t[1]),
    )


expressions = st.recursive(_leaves, _extend, max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.floats(-1.5, 1.5))
def test_random_expressions_agree_with_sympy(expr, x0):
    if not expr.has(x):
        return
    check_graph(expr, x0, fd=False)


def test_evaluate_needs_no_sympy(monkeypatch):
    """The GUI evaluates graphs on its own thread at every x0: constants and constant exponents are
    numbers computed when the graph was built (in the worker), so evaluate never asks sympy."""
    import core.formula.graph as module

    graph = computation_graph(x ** sympy.pi + sympy.log(2) * sympy.sqrt(3) * sympy.sin(x) - sympy.E ** 2
                              + (sympy.pi / 4) ** x + x ** sympy.Rational(5, 3) / sympy.atan(sympy.Rational(1, 7)))

    def refuse(*args, **kwargs):
        raise AssertionError("sympy was called during evaluate")

    monkeypatch.setattr(module, "_sympy_value", refuse)
    monkeypatch.setattr(module, "_generic", refuse)
    monkeypatch.setattr(sympy, "N", refuse)
    values = graph.evaluate(0.7)
    monkeypatch.undo()
    assert _close(values.derivative, _f(sympy.diff(graph.nodes[graph.output].expr, x), 0.7))
