"""The Function lab writes sums the way the learner typed them: log(2 + cos(x)), typed by keys on the
shown window, reads u = 2 + cos x in the decomposition, the derivation, the graph and the plot's
key, and h′ = −sin x/(2 + cos x) — not sympy's cos x + 2."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from tests.windows import shown

LESSON = "log(2 + cos(x))"
COS = r"\cos{\left(x \right)}"


@pytest.fixture
def lab(qtbot):
    win = shown(qtbot, focus=True, persist_layout=False)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_F3)
    assert win.current_lab() is win.function_lab
    qtbot.waitUntil(lambda: win.function_model.analysis is not None and win.is_settled(), timeout=60000)
    return win


def type_formula(qtbot, win, text: str) -> None:
    """Ctrl+L, the text key by key, Enter — and wait until the window shows it."""
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_L, Qt.ControlModifier)
    field = win.function_lab.formula.field
    assert field.hasFocus()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)
    model = win.function_model
    qtbot.waitUntil(lambda: model.analysis is not None and model.analysis.text == text, timeout=30000)


def shown_latex(win, name: str) -> str:
    """The equation a label of the lab shows (what it typesets), found by its object name."""
    return win.function_lab.findChild(QLabel, name).property("math_latex")


def test_the_typed_lesson_reads_2_plus_cos_x_everywhere(lab, qtbot):
    type_formula(qtbot, lab, "cos(x) + 2")   # typed the other way round first: that order shows too
    assert f"u = {COS} + 2" not in shown_latex(lab, "decomposition")
    assert shown_latex(lab, "decomposition") == f"h = {COS} + 2"
    type_formula(qtbot, lab, LESSON)

    # the decomposition: h = log u, u = 2 + cos x
    assert shown_latex(lab, "decomposition") == rf"h = \log{{\left(u \right)}}\qquad u = 2 + {COS}"

    # the derivation: the answer, and every step that holds the sum
    assert shown_latex(lab, "derivative-answer") == rf"h'(x) = - \frac{{\sin{{\left(x \right)}}}}{{2 + {COS}}}"
    tree = lab.function_lab.panels["derivation"].tree
    steps = {}
    stack = [tree.topLevelItem(0)]
    while stack:
        item = stack.pop()
        steps[item.text(0)] = tree.itemWidget(item, 1).property("math_latex")
        stack.extend(item.child(i) for i in range(item.childCount()))
    assert steps["Chain rule"].startswith(rf"\frac{{d}}{{dx}}\left(\log{{\left(2 + {COS} \right)}}\right)")
    assert steps["Chain rule"].endswith(rf"{{2 + {COS}}}")
    assert steps["Sum rule"].startswith(rf"\frac{{d}}{{dx}}\left(2 + {COS}\right)")
    assert all(f"{COS} + 2" not in latex for latex in steps.values())

    # the computation graph: the + node hovers as typed, its inputs drawn in typed order
    view = lab.function_lab.panels["graph"].view
    tips = {item.toolTip() for item in view.scene().items() if item.toolTip()}
    assert "+: 2 + cos(x)" in tips and "log: log(2 + cos(x))" in tips
    graph = lab.function_model.analysis.graph
    plus = next(node.id for node in graph.nodes if node.op == "add")
    assert view.argument_labels(plus) == ["2", "cos"]
    two, cos = graph.nodes[plus].args
    assert view.box_rect(two).center().y() < view.box_rect(cos).center().y()   # 2 above cos, as read

    # the plot's key names both curves with the formulas as typed
    key = lab.function_lab.findChild(QLabel, "function-plot-key").text()
    assert "h(x) = log(2 + cos(x))" in key and "h′(x) = −sin(x)/(2 + cos(x))" in key

    # the history keeps the text as typed: Up in the field brings it back
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_L, Qt.ControlModifier)
    field = lab.function_lab.formula.field
    qtbot.keyClick(field, Qt.Key_Up)
    assert field.text() == LESSON
