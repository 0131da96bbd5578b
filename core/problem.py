"""Which network fits which data: the domain rules the app applies when the learner changes the
data, the output or the cost (kept here, not in the app, so a notebook gets the same answers).

* ``compatible_losses(net, task)``: the costs that make sense for a network's output layer on a
  task, the default first;
* ``output_fits(net, data)``: whether a network's input/output layers and output activation
  already suit the data;
* ``fit_network(net, data)``: the network (changed in place) or a new one whose input and output
  layers match the data, keeping the learner's hidden layers — with one exception: the lesson's
  single hidden neuron cannot separate two inputs or several classes, so it grows to
  DEFAULT_HIDDEN;
* HIDDEN_ACTIVATIONS: the activations the studio offers for hidden layers, in cycling order.
"""
from __future__ import annotations

from .datasets import Dataset, output_for_task
from .network import Network

__all__ = ["HIDDEN_ACTIVATIONS", "DEFAULT_HIDDEN", "DEFAULT_HIDDEN_ACTIVATION", "compatible_losses",
           "output_fits", "fit_network"]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "linear")
DEFAULT_HIDDEN = (4, 4)
DEFAULT_HIDDEN_ACTIVATION = "tanh"


def compatible_losses(net: Network, task: str) -> list[str]:
    """The costs that fit ``net``'s output activation on ``task``, the natural one first."""
    out = net.activations[-1]
    if out == "softmax":
        return ["cross_entropy", "squared_error"]
    if task == "regression":
        return ["squared_error"]
    if out == "sigmoid":
        return ["squared_error", "binary_cross_entropy"]
    return ["squared_error"]


def output_fits(net: Network, data: Dataset) -> bool:
    """True when ``net`` takes ``data``'s inputs and its output layer suits the task (a sigmoid
    output for regression only when every target lies in [0, 1])."""
    out = net.activations[-1]
    if net.sizes[0] != data.X.shape[1] or net.sizes[-1] != data.y.shape[1]:
        return False
    if data.task == "multiclass":
        return out == "softmax"
    if out == "softmax":
        return False
    if data.task == "classification":
        return out == "sigmoid"
    inside_unit = float(data.y.min()) >= 0.0 and float(data.y.max()) <= 1.0
    return out != "sigmoid" or inside_unit


def fit_network(net: Network, data: Dataset) -> tuple[Network, bool]:
    """``net`` (its cost changed in place if it no longer fits) or a new network shaped for
    ``data``, and whether the shape or activations changed."""
    if output_fits(net, data):
        losses = compatible_losses(net, data.task)
        if net.loss not in losses:
            net.loss = losses[0]
        return net, False
    out_activation, loss = output_for_task(data.task, data.n_classes)
    hidden = list(net.sizes[1:-1])
    hidden_activations = list(net.activations[:-1])
    if hidden == [1] and (data.X.shape[1] > 1 or data.y.shape[1] > 1):
        hidden = list(DEFAULT_HIDDEN)
        hidden_activations = [DEFAULT_HIDDEN_ACTIVATION] * len(hidden)
    sizes = [data.X.shape[1], *hidden, data.y.shape[1]]
    fitted = Network(sizes, [*hidden_activations, out_activation], loss, seed=net.seed,
                     regularization=net.regularization, regularization_rate=net.regularization_rate,
                     init=net.init)
    return fitted, tuple(sizes) != net.sizes or fitted.activations != net.activations
