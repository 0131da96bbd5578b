"""The slice J(θ): its curve comes from a worker, matches the cost with θ set by hand, and is sampled
more coarsely (never below a smooth minimum) when each θ costs a deep forward pass."""
import pytest

from app.model import SessionModel
from app.views.slice_view import MIN_SAMPLES, SAMPLES, CostSliceView, slice_samples


def test_the_curve_arrives_from_the_worker_and_is_the_cost(qtbot):
    model = SessionModel()
    model.set_dataset("moons")
    view = CostSliceView(model)
    qtbot.addWidget(view)
    name = model.parameter_names()[3]
    model.select(name)
    qtbot.waitUntil(view.is_settled)
    xs, ys = view.curve.getData()
    assert SAMPLES <= len(xs) <= SAMPLES + 3   # the grid, plus the point and two close neighbours
    assert model.network.get(name) in xs
    net = model.network.copy()
    for k in (0, 60, 200):
        net.set(name, xs[k])
        assert ys[k] == pytest.approx(net.cost(model.X, model.y), rel=1e-9)
    # the tangent's slope is the gradient, and the point sits on the curve's cost
    assert view.slope == pytest.approx(model.gradient(name))
    assert view.point.getData()[1][0] == pytest.approx(model.cost())


def test_a_stale_curve_is_dropped(qtbot):
    model = SessionModel()
    view = CostSliceView(model)
    qtbot.addWidget(view)
    qtbot.waitUntil(view.is_settled)
    model.nudge(+1)
    model.select("w2")
    qtbot.waitUntil(view.is_settled)
    xs, ys = view.curve.getData()
    net = model.network.copy()
    net.set("w2", xs[10])
    assert ys[10] == pytest.approx(net.cost(model.X, model.y), rel=1e-9)


def test_deep_networks_on_many_rows_sample_fewer_values():
    model = SessionModel()
    model.set_dataset("spiral", n=1000)
    small = slice_samples(model.network, len(model.X))
    for _ in range(5):
        model.add_layer(size=16)
    deep = slice_samples(model.network, len(model.X))
    assert MIN_SAMPLES <= deep < small <= SAMPLES


@pytest.mark.parametrize("change", ["cost", "regularization", "split"])
def test_the_curve_follows_a_change_of_what_j_measures(qtbot, change):
    model = SessionModel()
    view = CostSliceView(model)
    qtbot.addWidget(view)
    qtbot.waitUntil(view.is_settled)
    if change == "cost":
        model.cycle_loss()
    elif change == "regularization":
        model.set_regularization("l2", 1.0)
    else:
        model.set_split(0.4, seed=1)
    qtbot.waitUntil(view.is_settled)
    xs, ys = view.curve.getData()
    net = model.network.copy()
    net.set(model.selected, xs[30])   # the slice is over the selected parameter
    assert ys[30] == pytest.approx(net.cost(model.X, model.y), rel=1e-9)
