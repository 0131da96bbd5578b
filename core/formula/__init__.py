"""The Function lab's maths: parse a typed formula, derive it step by step, decompose it into its
chain of compositions, build its computation graph, compile it to numpy, and run all of that in a
time-limited worker process.

Imports sympy, so ``import core`` loads this package lazily (``core.parse_formula`` and the other
names below are resolved on first use)."""
from .analysis import FormulaAnalysis, analyze_formula
from .decompose import Decomposition, Layer, decompose
from .derive import RULES, Derivation, DerivationError, Step, derive, formula_latex, formula_text
from .functions import FUNCTION_NAMES, X
from .graph import Edge, Graph, GraphValues, Node, computation_graph
from .graph_layout import GraphLayout, layout_graph
from .numeric import CompiledFormula, compile_formula, sample_curve, suggest_y_range
from .parser import FormulaError, check_syntax, parse_formula, parse_with_order
from .plot_range import bulk_y_range, tangent_segment, view_range
from .printer import format_formula
from .term_order import TermOrder
from ..process_runner import (FormulaTimeout, FormulaTooLarge, RunnerClosed, SymbolicRunner, SymbolicWorkerError,
                     TaskCancelled, WorkerCrashed)

__all__ = [
    "X", "FUNCTION_NAMES", "parse_formula", "check_syntax", "FormulaError", "format_formula",
    "parse_with_order", "TermOrder",
    "derive", "Derivation", "Step", "DerivationError", "RULES", "formula_latex", "formula_text",
    "decompose", "Decomposition", "Layer",
    "computation_graph", "Graph", "GraphValues", "Node", "Edge", "layout_graph", "GraphLayout",
    "bulk_y_range", "view_range", "tangent_segment",
    "compile_formula", "CompiledFormula", "sample_curve", "suggest_y_range",
    "analyze_formula", "FormulaAnalysis", "SymbolicRunner", "FormulaTimeout",
    "SymbolicWorkerError", "FormulaTooLarge", "WorkerCrashed", "TaskCancelled", "RunnerClosed",
]
