"""Issue 4 ("any small network"): new activations and losses, regularization, initialisations and
structural edits — every gradient checked against central finite differences."""
import warnings

import numpy as np
import pytest

import core
from tests.numerics import numeric_gradient
from core.activations import ACTIVATIONS, log_softmax, softmax
from core.losses import ALL_LOSSES, LOSSES
from core.network import Network, lesson_network

ELEMENTWISE = ["sigmoid", "tanh", "relu", "linear", "leaky_relu", "elu", "softplus"]
SMOOTH_HIDDEN = ["sigmoid", "tanh", "elu", "softplus", "linear"]
KINKED_HIDDEN = ["relu", "leaky_relu"]


def rel_err(a, b):
    return np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a)) + np.max(np.abs(b)))


def data_for(net, rng, n=7, one_hot=False, unit=False):
    X = rng.normal(0.0, 1.0, (n, net.sizes[0]))
    k = net.sizes[-1]
    if one_hot:
        y = np.eye(k)[rng.integers(0, k, n)]
    elif unit:
        y = rng.uniform(0.0, 1.0, (n, k))
    else:
        y = rng.normal(0.0, 1.0, (n, k))
    return X, y


def away_from_kinks(net, X, margin=1e-5):
    """True when no pre-activation sits within ``margin`` of a kink (relu, leaky relu, elu at 0)."""
    trace = net.forward(X)
    return all(np.min(np.abs(z)) > margin for z in trace.zs)


def check_gradient(net, X, y, tol=1e-6):
    analytic = net.gradient_vector(X, y)
    numeric = numeric_gradient(net, X, y)
    assert rel_err(analytic, numeric) < tol, (net, rel_err(analytic, numeric))


# ----------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", ["leaky_relu", "elu", "softplus"])
def test_new_activation_derivatives_match_finite_differences(name):
    act = ACTIVATIONS[name]
    z = np.array([-3.1, -0.7, -0.2, 0.3, 0.9, 2.5])
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), numeric, rtol=1e-7, atol=1e-9)
    assert act.title and act.latex and act.elementwise


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "softplus"])
def test_new_activation_symbolic_forms_agree_with_numbers(name):
    import sympy
    act = ACTIVATIONS[name]
    t = sympy.Symbol("t", real=True)
    for value in (-1.3, 0.4, 2.0):
        assert float(act.symbolic(t).subs(t, value).evalf()) == pytest.approx(float(act.forward(value)), rel=1e-12)
        assert float(act.symbolic_derivative(t).subs(t, value).evalf()) == pytest.approx(
            float(act.derivative(np.array(value), act.forward(value))), rel=1e-12)
        # the derivative the lesson writes is the derivative of the function
        diff = sympy.diff(act.symbolic(t), t).subs(t, value)
        assert float(diff.evalf()) == pytest.approx(float(act.symbolic_derivative(t).subs(t, value).evalf()))


def test_activation_values():
    la, elu, sp = ACTIVATIONS["leaky_relu"], ACTIVATIONS["elu"], ACTIVATIONS["softplus"]
    np.testing.assert_allclose(la.forward([-2.0, 3.0]), [-0.02, 3.0])
    np.testing.assert_allclose(elu.forward([-1.0, 3.0]), [np.expm1(-1.0), 3.0])
    np.testing.assert_allclose(sp.forward([0.0]), [np.log(2.0)])


def test_sigmoid_softplus_elu_softmax_never_overflow():
    z = np.array([-1e300, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            s = core.sigmoid(z)
            sp = ACTIVATIONS["softplus"].forward(z)
            dsp = ACTIVATIONS["softplus"].derivative(z, sp)
            e = ACTIVATIONS["elu"].forward(z)
            de = ACTIVATIONS["elu"].derivative(z, e)
            sm = softmax(np.array([[-1000.0, 0.0, 1000.0]]))
            ls = log_softmax(np.array([[-1000.0, 0.0, 1000.0]]))
    for arr in (s, sp, dsp, e, de, sm, ls):
        assert np.all(np.isfinite(arr))
    assert sp[-2] == 1000.0 and sp[1] == 0.0
    np.testing.assert_allclose(sm, [[0.0, 0.0, 1.0]])
    np.testing.assert_allclose(ls, [[-2000.0, -1000.0, 0.0]])


def test_softmax_jacobian_product_matches_finite_differences():
    act = ACTIVATIONS["softmax"]
    assert not act.elementwise
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 5))
    g = rng.normal(size=(4, 5))
    a = act.forward(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    vjp = act.backward(z, a, g)
    h = 1e-6
    numeric = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = ((act.forward(up) - act.forward(down))[idx[0]] @ g[idx[0]]) / (2 * h)
    np.testing.assert_allclose(vjp, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(act.derivative(z, a), a * (1 - a))  # the Jacobian's diagonal


# ----------------------------------------------------------------------------- losses
def test_lesson_loss_registry_unchanged_and_cross_entropy_available():
    assert list(LOSSES) == ["squared_error", "binary_cross_entropy"]
    assert list(ALL_LOSSES) == ["squared_error", "binary_cross_entropy", "cross_entropy"]
    assert core.ALL_LOSSES is ALL_LOSSES
    ce = ALL_LOSSES["cross_entropy"]
    assert ce.title == "Cross-entropy" and ce.logit_activation == "softmax"
    y = np.array([[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(ce.value(np.array([[0.2, 0.5, 0.3]]), y), [-np.log(0.5)])
    z = np.array([[0.3, -1.0, 2.0]])
    np.testing.assert_allclose(ce.elementwise_from_logits(z, y).sum(), -np.log(softmax(z)[0, 1]))


def test_cross_entropy_derivative_matches_finite_differences():
    ce = ALL_LOSSES["cross_entropy"]
    rng = np.random.default_rng(2)
    y_hat = rng.uniform(0.05, 0.95, (5, 3))
    y = np.eye(3)[rng.integers(0, 3, 5)]
    h = 1e-6
    numeric = np.empty_like(y_hat)
    for idx in np.ndindex(y_hat.shape):
        up, down = y_hat.copy(), y_hat.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (ce.value(up, y)[idx[0]] - ce.value(down, y)[idx[0]]) / (2 * h)
    np.testing.assert_allclose(ce.derivative(y_hat, y), numeric, rtol=1e-7, atol=1e-12)
    import sympy
    a, t = sympy.symbols("a t", positive=True)
    assert sympy.simplify(sympy.diff(ce.symbolic(a, t), a) - ce.symbolic_derivative(a, t)) == 0


def test_softmax_cross_entropy_stable_at_extreme_logits():
    net = Network([2, 3], "softmax", "cross_entropy")
    net.weights[0][...] = 0.0
    net.biases[0][...] = [1000.0, -1000.0, 0.0]
    X = np.array([[0.1, 0.2], [0.3, -0.1]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            cost = net.cost(X, y)
            bw = net.backward(X, y)
    assert np.isfinite(cost)
    assert cost == pytest.approx((2000.0 + 0.0) / 2)  # sample 0: 1000 - (-1000); sample 1: 0
    for g in (*bw.dW, *bw.db):
        assert np.all(np.isfinite(g))
    # gradient of the mean cost w.r.t. the biases: mean of a - y
    a = softmax(net.biases[0])
    np.testing.assert_allclose(bw.db[0], (a - y).mean(axis=0), atol=1e-15)
    # and a finite-difference check there (the cost is linear in the biases at this saturation)
    check_gradient(net, X, y)


# ----------------------------------------------------------------------------- gradients
ARCHS = [[2, 3], [1, 4, 1], [2, 5, 3], [3, 4, 4, 2], [2, 16, 16, 3]]


@pytest.mark.parametrize("sizes", ARCHS)
@pytest.mark.parametrize("hidden", SMOOTH_HIDDEN + KINKED_HIDDEN)
@pytest.mark.parametrize("output,loss", [("linear", "squared_error"), ("sigmoid", "binary_cross_entropy"),
                                         ("softmax", "cross_entropy"), ("tanh", "squared_error"),
                                         ("softmax", "squared_error"), ("sigmoid", "cross_entropy")])
def test_gradients_match_finite_differences(sizes, hidden, output, loss):
    seed = sum(sizes) * 31 + len(hidden) * 7 + len(output) + len(loss)
    rng = np.random.default_rng(seed)
    acts = [hidden] * (len(sizes) - 2) + [output]
    net = Network(sizes, acts, loss, seed=seed)
    for b in net.biases:
        b[...] = rng.normal(0.0, 0.3, b.shape)
    X, y = data_for(net, rng, one_hot=loss == "cross_entropy", unit=loss != "squared_error")
    if hidden in KINKED_HIDDEN and not away_from_kinks(net, X):
        pytest.skip("a pre-activation sits on a kink")
    check_gradient(net, X, y)


@pytest.mark.parametrize("seed", range(16))
def test_random_architectures_match_finite_differences(seed):
    rng = np.random.default_rng(1000 + seed)
    depth = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 3))] + [int(rng.integers(1, 17)) for _ in range(depth - 1)] + [int(rng.integers(1, 4))]
    hidden = [str(rng.choice(ELEMENTWISE)) for _ in range(depth - 1)]
    output, loss = [("linear", "squared_error"), ("sigmoid", "binary_cross_entropy"),
                    ("softmax", "cross_entropy"), ("elu", "squared_error")][seed % 4]
    reg = [None, "l1", "l2"][seed % 3]
    net = Network(sizes, hidden + [output], loss, seed=seed, regularization=reg, regularization_rate=0.02,
                  init=["xavier", "he", "small"][seed % 3])
    for W in net.weights:
        W[np.abs(W) < 1e-4] = 1e-3  # L1 away from 0
    for b in net.biases:
        b[...] = rng.normal(0.0, 0.3, b.shape)
    X, y = data_for(net, rng, one_hot=loss == "cross_entropy", unit=loss != "squared_error")
    if not away_from_kinks(net, X):
        pytest.skip("a pre-activation sits on a kink")
    check_gradient(net, X, y)


@pytest.mark.parametrize("hidden", ELEMENTWISE)
def test_every_activation_as_output(hidden):
    rng = np.random.default_rng(5)
    net = Network([2, 4, 2], ["tanh", hidden], "squared_error", seed=5)
    X, y = data_for(net, rng)
    if hidden in KINKED_HIDDEN and not away_from_kinks(net, X):
        pytest.skip("a pre-activation sits on a kink")
    check_gradient(net, X, y)


def test_softmax_in_a_hidden_layer_backpropagates_its_jacobian():
    rng = np.random.default_rng(9)
    net = Network([2, 4, 3, 1], ["tanh", "softmax", "linear"], "squared_error", seed=9)
    X, y = data_for(net, rng)
    check_gradient(net, X, y)


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("sizes,acts,loss", [([2, 5, 3], ["tanh", "softmax"], "cross_entropy"),
                                             ([2, 16, 16, 3], ["elu", "softplus", "linear"], "squared_error"),
                                             ([1, 1, 1], ["sigmoid", "sigmoid"], "binary_cross_entropy")])
def test_regularized_gradients_match_finite_differences(kind, sizes, acts, loss):
    rng = np.random.default_rng(len(sizes) + len(kind))
    net = Network(sizes, acts, loss, seed=4, regularization=kind, regularization_rate=0.05)
    for W in net.weights:  # L1 is not differentiable at 0: keep the weights away from it
        W[np.abs(W) < 1e-3] = 0.05
    X, y = data_for(net, rng, one_hot=loss == "cross_entropy", unit=loss != "squared_error")
    check_gradient(net, X, y)
    plain = net.copy()
    plain.regularization = None
    w = np.concatenate([W.ravel() for W in net.weights])
    expected = 0.05 * (np.abs(w).sum() if kind == "l1" else 0.5 * (w * w).sum())
    assert net.cost(X, y) == pytest.approx(plain.cost(X, y) + expected, rel=1e-12)
    assert net.backward(X, y).cost == pytest.approx(net.cost(X, y), rel=1e-12)
    # biases are not regularized
    for gb, pb in zip(net.gradients(X, y)[1], plain.gradients(X, y)[1]):
        np.testing.assert_allclose(gb, pb)
    # the chain's gradient (from backprop) includes the penalty
    name = net.parameter_names()[0]
    assert net.chain(name, X, y).gradient == pytest.approx(net.gradient_vector(X, y)[0], rel=1e-12)


def test_regularization_validation_and_training():
    with pytest.raises(ValueError):
        Network([1, 2, 1], "tanh", regularization="l3")
    with pytest.raises(ValueError):
        Network([1, 2, 1], "tanh", regularization="l2", regularization_rate=-1)
    rng = np.random.default_rng(0)
    net = Network([2, 6, 1], ["tanh", "linear"], regularization="l2", regularization_rate=0.1, seed=1)
    X, y = data_for(net, rng, n=20)
    gd = core.GradientDescent(net, X, y, 0.1)
    before = gd.cost
    after = gd.step(200)
    assert after < before and after == pytest.approx(net.cost(X, y))


# ----------------------------------------------------------------------------- initialisation
def test_default_init_keeps_todays_numbers():
    a = Network([2, 3, 1], "sigmoid", seed=7)
    rng = np.random.default_rng(7)
    expected = [rng.normal(0.0, np.sqrt(2.0 / 5), (2, 3)), rng.normal(0.0, np.sqrt(2.0 / 4), (3, 1))]
    for W, E in zip(a.weights, expected):
        np.testing.assert_array_equal(W, E)
    np.testing.assert_array_equal(Network([2, 3, 1], "sigmoid", seed=7, init="xavier").parameter_vector(),
                                  a.parameter_vector())
    lesson = lesson_network()
    assert lesson.parameter_vector().tolist() == [-1.5, 0.5, 2.0, -0.5]
    assert lesson.regularization is None and lesson.init == "xavier"
    assert repr(lesson) == "Network(sizes=[1, 1, 1], activations=['sigmoid', 'sigmoid'], loss='squared_error')"


def test_init_schemes():
    he = Network([50, 40, 3], "relu", seed=1, init="he")
    assert np.std(he.weights[0]) == pytest.approx(np.sqrt(2.0 / 50), rel=0.1)
    small = Network([50, 40, 3], "relu", seed=1, init="small")
    assert np.std(small.weights[0]) == pytest.approx(0.01, rel=0.1)
    zero = Network([3, 4, 2], "tanh", seed=1, init="zero")
    assert not np.any(zero.parameter_vector())
    zero.reinitialize(2, init="he")
    assert zero.init == "he" and np.all(zero.weights[0] != 0)
    with pytest.raises(ValueError):
        Network([1, 1], "tanh", init="glorot-ish")
    # seeded: same seed, same weights
    np.testing.assert_array_equal(Network([3, 4, 2], "tanh", seed=3, init="he").parameter_vector(),
                                  Network([3, 4, 2], "tanh", seed=3, init="he").parameter_vector())


# ----------------------------------------------------------------------------- structural edits
def test_add_and_remove_neuron_keep_other_weights():
    net = Network([2, 3, 2, 1], ["tanh", "relu", "sigmoid"], seed=0)
    W = [w.copy() for w in net.weights]
    b = [x.copy() for x in net.biases]
    net.add_neuron(1)
    assert net.sizes == (2, 3, 3, 1)
    assert [w.shape for w in net.weights] == [(2, 3), (3, 3), (3, 1)]
    np.testing.assert_array_equal(net.weights[0], W[0])
    np.testing.assert_array_equal(net.weights[1][:, :2], W[1])
    np.testing.assert_array_equal(net.weights[2][:2], W[2])
    np.testing.assert_array_equal(net.biases[1], np.append(b[1], 0.0))
    assert "w2.3.3" in net.parameter_names() and "w3.3" not in net.parameter_names()
    assert net.parameter_count == 2 * 3 + 3 + 3 * 3 + 3 + 3 + 1
    net.remove_neuron(0, 1)
    assert net.sizes == (2, 2, 3, 1)
    np.testing.assert_array_equal(net.weights[0], W[0][:, [0, 2]])
    np.testing.assert_array_equal(net.weights[1][:, :2], W[1][[0, 2]])
    np.testing.assert_array_equal(net.biases[0], b[0][[0, 2]])
    with pytest.raises(IndexError):
        net.add_neuron(2)  # the output layer's size is fixed by the data
    with pytest.raises(IndexError):
        net.remove_neuron(0, 5)
    one = Network([1, 1, 1], "sigmoid")
    with pytest.raises(ValueError):
        one.remove_neuron(0, 0)


def test_add_and_remove_layer_keep_other_weights():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    W0, W1, b1 = net.weights[0].copy(), net.weights[1].copy(), net.biases[1].copy()
    net.add_layer(1, 4, "elu")
    assert net.sizes == (2, 3, 4, 1) and net.activations == ("tanh", "elu", "sigmoid")
    assert [w.shape for w in net.weights] == [(2, 3), (3, 4), (4, 1)]
    np.testing.assert_array_equal(net.weights[0], W0)
    np.testing.assert_array_equal(net.biases[2], b1)  # the output neuron keeps its bias
    assert net.parameter_names()[-1] == "b3"
    W2 = net.weights[2].copy()
    net.add_layer(0, 2, "relu")
    assert net.sizes == (2, 2, 3, 4, 1)
    np.testing.assert_array_equal(net.weights[3], W2)
    net.remove_layer(2)  # the 4-neuron elu layer
    assert net.sizes == (2, 2, 3, 1) and net.activations == ("relu", "tanh", "sigmoid")
    np.testing.assert_array_equal(net.biases[-1], b1)
    net.remove_layer(0)
    assert net.sizes == (2, 3, 1)
    # the relu layer had as many neurons as the inputs: the tanh layer's weights were kept throughout
    np.testing.assert_array_equal(net.weights[0], W0)
    assert net.weights[1].shape == W1.shape
    with pytest.raises(IndexError):
        net.remove_layer(1)  # the output layer
    with pytest.raises(IndexError):
        net.add_layer(2, 3, "tanh")
    with pytest.raises(ValueError):
        net.add_layer(0, 3, "swish")


def test_training_continues_after_structural_edits():
    rng = np.random.default_rng(1)
    net = Network([2, 4, 3], ["tanh", "softmax"], "cross_entropy", seed=2)
    X, y = data_for(net, rng, n=30, one_hot=True)
    gd = core.GradientDescent(net, X, y, 0.5)
    gd.step(20)
    net.add_neuron(0)
    net.add_layer(1, 5, "softplus")
    gd = core.GradientDescent(net, X, y, 0.5)
    before = gd.cost
    assert gd.step(50) < before
    check_gradient(net, X, y)
    net.remove_neuron(1, 2)
    net.remove_layer(0)
    check_gradient(net, X, y)
    assert net.gradient_vector(X, y).shape == (net.parameter_count,)


def test_copy_is_independent_after_edits():
    net = Network([2, 3, 1], "tanh", seed=0, regularization="l1")
    clone = net.copy()
    clone.add_neuron(0)
    assert net.sizes == (2, 3, 1) and clone.sizes == (2, 4, 1)
    assert clone.regularization == "l1"


# ----------------------------------------------------------------------------- cost surface
def pointwise_surface(net, X, y, a, va, b, vb):
    probe = net.copy()
    out = np.empty((len(va), len(vb)))
    for i, x in enumerate(va):
        for j, v in enumerate(vb):
            probe.set(a, x)
            probe.set(b, v)
            out[i, j] = probe.cost(X, y)
    return out


@pytest.mark.parametrize("pair", [("w1.1.1", "w2.2.3"), ("w2.1.1", "b2.2"), ("b1.1", "w1.2.3"),
                                  ("w1.1.2", "b1.3")])
def test_cost_surface_softmax_cross_entropy(pair):
    rng = np.random.default_rng(0)
    net = Network([2, 3, 3], ["tanh", "softmax"], "cross_entropy", seed=1)
    X, y = data_for(net, rng, n=11, one_hot=True)
    va, vb = np.linspace(-3, 3, 5), np.linspace(-2, 4, 4)
    got = core.cost_surface(net, X, y, pair[0], va, pair[1], vb)
    np.testing.assert_allclose(got, pointwise_surface(net, X, y, pair[0], va, pair[1], vb), rtol=1e-10)
    sl = core.cost_slice(net, X, y, pair[0], va)
    probe = net.copy()
    expect = []
    for x in va:
        probe.set(pair[0], x)
        expect.append(probe.cost(X, y))
    np.testing.assert_allclose(sl, expect, rtol=1e-10)


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("sizes,acts,loss,pair", [
    ([1, 1, 1], ["sigmoid", "sigmoid"], "squared_error", ("w1", "w2")),
    ([1, 1, 1], ["sigmoid", "sigmoid"], "binary_cross_entropy", ("b1", "w2")),
    ([2, 3, 1], ["elu", "linear"], "squared_error", ("w2.3.1", "w1.2.1")),
    ([2, 3, 3], ["leaky_relu", "softmax"], "cross_entropy", ("b2.1", "w2.1.2")),
])
def test_cost_surface_regularized(kind, sizes, acts, loss, pair):
    rng = np.random.default_rng(4)
    net = Network(sizes, acts, loss, seed=3, regularization=kind, regularization_rate=0.3)
    X, y = data_for(net, rng, n=9, one_hot=loss == "cross_entropy", unit=loss != "squared_error")
    va, vb = np.linspace(-2, 2, 5), np.linspace(-1, 3, 6)
    got = core.cost_surface(net, X, y, pair[0], va, pair[1], vb)
    np.testing.assert_allclose(got, pointwise_surface(net, X, y, pair[0], va, pair[1], vb), rtol=1e-10)
    got_t = core.cost_surface(net, X, y, pair[1], vb, pair[0], va)
    np.testing.assert_allclose(got_t, got.T, rtol=1e-12)
    sl = core.cost_slice(net, X, y, pair[1], vb)
    np.testing.assert_allclose(sl, pointwise_surface(net, X, y, pair[0], [net.get(pair[0])], pair[1], vb)[0],
                               rtol=1e-10)


def test_chain_on_softmax_output_keeps_backprop_gradient():
    rng = np.random.default_rng(0)
    net = Network([2, 3, 3], ["tanh", "softmax"], "cross_entropy", seed=1)
    X, y = data_for(net, rng, n=5, one_hot=True)
    grad = dict(zip(net.parameter_names(), net.gradient_vector(X, y)))
    for name in ("w1.1.1", "b2.2", "w2.3.1"):
        assert net.chain(name, X, y).gradient == pytest.approx(grad[name], rel=1e-12)


@pytest.mark.parametrize("sizes,acts,loss,pair", [
    ([2, 3, 1, 1], ["tanh", "softmax", "sigmoid"], "squared_error", ("w1.1.2", "w2.2.1")),
    ([1, 2, 1], ["softplus", "elu"], "squared_error", ("w1.1.1", "w2.2.1")),
    ([1, 2, 1], ["leaky_relu", "softplus"], "squared_error", ("b1.2", "b2")),
    ([2, 3, 2], ["elu", "sigmoid"], "cross_entropy", ("w2.1.1", "w2.3.2")),
    ([1, 1, 1], ["sigmoid", "softmax"], "cross_entropy", ("w1", "w2")),
])
def test_cost_surface_new_activations_match_pointwise(sizes, acts, loss, pair):
    rng = np.random.default_rng(8)
    net = Network(sizes, acts, loss, seed=2)
    X, y = data_for(net, rng, n=10, one_hot=loss == "cross_entropy", unit=loss != "squared_error")
    va, vb = np.linspace(-2, 2, 4), np.linspace(-3, 1, 5)
    got = core.cost_surface(net, X, y, pair[0], va, pair[1], vb)
    np.testing.assert_allclose(got, pointwise_surface(net, X, y, pair[0], va, pair[1], vb), rtol=1e-10)


@pytest.mark.parametrize("sizes,acts,loss", [
    ([2, 3, 3], ["tanh", "softmax"], "cross_entropy"),
    ([2, 3, 3], ["elu", "softmax"], "squared_error"),
    ([2, 4, 3, 1], ["tanh", "softmax", "linear"], "squared_error"),
    ([1, 2, 1, 1], ["softplus", "leaky_relu", "sigmoid"], "binary_cross_entropy"),
])
def test_chain_product_equals_gradient_for_new_layers(sizes, acts, loss):
    rng = np.random.default_rng(6)
    net = Network(sizes, acts, loss, seed=3)
    X, y = data_for(net, rng, n=6, one_hot=loss == "cross_entropy", unit=loss != "squared_error")
    grad = dict(zip(net.parameter_names(), net.gradient_vector(X, y)))
    for name in net.parameter_names():
        chain = net.chain(name, X, y)
        assert chain.product == pytest.approx(grad[name], rel=1e-10, abs=1e-14), name
        assert chain.gradient == pytest.approx(grad[name], rel=1e-12, abs=1e-15), name
        at = net.chain(name, X, y, sample=2)
        assert at.product == pytest.approx(np.prod([f.values[2] for f in at.factors]), rel=1e-13)
        for f in chain.factors:
            assert f.formula is not None
    top = net.chain(net.parameter_names()[-1], X, y).factors[0]
    if acts[-1] == "softmax":
        assert top.kind == "aggregate" and top.bottom.startswith("z")


def test_bounded_activations_say_their_bounds_and_keep_to_them():
    z = np.linspace(-50, 50, 1001)
    for name, activation in core.ACTIVATIONS.items():
        if activation.bounds is None:
            continue
        low, high = activation.bounds
        a = activation.forward(z[None, :].repeat(3, axis=0).T) if name == "softmax" else activation.forward(z)
        assert np.all((low <= a) & (a <= high)), name
    assert {n for n, a in core.ACTIVATIONS.items() if a.bounds} == {"sigmoid", "tanh", "softmax"}
