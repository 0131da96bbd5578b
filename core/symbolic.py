"""sympy pieces the core shows to learners: sigmoid, relu and softplus that stay *named*.

sympy has no sigmoid of its own; writing 1/(1 + exp(-z)) everywhere would make every displayed
derivative an unreadable tower of exponentials. ``sigmoid`` here differentiates to
sigma(x)(1 - sigma(x)) — the form the lesson teaches — prints as \\sigma, and can still be rewritten
to exponentials (``expr.rewrite(sympy.exp)``) when a test or the Function lab needs the explicit form.

``relu`` and ``softplus`` follow the same pattern for the Function lab: named functions whose
derivatives are the textbook ones (relu' = Heaviside step, softplus' = sigma), that print as
\\operatorname{relu} / \\operatorname{softplus}, rewrite to their explicit forms (``Max(0, x)``,
``log(1 + exp(x))``) and lambdify to stable numpy code.

This module imports sympy at the top, so it must itself be imported lazily (``import core`` never
imports it; see core/__init__.py).
"""
from __future__ import annotations

import sympy

__all__ = ["sigmoid", "relu", "softplus"]


def _mpmath_sigmoid(a):
    import mpmath
    a = mpmath.mpmathify(a)
    return 1 / (1 + mpmath.exp(-a))


def _mpmath_relu(a):
    import mpmath
    a = mpmath.mpmathify(a)  # sympy hands integers over as Python ints
    if isinstance(a, mpmath.mpf):
        return a if a > 0 else mpmath.mpf(0)
    return mpmath.nan  # relu of a complex number has no value


def _mpmath_softplus(a):
    import mpmath
    a = mpmath.mpmathify(a)
    if isinstance(a, mpmath.mpf):  # max(a, 0) + log(1 + e^-|a|): no cancellation in either tail
        return max(a, 0) + mpmath.log1p(mpmath.exp(-abs(a)))
    return mpmath.log(1 + mpmath.exp(a))


class _NamedFunction(sympy.Function):
    """What the studio's named one-argument functions share: real for a real argument, and printed
    in LaTeX by name (``LATEX``) with the argument in brackets."""

    nargs = 1
    LATEX = ""
    MPMATH = None  # staticmethod: the function of the evaluated argument, for evalf

    def _eval_mpmath(self):
        # evalf evaluates the argument first, then this: quick however deep the argument is.
        # (Rewriting the whole argument to exponentials first made nested constants such as
        # sin(sigmoid(sin(sigmoid(1)))) cost exponential time in their depth.)
        return type(self).MPMATH, self.args

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        head = self.LATEX if exp is None else rf"{self.LATEX}^{{{exp}}}"
        return rf"{head}\left({arg}\right)"


class sigmoid(_NamedFunction):  # noqa: N801 - sympy functions are lower-case by convention
    """The logistic function sigma(x) = 1 / (1 + exp(-x)) as a named sympy function."""

    MPMATH = staticmethod(_mpmath_sigmoid)
    LATEX = r"\sigma"


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

    def _eval_is_positive(self):
        if self.args[0].is_real:
            return True
        return None

    # lambdify support, so the Function lab can turn expressions containing sigma into numpy code.
    def _numpycode(self, printer):
        exp = printer._module_format(printer._module + ".exp")
        return f"(1/(1 + {exp}(-({printer._print(self.args[0])}))))"

    def _pythoncode(self, printer):
        exp = printer._module_format("math.exp")
        return f"(1/(1 + {exp}(-({printer._print(self.args[0])}))))"

    _lambdacode = _pythoncode


class relu(_NamedFunction):  # noqa: N801
    """The rectifier relu(x) = max(0, x) as a named sympy function.

    It evaluates only for plain numbers (relu(3) = 3, relu(-2) = 0); everything else stays relu(...)
    so that a learner's formula keeps the shape they typed. Its derivative is the Heaviside step
    (sympy leaves Heaviside(0) = 1/2, the usual convention at the kink).
    """

    MPMATH = staticmethod(_mpmath_relu)
    LATEX = r"\operatorname{relu}"


    @classmethod
    def eval(cls, x):
        if x.is_Number:
            if x is sympy.S.NaN:
                return sympy.S.NaN
            return x if x.is_extended_positive else sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return sympy.Heaviside(self.args[0])

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sympy.Max(0, x)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sympy.Piecewise((x, x > 0), (0, True))

    def _eval_is_nonnegative(self):
        if self.args[0].is_real:
            return True
        return None

    def _numpycode(self, printer):
        maximum = printer._module_format(printer._module + ".maximum")
        return f"{maximum}(0, {printer._print(self.args[0])})"

    def _pythoncode(self, printer):
        return f"max(0, {printer._print(self.args[0])})"

    _lambdacode = _pythoncode


class softplus(_NamedFunction):  # noqa: N801
    """The smooth rectifier softplus(x) = log(1 + e^x) as a named sympy function.

    Its derivative is sigma(x) — the reason it is in the lesson — and it stays named except at the
    exact special values 0, +oo and -oo. Numerically it is computed as logaddexp(0, x), which never
    overflows (log(1 + exp(800)) would).
    """

    MPMATH = staticmethod(_mpmath_softplus)
    LATEX = r"\operatorname{softplus}"


    @classmethod
    def eval(cls, x):
        if x is sympy.S.Zero:
            return sympy.log(2)
        if x is sympy.S.Infinity:
            return sympy.S.Infinity
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_is_positive(self):
        if self.args[0].is_real:
            return True
        return None

    def _numpycode(self, printer):
        logaddexp = printer._module_format(printer._module + ".logaddexp")
        return f"{logaddexp}(0, {printer._print(self.args[0])})"

    def _pythoncode(self, printer):
        # max(a, 0) + log1p(exp(-|a|)): the stable form of log(1 + e^a) with the math module.
        a = printer._print(self.args[0])
        log1p = printer._module_format("math.log1p")
        exp = printer._module_format("math.exp")
        return f"(max({a}, 0) + {log1p}({exp}(-abs({a}))))"

    _lambdacode = _pythoncode
