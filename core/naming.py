"""Names for parameters and nodes, in plain text and LaTeX — one scheme for every view.

Parameters (``parameter_table``), with layers counted from 1 (w1 feeds layer 1):

* a layer with exactly one weight calls it ``w{l}``; otherwise ``w{l}.{i}.{j}`` with i the 1-based
  source neuron (input of the layer) and j the 1-based target neuron;
* a layer's bias is ``b{l}`` when the layer has one neuron, else ``b{l}.{j}``;
* order: layer by layer, the weights (i-major, as ``weights[l].ravel()``) then the biases.

The lesson network 1-1-1 therefore has ["w1", "b1", "w2", "b2"].

Nodes: ``z{l}``/``a{l}`` for single-neuron layers (LaTeX z_2, a_2) and ``z{l}.{j}``/``a{l}.{j}``
otherwise (LaTeX z_{2,1}); inputs are ``x`` (or ``x{i}`` with several inputs), targets ``y`` (or
``y{k}``); the network output y_hat is the last layer's a.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

__all__ = ["ParameterRef", "parameter_name", "parameter_table", "node_name", "input_name", "target_name", "to_latex"]


class ParameterRef(NamedTuple):
    """Where a parameter lives: ``weights[layer][i, j]`` (kind "w") or ``biases[layer][j]`` (kind "b").

    ``layer``, ``i`` and ``j`` are 0-based array indices; ``i`` is None for a bias.
    """

    kind: str
    layer: int
    i: Optional[int]
    j: int


def parameter_name(sizes, ref: ParameterRef) -> str:
    """The name of the parameter ``ref`` locates in a network with these layer sizes."""
    l1 = ref.layer + 1
    if ref.kind == "w":
        return f"w{l1}" if sizes[ref.layer] * sizes[l1] == 1 else f"w{l1}.{ref.i + 1}.{ref.j + 1}"
    return f"b{l1}" if sizes[l1] == 1 else f"b{l1}.{ref.j + 1}"


def parameter_table(sizes) -> dict[str, ParameterRef]:
    """Every parameter name of a network with these layer sizes, in the canonical order."""
    table: dict[str, ParameterRef] = {}
    for layer in range(len(sizes) - 1):
        refs = [ParameterRef("w", layer, i, j) for i in range(sizes[layer]) for j in range(sizes[layer + 1])]
        refs += [ParameterRef("b", layer, None, j) for j in range(sizes[layer + 1])]
        for ref in refs:
            table[parameter_name(sizes, ref)] = ref
    return table


def node_name(kind: str, layer: int, j: int, size: int) -> str:
    """Plain name of z or a at 1-based ``layer``, 0-based neuron ``j`` in a layer of ``size`` neurons."""
    return f"{kind}{layer}" if size == 1 else f"{kind}{layer}.{j + 1}"


def input_name(i: int, n_inputs: int) -> str:
    return "x" if n_inputs == 1 else f"x{i + 1}"


def target_name(k: int, n_outputs: int) -> str:
    return "y" if n_outputs == 1 else f"y{k + 1}"


def to_latex(plain: str) -> str:
    """LaTeX for a plain node or parameter name: a2 -> a_2, a2.1 -> a_{2,1}, w12 -> w_{12}, x -> x."""
    head, rest = plain[0], plain[1:]
    if not rest:
        return head
    index = rest.replace(".", ",")
    return f"{head}_{index}" if len(index) == 1 else f"{head}_{{{index}}}"
