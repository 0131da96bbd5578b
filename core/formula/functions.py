"""The vocabulary of the Function lab: the variable x, the constants and the whitelisted functions.

Everything a typed formula may name is listed here and nowhere else. The parser looks names up in
these tables (so a name that is not here cannot reach sympy), the printer writes them back, and the
error messages suggest from them ("unknown function 'son' — did you mean sin?").

``X`` is *the* variable of every parsed formula. It is declared real: the lab plots real functions,
and with a real x sympy keeps forms such as Abs(x) and sqrt(x**2) honest (sqrt(x**2) = Abs(x)).
"""
from __future__ import annotations

import sympy

from ..symbolic import relu, sigmoid, softplus

__all__ = [
    "X", "VARIABLE_NAME", "CONSTANTS", "FUNCTIONS", "FUNCTION_NAMES", "ALIASES",
    "FUNCTION_TITLES", "function_name_of",
]

VARIABLE_NAME = "x"
X = sympy.Symbol(VARIABLE_NAME, real=True)

#: Named constants a formula may use (``e`` is Euler's number, not a variable).
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

#: Canonical function names -> sympy constructor, in the order the lab lists them. Each takes one
#: argument. ``log`` is the natural logarithm (same as ``ln``).
FUNCTIONS: dict[str, type] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "sec": sympy.sec, "csc": sympy.csc, "cot": sympy.cot,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
    "sqrt": sympy.sqrt, "abs": sympy.Abs,
    "sigmoid": sigmoid, "relu": relu, "softplus": softplus,
}

#: Other spellings the parser accepts for the same functions (textbooks write arcsin).
ALIASES: dict[str, str] = {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}

#: The names to show a learner (help text, completion): every canonical name, no aliases.
FUNCTION_NAMES: tuple[str, ...] = tuple(FUNCTIONS)

#: One line per function for help texts.
FUNCTION_TITLES: dict[str, str] = {
    "sin": "sine", "cos": "cosine", "tan": "tangent",
    "sec": "secant, 1/cos", "csc": "cosecant, 1/sin", "cot": "cotangent, 1/tan",
    "asin": "inverse sine (arcsin)", "acos": "inverse cosine (arccos)",
    "atan": "inverse tangent (arctan)",
    "sinh": "hyperbolic sine", "cosh": "hyperbolic cosine", "tanh": "hyperbolic tangent",
    "exp": "exponential e^x", "log": "natural logarithm", "ln": "natural logarithm (same as log)",
    "sqrt": "square root", "abs": "absolute value |x|",
    "sigmoid": "logistic sigmoid 1/(1 + e^-x)", "relu": "rectifier max(0, x)",
    "softplus": "smooth rectifier log(1 + e^x)",
}

# sympy class -> the name the printer writes. sqrt is a power (x**(1/2)) in sympy, so it has no
# class here; log is written "log" (not "ln").
_PRINT_NAMES: dict[type, str] = {
    sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan",
    sympy.sec: "sec", sympy.csc: "csc", sympy.cot: "cot",
    sympy.asin: "asin", sympy.acos: "acos", sympy.atan: "atan",
    sympy.sinh: "sinh", sympy.cosh: "cosh", sympy.tanh: "tanh",
    sympy.exp: "exp", sympy.log: "log", sympy.Abs: "abs",
    sigmoid: "sigmoid", relu: "relu", softplus: "softplus",
}


def function_name_of(expr) -> str | None:
    """The formula name of a whitelisted sympy function application (``Abs(x)`` -> "abs"), else None."""
    return _PRINT_NAMES.get(type(expr))
