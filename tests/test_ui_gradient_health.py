"""The gradient-health panel driven from the keyboard: Ctrl+9 brings it forward on the shown window,
and the bars it draws hold core's numbers for the shown step — the update ratio checked against the
parameters the learner saw before and after pressing S."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

import core
from app.workers import LatestOnlyWorker
from tests.windows import shown


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    win = shown(qtbot, focus=True)
    qtbot.waitUntil(win.is_settled, timeout=30000)
    return win


def _layer_ratios(net, before, after):
    out, offset = [], 0
    for W, b in zip(net.weights, net.biases):
        size = W.size + b.size
        step = np.linalg.norm(after[offset:offset + size] - before[offset:offset + size])
        out.append(math.log10(step / np.linalg.norm(before[offset:offset + size])))
        offset += size
    return np.array(out)


def test_ctrl_9_shows_the_panel_with_cores_numbers_for_the_shown_step(window, qtbot):
    model, diagram = window.model, window.panels()["diagram"]
    panel = window.panels()["health"]
    assert not panel.is_showing()         # a tab behind the diagram until asked for: it computes nothing
    for _ in range(3):
        qtbot.keyClick(diagram, Qt.Key_S)
    before = model.snapshot.theta.copy()
    qtbot.keyClick(diagram, Qt.Key_S)
    after = model.snapshot.theta.copy()
    assert model.step_count == 4
    assert panel.shown_snapshot is None

    qtbot.keyClick(diagram, Qt.Key_9, Qt.ControlModifier)
    qtbot.waitUntil(panel.is_showing)
    qtbot.waitUntil(panel.is_settled)
    assert panel.hasFocus()

    snap = model.snapshot
    expected = core.gradient_health(snap.network, snap.X, snap.y, previous=snap.previous_theta)
    shown_values = panel.shown_values()
    assert shown_values["delta"] == pytest.approx(expected.delta_norms, rel=1e-9)
    assert shown_values["saturated"] == pytest.approx(np.nan_to_num(expected.saturation), abs=1e-12)
    # the update ratio of the S press that led to this step, from what the window showed around it
    assert shown_values["update_ratio"] == pytest.approx(_layer_ratios(snap.network, before, after), rel=1e-9)
    assert "Step 4" in panel.caption.text()


def test_the_panel_follows_the_timeline_and_has_no_update_ratio_at_step_zero(window, qtbot):
    model, diagram = window.model, window.panels()["diagram"]
    panel = window.panels()["health"]
    qtbot.keyClick(diagram, Qt.Key_S)
    qtbot.keyClick(diagram, Qt.Key_9, Qt.ControlModifier)
    qtbot.waitUntil(panel.is_settled)
    qtbot.keyClick(panel, Qt.Key_Home)        # the timeline's start: every panel shows step 0
    qtbot.waitUntil(lambda: model.snapshot.step == 0)
    qtbot.waitUntil(panel.is_settled)
    assert panel.shown_snapshot.step == 0
    assert np.all(np.isnan(panel.shown_values()["update_ratio"]))
    assert "needs a step" in panel.caption.text()
    snap = model.snapshot
    assert panel.shown_values()["delta"] == pytest.approx(
        core.gradient_health(snap.network, snap.X, snap.y).delta_norms, rel=1e-9)


def test_no_two_commands_share_a_key_with_the_panel_added(window):
    assert window.registry.duplicate_shortcuts() == {}
    assert window.registry.shortcut_text("focus_9") == "Ctrl+9"


def test_e_shows_vanishing_gradients_and_shift_v_the_cure(window, qtbot):
    model, diagram = window.model, window.panels()["diagram"]
    panel = window.panels()["health"]
    qtbot.keyClick(diagram, Qt.Key_E)
    assert model.network.activations == ("sigmoid",) * 7 and model.network.depth == 7
    qtbot.waitUntil(panel.is_showing)
    qtbot.waitUntil(panel.is_settled)
    delta = panel.shown_values()["delta"]
    sigmoid_ratio = delta[0] / delta[-1]
    assert sigmoid_ratio < 1e-2, "the first layer's δ is far smaller than the output's"
    assert "σ′ ≤ ¼" in panel.caption.text()
    diagram.setFocus()
    qtbot.keyClick(diagram, Qt.Key_V, Qt.ShiftModifier)
    assert model.network.activations[:-1] == ("tanh",) * 6
    qtbot.waitUntil(panel.is_settled)
    delta = panel.shown_values()["delta"]
    assert delta[0] / delta[-1] > 10 * sigmoid_ratio, "tanh carries the gradient back much better"
