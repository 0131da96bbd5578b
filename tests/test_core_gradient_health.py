"""Gradient health (core/gradient_health.py): δ per layer against finite differences of the cost
with respect to the layer's pre-activations, saturation and update ratios against hand-set networks,
and the built-in deep sigmoid example whose gradient vanishes."""
import math

import numpy as np
import pytest

import core
from core.gradient_health import gradient_health, vanishing_gradient_example


def _tiny():
    net = core.Network([1, 2, 2, 1], ["tanh", "sigmoid", "sigmoid"], "squared_error", seed=0)
    net.set_parameter_vector(np.array([0.9, -1.3, 0.2, -0.1,               # w1 (1x2), b1
                                       0.7, -0.4, 1.1, 0.6, 0.05, -0.3,   # w2 (2x2), b2
                                       1.4, -0.8, 0.1]))                  # w3 (2x1), b3
    X = np.array([[-1.0], [0.3], [2.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    return net, X, y


def _dJ_dz(net, X, y, layer, j, h=1e-6):
    """∂J/∂z_j of ``layer`` by central differences: shifting the bias shifts z_j of every sample in
    X by the same amount, so with one sample this is that sample's δ_j."""
    probe = net.copy()
    b0 = probe.biases[layer][j]
    probe.biases[layer][j] = b0 + h
    up = probe.cost(X, y)
    probe.biases[layer][j] = b0 - h
    down = probe.cost(X, y)
    return (up - down) / (2 * h)


def test_delta_norms_equal_finite_differences_of_the_cost_with_respect_to_z():
    net, X, y = _tiny()
    health = gradient_health(net, X, y)
    assert len(health.layers) == 3
    for layer in range(3):
        width = net.sizes[layer + 1]
        per_sample = np.array([[_dJ_dz(net, X[n:n + 1], y[n:n + 1], layer, j) for j in range(width)]
                               for n in range(len(X))])
        batch = np.array([_dJ_dz(net, X, y, layer, j) for j in range(width)])
        assert health.layers[layer].delta_norm == pytest.approx(np.linalg.norm(per_sample, axis=1).mean(), rel=1e-6)
        assert health.layers[layer].batch_delta_norm == pytest.approx(np.linalg.norm(batch), rel=1e-6)
        assert health.layers[layer].activation == net.activations[layer]
    assert np.array_equal(health.delta_norms, [h.delta_norm for h in health.layers])


def test_saturated_shares_by_hand():
    # layer 1: tanh of z = 2x and z = 0.1x; layer 2: sigmoid of z = 2a1; layer 3: ReLU, one unit dead
    net = core.Network([1, 2, 1, 2], ["tanh", "sigmoid", "relu"], "squared_error", seed=0)
    net.weights[0][:] = [[2.0, 0.1]]
    net.weights[1][:] = [[2.0], [0.0]]
    net.weights[2][:] = [[1.0, -1.0]]
    for b in net.biases:
        b[:] = 0.0
    X = np.array([[-3.0], [0.0], [3.0], [0.5]])
    # tanh(2x) = -0.99998, 0, 0.99998, 0.76 and tanh(0.1x) all < 0.97: 2 of 8 outputs saturated
    # sigmoid(2 tanh(2x)) = 0.119, 0.5, 0.881, 0.82: none outside [0.03, 0.97]
    # relu: unit 1 gets tanh-sigmoid values > 0 (active), unit 2 their negatives (never active)
    health = gradient_health(net, X, np.zeros((4, 2)))
    assert [h.saturated for h in health.layers] == [pytest.approx(2 / 8), 0.0, 0.5]
    net.weights[1][:] = [[4.0], [0.0]]   # sigmoid(4 tanh(2x)): 0.018, 0.5, 0.982, 0.95 -> 2 of 4
    assert gradient_health(net, X, np.zeros((4, 2))).layers[1].saturated == pytest.approx(0.5)


def test_activations_without_a_flat_region_report_no_saturation():
    net = core.Network([2, 3, 3], ["leaky_relu", "softmax"], "cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    health = gradient_health(net, X, np.eye(3)[[0, 1, 2, 0, 1]])
    assert [h.saturated for h in health.layers] == [None, None]
    assert np.all(np.isnan(health.saturation))


def test_update_ratio_is_log10_of_each_layers_step_over_its_size():
    net, X, y = _tiny()
    theta = net.parameter_vector()
    step = np.zeros_like(theta)
    step[0:4] = [0.01, 0.0, 0.0, -0.02]          # layer 1 (w1 and b1) moves
    step[10:13] = 1e-4                           # layer 3 moves; layer 2 stays
    health = gradient_health(net, X, y, after=theta + step)
    sizes = [np.linalg.norm(theta[0:4]), np.linalg.norm(theta[4:10]), np.linalg.norm(theta[10:13])]
    assert health.layers[0].update_ratio == pytest.approx(math.log10(math.hypot(0.01, 0.02) / sizes[0]), rel=1e-12)
    assert health.layers[1].update_ratio == -math.inf
    assert health.layers[2].update_ratio == pytest.approx(math.log10(math.sqrt(3) * 1e-4 / sizes[2]), rel=1e-12)
    # the same step given from the other side: the network holds the parameters after it
    moved = net.copy()
    moved.set_parameter_vector(theta + step)
    again = gradient_health(moved, X, y, previous=theta)
    assert again.update_ratios[0] == pytest.approx(health.update_ratios[0], rel=1e-12)
    assert np.all(np.isnan(gradient_health(net, X, y).update_ratios))      # no step given
    with pytest.raises(ValueError, match="not both"):
        gradient_health(net, X, y, previous=theta, after=theta)


def test_a_deep_sigmoid_network_on_the_circle_data_has_a_vanishing_gradient_and_tanh_or_relu_cure_it():
    for seed in (0, 1, 2):
        net, X, y = vanishing_gradient_example("sigmoid", seed=seed)
        assert net.depth == 7 and set(net.activations[:-1]) == {"sigmoid"}
        sigmoid = gradient_health(net, X, y)
        norms = sigmoid.delta_norms
        assert sigmoid.vanishing_factor < 1e-3            # first layer's δ ≪ last layer's
        assert np.all(np.diff(norms) > 0)                 # shrinking at every layer back
        tanh = gradient_health(*vanishing_gradient_example("tanh", seed=seed))
        relu = gradient_health(*vanishing_gradient_example("relu", init="he", seed=seed))
        for cured in (tanh, relu):
            assert 1e-2 < cured.vanishing_factor < 1e2
            assert cured.vanishing_factor > 30 * sigmoid.vanishing_factor


def test_a_snapshot_carries_the_parameters_of_the_step_before_it_even_where_the_path_was_thinned():
    data = core.load_dataset("circle", n=40, seed=0)
    net = core.Network([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=0)
    run = core.Run(net, data.X, data.y, 0.5, rule="adam")
    run.step(2600)    # beyond the drawn path's capacity (2,000 records here): its old part is thinned
    assert len(run.trajectory.path) < 2600
    assert 1001 not in run.trajectory.path.steps     # so step 1002 needs a replay for it
    for step in (2600, 2550, 1, 3, 1002, 1004):
        snap = core.take_snapshot(run, step)
        np.testing.assert_array_equal(snap.previous_theta, run.theta_at(step - 1))
        np.testing.assert_array_equal(snap.theta, run.theta_at(step))
        assert not snap.previous_theta.flags.writeable
    assert core.take_snapshot(run, 0).previous_theta is None
    assert run.step_count == 2600
