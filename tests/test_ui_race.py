"""The race in the shown window, by keys: R opens the choice of optimizers, Enter races them from the
shown parameters; every run's numbers in the table and on the plots are core's own; Alt+arrows move the
common start and every run restarts; a diverging run stops alone with a message naming it."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QDoubleSpinBox

import core
from app.views.race_dialog import RaceDialog
from tests.windows import with_deferred_panels


@pytest.fixture
def window(qtbot):
    win = with_deferred_panels(qtbot)
    yield win
    win.model.set_running(False)


def open_dialog(qtbot, win):
    """Press R on the window: the race dialog opens, shown, with the keyboard focus in it."""
    qtbot.keyClick(win.panels()["diagram"], Qt.Key_R)
    dialog = win.findChild(RaceDialog)
    assert dialog is not None, "R did not open the race dialog"
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and dialog.isAncestorOf(QApplication.focusWidget()))
    return dialog


def tick(qtbot, title):
    """Tab to the optimizer's box and press Space (keyboard only)."""
    for _ in range(40):
        focused = QApplication.focusWidget()
        if isinstance(focused, QCheckBox) and focused.text() == title:
            qtbot.keyClick(focused, Qt.Key_Space)
            return
        qtbot.keyClick(focused, Qt.Key_Tab)
    raise AssertionError(f"no box {title!r} reached by Tab")


def enter(qtbot, win):
    """Enter in the dialog starts the race; the keys are back in the lab's main panel at once."""
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    qtbot.waitUntil(lambda: win.findChild(RaceDialog) is None or not win.findChild(RaceDialog).isVisible())
    qtbot.waitUntil(win.panels()["diagram"].hasFocus)


def expected_run(model, entrant, start, steps):
    """The run as core trains it alone: the same start, data and rule, ``steps`` steps."""
    net = model.network.copy()
    net.set_parameter_vector(start)
    gd = core.GradientDescent(net, model.X, model.y, entrant.learning_rate, optimizer=entrant.optimizer,
                              **dict(entrant.hyper))
    gd.step(steps)
    return gd


def test_r_races_the_picked_optimizers_from_one_start(window, qtbot):
    model = window.model
    start = model.snapshot.theta.copy()

    open_dialog(qtbot, window)
    tick(qtbot, "Nesterov")          # gradient descent, momentum and Adam are ticked by default
    enter(qtbot, window)
    assert model.racing
    entrants = model.race_entrants()
    assert [e.optimizer for e in entrants] == ["sgd", "momentum", "nesterov", "adam"]
    snap = model.snapshot
    assert snap.racing and len(snap.others) == 3 and snap.step == 100
    table = window.panels()["race"]
    assert table.isVisible(), "the race table comes forward"
    for (branch, label, step, cost, _acc, distance, stopped), entrant in zip(table.rows, entrants):
        alone = expected_run(model, entrant, start, 100)
        assert (label, step, stopped) == (entrant.label, 100, None)
        assert cost == pytest.approx(alone.cost, rel=1e-12)
        assert distance == pytest.approx(alone.trajectory.row(100)["distance"], rel=1e-12)
    labels = {t.label for t in snap.others} | {snap.label}
    surface = window.panels()["surface"]   # its picture is computed off the GUI thread: wait for it
    qtbot.waitUntil(lambda: set(surface.legend_labels) == labels, timeout=10000)
    assert "fixed plane through the common start" in surface.caption.text()


def test_alt_arrows_move_the_start_and_every_run_restarts(window, qtbot):
    model = window.model
    open_dialog(qtbot, window)
    enter(qtbot, window)
    model.step(7)
    assert model.snapshot.step == 107
    a, b = model.axes
    names = model.snapshot.names
    before = model.snapshot.others[0]
    start = np.array(model.snapshot.plane.parameter_vector())
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Right, Qt.AltModifier)
    moved = model.snapshot.plane.parameter_vector()
    assert moved[names.index(a)] == pytest.approx(start[names.index(a)] + 0.5)
    assert np.delete(moved, names.index(a)).tolist() == np.delete(start, names.index(a)).tolist()
    assert model.snapshot.step == 100 and all(t.step == 100 for t in model.snapshot.others)
    assert model.snapshot.others[0].cost != before.cost
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Up, Qt.AltModifier)
    assert model.snapshot.plane.parameter_vector()[names.index(b)] == pytest.approx(start[names.index(b)] + 0.5)
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_R, Qt.ShiftModifier)
    assert not model.racing and model.snapshot.others == () and not model.snapshot.racing


def test_a_diverging_optimizer_stops_alone_and_is_named(window, qtbot):
    model = window.model
    model.set_dataset("regression2d")    # a linear output: a far too large step diverges
    dialog = open_dialog(qtbot, window)
    rate = next(w for w in dialog.findChildren(QDoubleSpinBox) if w.accessibleName() == "Gradient descent learning rate")
    rate.setFocus()
    qtbot.waitUntil(rate.hasFocus)
    qtbot.keyClick(rate, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(rate, "100")
    enter(qtbot, window)
    entrants = model.race_entrants()
    assert entrants[0].learning_rate == 100.0
    assert window.panels()["race"].rows[0][6] is not None, "η 100 on the 2-D regression data diverges at once"
    assert "Gradient descent η 100 stopped at step" in window.banner.text()
    model.step(5)
    rows = window.panels()["race"].rows
    assert [(row[2], row[6]) for row in rows[1:]] == [(105, None)] * (len(rows) - 1)   # the others go on
