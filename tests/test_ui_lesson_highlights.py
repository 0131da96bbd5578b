"""A lesson step's highlights on the shown window, driven by keys: each kind (node, edge, factor,
point, layer) is marked on the view that draws it — asked through each view's public
`lesson_highlighted()` and seen in its pixels (the mark's violet) — and goes away on Next and when
the lesson panel is closed. And the chain panel is never an empty white box: not before its first
derivation, and not after a step's `panels:` set-up has hidden and shown it again."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.selftest import blank_reason
from app.views.expression import ExpressionPanel
from app.views.lesson_marks import MARK_COLOR
from app.model import SessionModel
from tests.windows import settled

EVERY_KIND = """\
lesson: Highlights
step: network
title: What the text names
setup:
    restart: lesson
    lab: network
    panels: diagram, expression, surface, controls
    select: w2
    sample: 1
highlight: node a2, edge w2, factor 2, point, node a7
text:
    The output $a_2$, the weight $w_2$, the second factor and the point on the surface.
step: layers
title: A layer
setup:
    lab: function
    formula: log(2 + cos(x))
highlight: layer 1
text:
    The outer layer.
step: plain
title: Nothing marked
setup:
    lab: network
text:
    Nothing is marked here.
"""

HIDDEN_THEN_SHOWN = """\
lesson: Hidden, then shown
step: diagram-only
title: Only the diagram
setup:
    restart: lesson
    panels: diagram, controls
    select: w1
    sample: 3
text:
    The chain panel is hidden.
step: chain-again
title: The chain again
setup:
    select: w2
    sample: 2
    panels: diagram, expression, controls
text:
    The chain panel is back.
"""


def write_lesson(tmp_path: Path, text: str) -> str:
    path = tmp_path / "test.lesson"
    path.write_text(text, encoding="utf-8")
    return str(path)


def mark_pixels(widget) -> int:
    """How many pixels of `widget` are drawn in the lesson mark's violet (no view uses it otherwise)."""
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB32)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine() // 4, 4)[:, :width]
    b, g, r = (pixels[..., i].astype(int) for i in range(3))
    target = MARK_COLOR
    return int(np.count_nonzero((abs(r - target.red()) < 40) & (abs(g - target.green()) < 40)
                                & (abs(b - target.blue()) < 40)))


def next_by_space(qtbot, win) -> None:
    panel = win.lessons.panel
    panel.focus_task()
    qtbot.waitUntil(panel.hasFocus)
    qtbot.keyClick(panel, Qt.Key_Space)


def test_each_highlight_kind_is_marked_and_goes_on_next_and_close(qtbot, monkeypatch, tmp_path):
    win = settled(qtbot, monkeypatch, focus=True)
    diagram = win.network_lab.panels["diagram"]
    chain = win.network_lab.panels["expression"]
    surface = win.network_lab.panels["surface"]
    # (the surface's own viridis has violets: its ring is checked through its API only)
    unmarked = {view: mark_pixels(view) for view in (diagram, chain)}
    assert win.lessons.open(write_lesson(tmp_path, EVERY_KIND), "1")
    qtbot.waitUntil(lambda: win.lessons.panel.isVisible() and win.is_settled(), timeout=30000)

    assert diagram.lesson_highlighted() == {"node a2", "edge w2"}   # a7: the 1-1-1 network has none
    assert chain.lesson_highlighted() == {"factor 2"}
    assert surface.lesson_highlighted() == {"point"}
    for view in (diagram, chain):
        assert mark_pixels(view) > unmarked[view] + 100, view.objectName()
    # the mark is not the selection's gold: w2 stays selected and lit as before
    assert "edge:w2" in diagram.highlighted

    next_by_space(qtbot, win)                   # to the Function lab's step: the network's marks go
    qtbot.waitUntil(lambda: win.lessons.runner.index == 1)
    assert diagram.lesson_highlighted() == set() and chain.lesson_highlighted() == set()
    assert surface.lesson_highlighted() == set()
    formula = win.function_lab.panels["formula"]
    qtbot.waitUntil(lambda: len(formula.layer_lines) == 2, timeout=30000)
    assert formula.lesson_highlighted() == {"layer 1"}
    qtbot.waitUntil(lambda: mark_pixels(formula.boxes) > 100)

    next_by_space(qtbot, win)                   # a step without highlights: nothing marked anywhere
    qtbot.waitUntil(lambda: win.lessons.runner.index == 2)
    assert formula.lesson_highlighted() == set() and mark_pixels(formula.boxes) == 0
    assert surface.lesson_highlighted() == set()
    for view in (diagram, chain):
        assert view.lesson_highlighted() == set()
        assert mark_pixels(view) <= unmarked[view] + 20, view.objectName()


def test_closing_the_lesson_panel_takes_the_marks_away_and_opening_it_brings_them_back(
        qtbot, monkeypatch, tmp_path):
    win = settled(qtbot, monkeypatch, focus=True)
    diagram = win.network_lab.panels["diagram"]
    assert win.lessons.open(write_lesson(tmp_path, EVERY_KIND), "1")
    qtbot.waitUntil(lambda: win.lessons.panel.isVisible())
    assert diagram.lesson_highlighted() == {"node a2", "edge w2"}
    win.lessons.panel.focus_task()
    qtbot.keyClick(win.lessons.panel, Qt.Key_F4)      # the lesson panel closes
    qtbot.waitUntil(lambda: not win.lessons.panel.isVisible())
    assert diagram.lesson_highlighted() == set()
    assert win.network_lab.panels["expression"].lesson_highlighted() == set()
    qtbot.keyClick(diagram, Qt.Key_F4)               # and opens again on the same step
    qtbot.waitUntil(lambda: win.lessons.panel.isVisible())
    assert diagram.lesson_highlighted() == {"node a2", "edge w2"}


def test_the_chain_panel_shows_the_product_after_a_panels_setup(qtbot, monkeypatch, tmp_path):
    win = settled(qtbot, monkeypatch, focus=True)
    chain = win.network_lab.panels["expression"]
    assert win.lessons.open(write_lesson(tmp_path, HIDDEN_THEN_SHOWN), "1")
    qtbot.waitUntil(lambda: win.lessons.panel.isVisible())
    assert not chain.isVisible() and win.model.selected == "w1"
    next_by_space(qtbot, win)
    qtbot.waitUntil(lambda: chain.isVisible() and chain.is_settled(), timeout=30000)
    name, sample, text = chain.shown_product()
    assert (name, sample) == ("w2", 1)
    # the product against a forward pass of our own: (a2 − y) · a2(1 − a2) · a1 at sample 2
    net, x, y = win.model.network, win.model.X[1:2], float(win.model.y[1, 0])
    trace = net.forward(x)
    a1, a2 = float(trace.activations[1][0, 0]), float(trace.activations[2][0, 0])
    shown = float(text.rsplit("=", 1)[1].replace("−", "-"))
    assert shown == pytest.approx((a2 - y) * a2 * (1 - a2) * a1, rel=5e-3)
    assert blank_reason(chain.grab().toImage()) is None


def test_the_chain_panel_says_it_is_working_before_its_first_derivation(qtbot):
    """Until the window's first paint starts it, and while sympy and the typesetter load (seconds
    on a busy machine), the panel says what it is doing instead of showing an empty white box."""
    model = SessionModel()
    panel = ExpressionPanel(model)
    qtbot.addWidget(panel)
    panel.resize(500, 400)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.waiting and panel.shown_product() is None
    said = [label.text() for label in panel.findChildren(QLabel) if label.isVisible()]
    assert any("Working out ∂J/∂w₂ by the chain rule" in text for text in said), said
