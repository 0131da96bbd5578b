"""Gradient descent, the divergence guard, and the bounded history."""
import numpy as np
import pytest

import core
from core.naming import to_unicode
from core.training import format_number


@pytest.mark.parametrize("dataset", ["lesson", "regression"])
@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_training_lowers_the_cost(dataset, loss):
    data = core.load_dataset(dataset)
    net = core.lesson_network(loss)
    descent = core.GradientDescent(net, data.X, data.y, learning_rate=2.0)
    start = descent.cost
    costs = [descent.step(50) for _ in range(6)]
    assert costs[-1] < 0.6 * start
    assert all(later <= earlier + 1e-12 for earlier, later in zip(costs, costs[1:]))
    assert descent.step_count == 300
    assert costs[-1] == pytest.approx(net.loss(data.X, data.y), rel=1e-14)


def test_regression_is_fitted_closely():
    data = core.load_dataset("regression")
    net = core.lesson_network()
    descent = core.GradientDescent(net, data.X, data.y, learning_rate=4.0)
    descent.step(1500)
    assert descent.cost < 0.002  # the curve is itself a 1-1-1 network: only the noise remains


def test_gradient_step_is_one_plain_descent_step():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    before, gradient = net.parameter_vector(), net.gradient_vector(data.X, data.y)
    cost = core.gradient_step(net, data.X, data.y, 0.5)
    np.testing.assert_allclose(net.parameter_vector(), before - 0.5 * gradient, rtol=1e-15)
    assert cost == pytest.approx(net.loss(data.X, data.y), rel=1e-15)


def test_only_trains_the_named_parameters():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    before = net.parameter_vector()
    descent = core.GradientDescent(net, data.X, data.y, 2.0, only=["w1", "w2"])
    descent.step(25)
    after = net.parameter_vector()
    names = net.parameter_names()
    for name, old, new in zip(names, before, after):
        if name in ("w1", "w2"):
            assert new != old
        else:
            assert new == old  # exactly, not approximately
    descent.only = None
    descent.step(1)
    assert net.get("b1") != before[names.index("b1")]
    with pytest.raises(ValueError, match="unknown parameter"):
        core.GradientDescent(net, data.X, data.y, 1.0, only=["w7"])
    with pytest.raises(ValueError, match="unknown parameter"):
        core.gradient_step(net, data.X, data.y, 1.0, only=["q"])


def test_huge_learning_rate_diverges_cleanly():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    descent = core.GradientDescent(net, data.X, data.y, 0.5)
    descent.step(3)
    before, records = net.parameter_vector(), len(descent.history)
    descent.learning_rate = 1e6
    with pytest.raises(core.TrainingDiverged) as info:
        descent.step(10)
    np.testing.assert_array_equal(net.parameter_vector(), before)
    assert descent.step_count == 3 and len(descent.history) == records
    message = str(info.value)
    assert message.startswith("The step with learning rate 1e6 sent ")
    assert "training diverged. Lower the learning rate or reset." in message
    assert info.value.parameter in net.parameter_names()
    assert abs(info.value.value) > core.PARAMETER_LIMIT
    assert f"sent {to_unicode(info.value.parameter)} to {format_number(info.value.value)}" in message
    # the plain function behaves the same way
    with pytest.raises(core.TrainingDiverged):
        core.gradient_step(net, data.X, data.y, 1e6)
    np.testing.assert_array_equal(net.parameter_vector(), before)
    descent.learning_rate = 0.5  # and training can simply go on
    assert np.isfinite(descent.step(1))


def test_cost_overflow_is_divergence_too():
    # parameters stay under the limit but the cost overflows: (499 * 1e152)^2 > 1.8e308
    net = core.Network([1, 1], ["linear"], "squared_error")
    net.set("w1", 1.0)
    net.set("b1", 0.0)
    X, y = np.array([[1e152]]), np.array([[0.0]])
    with pytest.raises(core.TrainingDiverged, match="made the cost"):
        core.gradient_step(net, X, y, 5e-302)
    assert net.parameter_vector().tolist() == [1.0, 0.0]


def test_non_finite_gradient_is_divergence():
    net = core.Network([1, 1], ["linear"], "squared_error")
    net.set("w1", 1.0)
    X, y = np.array([[1e200]]), np.array([[0.0]])
    with pytest.raises(core.TrainingDiverged, match="gradient"):
        core.gradient_step(net, X, y, 1e-3)
    assert net.get("w1") == 1.0


def test_learning_rate_validation():
    data = core.load_dataset("lesson")
    with pytest.raises(ValueError, match="learning rate"):
        core.GradientDescent(core.lesson_network(), data.X, data.y, -1.0)
    descent = core.GradientDescent(core.lesson_network(), data.X, data.y, 1.0)
    with pytest.raises(ValueError, match="learning rate"):
        descent.learning_rate = float("nan")
    assert descent.learning_rate == 1.0


def test_descent_records_its_path():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    descent = core.GradientDescent(net, data.X, data.y, 1.0, history_capacity=100)
    start = net.parameter_vector()
    last = descent.step(5)
    history = descent.history
    assert history.steps.tolist() == [0, 1, 2, 3, 4, 5]
    np.testing.assert_array_equal(history.parameters[0], start)
    np.testing.assert_array_equal(history.parameters[-1], net.parameter_vector())
    assert history.costs[-1] == last
    assert history.parameters.shape == (6, 4)
    assert descent.step(0) == pytest.approx(last)


def test_format_number():
    assert format_number(1e6) == "1e6"
    assert format_number(32000.0) == "3.2e4"
    assert format_number(-45678.0) == "-4.6e4"
    assert format_number(0.5) == "0.5"
    assert format_number(float("nan")) == "NaN"


# ----------------------------------------------------------------------------- history
def test_history_stays_bounded_keeping_first_newest_and_a_dense_tail():
    capacity = 400
    history = core.History(capacity)
    total = 100_000
    for step in range(total):
        history.append(step, 2.0 * step, [step, -step])
        assert len(history) <= capacity
    steps = history.steps
    assert steps[0] == 0 and steps[-1] == total - 1
    assert np.all(np.diff(steps) > 0)
    dense = capacity // 4
    np.testing.assert_array_equal(steps[-dense:], np.arange(total - dense, total))  # the live path is intact
    np.testing.assert_array_equal(history.costs, 2.0 * steps)  # records stay aligned
    np.testing.assert_array_equal(history.parameters, np.stack([steps, -steps], axis=1))
    gaps = np.diff(steps)
    assert np.all(np.diff(gaps) <= 0)  # resolution never gets coarser towards the present
    stride = gaps[0]
    assert stride > 1 and np.count_nonzero(gaps == stride) > capacity // 4  # a uniformly thinned older part
    assert len(history) > capacity // 2  # and memory is used, not thrown away


def test_history_with_few_appends_keeps_everything_and_clears():
    history = core.History(50)
    for step in range(30):
        history.append(step, float(step), np.arange(3) + step)
    assert len(history) == 30 and history.steps.tolist() == list(range(30))
    history.clear()
    assert len(history) == 0 and history.steps.size == 0
    history.append(7, 1.0, [1.0, 2.0])  # a different parameter count after clear is fine
    assert history.parameters.tolist() == [[1.0, 2.0]]
    with pytest.raises(ValueError):
        history.append(8, 1.0, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        core.History(2)


def test_history_columns_up_to_a_step_are_those_columns_of_the_records():
    """What a snapshot draws of a path: two columns of the records up to a step (after thinning)."""
    history = core.History(64)
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(500, 9))
    for step, row in enumerate(rows):
        history.append(step, 0.0, row)
    for until in (None, 0, 37, 300, 499, 10_000):
        steps, chosen = history.columns([7, 2], until=until)
        expected_steps = history.steps if until is None else history.steps[history.steps <= until]
        np.testing.assert_array_equal(steps, expected_steps)
        np.testing.assert_array_equal(chosen, rows[expected_steps][:, [7, 2]])
    chosen[:] = 0.0                                     # a copy: the history is untouched
    np.testing.assert_array_equal(history.parameters, rows[history.steps])


def test_history_keeps_test_costs_aligned_through_thinning():
    history = core.History(16)
    for step in range(200):
        history.append(step, 2.0 * step, [step], test_cost=3.0 * step)
    steps = history.steps
    assert len(history) < 200 and steps[0] == 0 and steps[-1] == 199
    np.testing.assert_array_equal(history.test_costs, 3.0 * steps)
    history.append(200, 1.0, [200])  # without a test set the record says NaN
    assert np.isnan(history.test_costs[-1]) and not np.isnan(history.test_costs[:-1]).any()
