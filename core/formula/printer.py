"""Write a sympy expression back as formula text the parser reads: ``format_formula(expr)``.

The promise is the round trip ``parse_formula(format_formula(e)) == e`` (structural equality) for
every expression `parse_formula` can produce — tested with random expressions built by the same
constructors the parser uses. Two things make that work:

* The text is written from the canonical sympy tree, with explicit ``*`` everywhere (never
  juxtaposition, so none of the parser's ambiguity rules can bite) and parentheses wherever
  precedence needs them; re-parsing re-evaluates to the same canonical tree.
* Numbers are exact: an integer is written in full, a rational as ``p/q``, x^(1/2) as ``sqrt(x)``,
  factors with negative rational exponents go below a single ``/``.

The text is meant to be read and edited by a learner too: ``x^2 + 2*x + 1``, ``sin(x)/(2*x)``,
``exp(-x^2)``, ``abs(x)``, ``e``, ``pi``. Given the TermOrder of a typed formula
(``parse_with_order``), sums are written in the order they were typed (``2 + cos(x)``); the text
still parses back to the same tree, since parsing puts every sum back in sympy's order.

Limits: an expression whose canonical form is larger than the parser's bounds (e.g. a product of
many sums that sympy distributes, or several 300-digit coefficients) prints fine, but its text may
exceed MAX_LENGTH / MAX_NODES and then does not parse back. Expressions outside the formula
language (a Heaviside step, a symbol other than x, I, Max …) raise ValueError; a sympy Float prints
as a decimal and parses back as the exact rational of that decimal.
"""
from __future__ import annotations

import sympy

from .functions import X, function_name_of

__all__ = ["format_formula"]

# Precedence of what a piece of text is, lowest first: a sum, a product or quotient (and a
# leading minus sign, which the parser reads at the same level), a power, an atom.
_SUM, _PRODUCT, _POWER, _ATOM = 1, 2, 3, 4


def format_formula(expr, order=None) -> str:
    """``expr`` (a sympy expression in x, or an int) as text that `parse_formula` reads back; sums in
    the order ``order`` (a core.formula.term_order.TermOrder) knows, else sympy's."""
    if isinstance(expr, int) and not isinstance(expr, bool):
        expr = sympy.Integer(expr)
    if not isinstance(expr, sympy.Basic):
        raise TypeError(f"format_formula expects a sympy expression, not {type(expr).__name__}")
    return _format(expr, order)[0]


def _format(expr: sympy.Basic, order=None) -> tuple[str, int]:
    """(text, precedence) of ``expr``."""
    if expr.is_Number:
        return _format_number(expr)
    if expr == X:
        return "x", _ATOM
    if expr is sympy.pi:
        return "pi", _ATOM
    if expr is sympy.E:
        return "e", _ATOM
    if expr.is_Add:
        return _format_sum(expr, order)
    if expr.is_Mul:
        return _format_product(expr, order)
    if expr.is_Pow:
        return _format_power(expr, order)
    name = function_name_of(expr)
    if name is not None and len(expr.args) == 1:
        return f"{name}({_format(expr.args[0], order)[0]})", _ATOM
    raise ValueError(f"{expr} can't be written as a formula: the formula language has only x, "
                     f"numbers, pi, e, + - * / ^ and the whitelisted functions")


def _format_number(number: sympy.Number) -> tuple[str, int]:
    if number.is_Integer:
        return str(number.p), (_ATOM if number.p >= 0 else _PRODUCT)
    if number.is_Rational:
        return f"{number.p}/{number.q}", _PRODUCT
    if number.is_Float:
        text = sympy.sstr(number, full_prec=False)
        return text, (_ATOM if not text.startswith("-") else _PRODUCT)
    raise ValueError(f"{number} can't be written as a formula: the Function lab has only real, "
                     f"finite numbers")


def _wrap(piece: tuple[str, int], minimum: int) -> str:
    """The text of ``piece``, in parentheses if its precedence is below ``minimum``."""
    text, precedence = piece
    return text if precedence >= minimum else f"({text})"


def _is_negative(term: sympy.Expr) -> bool:
    """Whether ``term`` prints with a leading minus (a negative number or coefficient)."""
    coefficient = term.as_coeff_Mul()[0]
    return bool(coefficient.is_Number and coefficient.is_negative)


def _format_sum(expr: sympy.Add, order=None) -> tuple[str, int]:
    terms = expr.as_ordered_terms() if order is None else order.terms(expr)
    text = _format(terms[0], order)[0]
    for term in terms[1:]:
        if _is_negative(term):
            text += " - " + _wrap(_format(-term, order), _PRODUCT)
        else:
            text += " + " + _wrap(_format(term, order), _PRODUCT)
    return text, _SUM


def _format_product(expr: sympy.Mul, order=None) -> tuple[str, int]:
    coefficient, rest = expr.as_coeff_Mul()
    if coefficient.is_Number and coefficient.is_negative:
        factors = sympy.Mul.make_args(rest)
        text, precedence = _format_positive_product(-coefficient, factors, order)
        # A leading minus applies to the first factor, and -(a + b) distributes when parsed:
        # -(x + 1)/x would come back as (-x - 1)/x. Negating the whole product keeps -1 a factor.
        numerator = [f for f in factors if not (f.is_Pow and f.exp.is_Rational and f.exp < 0)]
        leading_sum = coefficient.is_Rational and coefficient.p == -1 and numerator \
            and numerator[0].is_Add
        if precedence < _PRODUCT or leading_sum:
            text = f"({text})"
        return "-" + text, _PRODUCT
    return _format_positive_product(coefficient, sympy.Mul.make_args(rest), order)


def _format_positive_product(coefficient: sympy.Number, factors, order) -> tuple[str, int]:
    """c * f1 * f2 ... with c > 0, factors with negative rational exponents below a '/'."""
    numerator: list[tuple[str, int]] = []
    denominator: list[tuple[str, int]] = []
    if coefficient.is_Rational:
        if coefficient.p != 1:
            numerator.append((str(coefficient.p), _ATOM))
        if coefficient.q != 1:
            denominator.append((str(coefficient.q), _ATOM))
    elif coefficient != 1:
        numerator.append(_format(coefficient, order))
    for factor in factors:
        if factor == 1:
            continue
        if factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative:
            denominator.append(_format_power_of(factor.base, -factor.exp, order))
        else:
            numerator.append(_format(factor, order))
    if not numerator:
        top = ("1", _ATOM)
    elif len(numerator) == 1:
        top = numerator[0]
    else:
        top = ("*".join(_wrap(piece, _POWER) for piece in numerator), _PRODUCT)
    if not denominator:
        return top
    if len(denominator) == 1:
        bottom = _wrap(denominator[0], _POWER)
    elif len(denominator) == 2 and denominator[0][1] == _ATOM and denominator[0][0].isdigit() \
            and denominator[1][1] == _SUM:
        # Not x/(2*(x - 2)): parsed, 2*(x - 2) distributes to 2*x - 4 before the division.
        bottom = "/".join(_wrap(piece, _POWER) for piece in denominator)
    else:
        bottom = "(" + "*".join(_wrap(piece, _POWER) for piece in denominator) + ")"
    return f"{_wrap(top, _PRODUCT)}/{bottom}", _PRODUCT


def _format_power(expr: sympy.Pow, order=None) -> tuple[str, int]:
    base, exponent = expr.args
    if exponent.is_Rational and exponent.is_negative:
        return f"1/{_wrap(_format_power_of(base, -exponent, order), _POWER)}", _PRODUCT
    return _format_power_of(base, exponent, order)


def _format_power_of(base: sympy.Expr, exponent: sympy.Expr, order) -> tuple[str, int]:
    """base^exponent written without building that power in sympy (it might evaluate)."""
    if exponent == 1:
        return _format(base, order)
    if exponent == sympy.S.Half:
        return f"sqrt({_format(base, order)[0]})", _ATOM
    base_text = _wrap(_format(base, order), _ATOM)
    exponent_piece = _format(exponent, order)
    exponent_text = _wrap(exponent_piece, _ATOM)
    return f"{base_text}^{exponent_text}", _POWER
