"""Points added and removed by keys on the shown window: the numbers shown afterwards are core's own
on the new data (an independent computation: a fresh network pass over the dataset's rows), the point
count follows, Ctrl+Z after Escape takes an added point back, and on big data (built off the GUI
thread, app/point_edits.py) the edit lands with the same numbers and is undone the same way."""
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

import core
from app.point_edits import BACKGROUND_ROWS
from app.workers import LatestOnlyWorker

from tests.windows import shown


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    return shown(qtbot, persist_layout=False)


def data_view_with_focus(window, qtbot):
    view = window.panels()["data"]
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    return view


def reference(window):
    """Cost and accuracy of the shown parameters over the model's dataset, computed here
    from the dataset's rows with a fresh copy of the network (not through the session's run)."""
    data, net = window.model.dataset, window.model.network.copy()
    rows = window.model.train_indices
    X, y = data.X[rows], data.y[rows]
    return net.cost(X, y), core.accuracy(net.predict(X), y)


def shown_cost(window) -> float:
    """The training J the cost curve's caption prints (to its printed digits)."""
    text = window.panels()["cost"].caption.text()
    return float(re.search(r"training J = ([-\d.e+]+)", text).group(1))


def shown_count(window) -> int:
    return int(re.search(r"(\d+) training points", window.panels()["data"].caption.text()).group(1))


def shown_accuracy(window) -> int:
    return int(re.search(r"Accuracy (\d+)% training", window.panels()["data"].caption.text()).group(1))


@pytest.mark.parametrize("dataset", ["lesson", "circle"])
def test_points_added_and_removed_by_keys_show_core_numbers_and_undo_takes_one_back(window, qtbot, dataset):
    model = window.model
    if dataset != "lesson":
        model.set_dataset(dataset)
    view = data_view_with_focus(window, qtbot)
    start = len(model.dataset)
    for k in range(5):
        qtbot.keyClick(view, Qt.Key_Right)
        qtbot.keyClick(view, Qt.Key_Up)
        qtbot.keyClick(view, Qt.Key_Return, Qt.ShiftModifier if k % 2 else Qt.NoModifier)
    assert len(model.dataset) == start + 5
    assert shown_count(window) == start + 5
    added = model.dataset.X[-1].copy()
    cost, accuracy = reference(window)
    assert model.cost() == pytest.approx(cost, rel=1e-12)
    assert shown_cost(window) == pytest.approx(cost, rel=5e-3)
    assert shown_accuracy(window) == round(100 * accuracy)
    # the gradient every view draws is the one of the new data (central differences of core's cost)
    net, X, y = model.network.copy(), model.X, model.y
    theta = net.parameter_vector()
    numeric = []
    for i in range(len(theta)):
        step = np.zeros_like(theta)
        step[i] = 1e-6
        net.set_parameter_vector(theta + step)
        up = net.cost(X, y)
        net.set_parameter_vector(theta - step)
        numeric.append((up - net.cost(X, y)) / 2e-6)
    assert np.allclose(model.gradient_vector(), numeric, rtol=1e-5, atol=1e-8)

    # Backspace at the cross removes the point just added there
    qtbot.keyClick(view, Qt.Key_Backspace)
    assert len(model.dataset) == start + 4
    assert not np.any(np.all(model.dataset.X == added, axis=1))
    assert shown_count(window) == start + 4
    assert model.cost() == pytest.approx(reference(window)[0], rel=1e-12)

    # Enter again, then Escape and Ctrl+Z: the added point is taken back, the numbers with it
    before = model.dataset
    before_cost = model.cost()
    qtbot.keyClick(view, Qt.Key_Return)
    assert len(model.dataset) == start + 5
    qtbot.keyClick(view, Qt.Key_Escape)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key_Z, Qt.ControlModifier)
    assert model.dataset is before
    assert len(model.dataset) == start + 4
    assert shown_count(window) == start + 4
    assert model.cost() == pytest.approx(before_cost, rel=1e-12)


def big_table(n: int = BACKGROUND_ROWS + 5_000):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 2))
    labels = (X[:, 0] * X[:, 1] > 0).astype(float).reshape(-1, 1)
    return core.TabularDataset(X=X, y=labels, task="binary", classes={"no": 0, "yes": 1}, features=("p", "q"),
                               target="t", dropped=0, drop_reasons=[], filled=0, means=np.zeros(2),
                               stds=np.ones(2))


def test_on_big_data_a_point_lands_from_the_worker_with_core_numbers_and_undoes(qtbot):
    window = shown(qtbot, persist_layout=False)   # real threads: the edit is built off the GUI thread
    model = window.model
    model.load_tabular(big_table(), "big.csv", 0.0, 0)
    view = data_view_with_focus(window, qtbot)
    start = len(model.dataset)
    for key in (Qt.Key_Right, Qt.Key_Right, Qt.Key_Up):
        qtbot.keyClick(view, key)
    qtbot.keyClick(view, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(model.dataset) == start + 1 and not model.points_pending, timeout=20000)
    x, y = view.cursor_position()
    assert model.dataset.X[-1] == pytest.approx([x, y])
    assert shown_count(window) == start + 1
    assert model.cost() == pytest.approx(reference(window)[0], rel=1e-12)
    assert shown_cost(window) == pytest.approx(reference(window)[0], rel=5e-3)
    # a second point while nothing is pending, then Backspace: each is one edit, in order
    qtbot.keyClick(view, Qt.Key_Left)
    qtbot.keyClick(view, Qt.Key_Return, Qt.ShiftModifier)
    qtbot.keyClick(view, Qt.Key_Backspace)   # waits for the pending add first: removes that point
    qtbot.waitUntil(lambda: not model.points_pending, timeout=20000)
    assert len(model.dataset) == start + 1
    assert model.dataset.X[-1] == pytest.approx([x, y])
    assert model.cost() == pytest.approx(reference(window)[0], rel=1e-12)
    # Undo three times: the removal, the second point, the first point
    qtbot.keyClick(view, Qt.Key_Escape)
    for count in (start + 2, start + 1, start):
        qtbot.keyClick(window.focusWidget() or window, Qt.Key_Z, Qt.ControlModifier)
        assert len(model.dataset) == count
    assert shown_count(window) == start
    assert model.cost() == pytest.approx(reference(window)[0], rel=1e-12)
