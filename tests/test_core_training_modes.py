"""Training on every built-in dataset, mini-batch and single-sample steps, epochs, and a test set."""
import numpy as np
import pytest

import core


def network_for(data, seed=0, hidden=8):
    """A [d, 8, 8, k] tanh network with the output layer and cost the dataset's task calls for."""
    activation, loss = core.output_for_task(data.task, data.n_classes)
    return core.Network([data.n_inputs, hidden, hidden, data.n_outputs], ["tanh", "tanh", activation], loss,
                        seed=seed)


@pytest.mark.parametrize("name", list(core.DATASETS))
def test_training_lowers_the_cost_on_every_built_in_dataset(name):
    data = core.load_dataset(name)
    net = network_for(data)
    descent = core.GradientDescent(net, data.X, data.y, learning_rate=0.5)
    start = descent.cost
    steps = 1000 if name == "spiral" else 300  # the spiral winds: it takes longer
    end = descent.step(steps)
    assert end < 0.5 * start, (start, end)
    assert end == pytest.approx(net.cost(data.X, data.y), rel=1e-14)
    assert descent.epoch == steps


@pytest.mark.parametrize("name", ["circle", "blobs", "regression2d"])
def test_mini_batches_also_learn(name):
    data = core.load_dataset(name)
    descent = core.GradientDescent(network_for(data), data.X, data.y, 0.1, batch_size=10, shuffle_seed=3)
    start = descent.cost
    descent.step(20 * len(data) // 10)  # 20 epochs
    assert descent.epoch == 20
    assert descent.cost < 0.5 * start


def test_batch_of_all_samples_is_exactly_full_batch():
    data = core.load_dataset("moons", n=60)
    full_net, batch_net = network_for(data), network_for(data)
    full = core.GradientDescent(full_net, data.X, data.y, 0.3)
    batch = core.GradientDescent(batch_net, data.X, data.y, 0.3, batch_size=60, shuffle_seed=9)
    assert batch.full_batch and not core.GradientDescent(network_for(data), data.X, data.y, 0.3,
                                                         batch_size=59).full_batch
    assert full.step(25) == batch.step(25)
    np.testing.assert_array_equal(full_net.parameter_vector(), batch_net.parameter_vector())
    np.testing.assert_array_equal(full.history.costs, batch.history.costs)
    assert batch.epoch == full.epoch == 25
    np.testing.assert_array_equal(batch.next_batch, np.arange(60))
    batch.batch_size = 1000  # larger than the data: still one full pass per step
    batch.step(1)
    assert batch.epoch == 26


def test_single_sample_steps_follow_the_shuffled_order():
    data = core.load_dataset("circle", n=12)
    net = network_for(data)
    rate = 0.2
    descent = core.GradientDescent(net, data.X, data.y, rate, batch_size=1, shuffle_seed=4)
    seen = []
    for step in range(2 * len(data) + 3):
        batch = descent.next_batch
        assert batch.shape == (1,)
        before = net.parameter_vector()
        expected = before - rate * net.gradient_vector(data.X[batch], data.y[batch])
        cost = descent.step()
        np.testing.assert_allclose(net.parameter_vector(), expected, rtol=1e-13, atol=1e-15)
        assert cost == net.cost(data.X, data.y)  # the FULL cost is reported and recorded
        assert descent.history.costs[-1] == cost
        seen.append(int(batch[0]))
    first, second = seen[:12], seen[12:24]
    assert sorted(first) == sorted(second) == list(range(12))  # each pass visits every sample once
    assert first != second  # in a fresh order each pass
    assert first != list(range(12))  # and shuffled
    # the order is a function of (shuffle_seed, pass) alone
    np.testing.assert_array_equal(first, np.random.default_rng([4, 0]).permutation(12))
    again = core.GradientDescent(network_for(data), data.X, data.y, rate, batch_size=1, shuffle_seed=4)
    other = core.GradientDescent(network_for(data), data.X, data.y, rate, batch_size=1, shuffle_seed=5)
    order_again, order_other = [], []
    for _ in range(12):
        order_again.append(int(again.next_batch[0]))
        order_other.append(int(other.next_batch[0]))
        again.step()
        other.step()
    assert order_again == first and order_other != first


def test_mini_batch_step_is_the_mean_gradient_of_its_batch():
    data = core.load_dataset("blobs", n=30)
    net = network_for(data)
    descent = core.GradientDescent(net, data.X, data.y, 0.3, batch_size=8, shuffle_seed=1)
    for _ in range(5):
        batch = descent.next_batch
        expected = net.parameter_vector() - 0.3 * net.gradient_vector(data.X[batch], data.y[batch])
        descent.step()
        np.testing.assert_allclose(net.parameter_vector(), expected, rtol=1e-13, atol=1e-15)


def test_epochs_are_counted_in_samples_used():
    data = core.load_dataset("xor", n=50)
    descent = core.GradientDescent(network_for(data), data.X, data.y, 0.1, batch_size=16)
    sizes = []
    for _ in range(4):
        sizes.append(len(descent.next_batch))
        descent.step()
    assert sizes == [16, 16, 16, 2]  # the pass ends with what is left
    assert descent.epoch == 1.0 and descent.step_count == 4
    descent.step(2)
    assert descent.epoch == pytest.approx(1.64)
    descent.batch_size = 10  # a change continues the current pass where it was
    sizes = []
    for _ in range(3):
        sizes.append(len(descent.next_batch))
        descent.step()
    assert sizes == [10, 8, 10]  # 32 of 50 were used: 10, the last 8, then a new pass
    assert descent.epoch == pytest.approx(2.2)
    descent.batch_size = None
    descent.step(1)
    assert descent.epoch == pytest.approx(3.2) and descent.full_batch
    assert descent.step_count == 10 and len(descent.history) == 11
    for bad in (0, -3, 2.5, True, "8"):
        with pytest.raises(ValueError, match="batch size"):
            descent.batch_size = bad
    with pytest.raises(ValueError, match="shuffle_seed"):
        core.GradientDescent(network_for(data), data.X, data.y, 0.1, shuffle_seed=-1)


def test_full_batch_pays_one_gradient_pass_per_step(monkeypatch):
    from core.fast_step import StepWorkspace

    data = core.load_dataset("circle")
    net = network_for(data)
    descent = core.GradientDescent(net, data.X, data.y, 0.3)
    calls = {"backward": 0, "cost": 0, "workspace": 0}
    backward, cost, gradient = net.backward, net.cost, StepWorkspace.gradient

    def counting(kind, function):
        def wrapper(*args):
            calls[kind] += 1
            return function(*args)
        return wrapper

    monkeypatch.setattr(net, "backward", counting("backward", backward))
    monkeypatch.setattr(net, "cost", counting("cost", cost))
    monkeypatch.setattr(StepWorkspace, "gradient", counting("workspace", gradient))
    descent.step(10)
    # the step's own pass gives the recorded cost and the next step's gradient; the preallocated
    # workspace does the passes, and the gradient at the start was computed when the run began
    assert calls == {"backward": 0, "cost": 0, "workspace": 10}
    for _ in range(10):  # one call per step costs the same: the gradient is kept between calls
        descent.step(1)
    assert calls == {"backward": 0, "cost": 0, "workspace": 20}
    net.set(net.parameter_names()[0], 0.25)  # a hand edit: the kept gradient is stale
    descent.step(1)
    assert calls == {"backward": 0, "cost": 0, "workspace": 22}


def test_test_cost_is_recorded_with_every_step():
    data = core.load_dataset("moons", n=100, noise=0.3)
    train, test = core.split_dataset(data.X, data.y, test_fraction=0.25, seed=2)
    net = network_for(data)
    descent = core.GradientDescent(net, data.X[train], data.y[train], 0.5, batch_size=5,
                                   X_test=data.X[test], y_test=data.y[test])
    assert descent.test_cost == net.cost(data.X[test], data.y[test])
    descent.step(40)
    history = descent.history
    assert len(history.test_costs) == len(history) == 41
    probe = net.copy()
    for params, train_cost, test_cost in zip(history.parameters, history.costs, history.test_costs):
        probe.set_parameter_vector(params)
        assert test_cost == probe.cost(data.X[test], data.y[test])
        assert train_cost == probe.cost(data.X[train], data.y[train])
    assert history.test_costs[-1] < history.test_costs[0]  # held-out cost falls too
    plain = core.GradientDescent(network_for(data), data.X, data.y, 0.5)
    plain.step(3)
    assert plain.test_cost is None and np.isnan(plain.history.test_costs).all()
    with pytest.raises(ValueError, match="both"):
        core.GradientDescent(net, data.X, data.y, 0.5, X_test=data.X[test])
    with pytest.raises(ValueError, match="shape"):
        core.GradientDescent(net, data.X, data.y, 0.5, X_test=data.X[test][:, :1], y_test=data.y[test])


def test_mini_batch_divergence_leaves_the_network_and_the_count_intact():
    data = core.load_dataset("regression2d", n=40)
    net = network_for(data)
    descent = core.GradientDescent(net, data.X, data.y, 0.1, batch_size=4)
    descent.step(3)
    before, epoch, records, batch = net.parameter_vector(), descent.epoch, len(descent.history), descent.next_batch
    descent.learning_rate = 1e7
    with pytest.raises(core.TrainingDiverged, match="training diverged"):
        descent.step(5)
    np.testing.assert_array_equal(net.parameter_vector(), before)
    assert descent.epoch == epoch and descent.step_count == 3 and len(descent.history) == records
    np.testing.assert_array_equal(descent.next_batch, batch)  # the failed batch is tried again
    descent.learning_rate = 0.1
    descent.step(1)
    assert descent.step_count == 4


def test_a_hand_edit_is_recorded_with_its_test_cost():
    data = core.load_dataset("moons", n=60)
    net = network_for(data)
    descent = core.GradientDescent(net, data.X[:40], data.y[:40], 0.3, X_test=data.X[40:], y_test=data.y[40:])
    descent.step(3)
    net.set(net.parameter_names()[0], 0.5)
    descent.record()
    assert len(descent.history) == 5
    assert descent.history.costs[-1] == pytest.approx(net.cost(data.X[:40], data.y[:40]))
    assert descent.history.test_costs[-1] == pytest.approx(net.cost(data.X[40:], data.y[40:]))
