"""Sums print in the order the learner typed them (core.formula.term_order): the lesson's
u = 2 + cos x, not sympy's cos x + 2 — in the decomposition, the derivation, the graph and the
printed derivative — with the maths unchanged (checked against sympy.diff and by re-parsing what is
printed)."""
import math

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.formula import (X, analyze_formula, computation_graph, decompose, derive, format_formula,
                          formula_latex, formula_text, parse_formula, parse_with_order)
from core.formula.parser import MAX_LENGTH
from tests.formula_strategies import formula_expressions, formula_functions_of_x, formula_typed

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
COS = r"\cos{\left(x \right)}"
LESSON = "log(2 + cos(x))"


def printed(text: str) -> str:
    """``text`` parsed and written back with its typed order (parseable text)."""
    expr, order = parse_with_order(text)
    return format_formula(expr, order)


# ---------------------------------------------------------------------------------------------
# The lesson, everywhere it is shown
# ---------------------------------------------------------------------------------------------

def test_the_lesson_keeps_2_plus_cos_x_in_every_view():
    analysis = analyze_formula(LESSON)
    assert analysis.formula == "log(2 + cos(x))"
    assert analysis.latex == rf"\log{{\left(2 + {COS} \right)}}"
    # decomposition: h = log u, u = 2 + cos x
    outer, inner = analysis.decomposition.layers
    assert inner.latex == f"u = 2 + {COS}" and inner.text == "u = 2 + cos(x)"
    assert outer.latex == r"h = \log{\left(u \right)}"
    # derivation: the chain step and the sum step, and the sum rule takes its terms as typed
    chain = analysis.derivation.root
    assert chain.rule == "chain" and f"2 + {COS}" in chain.equation_latex
    assert "g(x) = 2 + cos(x)" in chain.explanation
    sum_step = chain.children[1]
    assert sum_step.rule == "sum" and sum_step.equation_latex.startswith(rf"\frac{{d}}{{dx}}\left(2 + {COS}\right)")
    assert [child.expression for child in sum_step.children] == [2, sympy.cos(X)]
    assert "2 and cos(x)" in sum_step.explanation
    # h′ = −sin x / (2 + cos x): the derivative's denominator in typed order
    assert analysis.derivative_latex == rf"- \frac{{\sin{{\left(x \right)}}}}{{2 + {COS}}}"
    assert analysis.derivative_formula == "−sin(x)/(2 + cos(x))"
    # graph: the + node takes 2 then cos, and prints as typed
    graph = analysis.graph
    plus = next(node for node in graph.nodes if node.op == "add")
    assert [graph.nodes[a].label for a in plus.args] == ["2", "cos"]
    assert plus.latex == f"2 + {COS}" and plus.text == "2 + cos(x)"
    log_node = graph.nodes[graph.output]
    assert log_node.latex == analysis.latex


def test_the_printed_derivative_is_the_true_one():
    """What the learner reads as h′ (typed order) is sympy.diff's derivative, re-parsed by our parser,
    and agrees with central differences."""
    analysis = analyze_formula(LESSON)
    shown = parse_formula(analysis.derivative_formula)   # the parser reads '−' and '·'
    assert sympy.simplify(shown - sympy.diff(sympy.log(2 + sympy.cos(X)), X)) == 0
    f = sympy.lambdify(X, analysis.expr, "math")
    df = sympy.lambdify(X, shown, "math")
    for x0 in (-2.0, 0.3, 1.0, 2.5):
        h = 1e-6
        assert math.isclose(df(x0), (f(x0 + h) - f(x0 - h)) / (2 * h), rel_tol=1e-6, abs_tol=1e-9)


def test_without_a_typed_order_sympy_order_stays():
    """The functions keep their old output when given a bare expression (no typed order known)."""
    expr = parse_formula(LESSON)
    assert formula_text(expr) == "log(cos(x) + 2)"
    assert format_formula(expr) == "log(cos(x) + 2)"
    assert decompose(expr).layers[1].latex == f"u = {COS} + 2"
    assert computation_graph(expr).nodes[3].latex == rf"{COS} + 2"


def test_text_given_to_the_graph_brings_its_own_order():
    graph = computation_graph(LESSON)
    assert graph.nodes[graph.output].text == "log(2 + cos(x))"


# ---------------------------------------------------------------------------------------------
# What the parser records
# ---------------------------------------------------------------------------------------------

def test_sums_follow_the_typed_order_through_what_sympy_does_to_them():
    assert printed("2 + cos(x)") == "2 + cos(x)"
    assert printed("1 + x + x^2") == "1 + x + x^2"
    assert printed("(2 + x) + sin(x)") == "2 + x + sin(x)"      # nested sums are flattened
    assert printed("x - (1 + sin(x))") == "x - 1 - sin(x)"      # the sign is distributed
    assert printed("-(2 + x)") == "-2 - x"
    assert printed("3(2 + x)") == "6 + 3*x"                     # so is a constant factor
    assert printed("x + 2 + 3x") == "4*x + 2"                   # like terms meet where the first was
    assert printed("2 + 3 + x") == "5 + x"                      # numbers where the first number was
    assert printed("exp(1 + x)/(2 - x)") == "exp(1 + x)/(2 - x)"


def test_a_sum_typed_twice_prints_as_first_typed():
    """A TermOrder maps a sum by its value, so one sum has one order: the first one typed."""
    assert printed("(1 + x) sin(x + 1)") == "(1 + x)*sin(1 + x)"


def test_products_keep_their_usual_order():
    """Typed order is for sums; a product keeps the convention coefficient first (x*2 is 2x)."""
    assert printed("x*2") == "2*x"
    assert printed("sin(x) x") == "x*sin(x)"


# ---------------------------------------------------------------------------------------------
# Derivatives: sums built from typed terms follow them; sympy's own sums keep sympy's order
# ---------------------------------------------------------------------------------------------

def _derivative_text(text: str) -> str:
    expr, order = parse_with_order(text)
    derivation = derive(expr, order=order)
    assert sympy.simplify(derivation.result - sympy.diff(expr, X)) == 0
    return formula_text(derivation.result, order)


def test_a_derivative_follows_the_terms_it_comes_from():
    assert _derivative_text("cos(x) + x^2") == "−sin(x) + 2·x"          # sympy: 2·x − sin(x)
    assert _derivative_text("1 + x + x^2") == "1 + 2·x"
    # the product rule's terms in the order of the rule, f′g + fg′ (f = x, g = sin x)
    assert _derivative_text("x sin(x)") == "sin(x) + x·cos(x)"
    # the quotient rule's numerator f′g − fg′, and the typed denominator
    assert _derivative_text("x/(1 + x)") == "(1 + x)^(−2)"   # sympy writes 1/(1 + x)² so
    expr, order = parse_with_order("sin(x)/(2 + x)")
    quotient = derive(expr, order=order).root
    assert quotient.rule == "quotient"
    assert formula_latex(quotient.result, order).startswith(r"\frac{\left(2 + x\right) \cos{\left(x \right)} - ")


def test_a_number_distributed_over_a_typed_sum_keeps_its_order():
    """(1 + x + x²)²: the chain rule's 2u at u = 1 + x + x² is distributed by sympy to 2 + 2x + 2x²."""
    assert _derivative_text("(1 + x + x^2)^2") == "(1 + 2·x)·(2 + 2·x + 2·x^2)"


def test_sums_that_sympy_made_keep_sympy_order_around_typed_ones():
    """1 − tanh² comes from the rule (no typed order: sympy's), the 2 + x inside it as typed."""
    assert _derivative_text("tanh(2 + x)") == "1 − tanh(2 + x)^2"


def test_layers_of_a_deeper_chain_keep_the_typed_order():
    expr, order = parse_with_order("log(2 + cos(x^2))")
    layers = decompose(expr, order=order).layers
    assert [layer.text for layer in layers] == ["h = log(u)", "u = 2 + cos(v)", "v = x^2"]
    assert layers[0].derivative_in_x == 1 / (2 + sympy.cos(X ** 2))
    assert formula_latex(layers[0].derivative_in_x, order) == r"\frac{1}{2 + \cos{\left(x^{2} \right)}}"


# ---------------------------------------------------------------------------------------------
# Properties on random formulas
# ---------------------------------------------------------------------------------------------

def _parseable(text: str) -> str:
    """formula_text's σ and E in the parser's spelling (it writes them for reading, not parsing)."""
    return text.replace("σ(", "sigmoid(").replace("E", "e")


@PROPERTY
@given(formula_typed(max_leaves=6))
def test_typed_order_printing_means_the_same_as_sympy_order(pair):
    """Whatever was typed, the text printed in typed order parses back (with our parser) to the very
    expression parsed, in both the parseable and the display printers."""
    text, expected = pair
    expr, order = parse_with_order(text)
    assert expr == expected == parse_formula(text)
    shown = format_formula(expr, order)
    if len(shown) <= MAX_LENGTH:
        assert parse_formula(shown) == expr
    display = formula_text(expr, order)
    if "|" not in display and len(display) <= MAX_LENGTH:   # |x| is for reading only
        assert parse_formula(_parseable(display)) == expr
    formula_latex(expr, order)   # prints


def _top_level_terms(text: str) -> list[str]:
    """The signed terms of a sum as format_formula writes it ("a + b - c" -> a, b, -(c))."""
    terms, depth, start, sign = [], 0, 0, ""
    i = 0
    while i < len(text):
        char = text[i]
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and text[i:i + 3] in (" + ", " - "):
            terms.append(f"{sign}({text[start:i]})")
            sign = "-" if text[i + 1] == "-" else ""
            start = i = i + 3
            continue
        i += 1
    terms.append(f"{sign}({text[start:]})")
    return terms


@PROPERTY
@given(st.lists(st.one_of(formula_functions_of_x(max_leaves=3), formula_expressions(max_leaves=1)),
                min_size=2, max_size=4))
def test_a_sum_of_distinct_terms_prints_in_the_typed_order(terms):
    total = sympy.Add(*terms)
    assume(isinstance(total, sympy.Add) and len(total.args) == len(terms) and set(total.args) == set(terms))
    text = " + ".join(f"({format_formula(term)})" for term in terms)
    assume(len(text) <= MAX_LENGTH)
    expr, order = parse_with_order(text)
    assert expr == total
    assert order.terms(expr) == terms
    shown = format_formula(expr, order)
    assert [parse_formula(piece) for piece in _top_level_terms(shown)] == terms
    assert parse_formula(shown) == expr
