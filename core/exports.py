"""What leaves the studio as text: the chain rule as LaTeX, a trajectory as CSV, a network as JSON.

Pure functions of core objects (no Qt), so a notebook can write the same files the studio does and
the studio's Export menu only picks a file name and a clipboard:

* ``chain_latex(net, name, X, y, sample)``: dJ/dθ as a ready ``align*`` block — the cost, the
  Leibniz product, each local derivative's formula, the numbers of one sample and the batch mean.
* ``derivation_latex(derivation)``: the Function lab's step-by-step derivative as ``align*``.
* ``trajectory_rows(run)`` / ``trajectory_csv(run)``: one row per recorded step (step, epoch, train
  and test cost, learning rate, distance travelled) with every parameter *exactly* as it was at that
  step, rebuilt by ``Run.theta_at`` (a replay from the keyframes; the thinned drawn path would
  give only some steps). Long runs are thinned to at most ``max_rows`` evenly spaced steps, always
  keeping the first and the last.
* ``network_dict(net)`` / ``network_json(net)`` and ``network_from_dict(d)``: the structure and
  every parameter in a plain JSON document a reader needs no studio to use (the conventions are
  written into it), and back.

The PyTorch script lives in core/torch_export.py.
"""
from __future__ import annotations

import csv
import io
import json
import math

import numpy as np

from .activations import ACTIVATIONS
from .losses import ALL_LOSSES
from .naming import to_latex
from .network import REGULARIZATIONS, Network

__all__ = ["chain_latex", "derivation_latex", "trajectory_rows", "trajectory_csv", "network_dict",
           "network_json", "network_from_dict", "NETWORK_FORMAT", "NETWORK_VERSION", "latex_value"]

NETWORK_FORMAT = "chainrule-studio/network"
NETWORK_VERSION = 1
MAX_TRAJECTORY_ROWS = 10_000


# ---------------------------------------------------------------------------------------------
# LaTeX

def latex_value(value: float, digits: int = 6) -> str:
    """A number for a LaTeX formula: ``digits`` significant figures, 1.5\\times 10^{-7} rather than
    1.5e-07, a negative one in brackets (it stands in a product)."""
    value = float(value)
    if not math.isfinite(value):
        return r"\infty" if value > 0 else (r"\left(-\infty\right)" if value < 0 else r"\mathrm{NaN}")
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return rf"\left({text}\right)" if value < 0 else text


def factor_latex(latex: str) -> str:
    r"""A factor of a written product: bracketed only when a + or - stands at its top level, so
    (a_2 - y) gets brackets but e^{u} and \cos(v) stay bare."""
    depth = 0
    for i, char in enumerate(latex):
        if latex.startswith(r"\left", i) or char == "{":
            depth += 1
        elif latex.startswith(r"\right", i) or char == "}":
            depth -= 1
        elif char in "+-" and depth == 0 and i > 0:
            return rf"\left({latex}\right)"
    return latex


def _plain_number(value: float) -> str:
    return f"{float(value):.6g}"


def chain_latex(net: Network, name: str, X, y, sample: int = 0, step: int | None = None) -> str:
    r"""dJ/d``name`` of ``net`` on (X, y) as an ``align*`` block (see the module docstring).

    Every line aligns on its ``=``; the numbers are those of ``sample`` (0-based) and the batch
    gradient is backpropagation's. A comment line above the block says where it comes from."""
    chain = net.chain(name, X, y, sample=sample)
    theta = to_latex(name)
    lhs = rf"\frac{{\partial J}}{{\partial {theta}}}"
    loss = ALL_LOSSES[net.loss]
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    Y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    x_text = r",\ ".join(_plain_number(v) for v in X[sample])
    y_text = r",\ ".join(_plain_number(v) for v in Y[sample])
    leibniz = r"\,".join(f.latex for f in chain.factors)
    formulas = r" \cdot ".join(factor_latex(f.expanded_latex) for f in chain.factors)
    numbers = r" \cdot ".join(latex_value(f.value) for f in chain.factors)
    where = f"step {step}, " if step is not None else ""
    head, _, body = loss.latex.partition("=")
    lines = [
        rf"{head.strip()}_n &= {body.strip()} && \text{{{loss.title}, per sample}}",
        rf"{lhs} &= {leibniz} && \text{{the chain rule}}",
        rf"&= {formulas}",
        rf"&= {numbers} && \text{{sample {sample + 1}: }} x = {x_text},\ y = {y_text}",
        rf"&= {latex_value(chain.product)}",
        rf"{lhs}\Big|_{{\text{{batch}}}} &= \frac{{1}}{{N}}\sum_{{n=1}}^{{N}} {lhs}\Big|_{{n}}"
        rf" = {latex_value(chain.gradient)} && N = {len(X)}",
    ]
    if net.regularization is not None and net.regularization_rate:
        lines[-1] += r"\text{, penalty included}"
    comment = f"% Chain Rule Studio: dJ/d{name} of {net!r}, {where}sample {sample + 1} of {len(X)}"
    return comment + "\n\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"


def derivation_latex(derivation, formula: str | None = None) -> str:
    """The Function lab's step-by-step derivative (a core.formula Derivation) as ``align*``: one line
    per rule, indented by depth, then the result; a comment names the formula."""
    block = derivation.to_latex()
    result = rf"h'(x) &= {derivation.result_latex} && \text{{the result}}"   # sums as typed
    block = block.replace("\n\\end{align*}", " \\\\\n" + result + "\n\\end{align*}")
    comment = f"% Chain Rule Studio: the derivative of h(x) = {formula}\n" if formula else ""
    return comment + block + "\n"


# ---------------------------------------------------------------------------------------------
# CSV

def _steps_to_write(last: int, max_rows: int) -> np.ndarray:
    if last + 1 <= max_rows:
        return np.arange(last + 1)
    steps = np.unique(np.linspace(0, last, max_rows).round().astype(int))
    return steps


def trajectory_rows(run, max_rows: int = MAX_TRAJECTORY_ROWS) -> tuple[list[str], list[list]]:
    """(header, rows) of ``run``'s trajectory up to its current step: step, epoch, cost, test_cost
    (None without a test set), learning_rate, distance, then every parameter at that step.

    The parameters come from ``run.theta_at`` — exact replays, walked forward so the whole table
    costs about as much as training did. Runs longer than ``max_rows`` steps are thinned evenly."""
    trajectory = run.trajectory
    names = run.net.parameter_names()
    header = ["step", "epoch", "cost", "test_cost", "learning_rate", "distance", *names]
    rows = []
    for step in _steps_to_write(run.step_count, max_rows):
        scalars = trajectory.row(int(step))
        theta = run.theta_at(int(step))
        rows.append([int(step), scalars["epoch"], scalars["cost"], scalars["test_cost"],
                     scalars["learning_rate"], scalars["distance"], *(float(v) for v in theta)])
    return header, rows


def trajectory_csv(run, max_rows: int = MAX_TRAJECTORY_ROWS) -> str:
    """``trajectory_rows`` as CSV text (comma-separated, a header row, numbers in full precision
    with ``repr`` so they read back bit for bit, an empty field for a missing test cost)."""
    header, rows = trajectory_rows(run, max_rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (v if isinstance(v, int) else repr(float(v))) for v in row])
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# JSON

_CONVENTIONS = ("Layer l computes z = a_prev @ W + b and a = activation(z), with a_0 = x. W has shape "
                "(inputs, outputs): weights[i][j] connects neuron i of the previous layer to neuron j. "
                "The cost is the mean over samples of the per-sample loss (squared_error: "
                "1/2 sum_k (y_hat_k - y_k)^2; binary_cross_entropy and cross_entropy from the "
                "output's logits), plus the penalty on the weights (l1: rate * sum |w|, "
                "l2: rate / 2 * sum w^2; biases are not penalised). Parameter names: w{layer} or "
                "w{layer}.{i}.{j} (1-based source i, target j), b{layer} or b{layer}.{j}.")


def network_dict(net: Network) -> dict:
    """The network as plain JSON values: structure, cost, penalty and every parameter."""
    layers = []
    for layer, (W, b) in enumerate(zip(net.weights, net.biases)):
        layers.append({"inputs": int(W.shape[0]), "outputs": int(W.shape[1]),
                       "activation": net.activations[layer],
                       "weights": [[float(v) for v in row] for row in W],
                       "biases": [float(v) for v in b]})
    return {
        "format": NETWORK_FORMAT, "version": NETWORK_VERSION,
        "conventions": _CONVENTIONS,
        "sizes": [int(s) for s in net.sizes],
        "activations": list(net.activations),
        "loss": str(net.loss),
        "regularization": net.regularization,
        "regularization_rate": float(net.regularization_rate),
        "layers": layers,
        "parameters": dict(zip(net.parameter_names(), (float(v) for v in net.parameter_vector()))),
    }


def network_json(net: Network) -> str:
    return json.dumps(network_dict(net), indent=2, ensure_ascii=False) + "\n"


def network_from_dict(document: dict) -> Network:
    """A Network rebuilt from ``network_dict``'s output; ValueError naming the field that is wrong."""
    if not isinstance(document, dict) or document.get("format") != NETWORK_FORMAT:
        raise ValueError(f"format: expected {NETWORK_FORMAT!r}")
    if document.get("version") != NETWORK_VERSION:
        raise ValueError(f"version: expected {NETWORK_VERSION}, got {document.get('version')!r}")
    sizes, activations = document.get("sizes"), document.get("activations")
    if not isinstance(sizes, list) or len(sizes) < 2 or not all(isinstance(s, int) and s >= 1 for s in sizes):
        raise ValueError("sizes: expected a list of at least two positive integers")
    if not isinstance(activations, list) or len(activations) != len(sizes) - 1 \
            or any(a not in ACTIVATIONS for a in activations):
        raise ValueError(f"activations: expected {len(sizes) - 1} names from {', '.join(ACTIVATIONS)}")
    if document.get("loss") not in ALL_LOSSES:
        raise ValueError(f"loss: expected one of {', '.join(ALL_LOSSES)}")
    if document.get("regularization") not in REGULARIZATIONS:
        raise ValueError("regularization: expected null, \"l1\" or \"l2\"")
    net = Network(sizes, activations, document["loss"], regularization=document["regularization"],
                  regularization_rate=float(document.get("regularization_rate", 0.0)))
    layers = document.get("layers")
    if not isinstance(layers, list) or len(layers) != len(sizes) - 1:
        raise ValueError(f"layers: expected {len(sizes) - 1} layers")
    for index, layer in enumerate(layers):
        W = np.asarray(layer.get("weights"), dtype=np.float64)
        b = np.asarray(layer.get("biases"), dtype=np.float64)
        if W.shape != net.weights[index].shape or b.shape != net.biases[index].shape:
            raise ValueError(f"layers[{index}]: expected weights {list(net.weights[index].shape)} and "
                             f"biases [{net.biases[index].size}], got {list(W.shape)} and {list(b.shape)}")
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise ValueError(f"layers[{index}]: every weight and bias must be a finite number")
        net.weights[index][...] = W
        net.biases[index][...] = b
    return net
