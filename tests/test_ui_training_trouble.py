"""Divergence and saturation, explained in the window and driven by keys: L doubles η up to its top,
a run then saturates the lesson's sigmoids and the banner says so in plain words; Reset brings back a
rate that trains and the message goes; the banner never resizes a dock."""
import pytest
from PySide6.QtCore import Qt

from app.model import DEFAULT_LEARNING_RATE, MAX_LEARNING_RATE
from tests.windows import settled


@pytest.fixture
def window(qtbot, monkeypatch):
    return settled(qtbot, monkeypatch, focus=True)


def press(window, qtbot, key, modifier=Qt.NoModifier):
    qtbot.keyClick(window.panels()["diagram"], key, modifier)


def dock_sizes(window) -> dict:
    return {name: dock.size() for name, dock in window.network_lab.docks.items() if dock.isVisible()}


def test_doubling_the_rate_is_bounded_and_saturation_is_explained_until_reset(window, qtbot):
    model = window.model
    sizes = dock_sizes(window)
    for _ in range(12):                                   # 2 · 2¹² would be 8192
        press(window, qtbot, Qt.Key_L)
    assert model.learning_rate == MAX_LEARNING_RATE
    assert f"at most {MAX_LEARNING_RATE:g}" in window.banner.text()
    assert dock_sizes(window) == sizes                    # the banner floats: no dock moved
    press(window, qtbot, Qt.Key_Space)                    # run: the sigmoids saturate
    qtbot.waitUntil(lambda: "stuck" in window.banner.text(), timeout=20000)
    press(window, qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not model.running)
    text = window.banner.text()
    assert window.banner_bar.isVisible()
    for words in ("cost rose", "saturated", "gradient has all but vanished", "Reset (Ctrl+R)"):
        assert words in text
    assert model.cost() > 0.2 and model.accuracy() <= 0.6
    assert dock_sizes(window) == sizes
    press(window, qtbot, Qt.Key_R, Qt.ControlModifier)    # Reset: a rate that trains, the message goes
    assert model.learning_rate == DEFAULT_LEARNING_RATE and model.step_count == 0
    assert not window.banner_bar.isVisible() and window.banner.text() == ""
    assert window.statusBar().currentMessage() == ""
    assert dock_sizes(window) == sizes                    # and none stayed resized after it went
    for _ in range(30):
        press(window, qtbot, Qt.Key_S)                    # the lesson trains again, with no word
    assert model.step_count == 30 and model.message == ""
    assert model.cost() < 0.2


def test_going_back_before_the_jump_takes_the_message_back(window, qtbot):
    model = window.model
    for _ in range(30):
        press(window, qtbot, Qt.Key_S)
    for _ in range(8):
        press(window, qtbot, Qt.Key_L)                    # η = 512
    for _ in range(40):
        press(window, qtbot, Qt.Key_S)
    assert "stuck" in window.banner.text() or "rose" in window.banner.text()
    for back in range(1, 6):                              # back ten steps at a time: before the jump
        press(window, qtbot, Qt.Key_Comma, Qt.ControlModifier)
        qtbot.waitUntil(lambda: model.step_count == 70 - 10 * back)
    assert not window.banner_bar.isVisible()


def test_a_divergence_message_goes_once_training_works_again(window, qtbot):
    model = window.model
    model.set_dataset("xor")
    for _ in range(12):
        press(window, qtbot, Qt.Key_L)
    for _ in range(5):
        press(window, qtbot, Qt.Key_S)
        if "diverged" in window.banner.text():
            break
    assert "diverged" in window.banner.text()
    good = model.step_count                               # the refused step was not taken
    for _ in range(14):
        press(window, qtbot, Qt.Key_L, Qt.ShiftModifier)  # halve η back down
    assert "diverged" in window.banner.text()             # nothing has worked yet: it stays
    press(window, qtbot, Qt.Key_S)
    assert model.step_count == good + 1 and not window.banner_bar.isVisible()
