"""The rule table of the step-by-step differentiator (core/formula/derive.py).

Every step of a derivation names one rule from ``RULES``. ``RULE_TITLES`` holds the heading a learner
sees ("Chain rule"), ``RULE_FORMULAS`` the general form of the rule in LaTeX (for a legend or a
tooltip). ``ELEMENTARY`` maps the name of each single-argument function of the Function lab's
whitelist to how its derivative is *presented*: the rule it belongs to, the derivative as a function of
the argument, and the textbook fact in words. The presented forms are the ones a learner recognises
(tan′ = sec², cot′ = −csc², tanh′ = 1 − tanh², σ′ = σ(1 − σ), softplus′ = σ); they are equal to what
``sympy.diff`` returns, though not always in the same shape (sympy writes tan′ as tan² + 1).

relu and softplus are looked up by *name*, so this module imports whether or not
``core.symbolic`` defines them yet; their constructors are fetched from ``core.symbolic`` when needed.
"""
from __future__ import annotations

import sympy

from core import symbolic as _symbolic

__all__ = ["RULES", "RULE_TITLES", "RULE_FORMULAS", "ELEMENTARY", "Elementary", "elementary_for"]

#: Every rule name a Step can carry, in the order a legend would list them.
RULES = (
    "constant",          # d/dx c = 0
    "variable",          # d/dx x = 1
    "sum",               # (f + g + ...)' = f' + g' + ...      (one child per term)
    "constant_multiple",  # (c f)' = c f'                      (one child: f)
    "power",             # (x^n)' = n x^(n-1); also sqrt (n = 1/2) and 1/x (n = -1)
    "general_power",     # f^g with x in base and exponent: f^g = e^(g ln f)
    "product",           # (f g h ...)' = f' g h + f g' h + ...  (one child per factor)
    "quotient",          # (f/g)' = (f' g - f g') / g^2         (children: numerator, denominator)
    "chain",             # (f(g))' = f'(g) g'                   (children: outer step, inner step)
    "exp",               # (e^x)' = e^x, (a^x)' = a^x ln a
    "log",               # (ln x)' = 1/x
    "trig",              # sin cos tan sec csc cot
    "inverse_trig",      # asin acos atan
    "hyperbolic",        # sinh cosh tanh
    "sigmoid",           # sigma' = sigma (1 - sigma)
    "abs",               # |x|' = sign(x)
    "relu",              # relu' = step (Heaviside)
    "softplus",          # softplus' = sigma
    "function",          # fallback: a single-argument sympy function outside the whitelist
)

RULE_TITLES = {
    "constant": "Constant rule",
    "variable": "Derivative of the variable",
    "sum": "Sum rule",
    "constant_multiple": "Constant multiple rule",
    "power": "Power rule",
    "general_power": "General power (through e and ln)",
    "product": "Product rule",
    "quotient": "Quotient rule",
    "chain": "Chain rule",
    "exp": "Exponential rule",
    "log": "Logarithm rule",
    "trig": "Trigonometric rule",
    "inverse_trig": "Inverse trigonometric rule",
    "hyperbolic": "Hyperbolic rule",
    "sigmoid": "Sigmoid rule",
    "abs": "Absolute value rule",
    "relu": "ReLU rule",
    "softplus": "Softplus rule",
    "function": "Derivative of a function",
}

RULE_FORMULAS = {
    "constant": r"\frac{d}{dx}\,c = 0",
    "variable": r"\frac{d}{dx}\,x = 1",
    "sum": r"(f + g)' = f' + g'",
    "constant_multiple": r"(c\,f)' = c\,f'",
    "power": r"\frac{d}{dx}\,x^{n} = n\,x^{n-1}",
    "general_power": r"f^{g} = e^{g \ln f},\quad (f^{g})' = f^{g}\,(g \ln f)'",
    "product": r"(f\,g)' = f'\,g + f\,g'",
    "quotient": r"\left(\frac{f}{g}\right)' = \frac{f'\,g - f\,g'}{g^{2}}",
    "chain": r"\frac{d}{dx}\,f(g(x)) = f'(g(x))\,g'(x)",
    "exp": r"\frac{d}{dx}\,e^{x} = e^{x},\quad \frac{d}{dx}\,a^{x} = a^{x}\ln a",
    "log": r"\frac{d}{dx}\,\log x = \frac{1}{x}",
    "trig": r"\sin' = \cos,\ \cos' = -\sin,\ \tan' = \sec^{2},\ \sec' = \sec\tan,"
            r"\ \csc' = -\csc\cot,\ \cot' = -\csc^{2}",
    "inverse_trig": r"\operatorname{asin}' x = \frac{1}{\sqrt{1-x^{2}}},\ "
                    r"\operatorname{acos}' x = -\frac{1}{\sqrt{1-x^{2}}},\ "
                    r"\operatorname{atan}' x = \frac{1}{1+x^{2}}",
    "hyperbolic": r"\sinh' = \cosh,\ \cosh' = \sinh,\ \tanh' = 1 - \tanh^{2}",
    "sigmoid": r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
    "abs": r"\frac{d}{dx}\,|x| = \operatorname{sign}(x)\quad (x \neq 0)",
    "relu": r"\operatorname{relu}'(x) = H(x)\ \text{(the step: 0 for } x<0\text{, 1 for } x>0)",
    "softplus": r"\operatorname{softplus}'(x) = \sigma(x)",
    "function": r"\frac{d}{dx}\,f(x) = f'(x)",
}


class Elementary:
    """How one whitelisted function's derivative is presented.

    ``derivative(u)`` builds f′(u) in the recognisable form; ``fact`` is the textbook fact in words
    with ``{u}`` standing for the argument's text and ``{d}`` for the derivative's text.
    """

    __slots__ = ("name", "rule", "derivative", "fact")

    def __init__(self, name, rule, derivative, fact):
        self.name = name
        self.rule = rule
        self.derivative = derivative
        self.fact = fact


def _sigmoid(u):
    return _symbolic.sigmoid(u)


def _sigmoid_prime(u):
    s = _symbolic.sigmoid(u)
    return s * (1 - s)


def _relu_prime(u):
    return sympy.Heaviside(u)


def _softplus_prime(u):
    return _sigmoid(u)


ELEMENTARY = {
    "exp": Elementary("exp", "exp", lambda u: sympy.exp(u),
                      "the exponential is its own derivative: (e^{u})′ = e^{u}"),
    "log": Elementary("log", "log", lambda u: 1 / u,
                      "the derivative of log({u}) is 1/{u}"),
    "sin": Elementary("sin", "trig", lambda u: sympy.cos(u),
                      "the derivative of sin({u}) is cos({u})"),
    "cos": Elementary("cos", "trig", lambda u: -sympy.sin(u),
                      "the derivative of cos({u}) is −sin({u})"),
    "tan": Elementary("tan", "trig", lambda u: sympy.sec(u) ** 2,
                      "the derivative of tan({u}) is sec²({u}) (= 1 + tan²({u}))"),
    "sec": Elementary("sec", "trig", lambda u: sympy.sec(u) * sympy.tan(u),
                      "the derivative of sec({u}) is sec({u})·tan({u})"),
    "csc": Elementary("csc", "trig", lambda u: -sympy.csc(u) * sympy.cot(u),
                      "the derivative of csc({u}) is −csc({u})·cot({u})"),
    "cot": Elementary("cot", "trig", lambda u: -sympy.csc(u) ** 2,
                      "the derivative of cot({u}) is −csc²({u}) (= −(1 + cot²({u})))"),
    "asin": Elementary("asin", "inverse_trig", lambda u: 1 / sympy.sqrt(1 - u ** 2),
                       "the derivative of asin({u}) is 1/√(1 − {u}²)"),
    "acos": Elementary("acos", "inverse_trig", lambda u: -1 / sympy.sqrt(1 - u ** 2),
                       "the derivative of acos({u}) is −1/√(1 − {u}²)"),
    "atan": Elementary("atan", "inverse_trig", lambda u: 1 / (1 + u ** 2),
                       "the derivative of atan({u}) is 1/(1 + {u}²)"),
    "sinh": Elementary("sinh", "hyperbolic", lambda u: sympy.cosh(u),
                       "the derivative of sinh({u}) is cosh({u})"),
    "cosh": Elementary("cosh", "hyperbolic", lambda u: sympy.sinh(u),
                       "the derivative of cosh({u}) is sinh({u}) (no minus sign, unlike cos)"),
    "tanh": Elementary("tanh", "hyperbolic", lambda u: 1 - sympy.tanh(u) ** 2,
                       "the derivative of tanh({u}) is 1 − tanh²({u})"),
    "sigmoid": Elementary("sigmoid", "sigmoid", _sigmoid_prime,
                          "the sigmoid's derivative is σ({u})·(1 − σ({u}))"),
    "Abs": Elementary("Abs", "abs", lambda u: sympy.sign(u),
                      "the derivative of |{u}| is sign({u}): −1 left of 0, +1 right of 0 "
                      "(no derivative at 0)"),
    "relu": Elementary("relu", "relu", _relu_prime,
                       "relu({u}) = max(0, {u}) has slope 0 for {u} < 0 and 1 for {u} > 0: "
                       "the step H({u})"),
    "softplus": Elementary("softplus", "softplus", _softplus_prime,
                           "softplus({u}) = log(1 + e^{u}) has derivative σ({u})"),
}


def elementary_for(func) -> Elementary | None:
    """The table entry for a sympy function class (or instance), or None outside the whitelist."""
    name = getattr(func, "__name__", None) or type(func).__name__
    return ELEMENTARY.get(name)
