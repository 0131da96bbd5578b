"""Formulas compiled to numpy: values and derivatives against sympy, NaN where undefined (never a
warning or an exception), gaps at poles and jumps but not on smooth curves, the generated source's
whitelist check, caching and pickling."""
import math
import pickle
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from core.formula.functions import X as x
from core.formula.numeric import (CompiledFormula, UnsafeSourceError, check_source, compile_formula,
                                  formula_source, sample_curve, suggest_y_range)
from core.symbolic import relu, sigmoid, softplus

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

CORPUS = [
    sympy.log(2 + sympy.cos(x)),
    sympy.sin(x ** 2),
    sympy.exp(sympy.sin(3 * x)),
    sigmoid(2 * x - 1),
    x ** 2 * sympy.sin(x),
    (x ** 2 + 1) / (x - 2),
    sympy.sqrt(1 + x ** 2),
    (1 + x ** 2) ** 3,
    sympy.tanh(sympy.sin(x)) ** 2,
    softplus(3 * x),
    relu(x - sympy.Rational(1, 3)) * x,
    sympy.sin(x) * sympy.sin(x) + sympy.sin(x),
    sympy.sec(x) + sympy.csc(x) + sympy.cot(x),
    sympy.asin(x / 3) + sympy.acos(x / 4) + sympy.atan(x),
    sympy.sinh(x) - sympy.cosh(x / 2),
    sympy.Abs(x - 0.5) + sympy.pi * x + sympy.E,
    2 ** x + x ** x,
    sympy.Integer(3),
    sympy.log(x) + sympy.tan(x),
    x ** sympy.Rational(1, 3),
]
XS = np.array([-2.7, -1.1, -0.3, 0.2, 0.65, 1.3, 2.4])


def _exact(expr, x0):
    value = complex(sympy.N(expr.subs(x, sympy.Float(x0, 30)), 30))
    if value.imag != 0 or not math.isfinite(value.real):
        return math.nan
    return value.real


@pytest.mark.parametrize("expr", CORPUS, ids=[str(e) for e in CORPUS])
def test_values_and_derivatives_match_sympy(expr):
    compiled = compile_formula(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ys, dys = compiled.f(XS), compiled.df(XS)
    assert ys.dtype == np.float64 and ys.shape == XS.shape and dys.shape == XS.shape
    derivative = sympy.diff(expr, x)
    for x0, y, dy in zip(XS, ys, dys):
        want, dwant = _exact(expr, x0), _exact(derivative, x0)
        if math.isnan(want):
            assert math.isnan(y), (expr, x0, y)
        else:
            assert y == pytest.approx(want, rel=1e-9, abs=1e-12), (expr, x0)
        if math.isnan(dwant):
            assert math.isnan(dy), (expr, x0, dy)
        else:
            assert dy == pytest.approx(dwant, rel=1e-8, abs=1e-10), (expr, x0)
            if not math.isnan(want):  # central differences on the compiled h agree with h'
                step = 1e-6
                central = (compiled.f(np.array([x0 + step]))[0] - compiled.f(np.array([x0 - step]))[0]) / (2 * step)
                assert central == pytest.approx(dwant, rel=1e-5, abs=1e-5)


def test_undefined_values_are_nan_without_warnings_or_errors():
    xs = np.linspace(-3, 3, 601)   # contains 0 exactly
    with np.errstate(over="ignore"):
        overflowing = np.exp(np.exp(3 * xs)) > 1.7e308
    cases = {
        "log": (sympy.log(x), xs <= 0),
        "sqrt": (sympy.sqrt(x), xs < 0),
        "reciprocal": (1 / x, xs == 0),
        "cube root of a negative (complex in sympy)": (x ** sympy.Rational(1, 3), xs < 0),
        "asin outside [-1, 1]": (sympy.asin(x), np.abs(xs) > 1),
        "overflow": (sympy.exp(sympy.exp(3 * x)), overflowing),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (expr, undefined) in cases.items():
            ys = compile_formula(expr).f(xs)
            assert np.array_equal(np.isnan(ys), undefined), name
        ys = compile_formula(sympy.I * x).f(xs)   # complex results: NaN (except where the value is 0)
        assert np.isnan(ys[xs != 0]).all()
        for bad in (np.array([np.nan, np.inf, -np.inf]), np.array([1e308, -1e308])):
            compile_formula(sympy.log(2 + sympy.cos(x))).f(bad)
            compile_formula(sympy.tan(x) / x).df(bad)


def test_accepts_scalars_lists_and_ints():
    compiled = compile_formula(x ** 2 - 1)
    assert compiled.f(3).shape == () and float(compiled.f(3)) == 8.0
    assert compiled.f([1, 2]).tolist() == [0.0, 3.0]
    assert compiled.df(np.arange(3)).tolist() == [0.0, 2.0, 4.0]
    constant = compile_formula(sympy.Integer(3))
    assert constant.f(np.zeros(4)).tolist() == [3.0] * 4 and constant.df(np.zeros(4)).tolist() == [0.0] * 4
    assert compile_formula(sympy.log(2 + sympy.cos(x))).at(0.0) == pytest.approx((math.log(3), 0.0))


# ------------------------------------------------------------------------------------- poles and gaps

def _gaps(ys):
    return np.flatnonzero(np.isnan(ys))


def _straddles(xs, point):
    """Index of the sample just left of ``point``."""
    return int(np.searchsorted(xs, point)) - 1


def _assert_breaks_exactly_at(xs, ys, poles):
    gaps = set(_gaps(ys).tolist())
    expected = set()
    for pole in poles:
        i = _straddles(xs, pole)
        assert i in gaps or i + 1 in gaps, f"no gap at {pole}"
        expected |= {i, i + 1}
    assert gaps <= expected, f"gaps away from poles: {sorted(gaps - expected)}"


def test_tan_breaks_at_every_pole_and_nowhere_else():
    compiled = compile_formula(sympy.tan(x))
    xs = np.linspace(-6, 6, 2000)
    poles = [math.pi / 2 + k * math.pi for k in range(-2, 2)]
    _assert_breaks_exactly_at(xs, compiled.sample(xs), poles)
    _assert_breaks_exactly_at(xs, compiled.sample_derivative(xs), poles)   # sec², an even pole


@settings(max_examples=40, deadline=None)
@given(st.floats(-3.0, 3.0), st.floats(2.0, 9.0), st.integers(200, 3000))
def test_tan_breaks_wherever_the_samples_fall(start, width, count):
    xs = np.linspace(start, start + width, count)
    poles = [p for p in (math.pi / 2 + k * math.pi for k in range(-3, 5)) if xs[0] < p < xs[-1]]
    compiled = compile_formula(sympy.tan(x))
    ys = compiled.sample(xs)
    _assert_breaks_exactly_at(xs, ys, [p for p in poles if not np.any(xs == p)])


@pytest.mark.parametrize("expr", [1 / x, 1 / x ** 2, -2 / x ** 3, 1 / sympy.sin(x), sympy.log(sympy.Abs(x))])
def test_poles_at_zero_break_the_curve(expr):
    xs = np.linspace(-1, 1, 2000)          # 0 is not a sample: the curve must still break
    compiled = compile_formula(expr)
    _assert_breaks_exactly_at(xs, compiled.sample(xs), [0.0])


def test_log_and_sqrt_gaps_are_their_domains():
    xs = np.linspace(-2, 2, 2001)
    assert np.array_equal(np.isnan(compile_formula(sympy.log(x)).sample(xs)), xs <= 0)
    assert np.array_equal(np.isnan(compile_formula(sympy.sqrt(x)).sample(xs)), xs < 0)


def test_jumps_break_the_curve():
    xs = np.linspace(-2, 2, 1000)       # 0 is not a sample
    step = compile_formula(relu(x)).sample_derivative(xs)       # Heaviside
    _assert_breaks_exactly_at(xs, step, [0.0])
    sign = compile_formula(sympy.Abs(x) * 3).sample_derivative(xs)
    _assert_breaks_exactly_at(xs, sign, [0.0])


@pytest.mark.parametrize("expr", [
    sympy.log(2 + sympy.cos(x)), sympy.exp(x), sigmoid(50 * x), sympy.tanh(30 * x), x ** 3 - 40 * x,
    sympy.sin(20 * x), sympy.sqrt(1 + x ** 2), sympy.Integer(2), softplus(5 * x), sympy.atan(x),
    sympy.Abs(x), relu(x), (x ** 2 + 1) ** 3, sympy.exp(-2500 * x ** 2), 1 / (1 + 1e6 * x ** 2),
])
def test_smooth_curves_have_no_gaps(expr):
    xs = np.linspace(-10, 10, 2000)
    compiled = compile_formula(expr)
    assert not np.isnan(compiled.sample(xs)).any()
    if expr not in (sympy.Abs(x), relu(x)):
        assert not np.isnan(compiled.sample_derivative(xs)).any()


def test_sample_curve_takes_any_vectorized_function():
    xs = np.linspace(0.1, 3, 50)
    assert np.allclose(sample_curve(np.sqrt, xs), np.sqrt(xs))
    assert sample_curve(lambda t: 1 / (t - 1.00001), xs)[np.searchsorted(xs, 1.0) - 1:][:2].tolist().count(
        np.nan) <= 2
    assert sample_curve(np.sin, np.array([1.0])).shape == (1,)


def test_suggest_y_range_ignores_the_run_up_to_a_pole():
    xs = np.linspace(-10, 10, 2000)
    tan = compile_formula(sympy.tan(x))
    low, high = suggest_y_range(tan.sample(xs))
    assert -30 < low < -5 and 5 < high < 30                   # the branches, not ±600 near π/2
    low, high = suggest_y_range(tan.sample(xs), tan.sample_derivative(xs))
    assert -30 < low < -5 and 5 < high < 40
    low, high = suggest_y_range(compile_formula(1 / x).sample(xs))
    assert -5 < low < -1 and 1 < high < 5
    exp = compile_formula(sympy.exp(x)).sample(xs)          # no gap, no pole: the top stays in view
    low, high = suggest_y_range(exp)
    assert high > math.exp(10) and low < 0
    cubic = xs ** 3
    assert suggest_y_range(cubic)[1] > 1000
    low, high = suggest_y_range(compile_formula(sympy.log(2 + sympy.cos(x))).sample(xs))
    assert low < 0 < math.log(3) < high < 1.3
    assert suggest_y_range(np.full(5, np.nan)) is None
    low, high = suggest_y_range(np.full(5, 2.0))
    assert low < 2.0 < high




# ------------------------------------------------------------------------------ source, cache, pickling

def test_generated_source_shares_common_subexpressions():
    source = formula_source(sympy.exp(x) * sympy.sin(x) + sympy.exp(x))
    assert source.count("numpy.exp") == 1 and source.startswith("def f(x):")
    check_source(source)
    assert "numpy.maximum" in formula_source(relu(x)) and "numpy.logaddexp" in formula_source(softplus(x))
    assert "numpy.abs" in formula_source(sympy.Abs(x))
    # the step of relu′ prints as numpy.heaviside, even of an argument sympy knows is >= 0
    step = formula_source(sympy.Heaviside(relu(x)) * sympy.Heaviside(x))
    assert step.count("numpy.heaviside") == 2 and "select" not in step
    assert np.allclose(compile_formula(relu(relu(x - 1)), sympy.Heaviside(relu(x - 1)) * sympy.Heaviside(x - 1))
                       .df(np.array([0.0, 1.0, 2.0])), [0.0, 0.25, 1.0])


def test_compile_caches_and_pickles_as_source():
    expr = sigmoid(sympy.sin(x))
    first = compile_formula(expr)
    assert compile_formula(sigmoid(sympy.sin(x))) is first
    again = CompiledFormula.from_source(first.f_source, first.df_source)
    assert CompiledFormula.from_source(first.f_source, first.df_source) is again
    copy = pickle.loads(pickle.dumps(first))
    xs = np.linspace(-2, 2, 9)
    assert np.array_equal(copy.f(xs), first.f(xs)) and np.array_equal(copy.df(xs), first.df(xs))


def test_compile_takes_the_shown_derivative():
    expr = sigmoid(x)
    shown = sigmoid(x) * (1 - sigmoid(x))
    compiled = compile_formula(expr, derivative=shown)
    assert compiled.derivative == shown
    xs = np.linspace(-3, 3, 7)
    assert np.allclose(compiled.df(xs), compile_formula(expr).df(xs))


def test_other_symbols_cannot_be_compiled():
    with pytest.raises(ValueError, match="only use x"):
        formula_source(x + sympy.Symbol("y"))


@pytest.mark.parametrize("source", [
    "import os\ndef f(x):\n    return x\n",
    "def f(x):\n    import os\n    return x\n",
    "def f(x):\n    return open('/etc/passwd')\n",
    "def f(x):\n    return __import__('os')\n",
    "def f(x):\n    return x.__class__\n",
    "def f(x):\n    return numpy.load('a')\n",
    "def f(x):\n    return numpy.sin.__globals__\n",
    "def f(x):\n    return (lambda: 1)()\n",
    "def f(x):\n    return 9**9**9**9\n",
    "def f(x):\n    return 2**99999999999999999999999999\n",
    "def f(x):\n    while True:\n        pass\n    return x\n",
    "def f(x):\n    return [t for t in x]\n",
    "def f(x):\n    numpy = x\n    return numpy\n",
    "def f(x):\n    return y\n",
    "def f(x, y):\n    return x\n",
    "def g(x):\n    return x\n",
    "def f(x):\n    return numpy.sin(x, out=x)\n",
    "def f(x):\n    return getattr(numpy, 'load')\n",
    "def f(x):\n    x0 = 1\n",
    "@numpy.vectorize\ndef f(x):\n    return x\n",
    "def f(x=print):\n    return x\n",
    "def f(x):\n    return x\ndef f(x):\n    return x\n",
    "def f(x):\n    return 'text'\n",
    "def f(x:",
])
def test_unsafe_sources_are_refused(source):
    with pytest.raises(UnsafeSourceError):
        CompiledFormula.from_source(source, "def f(x):\n    return x\n")


def test_generated_code_runs_without_builtins():
    compiled = CompiledFormula.from_source("def f(x):\n    return numpy.sin(x)\n", "def f(x):\n    return numpy.cos(x)\n")
    assert compiled.f.__wrapped__.__globals__["__builtins__"] == {}
    assert set(compiled.f.__wrapped__.__globals__) == {"numpy", "__builtins__", "f"}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(CORPUS), st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20))
def test_never_raises_or_warns(expr, values):
    compiled = compile_formula(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs = np.array(values, dtype=np.float64)
        for ys in (compiled.f(xs), compiled.df(xs), compiled.sample(np.sort(xs))):
            assert ys.shape == xs.shape and ys.dtype == np.float64
            assert not np.isinf(ys).any()
