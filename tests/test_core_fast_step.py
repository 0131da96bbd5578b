"""core.fast_step.StepWorkspace: the training gradient with reused buffers must be Network's gradient.

The reference is Network.backward / gradient_vector (itself checked against finite differences in
test_core_network*.py); the workspace evaluates the same elementwise formulas in the same order and
only sums in another order, so agreement is held to 1e-12 relative.
"""
import numpy as np
import pytest

import core
from core.activations import ACTIVATIONS
from core.fast_step import StaleWorkspace, StepWorkspace, blas_thread_limit, blas_threads
from core.losses import ALL_LOSSES
from core.network import REGULARIZATIONS, Network

TOL = 1e-12


def assert_matches(net, X, y, ws):
    cost, grad = ws.gradient()
    reference = net.backward(X, y)
    expected = net.gradient_vector(X, y)
    assert grad.shape == expected.shape
    assert abs(cost - reference.cost) <= TOL * max(1.0, abs(reference.cost))
    scale = max(1e-300, np.max(np.abs(expected)))
    assert np.max(np.abs(grad - expected)) <= TOL * scale, (net, np.max(np.abs(grad - expected)) / scale)
    np.testing.assert_array_equal(ws.parameters, net.parameter_vector())


def targets(rng, loss, n, k):
    if loss == "cross_entropy" and rng.random() < 0.7:
        return np.eye(k)[rng.integers(0, k, n)]       # one-hot: the fused path skips sum_k y_k
    if loss == "squared_error":
        return rng.normal(0.0, 1.0, (n, k))
    return rng.uniform(0.0, 1.0, (n, k))              # soft targets (sum_k y_k != 1 for CE)


def random_case(seed):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    sizes = [int(s) for s in rng.integers(1, 7, depth + 1)]
    names = sorted(ACTIVATIONS)
    activations = [str(rng.choice(names)) for _ in range(depth)]
    loss = str(rng.choice(sorted(ALL_LOSSES)))
    reg = REGULARIZATIONS[int(rng.integers(0, 3))]
    net = Network(sizes, activations, loss, seed=seed, regularization=reg,
                  regularization_rate=float(rng.choice([0.0, 0.003, 0.1])),
                  init=str(rng.choice(["xavier", "he"])))
    for b in net.biases:
        b[...] = rng.normal(0.0, 0.5, b.shape)
    n = int(rng.choice([1, 2, 7, 33, 300]))
    X = rng.normal(0.0, 1.5, (n, sizes[0]))
    return net, X, targets(rng, loss, n, sizes[-1])


@pytest.mark.parametrize("seed", range(120))
def test_random_networks_match_network_backward(seed):
    net, X, y = random_case(seed)
    with np.errstate(all="ignore"):  # some random cases saturate (log of a clipped 1e-12, ...)
        assert_matches(net, X, y, StepWorkspace(net, X, y))


@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output, loss", [("softmax", "cross_entropy"), ("linear", "squared_error"),
                                          ("sigmoid", "binary_cross_entropy"), ("sigmoid", "squared_error"),
                                          ("softmax", "squared_error"), ("tanh", "cross_entropy")])
def test_every_hidden_activation_with_each_output(hidden, output, loss):
    rng = np.random.default_rng(abs(hash((hidden, output, loss))) % 2**32)
    net = Network([3, 5, 4, 3], [hidden, hidden, output], loss, seed=1)
    X = rng.normal(0.0, 2.0, (64, 3))
    y = targets(rng, loss, 64, 3)
    with np.errstate(all="ignore"):
        assert_matches(net, X, y, StepWorkspace(net, X, y))


@pytest.mark.parametrize("kind, rate", [(None, 0.0), ("l1", 0.01), ("l2", 0.05), ("l2", 0.0)])
def test_benchmark_shape_and_regularization(kind, rate):
    rng = np.random.default_rng(5)
    net = Network([2, 16, 16, 3], ["tanh", "tanh", "softmax"], "cross_entropy", seed=2,
                  regularization=kind, regularization_rate=rate)
    X = rng.normal(size=(5000, 2))
    y = np.eye(3)[rng.integers(0, 3, 5000)]
    assert_matches(net, X, y, StepWorkspace(net, X, y))


def test_saturated_logits_stay_exact():
    """Logits of +-1000 (where a naive softmax overflows): the cost still comes from the logits."""
    rng = np.random.default_rng(0)
    net = Network([2, 4, 3], ["linear", "softmax"], "cross_entropy", seed=0)
    net.weights[1] *= 400.0
    X = rng.normal(size=(50, 2))
    y = np.eye(3)[rng.integers(0, 3, 50)]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ws = StepWorkspace(net, X, y)
        cost, grad = ws.gradient()
    assert np.isfinite(cost) and np.all(np.isfinite(grad))
    assert_matches(net, X, y, ws)


def test_buffers_are_reused_and_parameters_read_every_call():
    rng = np.random.default_rng(1)
    net = Network([2, 6, 3], ["tanh", "softmax"], "cross_entropy", seed=0)
    X, y = rng.normal(size=(40, 2)), np.eye(3)[rng.integers(0, 3, 40)]
    ws = StepWorkspace(net, X, y)
    cost0, grad0 = ws.gradient()
    kept = grad0.copy()
    net.set_parameter_vector(net.parameter_vector() - 0.5 * kept)
    cost1, grad1 = ws.gradient()
    assert grad1 is grad0                      # the same buffer, overwritten
    assert cost1 < cost0
    assert_matches(net, X, y, ws)
    net.set("b1.2", 0.75)                      # any way of editing parameters is seen
    assert_matches(net, X, y, ws)


def test_structural_edits_rebuild_the_buffers():
    rng = np.random.default_rng(2)
    net = Network([2, 4, 4, 3], ["tanh", "relu", "softmax"], "cross_entropy", seed=0)
    X, y = rng.normal(size=(30, 2)), np.eye(3)[rng.integers(0, 3, 30)]
    ws = StepWorkspace(net, X, y)
    assert_matches(net, X, y, ws)
    net.add_neuron(0)
    assert_matches(net, X, y, ws)
    net.add_layer(1, 5, "sigmoid")
    assert_matches(net, X, y, ws)
    net.remove_layer(0)
    assert_matches(net, X, y, ws)
    net._activations = ("elu", "relu", "softmax")   # an activation swap with unchanged sizes
    assert_matches(net, X, y, ws)
    net.loss = "squared_error"
    assert_matches(net, X, y, ws)
    net.regularization, net.regularization_rate = "l1", 0.02
    assert_matches(net, X, y, ws)
    assert not ws.is_stale


def test_input_or_output_size_change_is_reported_stale():
    rng = np.random.default_rng(3)
    net = Network([2, 4, 3], ["tanh", "softmax"], "cross_entropy", seed=0)
    X, y = rng.normal(size=(10, 2)), np.eye(3)[rng.integers(0, 3, 10)]
    ws = StepWorkspace(net, X, y)
    other = Network([3, 4, 3], ["tanh", "softmax"], "cross_entropy", seed=0)
    net._set_structure(other.sizes, other.activations, other.weights, other.biases)
    assert ws.is_stale
    with pytest.raises(StaleWorkspace):
        ws.gradient()
    X3, y3 = rng.normal(size=(12, 3)), np.eye(3)[rng.integers(0, 3, 12)]
    ws.bind(X3, y3)
    assert not ws.is_stale
    assert_matches(net, X3, y3, ws)


def test_bind_copies_the_data_and_accepts_a_new_batch():
    rng = np.random.default_rng(4)
    net = Network([2, 5, 1], ["sigmoid", "sigmoid"], "binary_cross_entropy", seed=0)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, 20).astype(float)
    ws = StepWorkspace(net, X, y)
    before = ws.gradient()[0]
    X[...] = 0.0                                # the workspace holds its own copy
    assert ws.gradient()[0] == before
    X2, y2 = rng.normal(size=(20, 2)), rng.integers(0, 2, 20).astype(float)
    ws.bind(X2, y2)                             # same N: same buffers
    assert_matches(net, X2, y2, ws)
    X3, y3 = rng.normal(size=(7, 2)), rng.integers(0, 2, 7).astype(float)
    ws.bind(X3, y3)                             # new N: rebuilt
    assert ws.n_samples == 7
    assert_matches(net, X3, y3, ws)


def test_lesson_network_and_flat_inputs():
    data = core.load_dataset("lesson", n=50, seed=0)
    for loss in ("squared_error", "binary_cross_entropy"):
        net = core.lesson_network(loss)
        ws = StepWorkspace(net, data.X, data.y)
        assert_matches(net, data.X, data.y, ws)


def test_empty_batch_is_refused():
    net = Network([2, 3, 1], "sigmoid")
    with pytest.raises(ValueError):
        StepWorkspace(net, np.zeros((0, 2)), np.zeros((0, 1)))


def test_blas_threads_are_restored_after_each_gradient():
    before = blas_threads()
    rng = np.random.default_rng(6)
    net = Network([2, 16, 16, 3], ["tanh", "tanh", "softmax"], "cross_entropy", seed=0)
    X, y = rng.normal(size=(500, 2)), np.eye(3)[rng.integers(0, 3, 500)]
    StepWorkspace(net, X, y, blas_threads=1).gradient()
    assert blas_threads() == before
    with blas_thread_limit(1):
        assert all(count == 1 for count in blas_threads().values())
    assert blas_threads() == before
    ws = StepWorkspace(net, X, y, blas_threads=None)   # never touches the setting
    assert_matches(net, X, y, ws)
    assert blas_threads() == before


def test_gradient_descent_with_the_workspace_follows_network_descent():
    """Twenty plain steps with each gradient: the same path to 1e-12."""
    rng = np.random.default_rng(7)
    net = Network([2, 8, 3], ["tanh", "softmax"], "cross_entropy", seed=0)
    twin = net.copy()
    X, y = rng.normal(size=(200, 2)), np.eye(3)[rng.integers(0, 3, 200)]
    ws = StepWorkspace(net, X, y)
    for _ in range(20):
        _, grad = ws.gradient()
        net.set_parameter_vector(ws.parameters - 0.5 * grad)
        twin.set_parameter_vector(twin.parameter_vector() - 0.5 * twin.gradient_vector(X, y))
    np.testing.assert_allclose(net.parameter_vector(), twin.parameter_vector(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activations, loss", [(["linear", "softmax"], "cross_entropy"),
                                               (["tanh", "linear"], "squared_error"),
                                               (["relu", "sigmoid"], "binary_cross_entropy")])
def test_overflow_raises_where_network_backward_raises(activations, loss):
    """GradientDescent runs the gradient under np.errstate(over="raise"): a blown-up step must be
    reported the same way, and the BLAS thread count restored even then."""
    rng = np.random.default_rng(8)
    net = Network([2, 4, 3], activations, loss, seed=0)
    X, y = rng.normal(size=(20, 2)), np.eye(3)[rng.integers(0, 3, 20)]
    ws = StepWorkspace(net, X, y)
    before = blas_threads()
    for W in net.weights:
        W *= 1e160
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with pytest.raises(FloatingPointError):
            net.backward(X, y)
        with pytest.raises(FloatingPointError):
            ws.gradient()
    assert blas_threads() == before
    for W in net.weights:
        W /= 1e160
    assert_matches(net, X, y, ws)               # usable again at sane parameters


# ---------------------------------------------------------------------------------- lanes
def lane_thetas(net, rng, lanes):
    """``lanes`` parameter vectors around the network's: lane 0 its own, the others moved apart."""
    theta = net.parameter_vector()
    return np.stack([theta] + [theta + rng.normal(0.0, 0.5, theta.shape) for _ in range(lanes - 1)])


@pytest.mark.parametrize("seed", range(80))
def test_every_lane_is_bit_for_bit_a_pass_of_its_own(seed):
    """A race computes its runs' gradients in one pass of stacked lanes; replay and a run trained
    alone use one lane. Both must give the same bits, or a race's run would not replay exactly."""
    net, X, y = random_case(seed)
    rng = np.random.default_rng(1000 + seed)
    thetas = lane_thetas(net, rng, int(rng.integers(2, 8)))
    with np.errstate(all="ignore"):
        ws = StepWorkspace(net, X, y)
        costs, grads = (a.copy() for a in ws.gradients(thetas))
        alone = StepWorkspace(net.copy(), X, y)
        for r, theta in enumerate(thetas):
            cost_r, grad_r = alone.gradients(theta[None, :])
            np.testing.assert_array_equal(grads[r], grad_r[0])
            assert costs[r] == cost_r[0] or (np.isnan(costs[r]) and np.isnan(cost_r[0]))
            probe = net.copy()                          # gradient(): the network's own parameters
            probe.set_parameter_vector(theta)
            cost_net, grad_net = StepWorkspace(probe, X, y).gradient()
            np.testing.assert_array_equal(grads[r], grad_net)
            assert cost_net == costs[r] or (np.isnan(cost_net) and np.isnan(costs[r]))
            assert_matches(probe, X, y, StepWorkspace(probe, X, y))   # and Network's numbers to 1e-12


def test_lanes_on_the_benchmark_shape_match_network_backward():
    rng = np.random.default_rng(11)
    net = Network([2, 16, 16, 3], ["tanh", "tanh", "softmax"], "cross_entropy", seed=3,
                  regularization="l2", regularization_rate=0.01)
    X = rng.normal(size=(1000, 2))
    y = np.eye(3)[rng.integers(0, 3, 1000)]
    thetas = lane_thetas(net, rng, 6)
    costs, grads = StepWorkspace(net, X, y).gradients(thetas)
    for theta, cost, grad in zip(thetas, costs, grads):
        probe = net.copy()
        probe.set_parameter_vector(theta)
        expected = probe.gradient_vector(X, y)
        assert abs(cost - probe.cost(X, y)) <= TOL * max(1.0, abs(cost))
        assert np.max(np.abs(grad - expected)) <= TOL * np.max(np.abs(expected))


def test_lane_count_changes_rebuild_and_bad_shapes_are_refused():
    rng = np.random.default_rng(12)
    net = Network([2, 5, 3], ["relu", "softmax"], "cross_entropy", seed=0)
    X, y = rng.normal(size=(30, 2)), np.eye(3)[rng.integers(0, 3, 30)]
    ws = StepWorkspace(net, X, y)
    six = lane_thetas(net, rng, 6)
    first = ws.gradients(six)[1].copy()
    assert ws.lanes == 6
    cost, grad = ws.gradient()                       # back to one lane: the network's parameters
    np.testing.assert_array_equal(grad, first[0])
    np.testing.assert_array_equal(ws.gradients(six[3:5])[1], first[3:5])
    with pytest.raises(ValueError, match="lanes"):
        ws.gradients(six[0])
    with pytest.raises(ValueError, match="parameters"):
        ws.gradients(six[:, :-1])
