"""U's narrated update drawn on the cost surface: each press emphasizes the arrow of the sub-step the
chain panel explains (gradient, velocity/moments, step), the others dimmed, the caption naming the
sub-step; the arrows are the update about to be taken (the step arrow is the step the last press
takes); after the last press the arrows are back to normal — for plain descent and for Adam in a race."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

import core
from tests.windows import with_deferred_panels


@pytest.fixture
def window(qtbot):
    win = with_deferred_panels(qtbot)
    win.panels()["expression"].start()
    yield win
    win.model.set_running(False)


def surface_ready(qtbot, win):
    surface = win.panels()["surface"]
    qtbot.waitUntil(lambda: surface.shown_snapshot is not None
                    and surface.shown_snapshot.key == win.model.snapshot.key, timeout=30000)
    return surface


def press_u(qtbot, win):
    qtbot.keyClick(win.panels()["diagram"], Qt.Key_U)


def drawn_vector(surface, name):
    (a0, b0), (a1, b1) = surface.arrows.drawn(name)
    return np.array([a1 - a0, b1 - b0]) / surface.arrows.scale


def narrate_and_check(qtbot, win, expected_arrows):
    """Press U once per sub-step: the expected arrow emphasized, the others dimmed, the caption says
    which sub-step; returns the step arrow's vector (plotted parameters) seen at the 'step' sub-step
    and the gradient arrow's seen at the first."""
    model, surface = win.model, surface_ready(qtbot, win)
    assert surface.arrows.emphasized() is None and surface.arrows.dimmed() == []
    seen = {}
    for k, arrow in enumerate(expected_arrows, start=1):
        press_u(qtbot, win)
        assert model.narration is not None and len(model.narration[0]) == k
        assert surface.arrows.emphasized() == arrow, model.narration[0][-1].title
        assert surface.arrows.dimmed() and arrow not in surface.arrows.dimmed()
        text = surface.caption.text()
        assert f"sub-step {k} of {len(expected_arrows)}" in text and model.narration[0][-1].title in text
        seen.setdefault(arrow, drawn_vector(surface, arrow))
    return seen


def test_plain_descent_narration_draws_the_gradient_then_the_step(window, qtbot):
    model = window.model
    surface = surface_ready(qtbot, window)
    a_name, b_name = model.axes
    before = model.snapshot
    seen = narrate_and_check(qtbot, window, ["gradient", "step"])
    eta = model.learning_rate
    assert seen["gradient"] == pytest.approx([-eta * before.gradient_of(a_name), -eta * before.gradient_of(b_name)],
                                             rel=1e-12)
    press_u(qtbot, window)                    # the last press takes the step it drew
    assert model.narration is None and model.step_count == 1
    after = model.snapshot
    taken = [after.value(a_name) - before.value(a_name), after.value(b_name) - before.value(b_name)]
    assert seen["step"] == pytest.approx(taken, rel=1e-9, abs=1e-15)
    qtbot.waitUntil(lambda: surface.shown_snapshot.key == model.snapshot.key, timeout=30000)
    assert surface.arrows.emphasized() is None and surface.arrows.dimmed() == []
    assert "Narrated update" not in surface.caption.text()


def test_adam_narration_in_a_race_draws_gradient_moments_and_step(window, qtbot):
    model = window.model
    model.start_race([core.Entrant("sgd", 0.5), core.Entrant("adam", 0.05)])
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_O)          # show the Adam run
    assert model.snapshot.label == "Adam η 0.05"
    a_name, b_name = model.axes
    before = model.snapshot
    # gradient → first moment (the velocity arrow, −ηm̂) → second moment (the per-parameter rates)
    # → bias correction (m̂: the velocity arrow) → step
    seen = narrate_and_check(qtbot, window, ["gradient", "velocity", "scaled", "velocity", "step"])
    press_u(qtbot, window)
    after = model.snapshot
    assert after.step == before.step + 1 and model.narration is None
    taken = [after.value(a_name) - before.value(a_name), after.value(b_name) - before.value(b_name)]
    assert seen["step"] == pytest.approx(taken, rel=1e-9, abs=1e-15)
    surface = window.panels()["surface"]
    assert surface.arrows.emphasized() is None
    assert "Narrated update" not in surface.caption.text()
