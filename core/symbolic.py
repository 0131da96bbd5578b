"""sympy pieces the core shows to learners: a logistic sigmoid that stays *named*.

sympy has no sigmoid of its own; writing 1/(1 + exp(-z)) everywhere would make every displayed
derivative an unreadable tower of exponentials. ``sigmoid`` here differentiates to
sigma(x)(1 - sigma(x)) — the form the lesson teaches — prints as \\sigma, and can still be rewritten
to exponentials (``expr.rewrite(sympy.exp)``) when a test or the Function lab needs the explicit form.

This module imports sympy at the top, so it must itself be imported lazily (``import core`` never
imports it; see core/__init__.py).
"""
from __future__ import annotations

import sympy

__all__ = ["sigmoid"]


class sigmoid(sympy.Function):  # noqa: N801 - sympy functions are lower-case by convention
    """The logistic function sigma(x) = 1 / (1 + exp(-x)) as a named sympy function."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        # Only the exact special values; everything else stays as sigma(x) so formulas remain readable.
        if x is sympy.S.Zero:
            return sympy.S.Half
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _eval_evalf(self, prec):
        # Evaluate through the exponential form with mpmath precision ``prec`` (bits).
        return self.rewrite(sympy.exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        if self.args[0].is_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        head = r"\sigma" if exp is None else rf"\sigma^{{{exp}}}"
        return rf"{head}\left({arg}\right)"

    # lambdify support, so the Function lab can turn expressions containing sigma into numpy code.
    def _numpycode(self, printer):
        exp = printer._module_format(printer._module + ".exp")
        return f"(1/(1 + {exp}(-({printer._print(self.args[0])}))))"

    def _pythoncode(self, printer):
        exp = printer._module_format("math.exp")
        return f"(1/(1 + {exp}(-({printer._print(self.args[0])}))))"

    _lambdacode = _pythoncode
