"""core.formula.decompose: layers outermost first, named h, u, v, …; each layer's derivative; and
factors_at(x0) whose product is h′(x0) — checked against central finite differences."""
from __future__ import annotations

import math
import pickle

import pytest
import sympy

from core.formula.decompose import Decomposition, Layer, decompose
from core.symbolic import sigmoid
from test_core_formula_corpus import POINTS, POSITIVE, X, finite_difference, value

x = X
h, u, v, w = (sympy.Symbol(n, real=True) for n in "huvw")


def outers(dec):
    return [layer.outer for layer in dec.layers]


# (expression, outer of each layer outermost first, points)
NESTED = [
    (sympy.log(2 + sympy.cos(x)), [sympy.log(u), sympy.cos(x) + 2], POINTS),
    (sympy.sin(x**2), [sympy.sin(u), x**2], POINTS),
    (sympy.exp(sympy.sin(3 * x)), [sympy.exp(u), sympy.sin(v), 3 * x], POINTS),
    (sigmoid(2 * x + 1), [sigmoid(u), 2 * x + 1], POINTS),
    (sympy.sqrt(1 + x**2), [sympy.sqrt(u), x**2 + 1], POINTS),
    ((1 + x**2)**3, [u**3, x**2 + 1], POINTS),
    (sympy.tanh(sympy.sin(x))**2, [u**2, sympy.tanh(v), sympy.sin(x)], POINTS),
    (1 / (1 + x**2), [1 / u, x**2 + 1], POINTS),
    (2**sympy.sin(x), [2**u, sympy.sin(x)], POINTS),
    (3 * sympy.log(1 + x**2) + 1, [3 * sympy.log(u) + 1, x**2 + 1], POINTS),
    (sympy.log(2 + sympy.cos(x**2)), [sympy.log(u), sympy.cos(v) + 2, x**2], POINTS),
    (sympy.log(1 + sympy.exp(sympy.sin(x**2))),
     [sympy.log(u), sympy.exp(v) + 1, sympy.sin(w), x**2], POINTS),
    (sympy.atan(sympy.sqrt(x)), [sympy.atan(u), sympy.sqrt(x)], POSITIVE),
    (-sympy.cos(sympy.exp(x)), [-sympy.cos(u), sympy.exp(x)], POINTS),
]


@pytest.mark.parametrize("expr, expected, points", NESTED, ids=[str(e[0]) for e in NESTED])
def test_nested_layers_and_factors(expr, expected, points):
    dec = decompose(expr)
    assert isinstance(dec, Decomposition) and all(isinstance(layer, Layer) for layer in dec.layers)
    assert outers(dec) == expected
    names = [layer.name for layer in dec.layers]
    assert names == ["h", "u", "v", "w"][:len(expected)]
    assert dec.layers[0].expression == expr
    for layer, nxt in zip(dec.layers, dec.layers[1:]):
        assert layer.inner_symbol == nxt.symbol
        # substituting the next layer's expression rebuilds this layer's expression
        assert layer.outer.xreplace({layer.inner_symbol: nxt.expression}) == layer.expression
        assert not layer.is_innermost
    assert dec.layers[-1].inner_symbol == X and dec.layers[-1].is_innermost
    assert dec.layers[-1].outer == dec.layers[-1].expression
    # each layer's derivative is d outer / d inner symbol
    for layer in dec.layers:
        assert sympy.simplify(layer.derivative - sympy.diff(layer.outer, layer.inner_symbol)
                              ).rewrite(sympy.exp).simplify() == 0
    # the factors multiply to h'(x0), checked against finite differences
    checked = 0
    for x0 in points:
        fd = finite_difference(expr, X, x0)
        if fd is None:
            continue
        factors = dec.factors_at(x0)
        assert [label for label, _ in factors] == [layer.label_latex for layer in dec.layers]
        product = math.prod(value_ for _, value_ in factors)
        assert math.isclose(product, float(fd), rel_tol=1e-9, abs_tol=1e-12), (expr, x0, factors, fd)
        assert math.isclose(dec.derivative_at(x0), product, rel_tol=1e-15)
        checked += 1
    assert checked >= 2


def test_lesson_decomposition_in_detail():
    dec = decompose(sympy.log(2 + sympy.cos(x)))
    hl, ul = dec.layers
    assert (hl.name, hl.symbol, hl.outer, hl.inner_symbol) == ("h", h, sympy.log(u), u)
    assert hl.derivative == 1 / u and hl.derivative_in_x == 1 / (2 + sympy.cos(x))
    assert (ul.name, ul.outer, ul.inner_symbol, ul.derivative) == ("u", 2 + sympy.cos(x), X, -sympy.sin(x))
    assert hl.latex == r"h = \log{\left(u \right)}"
    assert ul.latex == r"u = \cos{\left(x \right)} + 2"
    assert hl.label_latex == r"\frac{dh}{du}" and ul.label_latex == r"\frac{du}{dx}"
    assert hl.derivative_latex == r"\frac{dh}{du} = \frac{1}{u}"
    assert dec.product_latex() == r"\frac{dh}{dx} = \frac{dh}{du}\,\frac{du}{dx}"
    assert [layer.text for layer in dec.layers] == ["h = log(u)", "u = cos(x) + 2"]
    assert dec.is_composition and len(dec) == 2
    x0 = 0.7
    (l1, f1), (l2, f2) = dec.factors_at(x0)
    assert math.isclose(f1, 1 / (2 + math.cos(x0)), rel_tol=1e-14)
    assert math.isclose(f2, -math.sin(x0), rel_tol=1e-14)
    assert dec.values_at(x0)[1] == ("u", pytest.approx(2 + math.cos(x0), rel=1e-14))


def test_sigmoid_layer_keeps_its_form():
    dec = decompose(sigmoid(2 * x + 1))
    s = sigmoid(u)
    assert dec.layers[0].derivative == s * (1 - s)
    assert dec.layers[1].derivative == 2


@pytest.mark.parametrize("expr", [x**2 + 3 * x, sympy.sin(x), x * sympy.sin(x**2), x**x,
                                  sympy.exp(x) + sympy.log(1 + x**2), x, sympy.Integer(4)])
def test_not_a_composition_is_one_layer(expr):
    dec = decompose(expr)
    assert len(dec.layers) == 1 and not dec.is_composition
    layer = dec.layers[0]
    assert (layer.name, layer.outer, layer.inner_symbol, layer.expression) == ("h", expr, X, expr)
    assert dec.product_latex().startswith(r"\frac{dh}{dx} = ")
    (label, val), = dec.factors_at(0.6)
    assert label == r"\frac{dh}{dx}"
    want = float(sympy.diff(expr, X).subs(X, sympy.Rational(3, 5)).evalf())
    assert math.isclose(val, want, rel_tol=1e-12, abs_tol=1e-15)


def test_one_layer_for_x_squared_plus_3x_has_its_derivative():
    dec = decompose(x**2 + 3 * x)
    assert dec.layers[0].derivative == 2 * x + 3
    assert dec.product_latex() == r"\frac{dh}{dx} = 2 x + 3"


def test_undefined_factor_is_nan():
    # cos(2) < 0: log u is undefined there, so dh/du is NaN although 1/u itself would be a number;
    # the inner factor du/dx = -sin(2) is still given
    (_, outer), (_, inner) = decompose(sympy.log(sympy.cos(x))).factors_at(2.0)
    assert math.isnan(outer) and math.isclose(inner, -math.sin(2.0), rel_tol=1e-14)
    assert math.isnan(dict(decompose(sympy.sqrt(sympy.log(x))).factors_at(0.5))[r"\frac{dh}{du}"])
    assert math.isnan(dict(decompose(1 / sympy.sin(x)**2).factors_at(0.0))[r"\frac{dh}{du}"])
    assert math.isnan(decompose(sympy.log(x - 3)).values_at(1.0)[0][1])
    assert not math.isnan(decompose(sympy.log(sympy.cos(x))).factors_at(0.5)[0][1])


def test_deep_nesting_and_pickling():
    e = x
    for _ in range(12):
        e = sympy.sin(e)
    dec = decompose(e)
    assert len(dec.layers) == 12
    assert [layer.name for layer in dec.layers][:9] == ["h", "u", "v", "w", "s", "t", "p", "q", "r"]
    assert dec.layers[9].name == "u_8"
    # the chain-rule steps of derive() use the same letters at the same depth
    from core.formula.derive import derive
    step, symbols = derive(e).root, []
    while step.rule == "chain":
        symbols.append(step.parts["symbol"])
        step = step.children[1]
    assert symbols == [layer.symbol for layer in dec.layers[1:]]
    x0 = 0.8
    fd = float(finite_difference(e, X, x0))
    assert math.isclose(dec.derivative_at(x0), fd, rel_tol=1e-9)
    back = pickle.loads(pickle.dumps(dec))
    assert [layer.outer for layer in back.layers] == [layer.outer for layer in dec.layers]
    assert back.factors_at(x0) == dec.factors_at(x0)


def test_product_expression_equals_sympy_diff():
    for expr, _, points in NESTED:
        dec = decompose(expr)
        diff = sympy.diff(expr, X)
        for x0 in points[:3]:
            a, b = value(dec.product_expression(), X, x0), value(diff, X, x0)
            if a is None or b is None:
                continue
            assert math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)


def test_refuses_text():
    with pytest.raises(TypeError):
        decompose("log(2 + cos(x))")
