"""The data view from the keyboard and with big data, on the shown main window: with one input the
cross removes the point nearest along x (Enter then Backspace undoes an added point), and a big
data set is drawn thinned, one item per class, saying how many points are drawn."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

import core
from app.views.point_layers import MAX_DRAWN
from app.workers import LatestOnlyWorker

from windows import shown


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    return shown(qtbot)


def data_view_with_focus(window, qtbot):
    view = window.panels()["data"]
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    return view


@pytest.mark.parametrize("dataset", ["lesson", "regression"])
def test_enter_then_backspace_at_the_same_x_removes_the_added_point_in_1d(window, qtbot, dataset):
    window.model.set_dataset(dataset)
    view = data_view_with_focus(window, qtbot)
    before = len(window.model.dataset)
    for key in (Qt.Key_Right, Qt.Key_Right, Qt.Key_Right, Qt.Key_Up, Qt.Key_Up):
        qtbot.keyClick(view, key)
    x, y = view.cursor_position()
    qtbot.keyClick(view, Qt.Key_Return, Qt.ShiftModifier)
    assert len(window.model.dataset) == before + 1
    assert window.model.dataset.X[-1, 0] == pytest.approx(x)
    added = window.model.dataset.X[-1].copy()
    qtbot.keyClick(view, Qt.Key_Backspace)
    assert len(window.model.dataset) == before
    assert "No point near the cross" not in window.banner.text()
    assert not np.any(np.all(window.model.dataset.X == added, axis=1))


def test_the_cross_stays_on_the_half_line_for_1d_classes(window, qtbot):
    window.model.set_dataset("lesson")
    view = data_view_with_focus(window, qtbot)
    for key in (Qt.Key_Up, Qt.Key_Up, Qt.Key_Left, Qt.Key_Down):
        qtbot.keyClick(view, key)
    assert view.cursor_position()[1] == 0.5


def test_a_big_data_set_is_drawn_thinned_one_item_per_class(qtbot):
    window = shown(qtbot)   # real background workers: the surface over 12,000 rows is theirs
    n = 12_000
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    labels = (X[:, 0] * X[:, 1] > 0).astype(float).reshape(-1, 1)
    tab = core.TabularDataset(X=X, y=labels, task="binary", classes={"no": 0, "yes": 1}, features=("p", "q"),
                              target="t", dropped=0, drop_reasons=[], filled=0, means=np.zeros(2),
                              stds=np.ones(2))
    window.model.load_tabular(tab, "big.csv", 0.5, 0)
    view = window.panels()["data"]
    qtbot.waitUntil(lambda: len(view.drawn_rows()) > 0)
    drawn = view.drawn_rows()
    assert len(drawn) == 2 * MAX_DRAWN
    for layer in (view.train_points, view.test_points):
        items = [item for item in layer.items() if len(item.getData()[0])]
        assert len(items) == 2                                  # one per class
    points = view.train_points.points()
    # what is drawn are real rows of the data, spread over it (both classes, all quadrants)
    data = window.model.dataset.X
    assert all(np.any(np.all(data == p, axis=1)) for p in points[:: len(points) // 20])
    assert (np.sign(points[:, 0]) > 0).mean() == pytest.approx(0.5, abs=0.05)
    caption = view.caption.text()
    assert "6000 training points" in caption and f"{2 * MAX_DRAWN:,} of them drawn" in caption
