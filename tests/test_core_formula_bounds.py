"""Nothing typed can hang the window: the parts of the formula pipeline a GUI runs itself are bounded
(the syntax check, the chain factors at x0, typesetting of cheap equations), and what is not bounded
(building with sympy, deriving, typesetting deep equations) finishes or is stopped in the worker
process within its time limit. Numbers are checked against finite differences and sympy."""
import math
import os
import time

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.formula.analysis import analyze_formula
from core.formula.decompose import decompose
from core.formula.functions import X
from core.formula.parser import FormulaError, check_syntax, parse_formula
from core.process_runner import FormulaTimeout, FormulaTooLarge, SymbolicRunner
from tests.formula_strategies import FUNCTION_NAMES, typed_formulas

LIMIT = 2.0        # the worker's time limit in these tests
MARGIN = 3.0       # a stopped call is reported within LIMIT + MARGIN (on a loaded, shared machine)
QUICK = 2.0        # seconds: a hang detector for one bounded step on a loaded machine (the step takes
                   # milliseconds; the unbounded versions took tens of seconds)

SLOW_TO_BUILD = ["tanh(" * 10 + "sqrt(x)" + ")" * 10,
                 "cot(sinh(sqrt(tan((x*log(exp((e^x+1)^10))^2+x)^10))))"]


@pytest.fixture(scope="module")
def runner():
    with SymbolicRunner(time_limit=LIMIT) as shared:
        shared.start()
        yield shared


# ------------------------------------------------------------------------------------------ parsing

@pytest.mark.parametrize("text", SLOW_TO_BUILD)
def test_the_syntax_check_is_quick_where_building_is_not(text, runner):
    start = time.perf_counter()
    check_syntax(text)   # a formula by the grammar: no error
    assert time.perf_counter() - start < QUICK
    start = time.perf_counter()
    with pytest.raises(FormulaTimeout, match="took longer than"):
        runner.run(parse_formula, text)   # sympy's assumptions need far longer than the limit
    assert time.perf_counter() - start < LIMIT + MARGIN


@pytest.mark.parametrize("text, position", [("log(2 + son(x))", 8), ("2 3", 2), ("sin(x", 3), ("", None)])
def test_the_syntax_check_refuses_with_the_parsers_message_and_position(text, position):
    with pytest.raises(FormulaError) as checked:
        check_syntax(text)
    with pytest.raises(FormulaError) as parsed:
        parse_formula(text)
    assert checked.value.message == parsed.value.message
    assert checked.value.position == parsed.value.position == position


def test_what_only_building_finds_is_refused_in_the_worker_with_its_position(runner):
    check_syntax("x + log(0)")
    with pytest.raises(FormulaError) as refused:
        runner.run(parse_formula, "x + log(0)")
    assert refused.value.position == 4 and "log(0)" in refused.value.message


@pytest.mark.parametrize("text", ["a" * 165 + "(x)", "q" * 400, "x" + "y" * 300, "Sinnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn(x)"])
def test_messages_shorten_long_unknown_names(text):
    with pytest.raises(FormulaError) as refused:
        check_syntax(text)
    message = refused.value.message
    assert "…" in message and len(message) < 200
    longest_run = max(len(word) for word in message.replace("'", " ").split())
    assert longest_run <= 25
    assert refused.value.position == 0   # the whole name is still the marked span
    assert refused.value.end == len(text.split("(")[0])


# ------------------------------------------------------------------------------- chain factors at x0

def _tower(height, x):
    value = x
    for _ in range(height - 1):
        value = x ** value
    return value


def _central_difference(f, x0, h=1e-6):
    return (f(x0 + h) - f(x0 - h)) / (2 * h)


def test_factors_of_an_exponential_tower_are_quick_and_right():
    layers = decompose(parse_formula("exp(exp(exp(exp(exp(x)))))"))
    h = lambda x: math.exp(math.exp(math.exp(math.exp(math.exp(x)))))  # noqa: E731
    start = time.perf_counter()
    factors = layers.factors_at(-1.0)
    assert time.perf_counter() - start < QUICK
    product = math.prod(value for _label, value in factors)
    assert product == pytest.approx(_central_difference(h, -1.0), rel=1e-5)
    overflow = dict(layers.factors_at(1.0))   # exp(exp(exp(exp(e)))) is beyond any float
    assert overflow[r"\frac{dh}{du}"] == math.inf
    assert overflow[r"\frac{ds}{dx}"] == pytest.approx(math.e)


@pytest.mark.parametrize("height", [20, 41])
def test_factors_of_a_power_tower_are_quick_and_right(height):
    layers = analyze_formula("^".join(["x"] * height)).decomposition
    for x0 in (1.0, 1.05, 0.7):
        start = time.perf_counter()
        product = math.prod(value for _label, value in layers.factors_at(x0))
        assert time.perf_counter() - start < QUICK
        assert product == pytest.approx(_central_difference(lambda x: _tower(height, x), x0), rel=1e-5)


def test_a_division_by_zero_is_undefined_and_an_overflow_is_infinite():
    layers = decompose(parse_formula("1/sin(x)^2"))
    assert math.isnan(dict(layers.factors_at(0.0))[r"\frac{dh}{du}"])
    big = decompose(parse_formula("exp(exp(x))"))
    assert dict(big.factors_at(10.0))[r"\frac{dh}{du}"] == math.inf


# ------------------------------------------------------------------------- text is never sympified

PAYLOAD = "__import__('os').system('touch {path}')"


@pytest.mark.parametrize("call", ["formula_source", "computation_graph", "compile_formula"])
def test_core_reads_text_with_its_own_parser_and_runs_nothing(call, tmp_path):
    from core.formula import compile_formula, computation_graph
    from core.formula.numeric import formula_source

    target = tmp_path / "pwned"
    payload = PAYLOAD.format(path=target)
    functions = {"formula_source": formula_source, "computation_graph": computation_graph,
                 "compile_formula": lambda text: compile_formula("x^2", derivative=text)}
    with pytest.raises(FormulaError, match="unknown function '__import__'"):
        functions[call](payload)
    assert not target.exists()
    assert functions[call]("2x") is not None   # text that is a formula is read as one


def test_objects_are_not_turned_into_text_and_sympified(tmp_path):
    from core.formula.numeric import formula_source

    target = tmp_path / "pwned"

    class Sneaky:
        def __str__(self):
            return PAYLOAD.format(path=target)

    with pytest.raises(TypeError, match="Sneaky"):
        formula_source(Sneaky())
    assert not target.exists()


# ------------------------------------------------------------------------------------- fuzzing

#: A step of the lesson's derivation, the unit for what "cheap" typesetting may take.
LESSON_STEP = (r"\frac{d}{dx} \log{\left(\cos{\left(x \right)} + 2 \right)} = "
               r"\frac{1}{\cos{\left(x \right)} + 2} \cdot \left(- \sin{\left(x \right)}\right)")
#: A cheap equation takes at most this many times as long as LESSON_STEP (a continued fraction ten
#: deep takes over a hundred times as long).
CHEAP_RATIO = 8


@st.composite
def hostile_formulas(draw):
    """Deep nests of functions around a random formula, continued fractions and power towers."""
    kind = draw(st.sampled_from(["nest", "fraction", "tower"]))
    if kind == "nest":
        inner, _expected = draw(typed_formulas)
        names = draw(st.lists(st.sampled_from(FUNCTION_NAMES), min_size=1, max_size=12))
        return "".join(f"{name}(" for name in names) + inner + ")" * len(names)
    depth = draw(st.integers(2, 14))
    if kind == "fraction":
        return "1/(1 + " * depth + "x" + ")" * depth
    return "^".join(["x"] * (depth * 3))


def _equations(analysis) -> list[str]:
    return ([analysis.derivation.result_latex, analysis.latex]
            + [layer.latex for layer in analysis.decomposition.layers])


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=hostile_formulas())
def test_fuzz_every_formula_is_answered_or_stopped_in_bounded_time(text, runner):
    """Seeded: parse, derive, chain factors and typesetting each return within their bound or give
    a clear message."""
    from app.typeset_job import is_cheap, latex_svg

    latex_svg("x", 14, "#000000")   # ziamath's import and fonts are not what is measured
    start = time.perf_counter()
    latex_svg(LESSON_STEP, 14, "#000000")
    reference = time.perf_counter() - start   # this machine's speed now (it is shared and loaded)
    start = time.perf_counter()
    check_syntax(text)
    assert time.perf_counter() - start < QUICK
    runner.start()   # a fresh worker after a timeout: its start-up is not part of the limit
    start = time.perf_counter()
    try:
        analysis = runner.run(analyze_formula, text)
    except FormulaError as refused:
        assert refused.message
        return
    except (FormulaTimeout, FormulaTooLarge) as stopped:
        assert time.perf_counter() - start < LIMIT + MARGIN
        assert "Try a smaller expression" in str(stopped)
        return
    assert time.perf_counter() - start < LIMIT + MARGIN, (text, analysis.timings)
    compiled = analysis.compiled()
    start = time.perf_counter()
    analysis.decomposition.factors_at(1.0)   # compiles the layers' generated code (once per formula)
    assert time.perf_counter() - start < 1.0
    for x0 in (-1.3, 0.0, 0.5, 2.0):
        start = time.perf_counter()
        factors = analysis.decomposition.factors_at(x0)
        assert time.perf_counter() - start < QUICK
        assert all(isinstance(value, float) for _label, value in factors)
        product = math.prod(value for _label, value in factors)
        slope = compiled.at(x0)[1]
        if math.isfinite(product) and math.isfinite(slope):   # two independent routes to h′(x0)
            assert product == pytest.approx(slope, rel=1e-6, abs=1e-9)
    for latex in _equations(analysis):
        start = time.perf_counter()
        if is_cheap(latex):
            latex_svg(latex, 14, "#000000")       # laid out where it is needed: must be quick
            assert time.perf_counter() - start < CHEAP_RATIO * reference + 0.05, latex
            continue
        runner.start()
        start = time.perf_counter()
        try:
            runner.run(latex_svg, latex, 14, "#000000", time_limit=LIMIT)
        except FormulaTimeout:
            pass
        assert time.perf_counter() - start < LIMIT + MARGIN
        break   # one costly equation per formula is enough to check the worker's bound


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(text=st.text(alphabet=st.sampled_from(list("xsincotalgexp()^*/+-. 0123456789")), max_size=120))
def test_fuzz_the_syntax_check_is_quick_and_agrees_with_the_parser(text):
    start = time.perf_counter()
    try:
        check_syntax(text)
        syntax_error = None
    except FormulaError as error:
        syntax_error = error
    assert time.perf_counter() - start < QUICK
    if syntax_error is not None:   # what the check refuses, the parser refuses the same way
        with pytest.raises(FormulaError) as parsed:
            parse_formula(text)
        assert (parsed.value.message, parsed.value.position) == (syntax_error.message, syntax_error.position)
