"""The Function lab's computation graph as drawn in the shown window, driven by keys: text stays inside
its box with room to spare, edge labels cover no box, and a reused node shows one edge per use and
its adjoint as the sum of what flows back along them."""
import math

import pytest
from PySide6.QtCore import Qt

from app.format import fmt
from tests.test_ui_function_lab import lab, press, type_formula  # noqa: F401 - the fixture

PADDING = 4


def show_formula(win, qtbot, text):
    type_formula(win, qtbot, text)
    qtbot.waitUntil(lambda: win.function_model.analysis.text == text, timeout=30000)
    press(qtbot, win, Qt.Key_4, Qt.ControlModifier)    # to the graph
    press(qtbot, win, Qt.Key_B, Qt.ControlModifier)    # complete the passes
    return win.function_lab.panels["graph"].view


def check_drawing(view, graph):
    boxes = {node.id: view.box_rect(node.id) for node in graph.nodes}
    for node in graph.nodes:
        inner = boxes[node.id].adjusted(PADDING, PADDING, -PADDING, -PADDING)
        ink = view.text_ink_rects(node.id)
        assert len(ink) >= 2, node.label   # the title and at least the value
        for rect in ink:
            assert inner.contains(rect), (node.label, rect, inner)
        for a, b in zip(ink, ink[1:]):
            assert a.bottom() < b.top(), (node.label, "lines touch")
    for route in view.graph_layout.routes:
        label = view.label_rect(route.use.parent, route.use.position)
        for node_id, box in boxes.items():
            assert not label.intersects(box), (graph.nodes[route.use.parent].label, graph.nodes[node_id].label)


def test_a_reused_sine_has_two_edges_and_its_adjoint_adds_them(lab, qtbot):
    view = show_formula(lab, qtbot, "sin(x) sin(x) + sin(x)")
    graph = lab.function_model.analysis.graph
    check_drawing(view, graph)
    x0 = lab.function_model.x0
    sine = next(n.id for n in graph.nodes if n.label == "sin")
    leaving = view.graph_layout.routes_from(sine)
    assert sorted(graph.nodes[r.use.parent].label for r in leaving) == ["+", "^2"]
    # the two contributions (2 sin x0 through the square, 1 through the sum) and their sum, cos-free
    through_square, through_sum = 2 * math.sin(x0), 1.0
    shown = view.shown_values[sine]
    assert f"∂h/∂v = {fmt(through_square + through_sum)}" in shown
    assert {f"= {fmt(through_square)} + {fmt(through_sum)}", f"= {fmt(through_sum)} + {fmt(through_square)}"} \
        & set(shown.splitlines())


def test_x_to_the_x_shows_a_base_and_an_exponent_edge(lab, qtbot):
    view = show_formula(lab, qtbot, "x^x")
    graph = lab.function_model.analysis.graph
    check_drawing(view, graph)
    x0 = lab.function_model.x0
    labels = {view.shown_labels[(r.use.parent, r.use.position)] for r in view.graph_layout.routes_from(graph.variable_id)}
    assert labels == {f"base\n{fmt(x0 * x0 ** (x0 - 1))}", f"exponent\n{fmt(x0 ** x0 * math.log(x0))}"}


@pytest.mark.parametrize("forward_mode", [False, True])
def test_node_text_keeps_inside_its_box(lab, qtbot, forward_mode):
    view = show_formula(lab, qtbot, "x^2 sin(x) exp(-x) + x")
    if forward_mode:
        press(qtbot, lab, Qt.Key_M)
        press(qtbot, lab, Qt.Key_B, Qt.ControlModifier)
        assert lab.function_model.forward_mode
        assert all("dv/dx = " in text for text in view.shown_values.values())
    check_drawing(view, lab.function_model.analysis.graph)
