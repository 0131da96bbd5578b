"""The data view and the cost curve, driven like a learner drives them: real clicks on the plot."""
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

import core
from app.model import SessionModel
from app.views.boundary import (REGRESSION_STRENGTH, class_colors, grid_axes, nearest_class_of_color,
                                value_colors)
from app.views.curves import FIELD_INTERVAL_MS, CostCurveView, DataView
from app.workers import LatestOnlyWorker


@pytest.fixture(autouse=True)
def synchronous_workers(monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)


def data_view(qtbot, model) -> DataView:
    view = DataView(model)
    qtbot.addWidget(view)
    view.resize(520, 520)
    view.show()
    qtbot.waitExposed(view)
    return view


def trained(name: str, steps: int = 400, test_fraction: float = 0.0, rate: float = 0.3) -> SessionModel:
    model = SessionModel()
    model.set_dataset(name)
    model.set_split(test_fraction, 0)
    model.set_learning_rate(rate)
    model.step(steps)
    return model


def test_the_dashed_boundary_is_where_the_network_says_one_half(qtbot):
    model = trained("circle", 400)
    view = data_view(qtbot, model)
    qtbot.waitUntil(view.is_settled)
    xs, ys = view.boundary.getData()
    points = np.column_stack([xs, ys])
    points = points[np.isfinite(points).all(axis=1)]
    assert len(points) > 20 and view.boundary.isVisible()
    # linear interpolation between grid cells: close to 0.5, never on a clear side
    probs = model.network.predict(points)[:, 0]
    assert np.abs(probs - 0.5).max() < 0.05
    request = view.field_result.request
    assert (request.xlim[0] <= points[:, 0]).all() and (points[:, 0] <= request.xlim[1]).all()


def test_boundary_image_agrees_with_the_network(qtbot):
    model = trained("circle", 400)
    view = data_view(qtbot, model)
    qtbot.waitUntil(view.is_settled)
    result = view.field_result
    request = result.request
    image = view.field.image
    assert image.shape[:2] == (request.resolution, request.resolution)
    # the image covers what the plot shows
    (x0, x1), (y0, y1) = view.viewbox.viewRange()
    assert request.xlim == pytest.approx((x0, x1)) and request.ylim == pytest.approx((y0, y1))
    xs, ys = grid_axes(request.xlim, request.ylim, request.resolution)
    rng = np.random.default_rng(1)
    cells = rng.integers(0, request.resolution, size=(60, 2))
    centres = np.column_stack([xs[cells[:, 0]], ys[cells[:, 1]]])
    probs = model.network.predict(centres)
    expected_colors, expected_classes = class_colors(probs)
    for (i, j), colour, cls, p in zip(cells, expected_colors, expected_classes, probs[:, 0]):
        pixel = image[i, j]
        assert np.array_equal(pixel, colour)
        if abs(p - 0.5) > 0.1:  # clearly on one side: the pixel is a tint of that class's colour
            assert nearest_class_of_color(pixel) == cls == int(p >= 0.5)
    # both classes appear, and the middle of the disc is "inside" (class 1)
    assert set(np.unique(result.classes)) == {0, 1}
    centre = np.argmin(np.abs(xs)), np.argmin(np.abs(ys))
    assert result.classes[centre] == 1 and nearest_class_of_color(image[centre]) == 1
    # what is drawn on screen has the class colours too: the centre of the disc is orange-ish
    grab = view.plot.grab().toImage()
    shown = grab.pixelColor(view.view_to_widget(0.05, 0.05))
    assert nearest_class_of_color((shown.red(), shown.green(), shown.blue())) == 1


def test_confident_cells_are_more_saturated_than_undecided_ones():
    colors, classes = class_colors(np.array([[0.5], [0.55], [0.99], [0.01]]))
    distance_from_white = (255 - colors[:, :3].astype(int)).sum(axis=1)
    assert distance_from_white[0] < distance_from_white[1] < distance_from_white[2]
    assert list(classes) == [1, 1, 1, 0]
    three, _ = class_colors(np.array([[1 / 3, 1 / 3, 1 / 3], [0.9, 0.05, 0.05]]))
    assert (255 - three[0, :3].astype(int)).sum() < (255 - three[1, :3].astype(int)).sum()


def test_test_points_are_drawn_hollow_and_counted(qtbot):
    model = SessionModel()
    model.set_dataset("blobs")
    model.set_split(0.25, 3)
    view = data_view(qtbot, model)
    assert len(model.test_indices) > 0
    assert len(view.test_points.points()) == len(model.test_indices)
    assert len(view.train_points.points()) == len(model.train_indices)
    drawn = view.test_points.points()
    order = lambda a: a[np.lexsort(a.T)]   # noqa: E731  (drawn class by class)
    assert np.allclose(order(drawn), order(model.X_test))
    label = model.dataset.labels[model.test_indices[0]]
    train_brush = view.train_points.style(label)[0].color()
    test_brush, test_pen = view.test_points.style(label)
    test_brush = test_brush.color()
    assert train_brush.alpha() == 255 and train_brush.getRgb()[:3] != (255, 255, 255)
    assert test_brush.getRgb()[:3] == (255, 255, 255)          # hollow: a white centre
    assert test_pen.widthF() >= 2                             # ... inside a thick class-coloured ring
    from app.views.boundary import class_color
    assert test_pen.color().name() == class_color(label)
    caption = view.caption.text()
    assert f"{len(model.train_indices)} training" in caption and f"{len(model.test_indices)} test" in caption
    assert "class 0 = A" in caption and "class 2 = C" in caption and "% test" in caption
    # no split: no test points
    model.set_split(0.0)
    assert len(view.test_points.points()) == 0


def click_at(qtbot, view, x, y, button=Qt.LeftButton, modifiers=Qt.NoModifier):
    pos = view.view_to_widget(x, y)
    qtbot.mouseClick(view.plot.viewport(), button, modifiers, pos)


def test_shift_click_adds_a_class_1_point_and_right_click_removes_it(qtbot):
    model = SessionModel()
    model.set_dataset("circle")
    view = data_view(qtbot, model)
    before = len(model.dataset)
    x, y = 3.4, -3.3   # an empty corner
    click_at(qtbot, view, x, y, modifiers=Qt.ShiftModifier)
    data = model.dataset
    assert len(data) == before + 1
    px, py = view.viewbox.viewPixelSize()
    assert data.X[-1, 0] == pytest.approx(x, abs=2 * px) and data.X[-1, 1] == pytest.approx(y, abs=2 * py)
    assert data.labels[-1] == 1
    assert len(view.train_points.points()) == before + 1   # drawn at once
    click_at(qtbot, view, 0.0, 3.4)                      # plain click: class 0
    assert len(model.dataset) == before + 2 and model.dataset.labels[-1] == 0
    click_at(qtbot, view, x, y, button=Qt.RightButton)   # remove the first one again
    assert len(model.dataset) == before + 1
    assert not np.any(np.all(np.isclose(model.dataset.X, data.X[-1]), axis=1))
    click_at(qtbot, view, 0.0, 3.4, modifiers=Qt.AltModifier)  # Alt+click removes too
    assert len(model.dataset) == before
    # a right-click far from every point removes nothing
    click_at(qtbot, view, -3.5, 3.5, button=Qt.RightButton)
    assert len(model.dataset) == before
    # Ctrl+click asks for class 2, which binary data has not: a message, no point
    click_at(qtbot, view, 1.0, 1.0, modifiers=Qt.ControlModifier)
    assert len(model.dataset) == before and "2 classes" in model.message


def test_ctrl_click_adds_class_2_on_three_classes(qtbot):
    model = SessionModel()
    model.set_dataset("blobs")
    view = data_view(qtbot, model)
    click_at(qtbot, view, 0.5, 0.5, modifiers=Qt.ControlModifier)
    assert model.dataset.labels[-1] == 2


def test_click_in_1d_regression_puts_the_target_under_the_cursor(qtbot):
    model = SessionModel()
    model.set_dataset("regression")
    view = data_view(qtbot, model)
    before = len(model.dataset)
    click_at(qtbot, view, 0.5, 0.3)
    data = model.dataset
    _px, py = view.viewbox.viewPixelSize()
    assert len(data) == before + 1
    assert data.X[-1, 0] == pytest.approx(0.5, abs=0.05) and data.y[-1, 0] == pytest.approx(0.3, abs=2 * py)
    xs, ys = view.prediction.getData()
    assert np.allclose(ys, model.network.predict(xs[:, None])[:, 0])


def test_2d_regression_click_takes_the_nearest_neighbours_value(qtbot):
    model = SessionModel()
    model.set_dataset("regression2d")
    view = data_view(qtbot, model)
    data = model.dataset
    near = core.nearest_point(data, [1.0, -1.0])
    click_at(qtbot, view, 1.0, -1.0)
    assert model.dataset.y[-1, 0] == pytest.approx(data.y[near, 0])
    qtbot.waitUntil(view.is_settled)
    result = view.field_result
    assert result.classes is None and view.field.image.shape[2] == 4
    # each pixel is the prediction at its cell centre through the value colormap
    xs, ys = grid_axes(result.request.xlim, result.request.ylim, result.request.resolution)
    cells = np.random.default_rng(2).integers(0, result.request.resolution, size=(40, 2))
    predicted = model.network.predict(np.column_stack([xs[cells[:, 0]], ys[cells[:, 1]]]))[:, 0]
    expected = value_colors(predicted, result.request.levels, REGRESSION_STRENGTH)
    assert np.array_equal(view.field.image[cells[:, 0], cells[:, 1]], expected)
    assert result.request.levels == (pytest.approx(model.dataset.y.min()), pytest.approx(model.dataset.y.max()))


def test_multiclass_1d_draws_one_curve_per_class(qtbot):
    model = SessionModel()
    X = np.linspace(-2, 2, 30)[:, None]
    X = (X - X.mean()) / X.std()    # as the CSV import standardizes
    labels = np.digitize(X[:, 0], [-0.6, 0.6])
    model.set_data(core.Dataset("csv", "three bands", X, np.eye(3)[labels], "multiclass", "test data",
                                classes=("low", "mid", "high"), standardized=True))
    view = data_view(qtbot, model)
    shown = [c for c in view.curves if len(c.getData()[0] if c.getData()[0] is not None else [])]
    assert len(shown) == 3
    for k, curve in enumerate(shown):
        xs, ys = curve.getData()
        assert np.allclose(ys, model.network.predict(xs[:, None])[:, k])
    assert "class 1 = mid" in view.caption.text() and "standardized" in view.caption.text()
    model.set_data(core.Dataset("csv", "raw", X * 10 + 50, np.eye(3)[labels], "multiclass", "raw units"))
    assert "standardized" not in view.caption.text()


def test_the_field_follows_training_and_is_throttled_while_running(qtbot):
    model = SessionModel()
    model.set_dataset("xor")
    view = data_view(qtbot, model)
    qtbot.waitUntil(view.is_settled)
    first = view.field.image.copy()
    pictures, snapshots = [], []
    view.field.sigImageChanged.connect(lambda: pictures.append(1))
    model.snapshotChanged.connect(snapshots.append)
    started = time.monotonic()
    model.set_running(True)   # the training worker: a snapshot every frame
    qtbot.waitUntil(lambda: len(snapshots) >= 30, timeout=10000)
    model.set_running(False)
    elapsed = time.monotonic() - started
    assert len(pictures) <= elapsed / (FIELD_INTERVAL_MS / 1000) + 2 < len(snapshots)  # throttled
    qtbot.waitUntil(view.is_settled, timeout=2000)
    assert not np.array_equal(view.field.image, first)   # and it followed


def cost_view(qtbot, model) -> CostCurveView:
    view = CostCurveView(model)
    qtbot.addWidget(view)
    return view


def test_cost_curve_has_a_test_curve_exactly_when_there_is_a_test_set(qtbot):
    model = SessionModel()
    model.set_dataset("moons")
    model.set_learning_rate(0.3)
    view = cost_view(qtbot, model)
    model.step(5)
    assert not view.has_test_curve
    xs, ys = view.curve.getData()
    assert list(xs) == list(model.history.steps) and np.allclose(ys, model.history.costs)
    model.set_split(0.3, 1)
    model.step(7)
    assert view.has_test_curve
    xs, ys = view.curve.getData()
    tx, ty = view.test_curve.getData()
    assert list(tx) == list(model.history.steps) == list(range(8))
    assert np.allclose(ys, model.history.costs) and np.allclose(ty, model.history.test_costs)
    assert ty[-1] == pytest.approx(model.test_cost())
    caption = view.caption.text()
    assert "epoch" in caption and "test J" in caption and "% test" in caption
    model.set_split(0.0)
    assert not view.has_test_curve
    tx, _ty = view.test_curve.getData()
    assert tx is None or len(tx) == 0
    view.log_scale.setChecked(True)
    assert view.plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_the_field_is_computed_off_the_gui_thread_coarse_first(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", False)
    model = SessionModel()
    model.set_dataset("gaussians")
    view = data_view(qtbot, model)
    assert view.field_result is not None            # a coarse picture at once ...
    qtbot.waitUntil(view.is_settled, timeout=10000)  # ... the fine one from the worker
    from app.views.curves import FIELD_FINE
    assert view.field_result.request.resolution == FIELD_FINE
    for _ in range(5):                               # a burst of changes: only the newest is shown
        model.step(5)
    qtbot.waitUntil(view.is_settled, timeout=10000)
    request = view.field_result.request
    assert np.array_equal(request.network.parameter_vector(), model.network.parameter_vector())
    view._worker.shutdown()


def test_new_data_of_another_size_never_meets_the_old_points(qtbot):
    """The model announces a restarted history before the new data: the ring must not look up the
    chosen sample among the old points (an IndexError once did)."""
    model = SessionModel()
    model.set_dataset("circle", n=14)
    view = data_view(qtbot, model)
    model.set_sample(13)
    model.set_data(core.load_dataset("circle", n=60), test_fraction=0.5, split_seed=0)
    row = model.train_indices[model.sample]
    assert row >= 14                      # the case that used to fail: beyond the old points
    assert view.chosen.getData()[0][0] == pytest.approx(model.dataset.X[row, 0])


def test_the_keyboard_adds_and_removes_points_with_a_cross(qtbot):
    from PySide6.QtCore import Qt

    model = SessionModel()
    model.set_dataset("gaussians", n=40)
    view = data_view(qtbot, model)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    (x0, x1), (y0, y1) = view.viewbox.viewRange()
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_Up)
    x, y = view.cursor_position()
    assert x == pytest.approx((x0 + x1) / 2 + 4 * (x1 - x0) / view.CURSOR_STEPS)
    assert y == pytest.approx((y0 + y1) / 2 + (y1 - y0) / view.CURSOR_STEPS)
    qtbot.keyClick(view, Qt.Key_Return, Qt.ShiftModifier)
    assert len(model.dataset) == 41
    assert np.allclose(model.dataset.X[-1], [x, y]) and model.dataset.labels[-1] == 1
    qtbot.keyClick(view, Qt.Key_Backspace)
    assert len(model.dataset) == 40
    assert not any(np.allclose(row, [x, y]) for row in model.dataset.X)
