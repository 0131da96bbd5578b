"""Fields over the input plane and curves over x: equal to net.predict / the forward pass, image-shaped."""
import numpy as np
import pytest

import core
from core.fields import (confidence_and_class, decision_field, neuron_curves, neuron_fields, output_kind,
                         prediction_curve)


def test_decision_field_matches_predict_at_grid_points():
    net = core.Network([2, 5, 3], ["tanh", "softmax"], "cross_entropy", seed=2)
    field = decision_field(net, (-2, 3), (-1, 1), resolution=17)
    assert field.values.shape == (17, 17, 3) and field.kind == "probability"
    np.testing.assert_allclose(field.xs, np.linspace(-2, 3, 17))
    np.testing.assert_allclose(field.ys, np.linspace(-1, 1, 17))
    for r, c in [(0, 0), (3, 11), (16, 16), (16, 0)]:
        point = np.array([[field.xs[c], field.ys[r]]])
        np.testing.assert_allclose(field.values[r, c], net.predict(point)[0], rtol=1e-13)
    np.testing.assert_allclose(field.values.sum(axis=-1), 1.0)
    assert decision_field(net, (0, 1), (0, 1)).values.shape == (64, 64, 3)


def test_output_kinds():
    assert output_kind(core.Network([2, 1], "sigmoid")) == "probability"
    assert output_kind(core.Network([2, 3, 1], ["relu", "linear"])) == "value"
    regressor = core.Network([2, 3, 1], ["relu", "linear"], seed=1)
    assert decision_field(regressor, (-1, 1), (-1, 1), 8).kind == "value"


def test_neuron_fields_are_the_activations():
    net = core.Network([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], "binary_cross_entropy", seed=4)
    fields = neuron_fields(net, (-1, 1), (-2, 2))
    assert [a.shape for a in fields.layers] == [(24, 24, 4), (24, 24, 3), (24, 24, 1)]
    assert len(fields.hidden) == 2
    point = np.array([[fields.xs[5], fields.ys[20]]])
    trace = net.forward(point)
    for layer in (1, 2, 3):
        for j in range(net.sizes[layer]):
            assert fields.neuron(layer, j).shape == (24, 24)
            assert fields.neuron(layer, j)[20, 5] == pytest.approx(trace.activations[layer][0, j], rel=1e-13)
    np.testing.assert_allclose(fields.layers[-1], decision_field(net, (-1, 1), (-2, 2), 24).values)


def test_curves_for_one_input():
    net = core.lesson_network()
    xs = np.linspace(-3, 3, 50)
    curve = prediction_curve(net, xs)
    assert curve.values.shape == (50, 1) and curve.kind == "probability"
    np.testing.assert_allclose(curve.values, net.predict(xs))
    wide = core.Network([1, 4, 2, 1], ["elu", "softplus", "linear"], seed=3)
    curves = neuron_curves(wide, xs)
    assert [a.shape for a in curves.layers] == [(50, 4), (50, 2), (50, 1)] and len(curves.hidden) == 2
    np.testing.assert_allclose(curves.neuron(1, 2), wide.forward(xs).activations[1][:, 2])
    np.testing.assert_allclose(curves.layers[-1], prediction_curve(wide, xs).values)


def test_wrong_input_counts_and_limits():
    with pytest.raises(ValueError, match="2-input"):
        decision_field(core.lesson_network(), (0, 1), (0, 1))
    with pytest.raises(ValueError, match="1-input"):
        prediction_curve(core.Network([2, 1], "sigmoid"), [0.0, 1.0])
    net = core.Network([2, 1], "sigmoid")
    with pytest.raises(ValueError):
        decision_field(net, (1, 0), (0, 1))
    with pytest.raises(ValueError):
        neuron_fields(net, (0, 1), (0, np.nan))
    with pytest.raises(ValueError):
        decision_field(net, (0, 1), (0, 1), resolution=1)


def test_confidence_and_class():
    cls, conf = confidence_and_class(np.array([[0.5], [1.0], [0.1], [0.75]]))
    np.testing.assert_array_equal(cls, [1, 1, 0, 1])
    np.testing.assert_allclose(conf, [0.0, 1.0, 0.8, 0.5])
    probs = np.array([[1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    cls, conf = confidence_and_class(probs)
    np.testing.assert_array_equal(cls, [0, 1, 2])
    np.testing.assert_allclose(conf, [0.0, 1.0, 0.25], atol=1e-15)
    grid = np.random.default_rng(0).dirichlet([1, 1, 1, 1], size=(6, 7))
    cls, conf = confidence_and_class(grid)
    assert cls.shape == conf.shape == (6, 7) and conf.min() >= 0 and conf.max() <= 1
