"""Guided lessons on the shown window: every shipped lesson solved by its scripted solution through
real keys; a wrong answer gets the hint, then the solution; progress survives a restart; a malformed
file is shown with its lines; --lesson NAME --step K opens there."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.lesson_solutions import expected_answer, next_step, solve
from tests.windows import settled

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "resources" / "lessons").glob("*.lesson"))


def open_lesson(qtbot, win, name, step="1"):
    assert win.lessons.open(name, step), win.lessons.runner.problems
    qtbot.waitUntil(lambda: win.lessons.panel.isVisible())
    return win.lessons.runner


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_lesson_runs_end_to_end(qtbot, monkeypatch, path):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, path.stem)
    checked = []

    def check(runner):
        kind = runner.step.task.kind
        if kind == "answer":
            assert runner.feedback.startswith(("Right", "The answer")), runner.feedback
            checked.append(runner.step.id)
        if runner.step.id == "product":   # the learner's product is the chain panel's number
            assert expected_answer(runner) == pytest.approx(win.model.chain("w2").product, rel=1e-12)
        assert not win.model.running   # Space went to the lesson, not to run/pause

    solve(qtbot, win, on_step=check)
    assert "last step" in win.lessons.panel.feedback_text()
    assert checked and len(runner.completed()) == len(runner.lesson.steps)


def test_a_wrong_product_gets_the_factor_then_the_solution(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "chain-rule", "product")
    panel = win.lessons.panel
    assert panel.answer.hasFocus()
    values = runner.quantities()
    forgot_sigma = (values["a2"] - values["y"]) * values["a1"]
    qtbot.keyClicks(panel.answer, f"{forgot_sigma:.5f}")
    qtbot.keyClick(panel.answer, Qt.Key_Return)
    assert "∂a2/∂z2 was left out" in panel.feedback_text() and not runner.done
    panel.answer.selectAll()
    qtbot.keyClicks(panel.answer, "5")
    qtbot.keyClick(panel.answer, Qt.Key_Return)
    assert "The answer is" in panel.feedback_text() and not runner.done
    panel.answer.selectAll()
    qtbot.keyClicks(panel.answer, f"{expected_answer(runner):.5f}")
    qtbot.keyClick(panel.answer, Qt.Key_Return)
    assert runner.done and panel.feedback_text().startswith("Right")


def test_next_waits_for_the_task_and_show_me_does_it(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "chain-rule", "goal")
    assert win.model.selected == "w1" and not runner.done
    next_step(qtbot, win)
    assert runner.index == 1 and "First: select w2" in win.lessons.panel.feedback_text()
    qtbot.keyClick(win.lessons.panel, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)   # Show me
    assert win.model.selected == "w2" and runner.done


def test_progress_is_kept_between_runs(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    runner = open_lesson(qtbot, win, "chain-rule", "factor-cost")
    qtbot.keyClicks(win.lessons.panel.answer, f"{expected_answer(runner):.6g}")
    qtbot.keyClick(win.lessons.panel.answer, Qt.Key_Return)
    next_step(qtbot, win)
    assert runner.step.id == "factor-sigmoid"
    win.close()
    again = settled(qtbot, monkeypatch, focus=True)
    assert again.lessons.open("chain-rule")     # no step asked: where the learner left off
    assert again.lessons.runner.step.id == "factor-sigmoid"
    done = again.lessons.runner.completed()
    assert again.lessons.runner.lesson.index_of("factor-cost") in done
    assert "✓" in again.lessons.panel.steps.item(again.lessons.runner.lesson.index_of("factor-cost")).text()


def test_a_malformed_lesson_is_shown_with_its_lines(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    bad = ROOT / "tests" / "fixtures" / "lessons" / "unknown-names.lesson"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    qtbot.keyClick(win.lessons.panel or win.network_lab.panels["diagram"], Qt.Key_O,
                   Qt.ControlModifier | Qt.ShiftModifier)   # File → Open lesson…
    text = win.lessons.panel.step_text()
    assert "unknown-names.lesson, line 11: unknown action 'jump'" in text
    assert "line 21: unknown task 'wiggle'" in text
    assert "could not be opened" in win.banner.text()


def test_lesson_option_opens_at_the_step_and_screenshots_it(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    shot = tmp_path / "step3.png"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--lesson", "chain-rule", "--step", "3",
                           "--screenshot", str(shot)], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 10000
    wrong = subprocess.run([sys.executable, str(ROOT / "main.py"), "--lesson", "chain-rule", "--step", "99",
                            "--screenshot", str(shot)], env=env, capture_output=True, text=True, timeout=180)
    assert wrong.returncode == 2 and "has steps 1 to 14, not 99" in wrong.stderr


def test_lesson_option_opens_at_step_three(qtbot, monkeypatch):
    import main

    args, _ = main.parse_args(["--lesson", "chain-rule", "--step", "3"])
    win = settled(qtbot, monkeypatch, focus=True)
    assert win.lessons.open(args.lesson, args.step)
    assert win.lessons.runner.index == 2
    assert "step 3 of 14" in win.lessons.panel.heading.text()
