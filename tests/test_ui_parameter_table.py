"""The parameter table: a row per parameter, backprop against finite differences, sorting by mouse
and keyboard, selection both ways, and typing a value."""
import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from app.format import fmt
from app.model import SessionModel
from app.views.parameter_table import (FD_INTERVAL_S, AGREES, BACKPROP, BY_MAGNITUDE, FINITE, NAME, RELATIVE, VALUE,
                                      ParameterTablePanel)
from app.workers import LatestOnlyWorker
from tests.numerics import numeric_gradient


@pytest.fixture(autouse=True)
def synchronous(monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)


def grown_model() -> SessionModel:
    model = SessionModel()
    model.set_dataset("blobs")          # 2-4-4-3, softmax + cross-entropy
    model.add_layer()
    model.add_neuron(0)
    return model


def shown_table(qtbot, model) -> ParameterTablePanel:
    panel = ParameterTablePanel(model)
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def fd_gradient(model):
    return numeric_gradient(model.network.copy(), model.X, model.y)


def test_one_row_per_parameter_and_backprop_equals_the_network(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    names = model.parameter_names()
    assert panel.proxy.rowCount() == len(names) == model.network.parameter_count
    assert panel.shown_names() == names  # canonical order to begin with
    backprop = np.array(panel.column_values(BACKPROP))
    assert np.allclose(backprop, model.network.gradient_vector(model.X, model.y), rtol=1e-11, atol=1e-15)
    values = np.array(panel.column_values(VALUE))
    assert np.array_equal(values, model.network.parameter_vector())


def test_finite_differences_agree_with_backprop(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    fd = np.array(panel.column_values(FINITE))
    assert np.allclose(fd, fd_gradient(model), rtol=1e-5, atol=1e-8)
    assert np.allclose(fd, panel.column_values(BACKPROP), rtol=1e-4, atol=1e-6)
    assert all(v == 1.0 for v in panel.column_values(AGREES))
    assert all(panel.proxy.index(r, AGREES).data() == "✓" for r in range(panel.proxy.rowCount()))
    assert "agree on every parameter" in panel.summary.text()


def test_values_and_checks_follow_training_and_structure(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    model.step(3)
    assert np.allclose(panel.column_values(BACKPROP), model.network.gradient_vector(model.X, model.y),
                       rtol=1e-11, atol=1e-15)
    assert panel.table_model.check_is_current
    model.add_neuron(1)
    assert panel.proxy.rowCount() == model.network.parameter_count
    assert panel.shown_names() == model.parameter_names()
    assert np.allclose(panel.column_values(FINITE), fd_gradient(model), rtol=1e-5, atol=1e-8)


def test_sorting_by_relative_error_by_header_and_by_keyboard(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    # header click
    header = panel.view.horizontalHeader()
    x = header.sectionViewportPosition(RELATIVE) + header.sectionSize(RELATIVE) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, 5))
    errors = panel.column_values(RELATIVE)
    assert errors == sorted(errors)
    assert panel.sort_column.currentIndex() == RELATIVE  # the keyboard controls follow the header
    # keyboard: the sort box and the order box
    panel.sort_column.setFocus()
    qtbot.waitUntil(panel.sort_column.hasFocus)
    qtbot.keyClick(panel.sort_column, Qt.Key_Up)
    qtbot.keyClick(panel.sort_column, Qt.Key_Up)  # relative error -> finite diff. -> backprop
    assert panel.view.horizontalHeader().sortIndicatorSection() == BACKPROP
    grads = panel.column_values(BACKPROP)
    assert grads == sorted(grads)
    qtbot.keyClick(panel.sort_column, Qt.Key_Down)
    qtbot.keyClick(panel.sort_column, Qt.Key_Down)
    panel.sort_descending.setFocus()
    qtbot.keyClick(panel.sort_descending, Qt.Key_Space)
    errors = panel.column_values(RELATIVE)
    assert errors == sorted(errors, reverse=True)
    worst = max(panel.table_model.check.rows, key=lambda row: row.relative_error)
    assert panel.shown_names()[0] == worst.name
    # by the size of the gradient, largest first: the parameters the cost is most sensitive to
    panel.sort_column.setCurrentIndex(BY_MAGNITUDE)
    sizes = [abs(g) for g in panel.column_values(BACKPROP)]
    assert sizes == sorted(sizes, reverse=True) and panel.sort_descending.isChecked()
    grads = model.network.gradient_vector(model.X, model.y)
    assert panel.shown_names()[0] == model.parameter_names()[int(np.argmax(np.abs(grads)))]
    # a header click goes back to signed numbers
    x = header.sectionViewportPosition(BACKPROP) + header.sectionSize(BACKPROP) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, 5))
    grads = panel.column_values(BACKPROP)
    assert grads in (sorted(grads), sorted(grads, reverse=True))
    assert panel.sort_column.currentIndex() == BACKPROP
    # back to the network's order
    panel.sort_by(NAME)
    assert panel.shown_names() == model.parameter_names()


def test_selection_goes_both_ways(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    panel.sort_by(BACKPROP, descending=True)
    model.select("w2.3.1")
    current = panel.view.currentIndex()
    assert panel.proxy.index(current.row(), NAME).data() == "w₂,₃,₁"   # shown as the diagram writes it
    assert panel.view.selectionModel().isRowSelected(current.row())
    # clicking a row selects the parameter
    row = panel.shown_names().index("b1.2")
    rect = panel.view.visualRect(panel.proxy.index(row, NAME))
    panel.view.scrollTo(panel.proxy.index(row, NAME))
    rect = panel.view.visualRect(panel.proxy.index(row, NAME))
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=rect.center())
    assert model.selected == "b1.2"
    # and the keyboard: Down selects the next row shown
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_Down)
    assert model.selected == panel.shown_names()[row + 1]


def test_enter_edits_the_value_through_the_model(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    model.select("w1.2.3")
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key_Return)
    editor = panel.view.findChild(QLineEdit, "parameter-table-editor")
    assert editor is not None and editor.isVisible()
    assert float(editor.text()) == pytest.approx(model.network.get("w1.2.3"))
    editor.selectAll()
    qtbot.keyClicks(editor, "0.125")
    qtbot.keyClick(editor, Qt.Key_Return)  # the item delegate commits on the next event loop turn
    qtbot.waitUntil(lambda: model.network.get("w1.2.3") == 0.125)
    qtbot.waitUntil(lambda: panel.view.state() != panel.view.State.EditingState)
    row = panel.shown_names().index("w1.2.3")
    assert panel.proxy.index(row, VALUE).data() == fmt(0.125, 4)
    assert np.allclose(panel.column_values(BACKPROP), model.network.gradient_vector(model.X, model.y),
                       rtol=1e-11, atol=1e-15)
    # bad text: a message, the value kept
    qtbot.keyClick(panel.view, Qt.Key_Return)
    qtbot.waitUntil(lambda: panel.view.findChild(QLineEdit, "parameter-table-editor") is not None)
    editor = panel.view.findChild(QLineEdit, "parameter-table-editor")
    editor.selectAll()
    qtbot.keyClicks(editor, "twelve")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: panel.view.state() != panel.view.State.EditingState)
    assert model.network.get("w1.2.3") == 0.125
    assert "not a number" in model.message


def test_checks_while_training_are_throttled(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    calls = []
    original = panel._submit_check
    panel._submit_check = lambda: (calls.append(1), original())
    snapshots = []
    model.snapshotChanged.connect(snapshots.append)
    started = time.monotonic()
    model.set_running(True)   # the training worker: a snapshot every frame
    qtbot.waitUntil(lambda: len(snapshots) >= 30, timeout=10000)
    model.set_running(False)
    elapsed = time.monotonic() - started
    assert len(calls) <= elapsed / FD_INTERVAL_S + 2 < len(snapshots)
    qtbot.waitUntil(lambda: np.allclose(panel.column_values(BACKPROP),
                                        model.network.gradient_vector(model.X, model.y), rtol=1e-11, atol=1e-15)
                    and panel.table_model.check_is_current, timeout=3000)
    assert np.array_equal(panel.column_values(VALUE), model.network.parameter_vector())


def test_a_hidden_table_waits_and_catches_up_when_shown(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    panel.hide()
    model.set_parameter("w1.1.1", 0.5)
    model.step(2)
    assert not np.array_equal(panel.column_values(VALUE), model.network.parameter_vector())
    panel.show()
    qtbot.waitExposed(panel)
    assert np.array_equal(panel.column_values(VALUE), model.network.parameter_vector())
    assert np.allclose(panel.column_values(FINITE), fd_gradient(model), rtol=1e-5, atol=1e-8)
    assert panel.table_model.check_is_current


def test_ctrl_8_brings_the_table_forward_and_enter_edits_there(qtbot):
    from tests.windows import shown
    window = shown(qtbot, focus=True, persist_layout=False)
    diagram = window.panels()["diagram"]
    qtbot.keyClick(diagram, Qt.Key_8, Qt.ControlModifier)
    panel = window.panels()["params"]
    qtbot.waitUntil(lambda: panel.view.hasFocus() and panel.isVisible())
    model = window.model
    assert panel.proxy.rowCount() == 4
    model.select("b1")
    qtbot.keyClick(panel.view, Qt.Key_Return)
    qtbot.waitUntil(lambda: panel.view.findChild(QLineEdit, "parameter-table-editor") is not None)
    editor = panel.view.findChild(QLineEdit, "parameter-table-editor")
    editor.selectAll()
    qtbot.keyClicks(editor, "-0.25")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: model.network.get("b1") == -0.25)
    assert model.network.sizes == (1, 1, 1)  # the '-' went to the editor, not to "remove neuron"
    window.close()


def test_a_check_made_for_other_data_or_another_cost_is_not_current(qtbot):
    model = grown_model()
    panel = shown_table(qtbot, model)
    assert panel.table_model.check_is_current
    old_check = panel.table_model.check
    model.set_regularization("l2", 0.5)       # same parameters, another J: the old check is stale
    assert panel.table_model.check is not old_check and panel.table_model.check_is_current
    assert np.allclose(panel.column_values(FINITE), fd_gradient(model), rtol=1e-5, atol=1e-8)
    panel.table_model.set_check(old_check, (model.revision - 1, 0, 0, 0), 0)
    assert not panel.table_model.check_is_current
