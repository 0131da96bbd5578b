"""Mini-batch steps on big data record the cost on a fixed, evenly spread sample (core.run), so a
step's time follows its batch, not the number of rows; replay stays exact."""
import numpy as np

import core
from core.run import COST_SAMPLE_ROWS


def big_problem(n=3 * COST_SAMPLE_ROWS + 17, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    net = core.Network([2, 4, 1], ["tanh", "sigmoid"], "binary_cross_entropy")
    return net, X, y


def test_a_mini_batch_step_never_evaluates_the_whole_training_set(monkeypatch):
    net, X, y = big_problem()
    run = core.Run(net, X, y, 0.5, batch_size=16, X_test=X[:COST_SAMPLE_ROWS * 2], y_test=y[:COST_SAMPLE_ROWS * 2])
    sizes = []
    original = core.Network.cost

    def counting(self, X, y, *args, **kwargs):
        sizes.append(len(X))
        return original(self, X, y, *args, **kwargs)

    monkeypatch.setattr(core.Network, "cost", counting)
    run.step(5)
    assert sizes and max(sizes) <= COST_SAMPLE_ROWS


def test_the_recorded_cost_is_the_cost_on_evenly_spread_rows():
    net, X, y = big_problem()
    run = core.Run(net, X, y, 0.5, batch_size=32)
    run.step(3)
    rows = np.linspace(0, len(X) - 1, COST_SAMPLE_ROWS).round().astype(int)
    assert len(set(rows.tolist())) == COST_SAMPLE_ROWS and rows[0] == 0 and rows[-1] == len(X) - 1
    expected = run.net.cost(X[rows], y[rows])        # an independent evaluation at the same parameters
    assert run.step(0) == run.cost                   # the exact full cost is still there on request
    assert run.tracked_cost() == expected
    full = run.cost
    assert abs(expected - full) < 0.05 * full        # a fair estimate of the full cost


def test_full_batch_and_small_data_keep_the_exact_full_cost():
    net, X, y = big_problem()
    full = core.Run(net, X, y, 0.5)                  # full batch: the step pays for the full cost anyway
    assert full.step(1) == full.cost
    small = core.Run(net, X[:500], y[:500], 0.5, batch_size=8)
    cost = small.step(1)
    assert cost == small.net.cost(X[:500], y[:500])


def test_replay_of_a_sampled_mini_batch_run_is_exact():
    net, X, y = big_problem()
    run = core.Run(net, X, y, 0.3, batch_size=64, keyframe_interval=7)
    thetas = [run.theta_at(0)]
    for _ in range(20):
        run.step(1)
        thetas.append(run.net.parameter_vector())
    for k in (0, 5, 13, 20):
        np.testing.assert_array_equal(run.theta_at(k), thetas[k])
