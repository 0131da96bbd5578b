"""Lessons 2 to 5 on the shown window, where they lean on more of the studio than lesson 1: a known
mistake in momentum's velocity gets its own hint, then the solution; a learning rate too large
diverges and the window says so; the tanh goal is reached with Shift+V and the gradient-health panel
draws the first layer's δ grown; races started by the lesson show their table and the live winner."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.lesson_solutions import expected_answer, next_step
from tests.windows import settled


def open_lesson(qtbot, win, name, step):
    assert win.lessons.open(name, step), win.lessons.runner.problems
    qtbot.waitUntil(lambda: win.lessons.panel.isVisible())
    return win.lessons.runner


def type_answer(qtbot, panel, text):
    panel.answer.selectAll()
    qtbot.keyClicks(panel.answer, text)
    qtbot.keyClick(panel.answer, Qt.Key_Return)


def test_momentum_velocity_without_mu_gets_its_hint_then_the_solution(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "optimizers", "velocity-idea")
    panel = win.lessons.panel
    g1 = win.model.snapshot.gradient_of("w2")
    type_answer(qtbot, panel, f"{g1:.6g}")
    assert runner.done
    next_step(qtbot, win)
    qtbot.keyClick(panel, Qt.Key_S)                        # the first step, from the lesson panel
    qtbot.waitUntil(lambda: runner.done)
    next_step(qtbot, win)
    assert runner.step.id == "second-velocity" and panel.answer.hasFocus()
    g2 = win.model.snapshot.gradient_of("w2")
    type_answer(qtbot, panel, f"{g1 + g2:.6g}")            # μ forgotten
    assert "Multiply v1 by μ = 0.9 first." in panel.feedback_text() and not runner.done
    type_answer(qtbot, panel, "1")
    assert "The answer is" in panel.feedback_text() and not runner.done
    type_answer(qtbot, panel, f"{0.9 * g1 + g2:.6g}")
    assert runner.done and panel.feedback_text().startswith("Right")


def test_a_learning_rate_too_large_diverges_and_the_window_says_so(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "gradient-descent", "too-large")
    assert win.model.learning_rate == 64 and win.model.network.get("b3") == 30
    qtbot.keyClick(win.lessons.panel, Qt.Key_S)
    qtbot.waitUntil(lambda: runner.done)
    assert "training diverged" in win.banner.text()
    assert win.banner.isVisible() and not win.model.running
    next_step(qtbot, win)
    choices = win.lessons.panel.choices
    assert choices.hasFocus()
    qtbot.keyClick(choices, Qt.Key_Home)
    qtbot.keyClick(choices, Qt.Key_Return)                 # "kept training": wrong
    assert not runner.done and "Not that one" in win.lessons.panel.feedback_text()
    qtbot.keyClick(choices, Qt.Key_Down)
    qtbot.keyClick(choices, Qt.Key_Return)
    assert runner.done


def test_tanh_brings_the_first_layers_delta_back(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "vanishing-gradients", "tanh")   # a jump: the step builds its network
    assert win.model.network.activations == ("sigmoid",) * 7 or list(win.model.network.activations) == ["sigmoid"] * 7
    health = win.network_lab.panels["health"]
    qtbot.waitUntil(lambda: health.isVisible() and health.is_settled(), timeout=30000)
    before = health.shown_values()["delta"][0]
    assert before < 1e-3 and not runner.done
    qtbot.keyClick(win.lessons.panel, Qt.Key_V, Qt.ShiftModifier)   # every hidden layer: next activation
    qtbot.waitUntil(lambda: runner.done, timeout=30000)
    assert win.model.network.activations[0] == "tanh"
    qtbot.waitUntil(health.is_settled, timeout=30000)
    after = health.shown_values()["delta"][0]
    assert after > 0.02 and after > 100 * before
    assert after == pytest.approx(runner.quantities()["delta1"], rel=1e-6)


@pytest.mark.parametrize("step, winner", [("race", "plain gradient descent"), ("race-deep", "Adam")])
def test_the_lessons_races_start_without_a_dialog_and_name_the_live_winner(qtbot, monkeypatch, step, winner):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "optimizers", step)
    assert win.model.racing
    assert [e.optimizer for e in win.model.race_entrants()] == ["sgd", "momentum", "adam"]
    assert win.network_lab.docks["race"].isVisible()
    values = runner.quantities()
    costs = {name: values[f"J_{name}"] for name in ("sgd", "momentum", "adam")}
    lowest = min(costs, key=costs.get)
    assert {"sgd": "plain gradient descent", "momentum": "momentum", "adam": "Adam"}[lowest] == winner
    options = [o.text for o in runner.step.task.options]
    choices = win.lessons.panel.choices
    wrong = next(i for i, text in enumerate(options) if text != winner)
    qtbot.keyClick(choices, Qt.Key_Home)
    for _ in range(wrong):
        qtbot.keyClick(choices, Qt.Key_Down)
    qtbot.keyClick(choices, Qt.Key_Return)
    assert not runner.done
    assert win.model.live      # Home moved in the list; it did not rewind the race to its start
    qtbot.keyClick(choices, Qt.Key_Home)
    for _ in range(options.index(winner)):
        qtbot.keyClick(choices, Qt.Key_Down)
    qtbot.keyClick(choices, Qt.Key_Return)
    assert runner.done and winner in win.lessons.panel.feedback_text()
    assert np.isfinite(list(costs.values())).all()


def test_the_paths_answer_is_the_chain_panels_sum_of_paths(qtbot, monkeypatch):
    """The network the lesson builds (hidden: 2, 2) is the one the answer's formula describes: its
    value is core's sum over the paths and the chain panel's product for the sample."""
    import core

    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "backpropagation", "paths-sum")
    model = win.model
    assert model.network.sizes == (1, 2, 2, 1) and model.selected == "w1.1.1"
    paths = core.chain_paths(model.network, "w1.1.1", model.X, model.y, sample=model.sample)
    assert paths.count == 2
    assert expected_answer(runner) == pytest.approx(sum(p.value for p in paths.paths), rel=1e-9)
    assert expected_answer(runner) == pytest.approx(model.chain("w1.1.1").product, rel=1e-9)
