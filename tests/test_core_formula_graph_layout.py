"""The computation graph's drawing, as numbers: every use of a node is its own edge, edges run left to
right and never behind a box that is not theirs, labels never cover a box or each other, and the
reuse the graph exists to show (sin used by ^2 and by +, x as base and exponent of x^x) is visible."""
import pytest
import sympy
from hypothesis import HealthCheck, given, settings

from core.formula.functions import X as x
from core.formula.graph import computation_graph
from core.formula.graph_layout import Rect, graph_uses, layout_graph
from core.formula.parser import parse_formula
from tests.formula_strategies import formula_functions_of_x

NODE = (120.0, 74.0)
LABEL = (78.0, 34.0)

FORMULAS = [
    "sin(x) sin(x) + sin(x)",
    "x^x",
    "log(2 + cos(x))",
    "x^2 sin(x) exp(-x) + x",
    "(x^2 + 1)/(x - 2)",
    "sigmoid(sigmoid(x)) sigmoid(x)",
    "log(x^2 + 1) log(x^2 + 1) - log(x^2 + 1)",
    "tanh(sin(x))^2 + sin(x) + x",
    "exp(x)/(1 + exp(x)) + exp(x) + x^3",
    "sin(cos(tan(x))) + x",
    "2^x + x^(1/3) + log(2) x",
]


def check_layout(graph, layout):
    boxes, routes = layout.boxes, layout.routes
    assert set(boxes) == {node.id for node in graph.nodes}
    # boxes never overlap
    ids = sorted(boxes)
    for i in ids:
        for j in ids:
            if i < j:
                assert not boxes[i].intersects(boxes[j]), (graph.nodes[i].label, graph.nodes[j].label)
    # one route per use of a node as an argument: x^x has two edges x -> ^, not one
    assert sorted((r.use.parent, r.use.position, r.use.child) for r in routes) == sorted(
        (u.parent, u.position, u.child) for u in graph_uses(graph))
    for node in graph.nodes:
        uses = sum(other.args.count(node.id) for other in graph.nodes)
        assert len(layout.routes_from(node.id)) == uses
    for route in routes:
        child, parent = boxes[route.use.child], boxes[route.use.parent]
        # arguments sit left of their users: edges run left to right
        assert child.right < parent.left
        # a route starts on its child's right side and ends on its parent's left side
        assert route.start[0] == pytest.approx(child.right) and child.top < route.start[1] < child.bottom
        assert route.end[0] == pytest.approx(parent.left) and parent.top < route.end[1] < parent.bottom
        # ... and passes through no box on the way (the drawn curve, sampled finely)
        for segment in route.segments:
            for px, py in segment.sample(48):
                for node_id, box in boxes.items():
                    assert not box.contains(px, py), (graph.nodes[route.use.parent].label,
                                                      graph.nodes[route.use.child].label,
                                                      "passes through", graph.nodes[node_id].label)
        # labels cover no box and sit between the two columns their edge crosses there
        for node_id, box in boxes.items():
            assert not route.label.intersects(box), (graph.nodes[route.use.parent].label, graph.nodes[node_id].label)
    for a in routes:
        for b in routes:
            if a is not b:
                assert not a.label.intersects(b.label)
    # separate uses leave and enter at separate ports: their lines are visibly apart
    for node_id in boxes:
        starts = sorted(r.start[1] for r in layout.routes_from(node_id))
        assert all(b - a >= 8 for a, b in zip(starts, starts[1:]))
        ends = sorted(r.end[1] for r in routes if r.use.parent == node_id)
        assert all(b - a >= 8 for a, b in zip(ends, ends[1:]))


@pytest.mark.parametrize("text", FORMULAS)
def test_layout_of_formulas(text):
    graph = computation_graph(parse_formula(text))
    check_layout(graph, layout_graph(graph, NODE, LABEL))


def test_reused_sine_feeds_two_edges_and_none_runs_behind_the_square():
    graph = computation_graph(parse_formula("sin(x) sin(x) + sin(x)"))
    layout = layout_graph(graph, NODE, LABEL)
    label = {node.id: node.label for node in graph.nodes}
    sine = next(n.id for n in graph.nodes if n.label == "sin")
    assert sorted(label[r.use.parent] for r in layout.routes_from(sine)) == ["+", "^2"]
    # not one row: the square and the sum are in different columns, the edge sin -> + goes around ^2
    square = next(n.id for n in graph.nodes if n.label == "^2")
    total = next(n.id for n in graph.nodes if n.label == "+")
    assert layout.layer[sine] < layout.layer[square] < layout.layer[total]
    around = next(r for r in layout.routes_from(sine) if r.use.parent == total)
    passing = [p for s in around.segments for p in s.sample(48)
               if layout.boxes[square].left <= p[0] <= layout.boxes[square].right]
    assert passing and all(not (layout.boxes[square].top <= py <= layout.boxes[square].bottom) for _, py in passing)


def test_x_to_the_x_has_a_base_edge_and_an_exponent_edge():
    graph = computation_graph(x ** x)
    layout = layout_graph(graph, NODE, LABEL)
    routes = layout.routes_from(graph.variable_id)
    assert [r.role for r in routes] == ["base", "exponent"]
    assert {r.use.parent for r in routes} == {graph.output}
    assert routes[0].start[1] < routes[1].start[1] and routes[0].end[1] < routes[1].end[1]
    assert not routes[0].label.intersects(routes[1].label)
    # each use carries its own local derivative, and they add up to the pair's total
    values = graph.evaluate(1.7)
    base = values.local_by_use[(graph.output, 0)]
    exponent = values.local_by_use[(graph.output, 1)]
    assert base == pytest.approx(float(sympy.diff(sympy.Symbol("b") ** x, sympy.Symbol("b"))
                                       .subs(sympy.Symbol("b"), x).subs(x, 1.7)))
    assert exponent == pytest.approx(float((x ** x * sympy.log(x)).subs(x, 1.7)))
    assert base + exponent == pytest.approx(values.local[(graph.output, graph.variable_id)])
    assert base + exponent == pytest.approx(float(sympy.diff(x ** x, x).subs(x, 1.7)))


def test_constants_sit_next_to_their_user():
    graph = computation_graph(parse_formula("sin(sin(sin(x))) + 2"))
    layout = layout_graph(graph, NODE, LABEL)
    two = next(n.id for n in graph.nodes if n.label == "2")
    assert layout.layer[two] == layout.layer[graph.output] - 1


def test_bigger_labels_widen_the_gaps():
    graph = computation_graph(parse_formula("log(2 + cos(x))"))
    narrow = layout_graph(graph, NODE, (60.0, 20.0))
    wide = layout_graph(graph, NODE, (200.0, 20.0))
    assert wide.bounds.width > narrow.bounds.width
    check_layout(graph, wide)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_functions_of_x(8))
def test_layout_of_random_formulas(expr):
    graph = computation_graph(expr)
    check_layout(graph, layout_graph(graph, NODE, LABEL))


def test_rect_overlap_excludes_touching():
    assert not Rect(0, 0, 10, 10).intersects(Rect(10, 0, 5, 5))
    assert Rect(0, 0, 10, 10).intersects(Rect(9, 9, 5, 5))
