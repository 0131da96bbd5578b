"""A step-by-step differentiator: ``derive(expr)`` returns a tree of named rule applications.

This is not a wrapper around ``sympy.diff``: it walks the expression the way a learner does on paper
and records each rule it applies (rule names in ``core.formula.rules.RULES``). sympy only does the
algebra of assembling each step's result (its automatic evaluation: 1·u = u, x + 1 − x = 1,
(x²)² = x⁴); no ``simplify`` runs, so the recognisable forms survive — σ(x)(1 − σ(x)), 1 − tanh²,
sec² — and even large inputs stay fast (the work is linear in the size of the expression tree).
The tests check every result against ``sympy.diff`` and central finite differences.

How the expression is read (the top-level node decides the rule):

* no x in it -> "constant" (0); x itself -> "variable" (1).
* a sum -> ONE "sum" step with a child per term, in the order the terms were typed (the TermOrder
  given to ``derive``; sympy's printing order otherwise).
* a product with a constant factor (3 sin x, −x², x/2) -> "constant_multiple", child: the rest.
* a product with x in a denominator (sympy stores a/b as a·b⁻¹; ``sympy.fraction(.., exact=True)``
  recovers the numerator/denominator a learner wrote, without turning e^(−x) into 1/eˣ) ->
  "quotient", children: numerator, denominator.
* any other product -> "product": the GENERALISED product rule, one step with a child per factor
  (fgh)′ = f′gh + fg′h + fgh′ — not nested two-factor steps, so a product of three factors reads as
  one rule with three terms.
* a power xⁿ with constant n -> "power" (√x is x^(1/2) and 1/x is x^(−1): still "power", with a
  title and explanation that say so; there is no separate "sqrt" rule). A constant base aˣ ->
  "exp" (aˣ ln a). x in both base and exponent (xˣ) -> "general_power": f^g = e^(g ln f), one child
  differentiating the exponent g ln f; the result is f^g·(g ln f)′.
* a whitelisted function of x -> its own rule ("exp", "log", "trig", "inverse_trig", "hyperbolic",
  "sigmoid", "abs", "relu", "softplus"); a function (or power) of anything other than x itself ->
  "chain" with two children: the outer function differentiated with respect to its own variable
  (u, or v, w, … in nested chains — the same letters as ``decompose``), then the inner function.
  1/(1 + x²) is therefore the chain rule on u⁻¹, not the quotient rule.
* anything else (a sympy function outside the whitelist, given through the API rather than the
  parser) -> "function", whose result comes straight from sympy.

Reading the tree (for a view): ``derivation.walk()`` yields ``(depth, step)`` parents first;
``step.children`` are in the order the rule uses them (chain: outer, inner; quotient: numerator,
denominator). ``step.title`` is a heading ("Chain rule", "Trigonometric rule (sin)", "Power rule
(square root)"); ``step.explanation`` one lower-case sentence without a final full stop, meant to
follow the title ("Chain rule: h = f(g(x)) with f(u) = log(u) and …"); expressions in it are plain
text (x^2, 2·x, σ(x), |x|, −) and those bigger than TEXT_NODE_LIMIT nodes appear as "…".
``step.equation_latex`` is d/d(step.variable) — the outer step of a chain is differentiated with
respect to u, not x.

Pure sympy; never Qt.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .rules import ELEMENTARY, RULE_FORMULAS, RULE_TITLES, RULES, elementary_for
from .term_order import TermOrder

__all__ = ["derive", "Derivation", "Step", "DerivationError", "RULES", "formula_text", "formula_latex",
           "CHAIN_LETTERS"]

#: Names of the chain rule's intermediate variables by nesting depth (also used by ``decompose``).
CHAIN_LETTERS = ("u", "v", "w", "s", "t", "p", "q", "r")


class DerivationError(ValueError):
    """The expression is not something the step-by-step differentiator accepts (e.g. text)."""


# ---------------------------------------------------------------------------------------------
# Printing. Both printers keep sympy's output except for two things: a product holding σ(a) and
# 1 − σ(a) prints in textbook order σ(a)(1 − σ(a)) (sympy sorts it to (1 − σ(a))σ(a)), and a sum
# whose order a TermOrder knows prints in that order (2 + cos x as typed, not cos x + 2).

def _textbook_factors(expr):
    """The factors of the Mul ``expr`` with each 1 − σ(a) moved right after its σ(a), or None when
    nothing moves (or when the product has a denominator, which sympy prints as a fraction)."""
    from core.symbolic import sigmoid

    factors = list(expr.as_ordered_factors())
    if any(f.is_Pow and f.exp.is_negative for f in factors):
        return None
    partners = {}
    for f in factors:
        if f.is_Add and len(f.args) == 2 and sympy.S.One in f.args:
            other = f.args[0] if f.args[1] is sympy.S.One else f.args[1]
            if (-other).func is sigmoid:
                partners[-other] = f
    moving = [partners[f] for f in factors if f in partners]
    if not moving:
        return None
    ordered = []
    for f in factors:
        if f in moving:
            continue
        ordered.append(f)
        if f in partners:
            ordered.append(partners[f])
    return ordered if ordered != factors else None


class _LatexPrinter(LatexPrinter):
    def __init__(self, term_order=None):
        super().__init__()
        self.term_order = term_order

    def _as_ordered_terms(self, expr, order=None):
        if self.term_order is not None:
            return self.term_order.terms(expr)
        return super()._as_ordered_terms(expr, order=order)

    def _print_Mul(self, expr):
        factors = _textbook_factors(expr)
        if factors is None:
            return super()._print_Mul(expr)
        prefix = ""
        if factors[0] == -1:
            prefix, factors = "- ", factors[1:]
        parts = []
        for i, f in enumerate(factors):
            tex = self._print(f)
            if self._needs_mul_brackets(f, first=(i == 0), last=(i == len(factors) - 1)):
                tex = r"\left(%s\right)" % tex
            parts.append(tex)
        return prefix + " ".join(parts)


class _TextPrinter(StrPrinter):
    def __init__(self, settings=None, term_order=None):
        super().__init__(settings)
        self.term_order = term_order

    def _as_ordered_terms(self, expr, order=None):
        if self.term_order is not None:
            return self.term_order.terms(expr)
        return super()._as_ordered_terms(expr, order=order)

    def _print_Abs(self, expr):
        return "|" + self._print(expr.args[0]) + "|"

    def _print_sigmoid(self, expr):
        return "σ(" + self._print(expr.args[0]) + ")"

    def _print_Heaviside(self, expr):
        return "H(" + self._print(expr.args[0]) + ")"

    def _print_Mul(self, expr):
        factors = _textbook_factors(expr)
        if factors is None:
            return super()._print_Mul(expr)
        prefix = ""
        if factors[0] == -1:
            prefix, factors = "-", factors[1:]
        prec = sympy.printing.precedence.precedence(expr)
        return prefix + "*".join(self.parenthesize(f, prec, strict=False) for f in factors)


_PRINTER = _TextPrinter({"full_prec": False})


def formula_text(expr, order=None) -> str:
    """A one-line, human-readable text form of ``expr`` for explanations: x^2, 2·x, σ(x), |x|, −sin(x);
    sums in the order ``order`` (a core.formula.term_order.TermOrder) knows, else sympy's.

    Not meant to be parsed back (``core.formula.format_formula`` is the parseable printer)."""
    printer = _PRINTER if order is None else _TextPrinter({"full_prec": False}, order)
    text = printer.doprint(expr)
    return text.replace("**", "^").replace("*", "·").replace("-", "−")


def formula_latex(expr, order=None) -> str:
    """LaTeX of ``expr`` as sympy prints it (σ for the sigmoid), with σ(a)(1 − σ(a)) in textbook order
    and sums in the order ``order`` (a core.formula.term_order.TermOrder) knows, else sympy's."""
    return _LatexPrinter(order).doprint(expr)


#: Explanations spell out expressions of at most this many nodes; bigger ones appear as "…" (the
#: step's LaTeX still shows them in full). Printing is the expensive part of a derivation, and
#: printing every intermediate result in full made deep nests quadratic (30 nested sin: 3.6 s).
TEXT_NODE_LIMIT = 60


def _small(expr) -> bool:
    for count, _ in enumerate(sympy.preorder_traversal(expr)):
        if count >= TEXT_NODE_LIMIT:
            return False
    return True


def _t(expr, order=None) -> str:
    """Text of ``expr`` for an explanation, "…" when it is too big to read in a sentence."""
    return formula_text(expr, order) if _small(expr) else "…"


def _giving(expr, order=None) -> str:
    """", giving <result>" — or nothing when the result is too big to spell out."""
    return f", giving {formula_text(expr, order)}" if _small(expr) else ""


def _listing(exprs, most: int = 4, order=None) -> str:
    """"a, b and c" for explanations (the first few, then "…", for long lists)."""
    texts = [_t(e, order) for e in exprs[:most]]
    if len(exprs) > most:
        return ", ".join(texts) + ", …"
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _paren(expr, order=None) -> str:
    """Text of ``expr`` wrapped in parentheses when it would be ambiguous as a factor."""
    text = _t(expr, order)
    if text == "…":
        return text
    if expr.is_Add or text.startswith("−") or (expr.is_Rational and not expr.is_Integer):
        return "(" + text + ")"
    return text


# ---------------------------------------------------------------------------------------------
# The tree

@dataclass(frozen=True, eq=False)
class Step:
    """One rule application: ``result`` is d(expression)/d(variable).

    ``children`` are the sub-derivations this step combines (see the module docstring for what they
    are per rule); ``parts`` names the concrete pieces of the rule (for "chain": outer, inner, symbol,
    outer_derivative, outer_derivative_at_inner, inner_derivative; for "quotient": numerator,
    denominator; for "product": nothing — the children's expressions are the factors; for
    "constant_multiple": constant, function; for "power": base, exponent; for "general_power":
    base, exponent, rewritten, log_form)."""

    rule: str
    title: str
    explanation: str
    expression: sympy.Expr
    result: sympy.Expr
    variable: sympy.Symbol
    children: tuple = ()
    parts: dict = field(default_factory=dict)
    order: object = field(default=None, repr=False)   # TermOrder the step's sums print in

    # The LaTeX is printed once and kept (and pickled with the step): the worker process prints it
    # (core.formula.analysis), so a GUI showing a tree of forty steps does not run sympy's printer.
    @cached_property
    def expression_latex(self) -> str:
        return formula_latex(self.expression, self.order)

    @cached_property
    def result_latex(self) -> str:
        return formula_latex(self.result, self.order)

    @cached_property
    def equation_latex(self) -> str:
        r"""``\frac{d}{dx}\left(expression\right) = result`` in this step's own variable."""
        v = formula_latex(self.variable)
        return (rf"\frac{{d}}{{d{v}}}\left({self.expression_latex}\right) = {self.result_latex}")

    @property
    def rule_latex(self) -> str:
        """The general form of this step's rule (e.g. the quotient rule with f and g)."""
        return RULE_FORMULAS[self.rule]

    @property
    def parts_latex(self) -> dict:
        return {name: formula_latex(value, self.order) for name, value in self.parts.items()}

    def walk(self, depth: int = 0):
        """Yield ``(depth, step)`` for this step and every step below it, parents before children."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    def __repr__(self) -> str:
        return (f"Step({self.rule!r}, {formula_text(self.expression, self.order)} -> "
                f"{formula_text(self.result, self.order)})")


@dataclass(frozen=True, eq=False)
class Derivation:
    """The derivation of ``expression`` with respect to ``variable``: ``root`` is the top Step and
    ``result`` the final derivative (equal to ``sympy.diff(expression, variable)``); ``order`` the
    TermOrder its sums print in (the typed order, and the derivative's sums in the order of the terms
    they come from)."""

    expression: sympy.Expr
    variable: sympy.Symbol
    root: Step
    order: object = field(default=None, repr=False)

    @property
    def result(self) -> sympy.Expr:
        return self.root.result

    @property
    def result_latex(self) -> str:
        return self.root.result_latex

    def steps(self) -> list:
        """Every step, parents before children (depth-first, children in order)."""
        return [step for _, step in self.root.walk()]

    def walk(self):
        """``(depth, step)`` pairs, root at depth 0 — convenient for an indented list or a tree view."""
        return self.root.walk()

    def rules(self) -> set:
        """The names of all rules used anywhere in the tree."""
        return {step.rule for _, step in self.root.walk()}

    def to_latex(self) -> str:
        r"""The whole derivation as a LaTeX ``align*`` block: one line per step, indented by depth."""
        lines = []
        for depth, step in self.root.walk():
            indent = r"\quad " * depth
            title = step.title.replace("&", r"\&")
            lines.append(rf"{indent}\text{{{title}}}: && {step.equation_latex}")
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


# ---------------------------------------------------------------------------------------------
# The differentiator

def _default_variable() -> sympy.Symbol:
    try:
        from .functions import X  # helper module of the parser; X = Symbol("x", real=True)
        return X
    except ImportError:  # pragma: no cover - only before core/formula/functions.py exists
        return sympy.Symbol("x", real=True)


def derive(expr, variable: sympy.Symbol | None = None, order=None) -> Derivation:
    """Differentiate ``expr`` step by step with respect to ``variable`` (default: the Function lab's
    X = Symbol("x", real=True)). ``expr`` is a sympy expression (from ``parse_formula``) or a number;
    text is refused — parse it first (sympify on user text executes code).

    ``order``: the TermOrder of ``expr`` (from ``parse_with_order``): sums are differentiated term by
    term in that order, and the sums the derivation builds are recorded in it (the derivative of
    2 + cos x + x² reads −sin x + 2x). Without one, a new TermOrder starts from sympy's order."""
    if isinstance(expr, str):
        raise DerivationError("derive() takes a sympy expression; parse text with parse_formula() first")
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        expr = sympy.Integer(expr) if isinstance(expr, int) else sympy.Float(expr)
    if not isinstance(expr, sympy.Expr):
        raise DerivationError(f"derive() takes a sympy expression, not {type(expr).__name__}")
    var = _default_variable() if variable is None else variable
    if not isinstance(var, sympy.Symbol):
        raise DerivationError("the variable must be a sympy Symbol")
    taken = {s.name for s in expr.free_symbols} | {var.name}
    order = TermOrder() if order is None else order
    root = _Deriver(var, taken, order).step(expr, 0)
    return Derivation(expr, var, root, order)


class _Deriver:
    def __init__(self, var: sympy.Symbol, taken: set, order: TermOrder):
        self.var = var
        self.taken = taken
        self.order = order
        self.v = formula_text(var)

    # -- printing in the term order ------------------------------------------------------------
    def _text(self, expr) -> str:
        return formula_text(expr, self.order)

    def _t(self, expr) -> str:
        return _t(expr, self.order)

    def _giving(self, expr) -> str:
        return _giving(expr, self.order)

    def _listing(self, exprs) -> str:
        return _listing(exprs, order=self.order)

    def _paren(self, expr) -> str:
        return _paren(expr, self.order)

    # -- helpers -------------------------------------------------------------------------------
    def letter(self, depth: int) -> sympy.Symbol:
        names = [n for n in CHAIN_LETTERS if n not in self.taken]
        name = names[depth] if depth < len(names) else f"u_{depth}"
        return sympy.Symbol(name, real=True)

    def make(self, rule, expression, result, explanation, children=(), title=None, **parts):
        return Step(rule=rule, title=title or RULE_TITLES[rule], explanation=explanation,
                    expression=expression, result=result, variable=self.var,
                    children=tuple(children), parts=parts, order=self.order)

    # -- dispatch ------------------------------------------------------------------------------
    def step(self, e, depth: int) -> Step:
        var = self.var
        if not e.has(var):
            return self.make("constant", e, sympy.S.Zero,
                             f"{self._t(e)} does not depend on {self.v}, so its derivative is 0")
        if e == var:
            return self.make("variable", e, sympy.S.One,
                             f"the derivative of {self.v} with respect to {self.v} is 1")
        if e.is_Add:
            return self.sum(e, depth)
        if e.is_Mul:
            return self.mul(e, depth)
        if e.is_Pow:
            return self.pow(e, depth)
        if isinstance(e, sympy.Function) and len(e.args) == 1 and elementary_for(e.func) is not None:
            inner = e.args[0]
            if inner == var:
                return self.elementary(e)
            return self.chain(e, inner, e.func, depth)
        return self.fallback(e)

    # -- rules ---------------------------------------------------------------------------------
    def sum(self, e, depth):
        terms = self.order.terms(e)   # as typed: the derivative of 2 + cos x reads 0 + (−sin x)
        children = [self.step(t, depth) for t in terms]
        result = self.order.add(*[c.result for c in children])
        listed = self._listing(terms)
        return self.make("sum", e, result,
                         f"the derivative of a sum is the sum of the derivatives: differentiate the "
                         f"{len(terms)} terms {listed} one at a time and add{self._giving(result)}", children)

    def mul(self, e, depth):
        var = self.var
        const, rest = e.as_independent(var, as_Add=False)
        if const != 1:
            child = self.step(rest, depth)
            result = self.order.multiply(const, child.result)
            return self.make("constant_multiple", e, result,
                             f"the constant factor {self._paren(const)} stays: differentiate "
                             f"{self._t(rest)} to {self._t(child.result)} and multiply by "
                             f"{self._paren(const)}{self._giving(result)}", [child],
                             constant=const, function=rest)
        num, den = sympy.fraction(e, exact=True)
        if den != 1 and den.has(var):
            return self.quotient(e, num, den, depth)
        return self.product(e, depth)

    def quotient(self, e, num, den, depth):
        top = self.step(num, depth)
        bottom = self.step(den, depth)
        numerator = self.order.add(top.result * den, -(num * bottom.result))   # f′g − fg′, in that order
        result = self.order.multiply(numerator, sympy.Pow(den, -2))
        return self.make("quotient", e, result,
                         f"numerator f = {self._t(num)} and denominator "
                         f"g = {self._t(den)}: (f/g)′ = (f′·g − f·g′)/g² with "
                         f"f′ = {self._t(top.result)} and g′ = {self._t(bottom.result)}"
                         f"{self._giving(result)}", [top, bottom],
                         numerator=num, denominator=den)

    def product(self, e, depth):
        factors = e.as_ordered_factors()
        children = [self.step(f, depth) for f in factors]
        terms = []
        for i, child in enumerate(children):
            others = [f for j, f in enumerate(factors) if j != i]
            terms.append(self.order.multiply(child.result, *others))
        result = self.order.add(*terms)
        if len(factors) == 2:
            f, g = factors
            text = (f"f = {self._t(f)} and g = {self._t(g)}: "
                    f"(f·g)′ = f′·g + f·g′ with f′ = {self._t(children[0].result)} and "
                    f"g′ = {self._t(children[1].result)}{self._giving(result)}")
        else:
            listed = self._listing(factors)
            text = (f"{len(factors)} factors {listed}: differentiate one factor "
                    f"at a time, keep the others as they are, and add the {len(factors)} terms"
                    f"{self._giving(result)}")
        return self.make("product", e, result, text, children)

    def pow(self, e, depth):
        var = self.var
        base, exponent = e.base, e.exp
        if not exponent.has(var):
            if base == var:
                return self.power(e, base, exponent)
            return self.chain(e, base, lambda u: u ** exponent, depth)
        if not base.has(var):
            if exponent == var:
                return self.exponential(e, base)
            return self.chain(e, exponent, lambda u: base ** u, depth)
        return self.general_power(e, base, exponent, depth)

    def power(self, e, base, n):
        result = n * base ** (n - 1)
        v = self.v
        if n == sympy.S.Half:
            title = "Power rule (square root)"
            text = (f"√{v} = {v}^(1/2), so the power rule with n = 1/2 gives "
                    f"(1/2)·{v}^(−1/2) = {self._text(result)}")
        elif n == -1:
            title = "Power rule (reciprocal)"
            text = f"1/{v} = {v}^(−1), so the power rule with n = −1 gives {self._text(result)}"
        elif n.is_Rational and n.q == 2 and n < 0 and n.p == -1:
            title = "Power rule (reciprocal square root)"
            text = (f"1/√{v} = {v}^(−1/2), so the power rule with n = −1/2 gives "
                    f"{self._text(result)}")
        else:
            title = None
            text = (f"n = {self._text(n)}: the derivative of {v}^n is n·{v}^(n−1), "
                    f"here {self._text(result)}")
        return self.make("power", e, result, text, title=title, base=base, exponent=n)

    def exponential(self, e, base):
        result = e * sympy.log(base)
        return self.make("exp", e, result,
                         f"an exponential with the constant base a = {self._text(base)}: the "
                         f"derivative of a^{self.v} is a^{self.v}·ln a, here {self._text(result)}",
                         title="Exponential rule (constant base)", base=base)

    def elementary(self, e):
        entry = elementary_for(e.func)
        result = entry.derivative(self.var)
        text = entry.fact.format(u=self.v)
        return self.make(entry.rule, e, result, text,
                         title=f"{RULE_TITLES[entry.rule]} ({_display_name(entry.name)})")

    def general_power(self, e, base, exponent, depth):
        log_form = exponent * sympy.log(base)
        child = self.step(log_form, depth)
        result = self.order.multiply(e, child.result)
        return self.make("general_power", e, result,
                         f"{self._t(e)} has {self.v} in both the base and the exponent, so "
                         f"neither the power rule nor the exponential rule applies: write it as "
                         f"e^({self._t(log_form)}); by the chain rule its derivative is that "
                         f"same power times the derivative of {self._t(log_form)}{self._giving(result)}",
                         [child],
                         base=base, exponent=exponent, rewritten=sympy.exp(log_form, evaluate=False),
                         log_form=log_form)

    def chain(self, e, inner, outer_of, depth):
        u = self.letter(depth)
        outer = outer_of(u)
        outer_step = _Deriver(u, self.taken, self.order).step(outer, 0)
        inner_step = self.step(inner, depth + 1)
        outer_at_inner = self.order.substitute(outer_step.result, {u: inner})
        result = self.order.multiply(outer_at_inner, inner_step.result)
        v, un = self.v, self._text(u)
        text = (f"h = f(g({v})) with f({un}) = {self._t(outer)} and g({v}) = {self._t(inner)}, "
                f"so h′ = f′(g({v}))·g′({v})")
        if _small(outer_at_inner) and _small(inner_step.result):
            text += f" = {self._paren(outer_at_inner)}·{self._paren(inner_step.result)}"
        if _small(result):
            text += f" = {self._text(result)}"
        return self.make("chain", e, result, text, [outer_step, inner_step],
                         outer=outer, inner=inner, symbol=u, outer_derivative=outer_step.result,
                         outer_derivative_at_inner=outer_at_inner, inner_derivative=inner_step.result)

    def fallback(self, e):
        result = sympy.diff(e, self.var)
        name = getattr(e.func, "__name__", type(e).__name__)
        return self.make("function", e, result,
                         f"{name} is not one of the lab's functions; its derivative comes straight from "
                         f"sympy" + (f": {self._text(result)}" if _small(result) else ""),
                         title=f"Derivative of {name}")


def _display_name(name: str) -> str:
    return {"Abs": "|·|", "sigmoid": "σ"}.get(name, name)


assert set(RULE_TITLES) == set(RULES) == set(RULE_FORMULAS)
assert {entry.rule for entry in ELEMENTARY.values()} <= set(RULES)
