"""core's public API: everything in __all__ resolves, and the Function lab's names load lazily."""
import subprocess
import sys
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_name_resolves():
    for name in core.__all__:
        assert getattr(core, name) is not None, name


def test_formula_names_are_lazy_but_real():
    code = ("import sys, core; assert 'sympy' not in sys.modules; "
            "e = core.parse_formula('log(2 + cos(x))'); "
            "assert str(core.derive(e).result) == str(core.formula.derive(e).result); print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


# ------------------------------------------------------------------ the export formats (core/exports.py)
import csv
import io
import json
import re

import numpy as np
import pytest

from core.exports import chain_latex, derivation_latex, network_dict, network_from_dict, network_json, \
    trajectory_csv, trajectory_rows
from core.torch_export import pytorch_script


def _balanced(latex: str) -> bool:
    depth = 0
    for char in latex.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0 and latex.count(r"\begin{align*}") == 1 == latex.count(r"\end{align*}") \
        and latex.index(r"\begin{align*}") < latex.index(r"\end{align*}")


def _central_difference(net, name, X, y, h=1e-6):
    up, down = net.copy(), net.copy()
    up.set(name, net.get(name) + h)
    down.set(name, net.get(name) - h)
    return (up.cost(X, y) - down.cost(X, y)) / (2 * h)


@pytest.mark.parametrize("sizes, activations, loss, name", [
    ([1, 1, 1], ["sigmoid", "sigmoid"], "squared_error", "w1"),
    ([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", "w1.2.3"),
    ([2, 4, 3], ["relu", "softmax"], "cross_entropy", "b2.2"),
])
def test_chain_latex_is_a_balanced_align_block_with_every_factor_and_the_true_gradient(sizes, activations, loss, name):
    data = core.load_dataset("blobs" if sizes[-1] == 3 else ("circle" if sizes[0] == 2 else "lesson"))
    net = core.Network(sizes, activations, loss, seed=3)
    tex = chain_latex(net, name, data.X, data.y, sample=4, step=7)
    assert _balanced(tex)
    chain = net.chain(name, data.X, data.y, sample=4)
    for factor in chain.factors:
        assert factor.latex in tex                          # the Leibniz factor
        assert factor.expanded_latex in tex                 # its formula
        assert f"{abs(factor.value):.6g}" in tex           # its number at the sample
    # the batch line states backpropagation's gradient, which finite differences confirm
    batch = tex.split(r"\Big|_{\text{batch}}")[1]
    number = batch.split(" && N =")[0].rsplit(" = ", 1)[1]          # 0.0123 or \left(-0.0123\right)
    stated = float(number.replace(r"\left(", "").replace(r"\right)", ""))
    assert stated == pytest.approx(_central_difference(net, name, data.X, data.y), rel=1e-4, abs=1e-9)
    assert "step 7, sample 5 of" in tex


def test_derivation_latex_states_the_derivative_sympy_finds():
    import sympy

    analysis = core.analyze_formula("log(2 + cos(x))")
    tex = derivation_latex(analysis.derivation, analysis.text)
    assert _balanced(tex)
    assert "log(2 + cos(x))" in tex.splitlines()[0]
    assert r"\text{Chain rule}" in tex
    result = tex.split("h'(x) &= ")[1].split(" &&")[0]
    from core.formula.derive import formula_latex

    assert result == formula_latex(analysis.derivation.result, analysis.order)
    assert r"{2 + \cos{\left(x \right)}}" in result   # the denominator as the learner typed it
    assert sympy.simplify(analysis.derivation.result - sympy.diff(analysis.expr, core.X)) == 0


def _trained_run(rule="adam", steps=40, **options):
    data = core.load_dataset("circle")
    net = core.Network([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    run = core.Run(net, data.X[:60], data.y[:60], 0.1, rule=rule, keyframe_interval=8, **options)
    reference = [run.net.parameter_vector()]
    for _ in range(steps):
        run.step(1)
        reference.append(run.net.parameter_vector())
    return run, np.array(reference)


def test_trajectory_csv_reads_back_to_the_recorded_costs_and_the_parameters_of_every_step():
    run, reference = _trained_run(X_test=core.load_dataset("circle").X[60:80],
                                  y_test=core.load_dataset("circle").y[60:80])
    rows = list(csv.reader(io.StringIO(trajectory_csv(run))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["step", "epoch", "cost", "test_cost", "learning_rate", "distance"]
    assert header[6:] == run.net.parameter_names()
    assert [int(r[0]) for r in body] == list(range(41))
    np.testing.assert_array_equal([float(r[2]) for r in body], run.trajectory.costs())
    np.testing.assert_array_equal([float(r[3]) for r in body], run.trajectory.test_costs())
    np.testing.assert_array_equal([float(r[4]) for r in body], run.trajectory.learning_rates())
    np.testing.assert_array_equal(np.array([[float(v) for v in r[6:]] for r in body]), reference)


def test_a_long_trajectory_is_thinned_evenly_keeping_its_first_and_last_step():
    run, reference = _trained_run(rule="sgd", steps=50)
    header, rows = trajectory_rows(run, max_rows=11)
    steps = [row[0] for row in rows]
    assert steps[0] == 0 and steps[-1] == 50 and len(steps) == 11
    assert np.all(np.diff(steps) == 5)
    np.testing.assert_array_equal(np.array([row[6:] for row in rows]), reference[steps])
    _header, full = trajectory_rows(core.Run(core.lesson_network(), [[0.0]], [1.0], 1.0))
    assert full[0][3] is None   # no test set: an empty test cost


def test_network_json_is_readable_without_the_studio_and_rebuilds_the_network():
    data = core.load_dataset("blobs")
    net = core.Network([2, 4, 3, 3], ["tanh", "elu", "softmax"], "cross_entropy", seed=5,
                       regularization="l2", regularization_rate=0.03)
    document = json.loads(network_json(net))
    # plain numpy, following only the conventions written in the file
    a = data.X
    for layer in document["layers"]:
        z = a @ np.array(layer["weights"]) + np.array(layer["biases"])
        a = {"tanh": np.tanh, "elu": lambda v: np.where(v > 0, v, np.expm1(v)),
             "softmax": lambda v: np.exp(v) / np.exp(v).sum(axis=1, keepdims=True)}[layer["activation"]](z)
    np.testing.assert_allclose(a, net.predict(data.X), rtol=1e-12)
    rebuilt = network_from_dict(document)
    np.testing.assert_array_equal(rebuilt.parameter_vector(), net.parameter_vector())
    assert (rebuilt.sizes, rebuilt.activations, rebuilt.loss, rebuilt.regularization) == \
        (net.sizes, net.activations, net.loss, net.regularization)
    assert rebuilt.cost(data.X, data.y) == net.cost(data.X, data.y)
    assert list(document["parameters"]) == net.parameter_names()


def test_a_network_document_with_a_wrong_shape_is_refused_naming_the_layer():
    document = network_dict(core.Network([2, 3, 1], "tanh"))
    document["layers"][1]["weights"] = [[1.0, 2.0]]
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        network_from_dict(document)
    with pytest.raises(ValueError, match="format"):
        network_from_dict({"format": "something else"})


# ------------------------------------------------------------------ the PyTorch script (core/torch_export.py)
def _torch_available() -> bool:
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


needs_torch = pytest.mark.skipif(not _torch_available(), reason="PyTorch is not installed (not a dependency)")


def _run_script(script: str, tmp_path) -> list[tuple[int, float]]:
    path = tmp_path / "export.py"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [(int(m.group(1)), float(m.group(2)))
            for m in re.finditer(r"^step (\d+): J = (\S+)", result.stdout, re.MULTILINE)]


@needs_torch
@pytest.mark.parametrize("dataset, sizes, activations, loss, rule, options", [
    ("lesson", [1, 1, 1], ["sigmoid", "sigmoid"], "squared_error", "sgd", {}),
    ("circle", [2, 4, 1], ["tanh", "sigmoid"], "binary_cross_entropy", "adam", {"batch_size": 16}),
    ("blobs", [2, 5, 3], ["relu", "softmax"], "cross_entropy", "rmsprop", {}),
    ("regression", [1, 6, 1], ["elu", "linear"], "squared_error", "nesterov", {"batch_size": 7}),
    ("moons", [2, 4, 1], ["leaky_relu", "sigmoid"], "binary_cross_entropy", "adagrad", {"only": ["w1.1.1", "b2"]}),
    ("xor", [2, 3, 1], ["softplus", "sigmoid"], "squared_error", "adamw", {}),
    ("gaussians", [2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", "momentum", {}),
])
def test_the_pytorch_script_prints_the_studios_cost_and_trains_on_exactly_as_the_studio(
        dataset, sizes, activations, loss, rule, options, tmp_path):
    data = core.load_dataset(dataset)
    net = core.Network(sizes, activations, loss, seed=2, regularization="l1" if rule == "sgd" else "l2",
                       regularization_rate=0.01)
    run = core.Run(net, data.X, data.y, 0.05, rule=rule, **options)
    run.step(9)
    printed = _run_script(pytorch_script(run, steps=6, label="Run 1"), tmp_path)
    studio = run.fork(run.step_count)
    expected = [(9, run.trajectory.row(9)["cost"])] + [(9 + k, studio.step(1)) for k in range(1, 7)]
    assert [step for step, _ in printed] == [step for step, _ in expected]
    assert printed[0][1] == pytest.approx(expected[0][1], rel=1e-10)
    for (_, got), (_, want) in zip(printed[1:], expected[1:]):
        assert got == pytest.approx(want, rel=1e-8)


def test_a_rule_torch_has_no_counterpart_for_is_refused_with_the_reason():
    run = core.Run(core.lesson_network(), [[0.0], [1.0]], [0.0, 1.0], 0.5,
                   rule=core.make_rule("adam", bias_correction=False))
    with pytest.raises(ValueError, match="bias correction"):
        pytorch_script(run)
