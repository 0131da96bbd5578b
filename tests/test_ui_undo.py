"""Undo and redo (issue 11 §2), driven by real key presses on the shown window: every kind of edit
comes back exactly with Ctrl+Z (parameters bit for bit, the run's steps and cost column as they
were) and again with Ctrl+Shift+Z; the Edit menu names the edit; nudges merge; training steps are
not entries; an edit made while training runs is undone to the moment it was made; in a text field
Ctrl+Z is the field's."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import core
from app.function_lab.model import FunctionLabModel
from app.model import SessionModel
from app.undo import UndoHistory
from core.naming import to_unicode
from tests.windows import press, settled

CTRL, SHIFT = Qt.ControlModifier, Qt.ShiftModifier


@pytest.fixture
def win(qtbot, monkeypatch):
    return settled(qtbot, monkeypatch, focus=True)


def undo(qtbot):
    press(qtbot, Qt.Key_Z, CTRL)


def redo(qtbot):
    press(qtbot, Qt.Key_Z, CTRL | SHIFT)


def state(win) -> dict:
    """Everything an edit can change, as plain comparable values: the parameters as bytes (bit for
    bit), the shown run's whole cost column as bytes, the data's points as bytes."""
    m = win.model
    net = m.network
    costs = m.run_at_shown_step().trajectory.costs()
    return dict(parameters=net.parameter_vector().tobytes(), sizes=tuple(net.sizes),
                activations=tuple(net.activations), loss=net.loss, init=net.init,
                regularization=(net.regularization, net.regularization_rate), rate=m.learning_rate,
                batch=m.batch_size, train_only=m.train_only_axes, dataset=m.dataset.name,
                X=m.dataset.X.tobytes(), y=m.dataset.y.tobytes(), split=(m.test_fraction, m.split_seed),
                step=m.step_count, live_step=m.live_step, runs=m.run_count, costs=costs.tobytes(),
                racing=m.racing, formula=win.function_model.text, x0=win.function_model.x0)


def differences(now: dict, then: dict) -> list[str]:
    return [key for key in then if now[key] != then[key]]


def train(qtbot, steps: int) -> None:
    for _ in range(steps):
        press(qtbot, Qt.Key_S)


# The network lab's edits by their keys: (what, key, modifiers, keys pressed first to make it possible).
NETWORK_EDITS = [
    ("nudge", Qt.Key_Up, CTRL),
    ("add a hidden layer", Qt.Key_H, Qt.NoModifier),
    ("add a neuron", Qt.Key_Equal, Qt.NoModifier),
    ("remove a neuron", Qt.Key_Minus, Qt.NoModifier),
    ("next activation", Qt.Key_V, Qt.NoModifier),
    ("every layer's activation", Qt.Key_V, SHIFT),
    ("remove a hidden layer", Qt.Key_H, SHIFT),
    ("learning rate", Qt.Key_L, SHIFT),
    ("batch mode", Qt.Key_K, Qt.NoModifier),
    ("regularization", Qt.Key_G, Qt.NoModifier),
    ("train only the surface parameters", Qt.Key_T, Qt.NoModifier),
    ("initialization", Qt.Key_I, Qt.NoModifier),
    ("new random start", Qt.Key_I, SHIFT),
    ("remove the ringed sample", Qt.Key_Delete, Qt.NoModifier),
    ("reset", Qt.Key_R, CTRL),
    ("cost", Qt.Key_C, Qt.NoModifier),
    ("dataset", Qt.Key_D, Qt.NoModifier),
    ("restart the lesson", Qt.Key_R, CTRL | SHIFT),
]


def test_every_kind_of_edit_is_undone_and_redone_exactly_by_keys(win, qtbot):
    """A chain of every network edit, each after a few training steps; then Ctrl+Z walks back
    through every state before an edit, and Ctrl+Shift+Z forward through every state after one."""
    stack = win.undo.stack
    befores, afters = [], []
    for what, key, modifiers in NETWORK_EDITS:
        train(qtbot, 3)
        before = state(win)
        press(qtbot, key, modifiers)
        after = state(win)
        assert differences(after, before), f"{what} changed nothing"
        assert stack.count() == len(befores) + 1, what
        befores.append(before)
        afters.append(after)
    for what, before, after in reversed(list(zip([e[0] for e in NETWORK_EDITS], befores, afters))):
        # Undoing the newest entry keeps the present (with its training) for Redo; the others
        # come back as they were right after their edit.
        undo(qtbot)
        assert differences(state(win), before) == [], what
        assert not win.model.running
    assert not stack.canUndo()
    for what, after in zip([e[0] for e in NETWORK_EDITS], afters):
        redo(qtbot)
        assert differences(state(win), after) == [], what
    assert not stack.canRedo()


def test_the_edit_menu_names_the_edit(win, qtbot):
    undo_action, redo_action = win.registry.action("undo"), win.registry.action("redo")
    assert not undo_action.isEnabled() and undo_action.text() == "Undo"
    press(qtbot, Qt.Key_H)                 # the lesson's hidden layer is 1: a second one after it
    assert undo_action.text() == "Undo Add Layer 2"
    press(qtbot, Qt.Key_H, SHIFT)          # the selection moved into the new layer: it goes again
    assert undo_action.text() == "Undo Remove Layer 2"
    undo(qtbot)
    assert (undo_action.text(), redo_action.text()) == ("Undo Add Layer 2", "Redo Remove Layer 2")
    edit_menu = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == "Edit")
    assert [a.text().split("\t")[0] for a in edit_menu.actions()] == ["Undo Add Layer 2", "Redo Remove Layer 2"]
    # the shortcut sheet and the palette read the same titles from the registry
    assert win.registry.title("undo") == "Undo Add Layer 2"
    assert win.registry.shortcut_text("undo") == "Ctrl+Z" and win.registry.shortcut_text("redo") == "Ctrl+Shift+Z"
    assert not win.registry.duplicate_shortcuts()


def test_a_typed_value_is_one_entry_named_with_its_value(win, qtbot):
    m = win.model
    before = state(win)
    press(qtbot, Qt.Key_Return)            # the diagram's inline editor on the selected w2
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "0.5")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert m.network.get("w2") == 0.5
    assert win.registry.action("undo").text() == f"Undo Set {to_unicode('w2')} = 0.5"
    win.network_lab.focus_main_panel()
    undo(qtbot)
    assert differences(state(win), before) == []
    redo(qtbot)
    assert m.network.get("w2") == 0.5


def test_nudges_of_one_parameter_merge_into_one_entry(win, qtbot):
    m, stack = win.model, win.undo.stack
    before = state(win)
    for _ in range(3):
        press(qtbot, Qt.Key_Up, CTRL)
    press(qtbot, Qt.Key_Up, CTRL | SHIFT)   # the fine nudge of the same parameter merges too
    value = m.network.get("w2")
    assert stack.count() == 1
    assert win.registry.action("undo").text() == f"Undo Set {to_unicode('w2')} = {value:.6g}"
    press(qtbot, Qt.Key_N)                  # another parameter: its nudges are an entry of their own
    press(qtbot, Qt.Key_Up, CTRL)
    press(qtbot, Qt.Key_Up, CTRL)
    assert stack.count() == 2
    undo(qtbot)
    assert m.network.get("w2") == value
    undo(qtbot)
    assert differences(state(win), before) == []
    # up and down again: an entry that changes nothing leaves the stack
    w2 = m.network.get("w2")
    press(qtbot, Qt.Key_Up, CTRL)
    press(qtbot, Qt.Key_Down, CTRL)
    assert m.network.get("w2") == (w2 + 0.1) + -0.1
    assert stack.count() == (0 if (w2 + 0.1) + -0.1 == w2 else 1)


def test_training_steps_are_not_entries_and_redo_returns_to_the_present(win, qtbot):
    stack = win.undo.stack
    train(qtbot, 4)
    before = state(win)
    press(qtbot, Qt.Key_L, SHIFT)
    train(qtbot, 6)
    present = state(win)
    assert stack.count() == 1 and present["step"] == before["step"] + 6
    undo(qtbot)
    assert differences(state(win), before) == []   # the run, its 4 steps and its costs as they were
    redo(qtbot)
    assert differences(state(win), present) == []  # the edit and the 6 steps after it


def test_undo_of_an_edit_made_while_training(win, qtbot):
    """Space runs; Shift+L halves η between two steps; Ctrl+Z (training still running) pauses and
    brings back the run as it stood at the edit: the steps before it with their costs, η as before
    and no trace of the change in the run."""
    m = win.model
    rate = m.learning_rate
    train(qtbot, 2)
    costs_before = m.run_at_shown_step().trajectory.costs().copy()
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: m.step_count >= 20, timeout=20000)
    press(qtbot, Qt.Key_L, SHIFT)
    assert m.learning_rate == rate / 2
    qtbot.waitUntil(lambda: m.step_count >= 60, timeout=20000)
    assert m.running
    undo(qtbot)
    assert not m.running and m.learning_rate == rate
    undone = m.run_at_shown_step().trajectory
    edited_at = m.step_count
    assert 20 <= edited_at < 60
    assert np.all(undone.learning_rates() == rate)                   # the change is gone from the run
    assert np.array_equal(undone.costs()[:costs_before.size], costs_before)   # the same run, not a new one
    redo(qtbot)   # the present when Ctrl+Z was pressed: the edit and the training after it
    assert not m.running and m.learning_rate == rate / 2 and m.step_count >= 60
    redone = m.run_at_shown_step().trajectory
    # the undone state is the run exactly as it stood at the edit, between two steps: the redone
    # run holds the same steps up to there, and the halved η from there on
    assert np.array_equal(redone.costs()[:edited_at + 1], undone.costs())
    assert np.flatnonzero(redone.learning_rates() != rate)[0] == edited_at


def test_data_points_added_in_the_data_panel_are_undone(win, qtbot):
    m = win.model
    before = state(win)
    press(qtbot, Qt.Key_6, CTRL)            # the data panel: Enter adds a point at its cross
    qtbot.waitUntil(lambda: win.panels()["data"].hasFocus())
    press(qtbot, Qt.Key_Return)
    press(qtbot, Qt.Key_Return, SHIFT)
    assert len(m.dataset.X) == len(core.load_dataset("lesson").X) + 2
    assert win.registry.action("undo").text() == "Undo Add a Point"
    undo(qtbot)
    undo(qtbot)
    assert differences(state(win), before) == []
    redo(qtbot)
    assert len(m.dataset.X) == len(core.load_dataset("lesson").X) + 1


def test_a_refused_edit_leaves_no_entry(win, qtbot):
    press(qtbot, Qt.Key_Minus)               # the lesson's layer keeps its one neuron
    assert "neuron" in win.banner.text()
    assert win.undo.stack.count() == 0 and not win.registry.action("undo").isEnabled()
    undo(qtbot)                              # nothing to undo: the status bar says so
    assert "Nothing to undo" in win.statusBar().currentMessage()


def test_in_the_formula_field_ctrl_z_undoes_the_typing_then_escape_and_ctrl_z_the_formula(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)
    press(qtbot, Qt.Key_F3)
    f = win.function_model
    qtbot.waitUntil(lambda: f.analysis is not None and win.is_settled(), timeout=60000)
    lesson = f.text
    press(qtbot, Qt.Key_L, CTRL)             # the formula field
    field = win.function_lab.formula.field
    qtbot.keyClicks(field, "sin(x)")
    qtbot.keyClick(field, Qt.Key_Return)     # derive it; the focus goes back to the lab
    qtbot.waitUntil(lambda: f.analysis is not None and f.analysis.text == "sin(x)", timeout=30000)
    assert win.registry.action("undo").text() == "Undo Formula h(x) = sin(x)"
    entries = win.undo.stack.count()
    press(qtbot, Qt.Key_L, CTRL)
    qtbot.keyClicks(field, "cos(x)")
    undo(qtbot)                              # in the field: its own typing goes
    assert field.text() == "sin(x)" and f.text == "sin(x)"
    assert win.undo.stack.count() == entries
    press(qtbot, Qt.Key_Escape)              # out of the field: Ctrl+Z is the studio's
    assert not win.in_field()
    undo(qtbot)
    assert f.text == lesson
    qtbot.waitUntil(lambda: field.text() == lesson, timeout=30000)
    redo(qtbot)
    assert f.text == "sin(x)"


def test_opening_a_session_file_starts_a_new_history(win, qtbot, tmp_path):
    press(qtbot, Qt.Key_H)
    path = tmp_path / "one.crstudio"
    win.session_files.io.synchronous = True
    assert win.session_files.save_to(str(path), wait=True)
    press(qtbot, Qt.Key_Equal)
    assert win.undo.stack.count() == 2
    win.session_files.open_path(str(path))
    assert win.model.hidden_layers() == [1, 1]
    assert win.undo.stack.count() == 0 and not win.registry.action("undo").isEnabled()


def test_undoing_back_to_the_saved_state_clears_the_unsaved_mark(win, qtbot, tmp_path):
    """Saved, then an edit (the title's mark comes on), then Ctrl+Z: the window is as saved again,
    so the mark goes; Ctrl+Shift+Z brings the edit and the mark back."""
    files = win.session_files
    files.io.synchronous = True
    assert files.save_to(str(tmp_path / "saved.crstudio"), wait=True)
    assert not win.isWindowModified()
    press(qtbot, Qt.Key_H)                       # add a layer
    assert win.isWindowModified()
    undo(qtbot)
    assert win.model.hidden_layers() == [1] and not win.isWindowModified()
    redo(qtbot)
    assert win.model.hidden_layers() == [1, 1] and win.isWindowModified()


def nudge_first(model):
    """Set the first parameter 0.25 higher (a typed value: such edits do not merge)."""
    name = model.parameter_names()[0]
    model.set_parameter(name, model.network.get(name) + 0.25)


def test_a_thousand_edits_and_a_thousand_undos_come_back_to_the_start_exactly(qtbot):
    """The session and Function lab models with their undo history (no views: the point is the
    stack): 1,000 edits of every kind that does not merge, then 1,000 undos, then 1,000 redos."""
    model = SessionModel(synchronous=True)
    function_model = FunctionLabModel()
    history = UndoHistory(model, function_model)
    try:
        model.step(30)
        def now():
            return (model.network.parameter_vector().tobytes(), model.run_at_shown_step().trajectory.costs().tobytes(),
                    model.step_count, model.learning_rate, model.dataset.X.tobytes(), model.hidden_layers())
        start = now()
        kinds = [lambda: model.scale_learning_rate(0.5), lambda: model.scale_learning_rate(2.0),
                 lambda: nudge_first(model), lambda: model.add_neuron(0),
                 lambda: model.remove_neuron(0), lambda: model.cycle_regularization(), lambda: model.step(1),
                 lambda: model.add_point([0.3], 1), lambda: model.cycle_batch_mode(), lambda: model.reinitialize()]
        rng = np.random.default_rng(7)
        entries = 0
        while entries < 1000:
            kinds[rng.integers(len(kinds))]()
            entries = history.stack.count()
        after = (model.network.parameter_vector().tobytes(), model.step_count)
        for _ in range(1000):
            history.undo()
        assert now() == start and not history.stack.canUndo()
        for _ in range(1000):
            history.redo()
        assert (model.network.parameter_vector().tobytes(), model.step_count) == after
    finally:
        model.engine.shutdown()
        function_model.close()
