"""The backward recursion and path enumeration: exact against backprop, finite differences, counts."""
import itertools

import numpy as np
import pytest

import core
from core.backprop_view import backward_recursion, chain_paths, path_count
from tests.numerics import network_problem, numeric_gradient

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "linear"]
OUTPUTS = [("sigmoid", "binary_cross_entropy"), ("linear", "squared_error"), ("softmax", "cross_entropy")]


def problem(sizes, hidden, output, loss, seed=0, n=12, regularization=None):
    acts = [hidden[k % len(hidden)] for k in range(len(sizes) - 2)] + [output]
    return network_problem(sizes, acts, loss, n=n, seed=seed, regularization=regularization,
                           regularization_rate=0.05)


CASES = [(sizes, [h], out, loss)
         for sizes in ([2, 4, 3, 3], [1, 3, 2], [2, 3, 2, 2, 2])
         for h in HIDDEN for out, loss in OUTPUTS]


@pytest.mark.parametrize("sizes,hidden,output,loss", CASES)
def test_paths_and_recursion_sum_to_the_gradient(sizes, hidden, output, loss):
    net, X, y = problem(sizes, hidden, output, loss, regularization="l2")
    gradient = net.gradient_vector(X, y)
    numeric = numeric_gradient(net, X, y)
    for name, g, fd in zip(net.parameter_names(), gradient, numeric):
        paths = chain_paths(net, name, X, y)
        assert paths.listed and len(paths.paths) == paths.count == path_count(net, name)
        assert paths.data_term + paths.penalty_term == pytest.approx(g, rel=1e-10, abs=1e-14)
        assert paths.gradient == paths.batch_gradient == g
        rec = backward_recursion(net, name, X, y)
        assert rec.final.value == g  # exactly Network.gradient_vector's entry
        assert rec.final.data_term + rec.final.penalty_term == pytest.approx(g, rel=1e-10, abs=1e-14)
        assert g == pytest.approx(fd, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("regularization", [None, "l1", "l2"])
def test_sample_values_are_per_sample_gradients(regularization):
    net, X, y = problem([2, 4, 3, 3], ["tanh"], "softmax", "cross_entropy", regularization=regularization)
    bw = net.backward(X, y)
    for name in ["w1.2.3", "b1.4", "w2.4.1", "b3.2", "w3.1.1"]:
        ref = net.locate(name)
        per_sample = bw.per_sample_gradient(ref)
        batch = chain_paths(net, name, X, y)
        for k in (0, 5, len(X) - 1):
            paths = chain_paths(net, name, X, y, sample=k)
            assert paths.sample == k and paths.gradient == per_sample[k]
            assert paths.data_term + paths.penalty_term == pytest.approx(per_sample[k], rel=1e-12, abs=1e-15)
            rec = backward_recursion(net, name, X, y, sample=k)
            assert rec.final.value == pytest.approx(per_sample[k], rel=1e-12, abs=1e-15)
            assert rec.batch_gradient == batch.batch_gradient
            for p_k, p in zip(paths.paths, batch.paths):
                assert p_k.value == pytest.approx(p.per_sample[k], rel=1e-14)
                assert p_k.value == pytest.approx(np.prod([f.values[k] for f in p_k.factors]), rel=1e-13)
        # the batch value of a path is the mean of its per-sample products, not a product of means
        for p in batch.paths:
            assert p.value == pytest.approx(p.per_sample.mean(), rel=1e-14)


def test_path_structure_and_counts():
    net, X, y = problem([2, 4, 3, 3], ["tanh"], "linear", "squared_error")
    assert path_count(net, "w1.1.1") == 9 and path_count(net, "b2.2") == 3 and path_count(net, "w3.2.1") == 1
    paths = chain_paths(net, "w1.2.3", X, y)
    assert paths.top_kind == "loss" and paths.top_layer == 3
    nodes = [p.nodes for p in paths.paths]
    assert nodes == [((3, k), (2, m), (1, 2)) for m, k in itertools.product(range(3), range(3))]
    first = paths.paths[0]
    assert [f.label for f in first.factors] == [
        "dJ/da3.1", "da3.1/dz3.1", "dz3.1/da2.1", "da2.1/dz2.1", "dz2.1/da1.3", "da1.3/dz1.3", "dz1.3/dw1.2.3"]
    assert [f.kind for f in first.factors] == ["loss", "activation", "weight", "activation", "weight",
                                               "activation", "input"]
    assert first.factors[2].value == pytest.approx(net.weights[2][0, 0], rel=1e-14)
    np.testing.assert_array_equal(first.factors[-1].values, X[:, 1])
    assert first.factors[-1] is paths.paths[5].factors[-1]  # shared factor objects
    assert paths.symbols["a2.1"] == "a_{2,1}" and first.latex.startswith(r"\frac{\partial J}{\partial a_{3,1}}")
    bias = chain_paths(net, "b3.2", X, y)
    assert bias.count == 1 and [f.kind for f in bias.paths[0].factors] == ["loss", "activation", "bias"]


def test_fused_and_coupled_outputs_start_at_dJ_dz():
    net, X, y = problem([2, 3, 3], ["relu"], "softmax", "cross_entropy")
    paths = chain_paths(net, "w1.1.1", X, y)
    assert paths.top_kind == "output_delta" and paths.count == 3
    assert [f.label for f in paths.paths[0].factors][:2] == ["dJ/dz2.1", "dz2.1/da1.1"]
    bw = net.backward(X, y)
    np.testing.assert_array_equal(paths.paths[1].factors[0].values, bw.deltas[1][:, 1])
    net, X, y = problem([1, 2, 1], ["tanh"], "sigmoid", "binary_cross_entropy")
    paths = chain_paths(net, "b1.2", X, y)
    assert paths.top_kind == "output_delta" and paths.paths[0].factors[0].formula_latex == "a_2 - y"
    np.testing.assert_allclose(paths.paths[0].factors[0].values, (net.predict(X) - y)[:, 0])


def test_hidden_softmax_paths_stop_at_the_coupled_layer():
    net, X, y = problem([2, 3, 3, 2], ["softmax"], "linear", "squared_error")
    g = dict(zip(net.parameter_names(), net.gradient_vector(X, y)))
    paths = chain_paths(net, "w1.1.2", X, y)
    assert paths.top_kind == "aggregate" and paths.top_layer == 1 and paths.count == 1
    assert paths.data_term == pytest.approx(g["w1.1.2"], rel=1e-12)
    rec = backward_recursion(net, "w1.1.2", X, y)
    assert [s.rule for s in rec.steps] == ["output", "hidden_jacobian", "hidden_jacobian"]
    net, X, y = problem([2, 3, 3, 2], ["tanh", "softmax"], "sigmoid", "binary_cross_entropy")
    g = dict(zip(net.parameter_names(), net.gradient_vector(X, y)))
    paths = chain_paths(net, "w1.1.2", X, y)
    assert paths.top_kind == "aggregate" and paths.top_layer == 2 and paths.count == 3
    assert [f.kind for f in paths.paths[0].factors] == ["aggregate", "weight", "activation", "input"]
    assert paths.data_term == pytest.approx(g["w1.1.2"], rel=1e-12)
    assert [s.rule for s in backward_recursion(net, "w1.1.2", X, y).steps] == [
        "output_fused", "hidden_jacobian", "hidden"]


def test_limit_counts_without_listing():
    net, X, y = problem([2, 8, 8, 3], ["tanh"], "softmax", "cross_entropy")
    g = dict(zip(net.parameter_names(), net.gradient_vector(X, y)))
    paths = chain_paths(net, "w1.1.1", X, y, limit=20)
    assert paths.count == 24 and not paths.listed and paths.paths == () and paths.limit == 20
    assert paths.data_term + paths.penalty_term == pytest.approx(g["w1.1.1"], rel=1e-12)
    listed = chain_paths(net, "w1.1.1", X, y, limit=24)
    assert listed.listed and len(listed.paths) == 24
    big = core.Network([2, 16, 16, 16, 3], "tanh", seed=1)
    assert path_count(big, "w1.1.1") == 16 * 16 * 3
    assert not chain_paths(big, "w1.1.1", np.zeros((2, 2)), np.zeros((2, 3))).listed


def test_recursion_steps_match_backward_internals():
    net, X, y = problem([2, 4, 3, 2], ["elu"], "linear", "squared_error", regularization="l1")
    bw = net.backward(X, y)
    rec = backward_recursion(net, "w1.2.3", X, y)
    assert [s.layer for s in rec.steps] == [3, 2, 1]
    assert [s.rule for s in rec.steps] == ["output", "hidden", "hidden"]
    assert rec.steps[-1].selected == 2 and rec.steps[0].selected is None
    # the recursion itself, recomputed independently from the trace
    trace = net.forward(X)
    delta = (trace.activations[-1] - y) * 1.0
    np.testing.assert_allclose(rec.steps[0].deltas, delta, rtol=1e-14)
    for step, layer in zip(rec.steps[1:], (1, 0)):
        act = net.activation(layer)
        delta = (delta @ net.weights[layer + 1].T) * act.derivative(trace.zs[layer], trace.activations[layer + 1])
        np.testing.assert_allclose(step.deltas, delta, rtol=1e-13, atol=1e-16)
        np.testing.assert_array_equal(step.deltas, bw.deltas[layer])
        np.testing.assert_allclose(step.delta, bw.deltas[layer].mean(axis=0))
    assert rec.steps[2].symbols[2] == r"\delta_{1,3}"   # layer first, then the neuron (core.naming)
    assert rec.final.delta_symbol == r"\delta_{1,3}" and rec.final.input_symbol == "x_2"
    assert rec.final.penalty_term == pytest.approx(0.05 * np.sign(net.get("w1.2.3")))
    assert r"\operatorname{sign}(w_{1,2,3})" in rec.final.latex
    np.testing.assert_array_equal(rec.final.products, bw.deltas[0][:, 2] * X[:, 1])
    at = backward_recursion(net, "w1.2.3", X, y, sample=3)
    np.testing.assert_array_equal(at.steps[1].delta, bw.deltas[1][3])
    assert at.final.latex == r"\frac{\partial J}{\partial w_{1,2,3}} = \delta_{1,3} \, x_2 + \lambda \operatorname{sign}(w_{1,2,3})"


def test_recursion_rules_and_latex():
    net = core.lesson_network("binary_cross_entropy")
    data = core.load_dataset("lesson")
    rec = backward_recursion(net, "w1", data.X, data.y)
    # the lesson's own names: scalars with the layer as subscript, as in its chain (no superscripts)
    assert rec.latex_lines[0] == r"\delta_{2} = \hat{y} - y"
    assert rec.latex_lines[1] == r"\delta_{1} = w_2 \, \delta_{2} \, \sigma'\left(z_{1}\right)"
    assert rec.final.latex == r"\frac{\partial J}{\partial w_1} = \frac{1}{N}\sum_{n=1}^{N} \delta_{1}[n] \, x[n]"
    assert rec.gradient == pytest.approx(net.chain("w1", data.X, data.y).gradient, rel=1e-12)
    net = core.lesson_network("squared_error")
    rec = backward_recursion(net, "b2", data.X, data.y)
    assert rec.steps[0].rule == "output" and len(rec.steps) == 1 and rec.final.input_symbol == "1"
    net, X, y = problem([2, 3, 3], ["tanh"], "softmax", "squared_error")
    rec = backward_recursion(net, "w1.2.3", X, y)
    assert rec.steps[0].rule == "output_jacobian"
    assert rec.steps[1].component_latex(2) == (
        r"\delta_{1,3} = \left(\sum_{k} w_{2,3,k} \delta_{2,k}\right) \tanh'\left(z_{1,3}\right)")
    assert rec.steps[0].component_latex(0).startswith(r"\delta_{2,1} = \sum_{m}")
    assert rec.latex_lines[1] == r"\delta_{1} = \left(W_{2} \delta_{2}\right) \odot \tanh'\left(z_{1}\right)"


def test_bad_arguments():
    net, X, y = problem([2, 3, 2], ["tanh"], "linear", "squared_error")
    with pytest.raises(IndexError):
        chain_paths(net, "w1.1.1", X, y, sample=len(X))
    with pytest.raises(IndexError):
        backward_recursion(net, "w1.1.1", X, y, sample=-1)
    with pytest.raises(ValueError, match="unknown parameter"):
        backward_recursion(net, "w7", X, y)


@pytest.mark.parametrize("sizes", [(1, 1, 1), (2, 3, 2, 1), (2, 2, 3, 3), (1, 4, 1)])
def test_path_nodes_list_the_paths_in_chain_paths_order(sizes):
    import core

    net = core.Network(sizes, ["tanh"] * (len(sizes) - 2) + ["sigmoid"], "squared_error", seed=1)
    X = np.random.default_rng(0).normal(size=(5, sizes[0]))
    y = np.repeat((X[:, :1] > 0).astype(float), sizes[-1], axis=1)
    for name in net.parameter_names():
        listed = core.chain_paths(net, name, X, y, limit=10_000)
        assert core.path_nodes(net, name) == [p.nodes for p in listed.paths]
        assert len(core.path_nodes(net, name)) == core.path_count(net, name)
