"""The domain rules of core.problem: which costs fit an output, and how a network is fitted to data."""
import pytest

import core
from core.problem import DEFAULT_HIDDEN


@pytest.mark.parametrize("output, task, expected", [
    ("sigmoid", "classification", ["squared_error", "binary_cross_entropy"]),
    ("sigmoid", "regression", ["squared_error"]),
    ("softmax", "multiclass", ["cross_entropy", "squared_error"]),
    ("linear", "regression", ["squared_error"]),
    ("linear", "classification", ["squared_error"]),
])
def test_compatible_losses(output, task, expected):
    outputs = 3 if output == "softmax" else 1
    net = core.Network([1, 2, outputs], ["tanh", output], "squared_error")
    assert core.compatible_losses(net, task) == expected


def test_the_lesson_network_fits_the_lesson_data_and_keeps_its_cost():
    net = core.lesson_network("binary_cross_entropy")
    data = core.load_dataset("lesson")
    assert core.output_fits(net, data)
    fitted, reshaped = core.fit_network(net, data)
    assert fitted is net and not reshaped and net.loss == "binary_cross_entropy"


def test_two_inputs_grow_the_single_hidden_neuron():
    fitted, reshaped = core.fit_network(core.lesson_network(), core.load_dataset("circle"))
    assert reshaped and fitted.sizes == (2, *DEFAULT_HIDDEN, 1)
    assert fitted.activations == ("tanh", "tanh", "sigmoid") and fitted.loss == "binary_cross_entropy"


def test_the_learners_hidden_layers_stay_and_the_output_follows_the_task():
    net = core.Network([2, 8, 5, 1], ["relu", "elu", "sigmoid"], "squared_error", seed=3, regularization="l2",
                       regularization_rate=0.01)
    fitted, reshaped = core.fit_network(net, core.load_dataset("blobs"))
    assert reshaped and fitted.sizes == (2, 8, 5, 3) and fitted.activations == ("relu", "elu", "softmax")
    assert fitted.loss == "cross_entropy" and (fitted.regularization, fitted.seed) == ("l2", 3)


def test_a_sigmoid_output_fits_regression_only_inside_the_unit_interval():
    net = core.Network([1, 3, 1], ["tanh", "sigmoid"], "squared_error")
    data = core.load_dataset("regression")
    inside = 0.0 <= float(data.y.min()) and float(data.y.max()) <= 1.0
    assert core.output_fits(net, data) == inside
    fitted, _ = core.fit_network(net, data)
    assert fitted.activations[-1] == ("sigmoid" if inside else "linear")


def test_an_unfitting_cost_is_replaced_in_place():
    net = core.Network([1, 3, 1], ["tanh", "linear"], "squared_error")
    data = core.load_dataset("regression")
    fitted, reshaped = core.fit_network(net, data)
    assert fitted is net and not reshaped and net.loss == "squared_error"
    assert set(core.HIDDEN_ACTIVATIONS) <= set(core.ACTIVATIONS)
