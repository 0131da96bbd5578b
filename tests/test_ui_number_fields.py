"""The number fields read what a learner types on the shown window: scientific notation, a decimal
comma, and a number out of range taken to the nearest end with a message in the banner."""
import pytest
from PySide6.QtCore import Qt

from app.model import MAX_LEARNING_RATE, MIN_LEARNING_RATE
from app.views.number_field import NumberField
from app.workers import LatestOnlyWorker

from windows import shown


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    return shown(qtbot)


def type_into(qtbot, field, text):
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)


def rate_field(window):
    field = window.panels()["controls"].learning_rate
    assert isinstance(field, NumberField)
    return field


@pytest.mark.parametrize("typed, expected", [("1e-3", 1e-3), ("2.5E-2", 0.025), ("0,05", 0.05), (".5", 0.5),
                                             ("3e2", 300.0)])
def test_the_learning_rate_reads_scientific_notation(window, qtbot, typed, expected):
    field = rate_field(window)
    type_into(qtbot, field, typed)
    assert field.value() == pytest.approx(expected)
    assert window.model.learning_rate == pytest.approx(expected)
    assert "can't be" not in window.banner.text()


def test_a_huge_rate_is_clamped_to_the_top_and_the_banner_says_so(window, qtbot):
    field = rate_field(window)
    type_into(qtbot, field, "1e308")
    assert field.value() == MAX_LEARNING_RATE and window.model.learning_rate == MAX_LEARNING_RATE
    qtbot.waitUntil(lambda: "can't be above" in window.banner.text())
    assert f"The learning rate can't be above {MAX_LEARNING_RATE:g}:" in window.banner.text()
    assert "1e+308" in window.banner.text()


def test_a_tiny_rate_is_clamped_to_the_bottom_with_a_message(window, qtbot):
    field = rate_field(window)
    type_into(qtbot, field, "1e-9")
    assert field.value() == pytest.approx(MIN_LEARNING_RATE)
    qtbot.waitUntil(lambda: "can't be below" in window.banner.text())


def test_letters_that_are_not_a_number_are_refused_while_typing(window, qtbot):
    field = rate_field(window)
    before = field.value()
    type_into(qtbot, field, "x")
    assert field.value() == before
    field.selectAll()
    qtbot.keyClicks(field, "1e")          # unfinished: kept while typing, the old value on Enter
    assert field.lineEdit().text().endswith("1e")
    qtbot.keyClick(field, Qt.Key_Return)
    assert field.value() == before


def test_the_test_fraction_clamps_too(window, qtbot):
    field = window.panels()["controls"].test_fraction
    type_into(qtbot, field, "7e-1")
    assert field.value() == pytest.approx(field.maximum())
    qtbot.waitUntil(lambda: "The test fraction can't be above" in window.banner.text())
