"""The Function lab's maths: parse a typed formula, derive it step by step, decompose it into its
chain of compositions, build its computation graph, compile it to numpy, and run all of that in a
time-limited worker process.

Most of it imports sympy, so ``import core`` loads this package lazily (``core.parse_formula`` and
the other names below are resolved on first use), and this package loads its own names lazily too:
importing one submodule, like ``core.formula.runner`` (the worker processes of every view, started
before the window's first paint), loads neither sympy nor the others."""
import importlib

_SUBMODULE = {   # public name -> the submodule that defines it
    **dict.fromkeys(('FormulaAnalysis', 'analyze_formula'), "analysis"),
    **dict.fromkeys(('Decomposition', 'Layer', 'decompose'), "decompose"),
    **dict.fromkeys(('RULES', 'Derivation', 'DerivationError', 'Step', 'derive', 'formula_latex',
                     'formula_text'), "derive"),
    **dict.fromkeys(('FUNCTION_NAMES', 'X'), "functions"),
    **dict.fromkeys(('Edge', 'Graph', 'GraphValues', 'Node', 'computation_graph'), "graph"),
    **dict.fromkeys(('GraphLayout', 'layout_graph'), "graph_layout"),
    **dict.fromkeys(('CompiledFormula', 'compile_formula', 'sample_curve', 'suggest_y_range'), "numeric"),
    **dict.fromkeys(('FormulaError', 'check_syntax', 'parse_formula', 'parse_with_order'), "parser"),
    **dict.fromkeys(('bulk_y_range', 'tangent_segment', 'view_range'), "plot_range"),
    **dict.fromkeys(('format_formula',), "printer"),
    **dict.fromkeys(('TermOrder',), "term_order"),
    **dict.fromkeys(('FormulaTimeout', 'FormulaTooLarge', 'RunnerClosed', 'SymbolicRunner', 'SymbolicWorkerError',
                     'TaskCancelled', 'WorkerCrashed'), "runner"),
}

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


def __getattr__(name: str):
    module = _SUBMODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
