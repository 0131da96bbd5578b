"""What the public formula functions accept, turned into a sympy expression without running code.

``sympy.sympify`` executes Python hidden in a string (``"__import__('os').system(...)"``) and, for
an object it does not know, in that object's ``str()``. core is a library a teacher may call from a
notebook with text from anywhere, so text goes through the whitelisting parser
(core.formula.parser) and every other input must already be a sympy expression or a plain number.
"""
from __future__ import annotations

import numbers

import sympy

__all__ = ["as_expression"]


def as_expression(value, what: str = "the formula") -> sympy.Basic:
    """``value`` as a sympy expression: text is parsed by ``parse_formula`` (FormulaError if it is
    not a formula), ints and floats become sympy numbers, sympy objects pass through; anything else
    is a TypeError. Nothing is ever handed to ``sympify``/``eval``."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, str):
        from .parser import parse_formula

        return parse_formula(value)
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, numbers.Real)):
        raise TypeError(f"{what} must be text or a sympy expression, not {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    return sympy.Float(float(value))
