"""Names for parameters and nodes — one scheme for every view, in three forms of the same notation.

The layer is always the first subscript, the neuron indices follow: the lesson's w1 is w₁ (LaTeX
w_1), a weight of a wider network w2.1.3 is w₂,₁,₃ (LaTeX w_{2,1,3}). Views never invent their own
spelling: identifiers and files use the *plain* form (``w2.1.3``), text drawn by Qt the *unicode*
form (``to_unicode``), typeset formulas the *LaTeX* form (``to_latex``). The backward recursion
writes its per-layer vectors in the same way (δ₂, W₂, z₁) and their components like the nodes
(δ₂,₁ as z₂,₁), so a learner meets one notation in the diagram, the chain panel, the recursion, the
path bars, the parameter table and the status bar.

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

__all__ = ["ParameterRef", "parameter_name", "parameter_table", "node_name", "input_name", "target_name", "to_latex",
           "to_unicode", "layer_latex", "component_latex"]

_SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


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


def to_unicode(plain: str) -> str:
    """Text for a plain node or parameter name, as ``to_latex`` typesets it: w1 -> w₁, w2.1.3 -> w₂,₁,₃,
    a2.1 -> a₂,₁, x -> x. For labels Qt draws as plain text (the diagram, bars, table, status bar)."""
    head, rest = plain[0], plain[1:]
    if not rest:
        return head
    return head + rest.replace(".", ",").translate(_SUBSCRIPT_DIGITS)


def layer_latex(symbol: str, layer) -> str:
    """A whole layer's vector or matrix in LaTeX, the layer as subscript: (\\delta, 2) -> \\delta_{2},
    (W, l+1) -> W_{l+1}. ``symbol`` is LaTeX (\\delta, z, a, W, b); ``layer`` a number or a LaTeX index."""
    return f"{symbol}_{{{layer}}}"


def component_latex(symbol: str, layer: int, j, size: int | None) -> str:
    """One neuron's entry of a layer vector, named like the nodes: layer first, then the 1-based
    neuron (or a LaTeX index such as k). A one-neuron layer (``size`` 1) drops the neuron, as
    ``node_name`` does: \\delta_{2} for the lesson, \\delta_{2,1} for a wider layer."""
    if size == 1:
        return f"{symbol}_{{{layer}}}"
    neuron = j + 1 if isinstance(j, int) else j
    return f"{symbol}_{{{layer},{neuron}}}"
