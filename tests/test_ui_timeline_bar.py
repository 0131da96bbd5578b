"""The timeline bar: its label, the cursor moved by clicks, drags and keys, and the runs a change in
the past forks (choose one, delete one)."""
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from app.model import SessionModel
from app.views.timeline import TimelineBar


@pytest.fixture
def setup(qtbot):
    model = SessionModel(synchronous=True)
    model.step(50)
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    bar = TimelineBar(model)
    qtbot.addWidget(bar)
    layout.addWidget(bar)
    window.resize(900, 90)
    window.show()
    qtbot.waitExposed(window)
    yield model, bar
    window.close()   # the window (and so the bar, its child) lives until here


def _point(bar, step) -> QPoint:
    return QPoint(round(bar.x_of(step)), bar.sparkline.height() // 2)


def _mouse(widget, kind, pos: QPoint, buttons) -> None:
    button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def test_the_label_says_the_step_and_live(setup):
    model, bar = setup
    assert bar.label_text() == "Step 50 of 50 · live"
    assert bar.cursor_step == 50
    model.step(1230)
    assert bar.label_text() == "Step 1,280 of 1,280 · live"
    assert "Run" not in bar.label_text()      # one run: nothing to tell apart


def test_step_at_and_x_of_are_inverse(setup):
    _model, bar = setup
    for step in (0, 1, 20, 37, 50):
        assert bar.step_at(bar.x_of(step)) == step
    assert bar.step_at(-100) == 0
    assert bar.step_at(bar.sparkline.width() + 100) == 50


def test_a_click_on_the_sparkline_shows_that_step(setup, qtbot):
    model, bar = setup
    qtbot.mouseClick(bar.sparkline, Qt.LeftButton, pos=_point(bar, 20))
    assert model.step_count == 20
    assert not model.live
    assert bar.cursor_step == 20
    assert bar.label_text() == "Step 20 of 50 · rewound (a change branches from here)"
    assert bar.hasFocus()       # a click gives the bar the keys


def test_a_drag_follows_the_mouse_and_lands_on_the_release(setup, qtbot):
    model, bar = setup
    spark = bar.sparkline
    gotos = []
    model.timelineChanged.connect(lambda: gotos.append(model.step_count))
    _mouse(spark, QEvent.MouseButtonPress, _point(bar, 10), Qt.LeftButton)
    assert model.step_count == 10
    moves = list(range(11, 41))
    for step in moves:
        _mouse(spark, QEvent.MouseMove, _point(bar, step), Qt.LeftButton)
        assert bar.cursor_step == step          # the cursor follows at once ...
    assert len(gotos) < len(moves) // 2          # ... while the replays are coalesced
    _mouse(spark, QEvent.MouseButtonRelease, _point(bar, 40), Qt.NoButton)
    assert model.step_count == 40
    assert bar.cursor_step == 40
    assert not model.live


def test_keys_move_the_cursor(setup, qtbot):
    model, bar = setup
    bar.setFocus()
    qtbot.waitUntil(bar.hasFocus)
    qtbot.keyClick(bar, Qt.Key_Left)
    assert model.step_count == 49 and bar.cursor_step == 49
    qtbot.keyClick(bar, Qt.Key_Left, Qt.ShiftModifier)
    assert model.step_count == 39
    qtbot.keyClick(bar, Qt.Key_Right)
    assert model.step_count == 40
    qtbot.keyClick(bar, Qt.Key_Right, Qt.ShiftModifier)
    assert model.step_count == 50 and model.live
    qtbot.keyClick(bar, Qt.Key_Home)
    assert model.step_count == 0 and not model.live
    assert bar.label_text() == "Step 0 of 50 · rewound (a change branches from here)"
    qtbot.keyClick(bar, Qt.Key_End)
    assert model.step_count == 50 and model.live
    assert bar.label_text() == "Step 50 of 50 · live"


def test_rewinding_says_a_change_branches(setup):
    model, bar = setup
    model.goto(20)
    assert bar.cursor_step == 20
    assert "rewound" in bar.label_text()
    assert "branches from here" in bar.label_text()
    model.to_live()
    assert bar.label_text().endswith("· live")


def test_a_change_in_the_past_makes_a_run_to_choose_and_delete(setup):
    model, bar = setup
    combo, delete = bar.branch_combo, bar.delete_button
    assert combo.count() == 1 and not delete.isEnabled()
    model.goto(20)
    model.set_learning_rate(model.learning_rate / 2)
    assert len(model.branches()) == 2
    assert combo.count() == 2
    second = model.branch_id
    assert combo.currentData() == second
    assert delete.isEnabled()
    assert bar.label_text() == "Run 2 of 2 · Step 20 of 20 · live"
    # choosing the first run switches back to it, live at its newest step
    combo.setCurrentIndex(0)
    assert model.branch_id == combo.itemData(0) != second
    assert model.step_count == 50 and model.live
    assert bar.label_text() == "Run 1 of 2 · Step 50 of 50 · live"
    # deleting the shown run leaves one, which cannot be deleted
    delete.click()
    assert len(model.branches()) == 1
    assert model.branch_id == second
    assert combo.count() == 1 and combo.currentData() == second
    assert not delete.isEnabled()
    assert "Run" not in bar.label_text()


def test_after_a_deletion_the_label_keeps_the_run_names(setup):
    model, bar = setup
    model.goto(20)
    model.set_learning_rate(model.learning_rate / 2)     # run 2, from run 1 at step 20
    model.step(10)
    model.goto(25)
    model.set_learning_rate(model.learning_rate / 2)     # run 3, from run 2 at step 25
    assert bar.branch_combo.count() == 3
    assert bar.label_text().startswith("Run 3 of 3 · ")
    bar.branch_combo.setCurrentIndex(1)
    bar.delete_button.click()                             # run 2 goes; the newest left is shown
    assert [bar.branch_combo.itemText(i).split(" (")[0] for i in range(2)] == ["Run 1", "Run 3"]
    assert bar.label_text().startswith("Run 3 (2 of 2) · ")


def _darkest(image, x: int) -> int:
    """The darkest pixel (sum of r, g, b) in column x, inside the frame."""
    return min(sum(image.pixelColor(x, y).getRgb()[:3]) for y in range(3, image.height() - 3))


def test_the_future_after_a_rewound_cursor_is_drawn_faded(setup):
    model, bar = setup
    before, after = round(bar.x_of(10)), round(bar.x_of(40))
    live = bar.sparkline.grab().toImage()
    model.goto(20)
    rewound = bar.sparkline.grab().toImage()
    assert _darkest(rewound, before) == _darkest(live, before)
    assert _darkest(rewound, after) > _darkest(live, after) + 150      # much paler after the cursor
    cursor = rewound.pixelColor(round(bar.x_of(20)), rewound.height() // 2)
    assert cursor.red() > 200 and cursor.blue() < 120                  # the cursor line is there


def test_the_combo_does_not_echo_while_it_is_repopulated(setup):
    model, bar = setup
    model.goto(20)
    model.set_learning_rate(model.learning_rate / 2)
    switches = []
    model.timelineChanged.connect(lambda: switches.append(model.branch_id))
    model.step(5)                        # repopulates the combo (newest steps changed)
    assert set(switches) == {model.branch_id}


def test_a_reset_starts_an_empty_timeline(setup):
    model, bar = setup
    model.goto(20)
    model.set_learning_rate(model.learning_rate / 2)
    model.reset()
    assert bar.branch_combo.count() == 1
    assert bar.label_text() == "Step 0 of 0 · live"
    assert bar.cursor_step == 0


def test_the_tooltip_names_the_step_and_its_cost(setup):
    model, bar = setup
    model.goto(20)
    cost = model.cost()
    text = bar.sparkline.tooltip_text(bar.x_of(20))
    assert text.startswith("Step 20 · J = ")
    assert float(text.split("= ")[1]) == pytest.approx(cost, rel=1e-3)


def test_a_cost_spanning_decades_is_drawn_on_a_log_scale(qtbot):
    model = SessionModel(synchronous=True)
    bar = TimelineBar(model)
    qtbot.addWidget(bar)
    bar.sparkline.set_curve([0, 1, 2], [1.0, 0.5, 0.4])
    assert not bar.sparkline.log_scale
    bar.sparkline.set_curve([0, 1, 2], [1.0, 0.1, 0.001])
    assert bar.sparkline.log_scale


def test_once_training_stops_the_curve_reaches_the_shown_step(setup, qtbot):
    """While training the curve is redrawn a few times a second only; stopping draws all of it."""
    model, bar = setup
    model.set_running(True)
    qtbot.waitUntil(lambda: model.step_count >= 150, timeout=20000)
    model.set_running(False)
    snapshot = model.snapshot
    assert bar.label_text().startswith(f"Step {snapshot.step:,} of {snapshot.step:,}")
    assert bar.sparkline.cost_at(snapshot.step) == (snapshot.step, pytest.approx(snapshot.cost, rel=1e-12))
    assert bar.x_of(snapshot.step) == pytest.approx(bar.sparkline.plot_rect().right())
