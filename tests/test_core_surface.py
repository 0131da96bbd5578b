"""Cost surfaces and slices against plain point-by-point evaluation of the network's cost."""
import numpy as np
import pytest

import core
import core._output_kernels as kernels
import core.surface as surface


def pointwise_surface(net, X, y, name_a, va, name_b, vb):
    probe = net.copy()
    out = np.empty((len(va), len(vb)))
    for i, a in enumerate(va):
        for j, b in enumerate(vb):
            probe.set(name_a, a)
            probe.set(name_b, b)
            out[i, j] = probe.loss(X, y)
    return out


def pointwise_slice(net, X, y, name, values):
    probe = net.copy()
    out = []
    for v in values:
        probe.set(name, v)
        out.append(probe.loss(X, y))
    return np.array(out)


def check_surface(net, X, y, name_a, name_b, va=None, vb=None, rtol=1e-10):
    va = np.linspace(-3.0, 2.5, 7) if va is None else va
    vb = np.linspace(-1.5, 4.0, 5) if vb is None else vb  # not square: a transposed result cannot pass
    before = net.parameter_vector()
    grid = core.cost_surface(net, X, y, name_a, va, name_b, vb)
    np.testing.assert_array_equal(net.parameter_vector(), before)  # the net is not modified
    assert grid.shape == (len(va), len(vb)) and grid.dtype == np.float64
    np.testing.assert_allclose(grid, pointwise_surface(net, X, y, name_a, va, name_b, vb), rtol=rtol, atol=1e-13)
    return grid


LESSON_PAIRS = [("w1", "w2"), ("w2", "w1"), ("w1", "b1"), ("b1", "w1"), ("w2", "b2"), ("b2", "w2"),
                ("b1", "b2"), ("b1", "w2"), ("b2", "w1")]


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
@pytest.mark.parametrize("pair", LESSON_PAIRS, ids="-".join)
def test_lesson_surface_matches_pointwise(loss, pair):
    data = core.load_dataset("lesson")
    check_surface(core.lesson_network(loss), data.X, data.y, *pair)


@pytest.mark.parametrize("output", ["sigmoid", "tanh", "linear", "relu"])
@pytest.mark.parametrize("pair", [("w1", "w2"), ("w2", "b2"), ("b1", "b2")], ids="-".join)
def test_other_output_activations(output, pair):
    data = core.load_dataset("regression")
    net = core.Network([1, 1, 1], ["tanh", output], "squared_error")
    net.set_parameter_vector([0.7, -0.2, 1.1, 0.1])
    check_surface(net, data.X, data.y, *pair)


WIDE_PAIRS = [
    ("w1.1.1", "w1.2.3"),  # same layer, different neurons
    ("w1.1.2", "b1.2"),    # same neuron
    ("b1.1", "b1.3"),
    ("w2.1.1", "w1.1.1"),  # given in reverse layer order
    ("b2", "w2.2.1"),      # both in the output layer
    ("w1.2.2", "b2"),
]


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
@pytest.mark.parametrize("pair", WIDE_PAIRS, ids="-".join)
def test_two_three_one_network(loss, pair):
    rng = np.random.default_rng(5)
    net = core.Network([2, 3, 1], ["sigmoid", "sigmoid"], loss, seed=2)
    net.set_parameter_vector(rng.normal(0, 1, net.parameter_count))
    X = rng.normal(0, 1, (23, 2))
    y = (X[:, :1] + X[:, 1:] > 0).astype(float)
    check_surface(net, X, y, *pair)


@pytest.mark.parametrize("pair", [("w1.1.1", "w2.2.3"), ("b2.1", "w1.2.4"), ("w2.1.1", "w2.4.3"),
                                  ("w3.2.1", "b1.4"), ("b3", "w3.1.1"),
                                  ("w1.1.1", "b1.3"), ("w1.2.1", "w1.1.4")],  # generic: a wide layer follows
                         ids="-".join)
def test_deeper_network_hidden_pairs(pair):
    rng = np.random.default_rng(9)
    net = core.Network([2, 4, 3, 1], ["tanh", "relu", "sigmoid"], "squared_error", seed=1)
    net.set_parameter_vector(rng.normal(0, 1, net.parameter_count))
    X = rng.normal(0, 1, (19, 2))
    y = rng.uniform(0, 1, (19, 1))
    check_surface(net, X, y, *pair)


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
@pytest.mark.parametrize("pair", [("w2.1.2", "b2.1"), ("w2.3.2", "w2.1.2"), ("w1.1.1", "w2.2.1"),
                                  ("b1.2", "b2.2"), ("w1.1.1", "b1.2")], ids="-".join)
def test_several_outputs(loss, pair):
    rng = np.random.default_rng(11)
    net = core.Network([2, 3, 2], ["tanh", "sigmoid"], loss)
    net.set_parameter_vector(rng.normal(0, 1, net.parameter_count))
    X = rng.normal(0, 1, (15, 2))
    y = rng.integers(0, 2, (15, 2)).astype(float)
    check_surface(net, X, y, *pair)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "linear"])
@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_single_path_through_several_layers(hidden, loss):
    """[1, 1, 1, 1]: a parameter in layer 1 reaches the cost through two more one-neuron layers."""
    data = core.load_dataset("lesson")
    net = core.Network([1, 1, 1, 1], [hidden, hidden, "sigmoid"], loss)
    net.set_parameter_vector([1.3, -0.4, -0.9, 0.6, 2.1, -0.3])
    for pair in [("w1", "b1"), ("w1", "w2"), ("b2", "w1"), ("w3", "b3"), ("b1", "w3")]:
        check_surface(net, data.X, data.y, *pair)


def test_small_blocks_exercise_every_chunk_boundary(monkeypatch):
    """Tiny working sizes force many blocks with ragged remainders through every loop."""
    monkeypatch.setattr(kernels, "_BLOCK", 37)
    monkeypatch.setattr(surface, "_GENERIC_CHUNK", 53)
    monkeypatch.setattr(surface, "_ROW_CHUNK", 41)
    data = core.load_dataset("lesson")
    for loss in ("squared_error", "binary_cross_entropy"):
        net = core.lesson_network(loss)
        va, vb = np.linspace(-4, 4, 11), np.linspace(-3, 3, 9)
        for pair in (("w1", "w2"), ("w1", "b1"), ("b2", "w2")):
            check_surface(net, data.X, data.y, *pair, va=va, vb=vb)
        np.testing.assert_allclose(core.cost_slice(net, data.X, data.y, "w1", va),
                                   pointwise_slice(net, data.X, data.y, "w1", va), rtol=1e-12)
    rng = np.random.default_rng(4)
    net = core.Network([2, 3, 2], ["tanh", "sigmoid"], "squared_error")
    net.set_parameter_vector(rng.normal(0, 1, net.parameter_count))
    X, y = rng.normal(0, 1, (13, 2)), rng.uniform(0, 1, (13, 2))
    for pair in (("w1.1.1", "b1.2"), ("w1.2.3", "w2.3.1"), ("b2.2", "b2.1")):
        check_surface(net, X, y, *pair, va=va, vb=vb)


def test_far_out_values_stay_accurate():
    """Large |z| takes cross-entropy off its fast path; saturated sigmoids must not lose the cost."""
    data = core.load_dataset("lesson")
    va = np.array([-900.0, -50.0, 0.0, 30.0, 700.0])
    vb = np.array([-800.0, -2.0, 1.0, 600.0])
    for loss in ("squared_error", "binary_cross_entropy"):
        grid = check_surface(core.lesson_network(loss), data.X, data.y, "w2", "b2", va=va, vb=vb, rtol=1e-9)
        assert np.all(np.isfinite(grid))
        check_surface(core.lesson_network(loss), data.X, data.y, "w1", "w2", va=va, vb=vb, rtol=1e-9)


def test_surface_values_mean_what_they_say():
    """Independent of the network code: J(w1, w2) of the lesson net written out by hand."""
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    w1, w2 = np.linspace(-5, 5, 4), np.linspace(-6, 6, 3)
    b1, b2 = net.get("b1"), net.get("b2")
    x, y = data.X[:, 0], data.y[:, 0]
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    expected = np.array([[np.mean(0.5 * (sig(q * sig(p * x + b1) + b2) - y) ** 2) for q in w2] for p in w1])
    np.testing.assert_allclose(core.cost_surface(net, data.X, data.y, "w1", w1, "w2", w2), expected, rtol=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_slices_match_pointwise(loss):
    rng = np.random.default_rng(2)
    net = core.Network([2, 3, 1], ["tanh", "sigmoid"], loss)
    net.set_parameter_vector(rng.normal(0, 1, net.parameter_count))
    X = rng.normal(0, 1, (21, 2))
    y = rng.integers(0, 2, (21, 1)).astype(float)
    values = np.linspace(-4, 4, 13)
    before = net.parameter_vector()
    for name in net.parameter_names():
        got = core.cost_slice(net, X, y, name, values)
        assert got.shape == (13,)
        np.testing.assert_allclose(got, pointwise_slice(net, X, y, name, values), rtol=1e-12)
    np.testing.assert_array_equal(net.parameter_vector(), before)


def test_surface_at_current_values_is_the_current_cost():
    data = core.load_dataset("regression")
    net = core.lesson_network()
    grid = core.cost_surface(net, data.X, data.y, "b1", [net.get("b1")], "w2", [net.get("w2")])
    assert grid[0, 0] == pytest.approx(net.loss(data.X, data.y), rel=1e-13)


def test_bad_requests():
    data = core.load_dataset("lesson")
    net = core.lesson_network()
    with pytest.raises(ValueError, match="two different parameters"):
        core.cost_surface(net, data.X, data.y, "w1", [0.0], "w1", [1.0])
    with pytest.raises(ValueError, match="unknown parameter"):
        core.cost_surface(net, data.X, data.y, "w1", [0.0], "w5", [1.0])
    with pytest.raises(ValueError, match="empty"):
        core.cost_slice(net, data.X, data.y, "w1", [])
