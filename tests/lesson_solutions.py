"""Scripted solutions for any lesson: each step's task done the way a learner would, on the shown
window — the command's own key, N until the parameter is selected, the formula typed in the Function
lab, the number typed into the answer field with Enter, the right option picked with the arrows — then
Space in the lesson panel for Next. Used for every shipped lesson (tests/test_ui_lessons.py)."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.lessons import evaluate, option_is_right

WAIT_MS = 60000


def press_sequence(qtbot, sequence) -> None:
    """Press a QKeySequence's first chord where the focus is."""
    chord = sequence[0]
    qtbot.keyClick(QApplication.focusWidget(), chord.key(), chord.keyboardModifiers())


def press_command(qtbot, win, action_id) -> None:
    press_sequence(qtbot, win.registry.action(action_id).shortcut())


def expected_answer(runner) -> float:
    return evaluate(runner.step.task.expression, runner.quantities())


def do_task(qtbot, win) -> None:
    """Do the current step's task through keys; returns once the lesson says it is done."""
    runner, panel = win.lessons.runner, win.lessons.panel
    step = runner.step
    task = step.task
    if task.kind == "action":
        press_command(qtbot, win, task.argument)
    elif task.kind == "select":
        for _ in range(len(win.model.parameter_names())):
            if win.model.selected == task.argument:
                break
            press_command(qtbot, win, "next_param")
    elif task.kind == "formula":
        press_command(qtbot, win, "edit_formula")
        field = QApplication.focusWidget()
        field.selectAll()
        qtbot.keyClicks(field, task.argument)
        qtbot.keyClick(field, Qt.Key_Return)
    elif task.kind == "answer":
        assert panel.answer.hasFocus()
        qtbot.keyClicks(panel.answer, f"{expected_answer(runner):.6g}")
        qtbot.keyClick(panel.answer, Qt.Key_Return)
    elif task.kind == "choice":
        assert panel.choices.hasFocus()
        values = runner.quantities()
        right = next(i for i, o in enumerate(task.options) if option_is_right(o, values))
        qtbot.keyClick(panel.choices, Qt.Key_Home)
        for _ in range(right):
            qtbot.keyClick(panel.choices, Qt.Key_Down)
        qtbot.keyClick(panel.choices, Qt.Key_Return)
    elif task.kind == "goal":
        for action_id in step.show:
            press_command(qtbot, win, action_id)
    try:
        qtbot.waitUntil(lambda: runner.done, timeout=WAIT_MS)
    except Exception:
        raise AssertionError(f"step {step.id}: {runner.feedback!r}")


def next_step(qtbot, win) -> None:
    """Space in the lesson panel (after putting the focus back there with F4 twice if a lab's field
    has it), as a learner goes on."""
    panel = win.lessons.panel
    if not panel.hasFocus():
        panel.focus_task()
    assert panel.hasFocus()
    qtbot.keyClick(panel, Qt.Key_Space)


def solve(qtbot, win, on_step=None) -> None:
    """Every step of the open lesson, from the current one to the end."""
    runner = win.lessons.runner
    while True:
        index = runner.index
        if runner.step.task.waits:
            do_task(qtbot, win)
        if on_step is not None:
            on_step(runner)
        assert runner.done
        if index + 1 == len(runner.lesson.steps):
            next_step(qtbot, win)
            return
        next_step(qtbot, win)
        assert runner.index == index + 1, (runner.step.id, runner.feedback)
