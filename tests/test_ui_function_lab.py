"""The Function lab driven from the keyboard: type, derive, move x0, walk the computation graph."""
import math

import numpy as np
import pytest
import sympy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.format import fmt
from core.formula.functions import X
from tests.windows import shown

LESSON = "log(2 + cos(x))"


def lesson_derivative(x0):
    return -math.sin(x0) / (2 + math.cos(x0))


@pytest.fixture
def lab(qtbot):
    """The main window on the Function lab (F3), settled on the lesson's function."""
    win = shown(qtbot, focus=True, persist_layout=False)
    press(qtbot, win, Qt.Key_F3)
    assert win.current_lab() is win.function_lab
    qtbot.waitUntil(lambda: win.function_model.analysis is not None and win.is_settled(), timeout=60000)
    return win


def press(qtbot, win, key, modifiers=Qt.NoModifier):
    """A key press where the learner's focus is, as on a real keyboard."""
    qtbot.keyClick(QApplication.focusWidget() or win.current_lab(), key, modifiers)


def type_formula(win, qtbot, text):
    press(qtbot, win, Qt.Key_L, Qt.ControlModifier)  # Ctrl+L: edit the formula
    field = win.function_lab.formula.field
    assert field.hasFocus() and field.selectedText() == field.text()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)
    return field


def test_typing_the_lesson_shows_its_chain_and_derivative(lab, qtbot):
    model = lab.function_model
    type_formula(lab, qtbot, "sin(x^2)")
    qtbot.waitUntil(lambda: model.analysis is not None and model.analysis.text == "sin(x^2)", timeout=30000)
    type_formula(lab, qtbot, LESSON)
    qtbot.waitUntil(lambda: model.analysis.text == LESSON, timeout=30000)
    derivation = model.analysis.derivation
    assert sympy.simplify(derivation.result - sympy.diff(sympy.log(2 + sympy.cos(X)), X)) == 0
    panel = lab.function_lab.panels["derivation"]
    assert panel.rules_shown()[0] == "chain" and "log" in panel.rules_shown()
    formula = lab.function_lab.formula
    assert [line.split("=")[0].strip() for line in formula.layer_lines] == ["h", "u"]
    assert r"\log" in formula.layer_lines[0]
    plot = lab.function_lab.panels["plot"]
    assert plot.tangent_slope == pytest.approx(lesson_derivative(model.x0), rel=1e-9)
    assert r"\frac{dh}{du}" in plot.readout_latex and r"\frac{du}{dx}" in plot.readout_latex
    factors = model.analysis.decomposition.factors_at(model.x0)
    assert math.prod(value for _label, value in factors) == pytest.approx(lesson_derivative(model.x0))


def test_arrow_keys_move_x0_and_the_readout_follows(lab, qtbot):
    model, plot = lab.function_model, lab.function_lab.panels["plot"]
    before = plot.readout_latex
    press(qtbot, lab, Qt.Key_4, Qt.ControlModifier)  # to the graph: out of the formula field
    assert lab.function_lab.panels["graph"].isAncestorOf(QApplication.focusWidget())
    press(qtbot, lab, Qt.Key_Right, Qt.ControlModifier)
    assert model.x0 == pytest.approx(1.1)
    assert plot.readout_latex != before
    h = 1e-6
    finite_difference = (math.log(2 + math.cos(1.1 + h)) - math.log(2 + math.cos(1.1 - h))) / (2 * h)
    assert plot.tangent_slope == pytest.approx(finite_difference, rel=1e-6)
    press(qtbot, lab, Qt.Key_3, Qt.ControlModifier)
    assert plot.hasFocus()
    press(qtbot, lab, Qt.Key_Left, Qt.ShiftModifier)  # with the plot focused, plain arrows move x0
    assert model.x0 == pytest.approx(1.09)
    assert "1.09" in lab.function_status.text()


def test_stepping_walks_forward_then_backward_in_order(lab, qtbot):
    model, view = lab.function_model, lab.function_lab.panels["graph"].view
    values = model.graph_values()
    expected = list(values.forward_order) + list(values.backward_order)
    press(qtbot, lab, Qt.Key_4, Qt.ControlModifier)  # letters go to the formula field while it has focus
    assert model.graph_step == len(values.forward_order)  # a new graph opens with its values computed
    for _ in values.forward_order:
        press(qtbot, lab, Qt.Key_B, Qt.ShiftModifier)
    assert model.graph_step == 0 and view.current_node is None
    visited = []
    for _ in expected:
        press(qtbot, lab, Qt.Key_B)
        visited.append(view.current_node)
    assert visited == expected
    x_node = values.forward_order[0]
    assert values.adjoint[x_node] == pytest.approx(lesson_derivative(model.x0), rel=1e-9)
    assert f"∂h/∂v = {fmt(values.adjoint[x_node])}" in view.shown_values[x_node]
    press(qtbot, lab, Qt.Key_B, Qt.ShiftModifier)
    assert view.current_node == expected[-2]


def test_forward_mode_shows_tangents(lab, qtbot):
    model, view = lab.function_model, lab.function_lab.panels["graph"].view
    press(qtbot, lab, Qt.Key_4, Qt.ControlModifier)
    press(qtbot, lab, Qt.Key_M)
    assert model.forward_mode and lab.registry.action("forward_mode").isChecked()
    press(qtbot, lab, Qt.Key_B, Qt.ControlModifier)  # complete the pass
    values = model.graph_values()
    output = values.forward_order[-1]
    assert f"dv/dx = {fmt(values.tangent[output])}" in view.shown_values[output]
    assert values.tangent[output] == pytest.approx(lesson_derivative(model.x0), rel=1e-9)
    assert all("∂h/∂v" not in text for text in view.shown_values.values())


def test_a_typo_is_marked_and_loses_nothing(lab, qtbot):
    model = lab.function_model
    type_formula(lab, qtbot, "log(2 + son(x))")
    status = lab.function_lab.formula.status.text()
    assert "did you mean sin" in status
    assert ">son</span>" in status  # the unknown name is the marked span
    assert model.analysis.text == LESSON  # the last good function stays
    assert lab.function_lab.panels["plot"].h_curve.getData()[0] is not None


@pytest.mark.parametrize("hostile", ["__import__('os').system('id')", "9**9**9**9", "(" * 10000 + "x" + ")" * 10000])
def test_hostile_input_gets_a_message_not_a_crash(lab, qtbot, hostile):
    model = lab.function_model
    field = lab.function_lab.formula.field
    field.setText(hostile)  # as if pasted
    qtbot.keyClick(field, Qt.Key_Return)
    # syntax is refused at once; what only building finds (9^9^9^9 is too large) comes from the worker
    qtbot.waitUntil(lambda: model.problem is not None, timeout=30000)
    assert model.problem.message
    assert model.analysis.text == LESSON


def test_history_and_examples(lab, qtbot):
    model = lab.function_model
    field = type_formula(lab, qtbot, "x^2 sin(x)")
    qtbot.waitUntil(lambda: model.analysis.text == "x^2 sin(x)", timeout=30000)
    field.clear()
    qtbot.keyClick(field, Qt.Key_Up)
    assert field.text() == "x^2 sin(x)"
    qtbot.keyClick(field, Qt.Key_Up)
    assert field.text() == LESSON
    press(qtbot, lab, Qt.Key_E, Qt.ControlModifier)
    menu = lab.function_lab.formula.examples_menu
    qtbot.waitUntil(menu.isVisible)
    menu.actions()[1].trigger()
    menu.close()
    qtbot.waitUntil(lambda: model.analysis.text == "sin(x^2)", timeout=30000)


def test_undefined_stretches_are_gaps(lab, qtbot):
    model = lab.function_model
    type_formula(lab, qtbot, "log(x) + tan(x)")
    qtbot.waitUntil(lambda: model.analysis.text == "log(x) + tan(x)", timeout=30000)
    xs, ys = lab.function_lab.panels["plot"].h_curve.getData()
    assert np.isnan(ys[xs <= 0]).all()  # log is undefined there
    positive = ys[xs > 0.05]
    assert np.isnan(positive).any() and np.isfinite(positive).mean() > 0.9  # tan's poles: short gaps


def test_a_derivation_that_fails_in_the_worker_is_reported_in_the_window(lab, qtbot):
    """What the sandbox process reports (a timeout, a memory limit, a crash) reaches the learner."""
    model = lab.function_model
    model.text = "sin(x)^2"
    message = "Deriving this took longer than 5 s and was stopped. Try a smaller expression."
    model._service.failed.emit("sin(x)^2", message)
    assert "took longer than 5 s" in lab.function_lab.formula.status.text()
    assert model.analysis.text == LESSON
