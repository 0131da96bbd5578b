"""U narrates the next update of the selected parameter in the chain panel, one sub-step per press, and
the last press takes exactly the step it narrated — for plain descent and for Adam in a race."""
import pytest
from PySide6.QtCore import Qt

import core
from app.format import fmt
from tests.windows import with_deferred_panels


@pytest.fixture
def window(qtbot):
    win = with_deferred_panels(qtbot)
    win.panels()["expression"].start()
    qtbot.waitUntil(win.panels()["expression"].is_settled, timeout=30000)
    return win


def press_u(qtbot, win):
    qtbot.keyClick(win.panels()["diagram"], Qt.Key_U)
    qtbot.waitUntil(win.panels()["expression"].is_settled, timeout=30000)


def test_u_narrates_gradient_descent_and_takes_the_narrated_step(window, qtbot):
    model, panel = window.model, window.panels()["expression"]
    assert model.selected == "w2"
    press_u(qtbot, window)
    assert any("Narrated update</b> of w₂ by Gradient descent" in c and "sub-step 1 of 2" in c
               for c in panel.caption_lines)
    gradient = model.snapshot.gradient_of("w2")
    assert fmt(gradient) in panel.value_texts
    press_u(qtbot, window)
    assert any("sub-step 2 of 2" in c for c in panel.caption_lines)
    expected = model.snapshot.value("w2") - model.learning_rate * gradient
    assert fmt(expected) in panel.value_texts
    press_u(qtbot, window)                       # the last press takes the step
    assert model.step_count == 1 and model.narration is None
    assert model.snapshot.value("w2") == pytest.approx(expected, rel=1e-12)
    assert not any("Narrated update" in c for c in panel.caption_lines)


def test_u_narrates_adams_moments_and_bias_correction_in_a_race(window, qtbot):
    model, panel = window.model, window.panels()["expression"]
    model.start_race([core.Entrant("sgd", 0.5), core.Entrant("adam", 0.05)])
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_O)          # show the Adam run
    assert model.snapshot.label == "Adam η 0.05"
    for _ in range(5):
        press_u(qtbot, window)
    assert any("by Adam" in c and "sub-step 5 of 5" in c for c in panel.caption_lines)
    assert any(c.startswith("Bias correction") for c in panel.caption_lines)
    narrated = model.narration[1][-1].value
    step = model.snapshot.step
    press_u(qtbot, window)
    assert model.snapshot.step == step + 1 and model.snapshot.label == "Adam η 0.05"
    assert model.snapshot.value("w2") == narrated


def test_any_other_change_ends_the_narration(window, qtbot):
    model = window.model
    press_u(qtbot, window)
    assert model.narration is not None
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_N)          # another parameter
    assert model.narration is None
