"""core.formula.derive: the shape of the step tree, the rule each form gets, the presented forms
(σ(1 − σ), 1 − tanh², sec²), the words and LaTeX a learner sees, and a property test against
sympy.diff on random whitelisted expressions."""
from __future__ import annotations

import pickle

import pytest
import sympy

from core.formula.derive import (CHAIN_LETTERS, RULES, Derivation, DerivationError, Step, derive,
                                 formula_latex, formula_text)
from core.formula.rules import ELEMENTARY, RULE_FORMULAS, RULE_TITLES
from core.symbolic import sigmoid
from test_core_formula_corpus import (POSITIVE, X, assert_matches_finite_differences,
                                      assert_matches_sympy, assert_well_formed, close, in_real_domain,
                                      value)

x = X
u = sympy.Symbol("u", real=True)
v = sympy.Symbol("v", real=True)


def rules_depth_first(derivation):
    return [step.rule for _, step in derivation.walk()]


# --------------------------------------------------------------------------------------------
# The lesson's example, in detail

def test_lesson_chain_names_outer_and_inner():
    h = sympy.log(2 + sympy.cos(x))
    d = derive(h)
    assert isinstance(d, Derivation) and isinstance(d.root, Step)
    root = d.root
    assert root.rule == "chain" and root.title == "Chain rule"
    assert root.parts["symbol"] == u
    assert root.parts["outer"] == sympy.log(u)
    assert root.parts["inner"] == 2 + sympy.cos(x)
    assert root.parts["outer_derivative"] == 1 / u
    assert root.parts["outer_derivative_at_inner"] == 1 / (2 + sympy.cos(x))
    assert root.parts["inner_derivative"] == -sympy.sin(x)
    # exactly the textbook answer, not merely an equal one
    assert d.result == -sympy.sin(x) / (2 + sympy.cos(x))
    outer, inner = root.children
    assert (outer.rule, outer.expression, outer.result, outer.variable) == ("log", sympy.log(u), 1 / u, u)
    assert inner.rule == "sum" and [c.rule for c in inner.children] == ["trig", "constant"]
    # the words name the concrete pieces
    text = root.explanation
    assert "f(u) = log(u)" in text and "g(x) = cos(x) + 2" in text
    assert "f′(g(x))·g′(x)" in text and text.endswith("= −sin(x)/(cos(x) + 2)")
    # LaTeX: the outer step is d/du, the rest d/dx
    assert outer.equation_latex.startswith(r"\frac{d}{du}")
    assert root.equation_latex.startswith(r"\frac{d}{dx}")
    assert root.result_latex == r"- \frac{\sin{\left(x \right)}}{\cos{\left(x \right)} + 2}"
    assert root.parts_latex["outer"] == r"\log{\left(u \right)}"
    assert d.rules() == {"chain", "log", "sum", "trig", "constant"}


def test_nested_chains_use_the_next_letters():
    d = derive(sympy.exp(sympy.sin(3 * x)))
    root = d.root
    assert root.rule == "chain" and root.parts["symbol"] == u and root.parts["outer"] == sympy.exp(u)
    inner = root.children[1]
    assert inner.rule == "chain" and inner.parts["symbol"] == v and inner.parts["outer"] == sympy.sin(v)
    assert inner.children[1].rule == "constant_multiple"
    assert d.result == 3 * sympy.cos(3 * x) * sympy.exp(sympy.sin(3 * x))
    # chains side by side (not nested) both use u
    side = derive(sympy.sin(x**2) + sympy.cos(x**3))
    assert [c.parts["symbol"] for c in side.root.children] == [u, u]


def test_chain_letters_avoid_the_variable_name():
    t = sympy.Symbol("u", real=True)
    d = derive(sympy.sin(t**2), t)
    assert d.root.parts["symbol"].name == "v"
    assert d.result == 2 * t * sympy.cos(t**2)
    assert CHAIN_LETTERS[0] == "u"


# --------------------------------------------------------------------------------------------
# Which rule each form gets

@pytest.mark.parametrize("expr, root_rule, child_rules", [
    (sympy.Integer(7), "constant", []),
    (sympy.pi, "constant", []),
    (x, "variable", []),
    (x**5, "power", []),
    (3 * sympy.sin(x), "constant_multiple", ["trig"]),
    (-x**2, "constant_multiple", ["power"]),
    (x / 2, "constant_multiple", ["variable"]),
    (x**2 + 3 * x + sympy.sin(x) + 1, "sum", ["power", "constant_multiple", "trig", "constant"]),
    (x**2 * sympy.sin(x), "product", ["power", "trig"]),
    (x * sympy.sin(x) * sympy.exp(x), "product", ["variable", "exp", "trig"]),
    (x * sympy.exp(-x), "product", ["variable", "chain"]),     # not the quotient x/e^x
    (sympy.sin(x) / x, "quotient", ["trig", "variable"]),
    (x / (x + 1), "quotient", ["variable", "sum"]),
    (sympy.exp(x) / (x * (x + 1)), "quotient", ["exp", "product"]),
    (1 / (x**2 + 1), "chain", ["power", "sum"]),                # reciprocal: chain on u^(-1)
    (sympy.sqrt(x), "power", []),
    (1 / x, "power", []),
    (2**x, "exp", []),
    (2**(x**2), "chain", ["exp", "power"]),
    (x**x, "general_power", ["product"]),
    (sympy.Abs(x), "abs", []),
])
def test_rule_per_form(expr, root_rule, child_rules):
    d = derive(expr)
    assert d.root.rule == root_rule
    assert [c.rule for c in d.root.children] == child_rules
    assert_matches_sympy(expr, d.result, X, POSITIVE)
    assert_well_formed(d, POSITIVE)


def test_sum_is_one_step_with_a_child_per_term():
    e = sum(x**k for k in range(1, 9))
    d = derive(e)
    assert d.root.rule == "sum" and len(d.root.children) == 8
    assert all(c.rule in ("power", "variable") for c in d.root.children)
    assert d.result == sum(k * x**(k - 1) for k in range(1, 9))
    assert "8 terms" in d.root.explanation


def test_product_of_three_is_the_generalised_rule():
    d = derive(x * sympy.sin(x) * sympy.exp(x))
    assert d.root.rule == "product" and len(d.root.children) == 3
    assert [c.expression for c in d.root.children] == [x, sympy.exp(x), sympy.sin(x)]
    assert "3 factors" in d.root.explanation and "3 terms" in d.root.explanation
    assert d.result.is_Add and len(d.result.args) == 3


def test_quotient_parts_and_form():
    d = derive(sympy.sin(x) / x)
    assert d.root.parts["numerator"] == sympy.sin(x) and d.root.parts["denominator"] == x
    assert d.result == (x * sympy.cos(x) - sympy.sin(x)) / x**2
    assert "(f′·g − f·g′)/g²" in d.root.explanation
    assert derive(x / (x + 1)).result == 1 / (x + 1)**2


def test_constant_multiple_keeps_the_constant():
    d = derive(3 * sympy.sin(x))
    assert d.result == 3 * sympy.cos(x)
    assert d.root.parts == {"constant": 3, "function": sympy.sin(x)}
    assert "constant factor 3" in d.root.explanation


def test_power_rule_variants_say_what_they_are():
    sq = derive(sympy.sqrt(x)).root
    assert sq.rule == "power" and "square root" in sq.title and "√x = x^(1/2)" in sq.explanation
    assert sq.result == 1 / (2 * sympy.sqrt(x))
    rec = derive(1 / x).root
    assert rec.rule == "power" and "reciprocal" in rec.title and rec.result == -1 / x**2
    cube = derive(x**3).root
    assert cube.result == 3 * x**2 and "n = 3" in cube.explanation


def test_exponential_with_constant_base():
    d = derive(2**x)
    assert d.result == 2**x * sympy.log(2)
    assert "a = 2" in d.root.explanation


def test_general_power_goes_through_exp_and_log():
    d = derive(x**x)
    root = d.root
    assert root.rule == "general_power"
    assert root.parts["log_form"] == x * sympy.log(x)
    assert root.children[0].expression == x * sympy.log(x)
    assert d.result == x**x * (sympy.log(x) + 1)
    assert "e^(x·log(x))" in root.explanation


# --------------------------------------------------------------------------------------------
# Presented forms

def test_sigmoid_keeps_sigma_one_minus_sigma():
    d = derive(sigmoid(x))
    s = sigmoid(x)
    assert d.root.rule == "sigmoid"
    assert d.result == s * (1 - s)
    assert not d.result.has(sympy.exp) and not d.result.has(sympy.cosh)
    assert formula_text(d.result) == "σ(x)·(1 − σ(x))"
    assert d.result_latex == r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)"
    # the textbook order is a printing matter: sympy itself sorts (1 - σ)σ
    assert sympy.latex(d.result).startswith(r"\left(1 - \sigma")
    assert formula_latex(-3 * s * (1 - s) / x) == sympy.latex(-3 * s * (1 - s) / x)  # fractions: sympy's
    nested = derive(sigmoid(2 * x + 1))
    s = sigmoid(2 * x + 1)
    assert nested.result == 2 * s * (1 - s)
    assert nested.result_latex.startswith(r"2 \sigma\left(2 x + 1\right) \left(1 - \sigma")


def test_tanh_and_trig_forms():
    assert derive(sympy.tanh(x)).result == 1 - sympy.tanh(x)**2
    assert not derive(sympy.tanh(sympy.sin(x))**2).result.has(sympy.cosh)
    assert derive(sympy.tan(x)).result == sympy.sec(x)**2
    assert derive(sympy.cot(x)).result == -sympy.csc(x)**2
    assert derive(sympy.sec(x)).result == sympy.sec(x) * sympy.tan(x)
    assert derive(sympy.csc(x)).result == -sympy.csc(x) * sympy.cot(x)
    assert derive(sympy.cosh(x)).result == sympy.sinh(x)
    assert derive(sympy.atan(x)).result == 1 / (1 + x**2)
    assert derive(sympy.asin(x)).result == 1 / sympy.sqrt(1 - x**2)
    assert derive(sympy.Abs(x)).result == sympy.sign(x)


def test_relu_and_softplus():
    from core.symbolic import relu, softplus
    assert derive(relu(x)).root.rule == "relu"
    assert derive(relu(x)).result == sympy.Heaviside(x)
    assert derive(relu(x)).result == sympy.diff(relu(x), x)
    assert derive(softplus(x)).root.rule == "softplus"
    assert derive(softplus(x)).result == sigmoid(x)
    d = derive(relu(2 * x - 1) + softplus(sympy.sin(x)))
    assert {"sum", "chain", "relu", "softplus", "trig"} <= d.rules()
    points = (-1.3, -0.4, 0.9, 1.7)
    assert_matches_sympy(d.expression, d.result, X, points)
    assert_matches_finite_differences(d.expression, d.result, X, points)


def test_result_is_not_simplified_away_from_the_textbook():
    """No sympy.simplify: the chain-rule product stays a product of the recognisable factors."""
    e = sympy.log(sympy.cos(x))
    assert derive(e).result == -sympy.sin(x) / sympy.cos(x)  # not -tan(x)
    e = sympy.sqrt(1 + x**2)
    assert derive(e).result == x / sympy.sqrt(1 + x**2)


# --------------------------------------------------------------------------------------------
# The tree, words, LaTeX and robustness

def test_every_rule_has_a_title_and_a_formula():
    assert set(RULES) == set(RULE_TITLES) == set(RULE_FORMULAS)
    for entry in ELEMENTARY.values():
        assert entry.rule in RULES


def test_walk_steps_rules_and_latex_export():
    d = derive(sympy.log(2 + sympy.cos(x)))
    pairs = list(d.walk())
    assert [depth for depth, _ in pairs] == [0, 1, 1, 2, 2]
    assert d.steps() == [step for _, step in pairs]
    assert rules_depth_first(d) == ["chain", "log", "sum", "trig", "constant"]
    tex = d.to_latex()
    assert tex.startswith(r"\begin{align*}") and tex.count(r"\\") == 4 and r"\text{Chain rule}" in tex


def test_latex_lays_out_with_the_apps_renderer():
    """Every rule formula and every step's equation renders with ziamath (what the lab draws with)."""
    ziamath = pytest.importorskip("ziamath")
    from core.formula.decompose import decompose
    from core.symbolic import relu, softplus
    pieces = list(RULE_FORMULAS.values())
    for e in (sigmoid(2 * x + 1) * relu(x) + softplus(x**2), sympy.Abs(sympy.sin(x)) / sympy.sqrt(x),
              x**x + 2**x):
        for _, step in derive(e).walk():
            pieces += [step.equation_latex, step.rule_latex, *step.parts_latex.values()]
        dec = decompose(e)
        pieces += [dec.product_latex()] + [layer.latex for layer in dec.layers]
        pieces += [layer.derivative_latex for layer in dec.layers]
    for latex in sorted(set(pieces)):
        assert ziamath.Latex(latex).svg().startswith("<svg"), latex


def test_refuses_text_and_non_expressions():
    with pytest.raises(DerivationError):
        derive("sin(x)")
    with pytest.raises(DerivationError):
        derive([x])
    assert derive(3).result == 0 and derive(2.5).root.rule == "constant"


def test_unknown_function_falls_back_to_sympy():
    d = derive(sympy.erf(x**2))
    assert d.root.rule == "function"
    assert d.result == sympy.diff(sympy.erf(x**2), x)


def test_derivation_pickles():
    """analyze_formula ships the derivation from the worker process."""
    d = derive(sigmoid(sympy.sin(x)) * sympy.log(1 + x**2))
    back = pickle.loads(pickle.dumps(d))
    assert back.result == d.result
    assert rules_depth_first(back) == rules_depth_first(d)
    assert [s.explanation for s in back.steps()] == [s.explanation for s in d.steps()]


def test_large_expression_derives_term_by_term():
    """A sum of 60 nested terms (its speed: tests/benchmarks/bench_formula.py)."""
    e = sum(sympy.sin(k * x + sympy.log(1 + x**2))**2 * sympy.exp(-x / k) for k in range(1, 61))
    d = derive(e)
    assert len(d.root.children) == 60
    expected = sympy.diff(e, X)
    for x0 in (0.3, 1.1):  # defined everywhere: no domain walk needed
        assert close(value(d.result, X, x0), value(expected, X, x0), 1e-18)
    # explanations stay readable: a long sum lists its first terms, then "…"
    assert "60 terms" in d.root.explanation and ", …" in d.root.explanation
    assert len(d.root.explanation) < 400


def test_deeply_nested_expression():
    e = x
    for _ in range(30):
        e = sympy.sin(e + 1)
    d = derive(e)
    assert max(depth for depth, _ in d.walk()) >= 30
    assert_matches_sympy(e, d.result, X, (0.2, 0.7))
    # the outer chain's explanation names f but leaves the huge g(x) and h' to the LaTeX
    assert d.root.explanation == ("h = f(g(x)) with f(u) = sin(u) and g(x) = …, "
                                  "so h′ = f′(g(x))·g′(x)")


# --------------------------------------------------------------------------------------------
# Property: for random whitelisted expressions (helper A's strategies), derive == sympy.diff

from hypothesis import HealthCheck, given, settings  # noqa: E402

from formula_strategies import formula_functions_of_x  # noqa: E402

PROPERTY_POINTS = (-1.3, -0.4, 0.35, 0.9, 1.7, 2.6)
WIDER_POINTS = (-3.7, -2.9, -0.95, 0.05, 3.3, 5.1)


def _check_against_sympy(expr):
    d = derive(expr)
    assert d.rules() <= set(RULES)
    expected = sympy.diff(expr, X)
    agreed = 0
    for x0 in PROPERTY_POINTS + WIDER_POINTS:
        if agreed >= 3:
            break
        want = value(expected, X, x0)
        if want is None or not in_real_domain(expr, X, x0):
            continue
        got = value(d.result, X, x0)
        assert got is not None, f"{expr}: derivative {d.result} undefined at {x0}, sympy {want}"
        assert close(got, want, 1e-15), (expr, d.result, expected, x0)
        agreed += 1
    if agreed == 0:
        # nowhere real among the sample points (asin(x + 7), a constant that is not real, ...):
        # then the difference to sympy.diff must vanish symbolically
        from test_core_formula_corpus import symbolically_zero
        assert symbolically_zero(d.result - expected), (expr, d.result, expected)
    return d


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_functions_of_x(6))
def test_property_matches_sympy_diff(expr):
    d = _check_against_sympy(expr)
    for _, step in d.walk():
        assert step.rule in RULES and step.explanation and step.title


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_functions_of_x(6))
def test_property_decomposition_factors_multiply_to_the_derivative(expr):
    from core.formula.decompose import decompose
    dec = decompose(expr)
    expected = sympy.diff(expr, X)
    assert dec.layers[0].expression == expr and dec.layers[-1].inner_symbol == X
    for x0 in PROPERTY_POINTS[:4]:
        x0 = sympy.Float(x0)  # the very double factors_at evaluates at (conditioning: sec(x^50))
        want = value(expected, X, x0)
        if want is None or not in_real_domain(expr, X, x0) or abs(want) > 1e12:
            continue
        assert close(dec.derivative_at(x0), want, 1e-9), (expr, x0, dec.factors_at(x0), want)
