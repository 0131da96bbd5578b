"""Network structure, parameters, activations, losses and gradients (against finite differences)."""
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import core
from tests.numerics import numeric_gradient

ROOT = Path(__file__).resolve().parent.parent


def assert_gradients_match(analytic, numeric, rtol=1e-6):
    scale = max(np.abs(numeric).max(), 1e-3)
    error = np.abs(analytic - numeric).max() / scale
    assert error < rtol, f"max relative error {error:.2e}\nanalytic {analytic}\nnumeric  {numeric}"


def random_problem(sizes, activations, loss, seed):
    rng = np.random.default_rng(seed)
    net = core.Network(sizes, activations, loss, seed=seed)
    net.set_parameter_vector(rng.normal(0, 1.0, net.parameter_count))
    X = rng.normal(0, 1.5, (17, sizes[0]))
    if loss == "binary_cross_entropy":
        y = rng.integers(0, 2, (17, sizes[-1])).astype(float)
        y[::3] = rng.uniform(0.05, 0.95, y[::3].shape)  # soft targets too
    else:
        y = rng.normal(0, 1.0, (17, sizes[-1]))
    return net, X, y


ARCHITECTURES = [
    ([1, 1, 1], ["sigmoid", "sigmoid"]),
    ([1, 3, 1], ["tanh", "sigmoid"]),
    ([1, 3, 1], ["relu", "linear"]),
    ([2, 4, 3, 1], ["sigmoid", "tanh", "sigmoid"]),
    ([2, 4, 3, 1], ["relu", "sigmoid", "linear"]),
    ([2, 3, 2], ["tanh", "sigmoid"]),
    ([3, 2, 2, 3], ["linear", "tanh", "sigmoid"]),
]


GRADIENT_CASES = [(sizes, acts, loss) for sizes, acts in ARCHITECTURES
                  for loss in ("squared_error", "binary_cross_entropy")
                  if loss == "squared_error" or acts[-1] == "sigmoid"]  # cross-entropy needs y_hat in (0, 1)


@pytest.mark.parametrize("sizes,activations,loss", GRADIENT_CASES, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_gradients_match_finite_differences(sizes, activations, loss, seed):
    net, X, y = random_problem(sizes, activations, loss, seed)
    assert_gradients_match(net.gradient_vector(X, y), numeric_gradient(net, X, y, h=1e-5))


def test_gradients_lists_match_vector_and_shapes():
    net, X, y = random_problem([2, 4, 3, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error", 3)
    dW, db = net.gradients(X, y)
    assert [g.shape for g in dW] == [w.shape for w in net.weights]
    assert [g.shape for g in db] == [b.shape for b in net.biases]
    flat = np.concatenate([p for W, b in zip(dW, db) for p in (W.ravel(), b)])
    np.testing.assert_array_equal(flat, net.gradient_vector(X, y))


def test_backward_keeps_consistent_local_derivatives():
    net, X, y = random_problem([2, 4, 3, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error", 4)
    bw = net.backward(X, y)
    for layer in range(net.depth):
        np.testing.assert_allclose(bw.deltas[layer], bw.dJ_da[layer] * bw.da_dz[layer], rtol=1e-14)
        expected_da_dz = net.activation(layer).derivative(bw.trace.zs[layer], bw.trace.activations[layer + 1])
        np.testing.assert_allclose(bw.da_dz[layer], expected_da_dz)
    # hidden dJ/da is the next layer's delta pushed back through its weights
    np.testing.assert_allclose(bw.dJ_da[1], bw.deltas[2] @ net.weights[2].T)
    np.testing.assert_allclose(bw.dJ_da[-1], bw.trace.output - y)
    assert bw.cost == pytest.approx(net.loss(X, y), rel=1e-15)


def test_sigmoid_cross_entropy_uses_the_exact_fused_delta_when_saturated():
    net = core.Network([1, 1], ["sigmoid"], "binary_cross_entropy")
    net.set("w1", 100.0)
    X, y = np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]])  # confidently wrong: z = +-100
    bw = net.backward(X, y)
    assert bw.cost == pytest.approx(100.0, rel=1e-12)  # log(1 + e^100) is 100, not a clipped 27.6
    np.testing.assert_allclose(bw.deltas[0][:, 0], [1.0, -1.0])
    dW, db = net.gradients(X, y)
    assert np.isfinite(dW[0]).all() and dW[0][0, 0] == pytest.approx(1.0)


# ----------------------------------------------------------------------------- structure and naming
def test_lesson_network_shape_and_names():
    net = core.lesson_network()
    assert net.sizes == (1, 1, 1)
    assert net.activations == ("sigmoid", "sigmoid")
    assert net.loss == "squared_error"
    assert net.parameter_names() == ["w1", "b1", "w2", "b2"]
    assert [w.shape for w in net.weights] == [(1, 1), (1, 1)]
    assert [b.shape for b in net.biases] == [(1,), (1,)]
    assert all(w.dtype == np.float64 for w in net.weights + net.biases)
    assert core.lesson_network("binary_cross_entropy").loss == "binary_cross_entropy"


def test_lesson_start_is_clearly_improvable():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    start = net.loss(data.X, data.y)
    assert start > 0.15  # worse than always answering 0.5 (0.125): it starts answering backwards
    assert np.abs(net.gradient_vector(data.X, data.y)).max() > 0.01  # on a slope, not a plateau


def test_parameter_names_for_wider_layers():
    net = core.Network([2, 3, 1], ["sigmoid", "sigmoid"], "squared_error")
    assert net.parameter_names() == [
        "w1.1.1", "w1.1.2", "w1.1.3", "w1.2.1", "w1.2.2", "w1.2.3", "b1.1", "b1.2", "b1.3",
        "w2.1.1", "w2.2.1", "w2.3.1", "b2"]
    assert net.locate("w1.2.3") == ("w", 0, 1, 2)
    assert net.locate("b1.2") == core.ParameterRef("b", 0, None, 1)
    assert net.locate("w2.3.1") == ("w", 1, 2, 0)
    assert net.locate("b2") == ("b", 1, None, 0)


def test_get_set_and_vector_follow_the_same_order():
    net = core.Network([2, 3, 2], ["tanh", "sigmoid"], "squared_error")
    names = net.parameter_names()
    for k, name in enumerate(names):
        net.set(name, 100.0 + k)
    np.testing.assert_array_equal(net.parameter_vector(), 100.0 + np.arange(len(names)))
    assert net.weights[0][1, 2] == net.get("w1.2.3") == 100.0 + names.index("w1.2.3")
    assert net.biases[1][1] == net.get("b2.2")
    v = np.linspace(-1, 1, len(names))
    net.set_parameter_vector(v)
    assert [net.get(n) for n in names] == pytest.approx(list(v))
    vec = net.parameter_vector()
    vec[0] = 999.0  # a copy: editing it must not touch the network
    assert net.get(names[0]) == v[0]


def test_unknown_names_are_clear_errors():
    net = core.lesson_network()
    with pytest.raises(ValueError, match=r"unknown parameter 'w3'.*w1, b1, w2, b2"):
        net.set("w3", 1.0)
    with pytest.raises(ValueError, match="w1, b1, w2, b2"):
        net.get("bias")
    with pytest.raises(ValueError, match="finite"):
        net.set("w1", float("nan"))
    with pytest.raises(ValueError, match="expected 4 parameters"):
        net.set_parameter_vector([1.0, 2.0])


def test_constructor_validation():
    with pytest.raises(ValueError, match="activation"):
        core.Network([1, 1], ["softsign"], "squared_error")
    with pytest.raises(ValueError, match="one per layer"):
        core.Network([1, 2, 1], ["sigmoid"], "squared_error")
    with pytest.raises(ValueError, match="loss"):
        core.Network([1, 1], ["sigmoid"], "hinge")
    with pytest.raises(ValueError, match="sizes"):
        core.Network([1], [], "squared_error")
    assert core.Network([1, 2, 1], "tanh").activations == ("tanh", "tanh")


def test_loss_is_a_settable_name_and_callable_cost():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    se = net.loss(data.X, data.y)
    p = net.predict(data.X)
    assert se == pytest.approx(np.mean(0.5 * (p - data.y) ** 2), rel=1e-14)
    net.loss = "binary_cross_entropy"
    assert net.loss == "binary_cross_entropy" and isinstance(net.loss, str)
    bce = net.loss(data.X, data.y)
    expected = -np.mean(data.y * np.log(p) + (1 - data.y) * np.log(1 - p))
    assert bce == pytest.approx(expected, rel=1e-12)
    assert json.loads(json.dumps({"loss": net.loss})) == {"loss": "binary_cross_entropy"}
    assert net.loss in core.LOSSES
    with pytest.raises(ValueError, match="squared_error"):
        net.loss = "mse"
    assert net.loss == "binary_cross_entropy"


def test_forward_trace_and_predict():
    net, X, y = random_problem([2, 4, 3, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error", 5)
    trace = net.forward(X)
    assert len(trace.zs) == 3 and len(trace.activations) == 4
    np.testing.assert_array_equal(trace.activations[0], X)
    assert [z.shape for z in trace.zs] == [(17, 4), (17, 3), (17, 1)]
    np.testing.assert_allclose(trace.zs[1], trace.activations[1] @ net.weights[1] + net.biases[1])
    np.testing.assert_allclose(trace.activations[2], np.tanh(trace.zs[1]))
    np.testing.assert_array_equal(net.predict(X), trace.output)
    assert net.predict(X[:, :2].copy()).shape == (17, 1)
    with pytest.raises(ValueError, match="shape"):
        net.predict(np.zeros((3, 5)))


def test_flat_data_is_accepted_for_one_input_and_output():
    data = core.load_dataset("regression")
    net = core.lesson_network()
    assert net.loss(data.X[:, 0], data.y[:, 0]) == net.loss(data.X, data.y)


def test_copy_is_independent_and_reinitialize_is_seeded():
    net = core.Network([2, 3, 1], ["sigmoid", "sigmoid"], "squared_error", seed=7)
    clone = net.copy()
    clone.set("w1.1.1", 42.0)
    clone.loss = "binary_cross_entropy"
    assert net.get("w1.1.1") != 42.0 and net.loss == "squared_error"
    first = net.parameter_vector()
    net.reinitialize(7)
    np.testing.assert_array_equal(net.parameter_vector(), first)
    net.reinitialize(8)
    assert not np.array_equal(net.parameter_vector(), first)
    assert np.all(net.biases[0] == 0)


# ----------------------------------------------------------------------------- activations
def test_sigmoid_is_stable_and_accurate():
    z = np.array([-1e4, -800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0, 1e4, 1e300, -1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            s = core.sigmoid(z)
    assert np.all((s >= 0) & (s <= 1))
    assert s[4] == 0.5 and s[0] == 0.0 and s[8] == 1.0
    assert s[2] == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-14)  # relative accuracy in the tail
    assert s[5] == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-15)
    np.testing.assert_allclose(core.sigmoid(z[:9]) + core.sigmoid(-z[:9]), 1.0, rtol=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_activation_derivatives_match_finite_differences(name):
    act = core.ACTIVATIONS[name]
    z = np.array([-3.1, -0.7, -0.2, 0.3, 0.9, 2.5])
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), numeric, rtol=1e-7, atol=1e-9)
    assert act.name == name and act.title and act.latex


def test_activation_registry():
    assert {"sigmoid", "tanh", "relu", "linear"} <= set(core.ACTIVATIONS)
    assert core.ACTIVATIONS["sigmoid"].latex == r"\sigma"


# ----------------------------------------------------------------------------- losses
@pytest.mark.parametrize("name", ["squared_error", "binary_cross_entropy"])
def test_loss_derivative_matches_finite_differences(name):
    loss = core.LOSSES[name]
    rng = np.random.default_rng(1)
    y_hat = rng.uniform(0.05, 0.95, (6, 2))
    y = rng.uniform(0, 1, (6, 2))
    h = 1e-6
    numeric = np.empty_like(y_hat)
    for idx in np.ndindex(y_hat.shape):
        up, down = y_hat.copy(), y_hat.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss.value(up, y)[idx[0]] - loss.value(down, y)[idx[0]]) / (2 * h)
    np.testing.assert_allclose(loss.derivative(y_hat, y), numeric, rtol=1e-7)
    assert loss.value(y_hat, y).shape == (6,)


def test_loss_values_and_titles():
    se, bce = core.LOSSES["squared_error"], core.LOSSES["binary_cross_entropy"]
    assert list(core.LOSSES) == ["squared_error", "binary_cross_entropy"]
    assert se.title == "Squared error" and bce.title == "Binary cross-entropy"
    assert se.latex == r"J = \frac{1}{2}\left(\hat{y} - y\right)^2"
    assert bce.latex == r"J = -\left[y \log \hat{y} + (1 - y)\log(1 - \hat{y})\right]"
    np.testing.assert_allclose(se.value(np.array([[0.2, 0.5]]), np.array([[1.0, 0.0]])), [0.5 * (0.64 + 0.25)])
    np.testing.assert_allclose(bce.value(np.array([[0.8]]), np.array([1.0])), [-np.log(0.8)])
    assert np.all(np.isfinite(bce.value(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]))))


def test_cross_entropy_from_logits_agrees_and_survives_extremes():
    bce = core.LOSSES["binary_cross_entropy"]
    z = np.array([-25.0, -2.0, 0.0, 0.5, 12.0])  # within |z| < 27 the clip of y_hat is never active
    y = np.array([0.0, 1.0, 1.0, 0.3, 0.0])
    np.testing.assert_allclose(bce.elementwise_from_logits(z, y), bce.elementwise(core.sigmoid(z), y), rtol=1e-9)
    with np.errstate(all="raise", under="ignore"):
        extreme = bce.elementwise_from_logits(np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    np.testing.assert_allclose(extreme, [800.0, 800.0])


# ----------------------------------------------------------------------------- start-up cost
def test_import_core_does_not_import_sympy():
    code = "import core, sys; assert 'sympy' not in sys.modules, 'sympy was imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_symbolic_module_loads_on_demand():
    code = ("import core, sys; assert 'sympy' not in sys.modules; "
            "f = core.symbolic.sigmoid; assert 'sympy' in sys.modules; print(f.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "sigmoid"
