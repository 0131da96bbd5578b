"""Hostile input for parse_formula: each attempt gets a clear FormulaError quickly, and no code runs.

"Quickly" is a bound on a hang, not a benchmark: every case must finish in under a second. "No
code runs" is checked three ways while parsing: a Python audit hook records any exec/compile of
source that is not a file on disk and any process start, os.system and subprocess are replaced by
tripwires, and payloads that would create a sentinel file are checked not to have created it.
"""
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.formula import parser
from core.formula.parser import MAX_DEPTH, MAX_LENGTH, FormulaError, parse_formula

TIME_LIMIT = 10.0  # seconds per case: a bound on a hang (the defects ran for minutes), not a speed
# limit: speed is measured in tests/benchmarks/bench_formula.py

_EVENTS: list = []
_WATCHING = [False]
_PROCESS_EVENTS = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
                   "os.fork", "os.forkpty", "pty.spawn", "socket.connect", "os.startfile")


def _audit(event, args):
    """Record code or processes started while a parse is being watched. Imports are fine: sympy
    loads some modules on first use, and their code objects come from files on disk."""
    if not _WATCHING[0]:
        return
    if event == "exec":
        filename = getattr(args[0], "co_filename", "")
        if not os.path.isfile(filename):
            _EVENTS.append((event, filename))
    elif event == "compile":
        filename = args[1] if len(args) > 1 else None
        if not (isinstance(filename, str) and os.path.isfile(filename)):
            _EVENTS.append((event, filename))
    elif event in _PROCESS_EVENTS:
        _EVENTS.append((event, args))


sys.addaudithook(_audit)  # cannot be removed; it does nothing unless _WATCHING[0] is set


@pytest.fixture(autouse=True)
def tripwires(monkeypatch):
    """os.system and subprocess refuse to run while these tests parse; calls are recorded."""
    calls = []

    def tripwire(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"code ran: {args!r}")

    monkeypatch.setattr(os, "system", tripwire)
    monkeypatch.setattr(os, "popen", tripwire)
    monkeypatch.setattr(subprocess, "Popen", tripwire)
    parse_formula("log(2 + cos(x))")  # warm up: sympy's lazy imports happen outside the watch
    yield calls
    assert calls == []


def watched_parse(text):
    """parse_formula(text) with the audit hook watching; returns (result or error, seconds)."""
    _EVENTS.clear()
    _WATCHING[0] = True
    start = time.perf_counter()
    try:
        try:
            outcome = parse_formula(text)
        except FormulaError as error:
            outcome = error
    finally:
        seconds = time.perf_counter() - start
        _WATCHING[0] = False
    assert _EVENTS == [], f"code ran while parsing {text[:60]!r}: {_EVENTS}"
    return outcome, seconds


def test_the_audit_hook_would_notice_code_running():
    """The watch itself works: exec of a string is recorded (so an empty record means something)."""
    _EVENTS.clear()
    _WATCHING[0] = True
    try:
        exec("1 + 1")  # noqa: S102 - the point of this test
    finally:
        _WATCHING[0] = False
    assert _EVENTS and _EVENTS[0][0] in ("compile", "exec")
    _EVENTS.clear()


HOSTILE = [
    # (id, text, position of the problem or None, words in the message)
    ("import-system", "__import__('os').system('id')", 0, "unknown function '__import__'"),
    ("class-bases", "().__class__.__bases__", 0, "empty parentheses"),
    ("subclasses", "().__class__.__bases__[0].__subclasses__()", 0, "empty parentheses"),
    ("dunder-attribute", "x.__class__", 1, "lone '.'"),
    ("lambda", "lambda: 0", 0, "unknown name 'lambda'"),
    ("eval", "eval('1+1')", 0, "unknown function 'eval'"),
    ("exec", "exec(\"import os\")", 0, "unknown function 'exec'"),
    ("import-statement", "import os", 0, "unknown name 'import'"),
    ("sympy-name", "sympy.core", 0, "unknown name 'sympy'"),
    ("list-comprehension", "[x for x in ()]", 0, "round parentheses"),
    ("conditional", "x if x else x", 2, "unknown name 'if'"),
    ("power-tower", "9**9**9**9", 3, "exponent"),
    ("reassociated-power", "((9**9)**9999)**9999", 0, "exponent"),
    ("reassociated-digits", "((9**9)**999)**999", 0, "digits"),
    ("power-of-two-tower", "2**2**2**2**2**2", 3, "exponent"),
    ("ten-tower", "10**10**10", 0, "exponent"),
    ("huge-exponent", "x^(10^6)", 0, "exponent"),
    ("factorial", "factorial(10**9)", 0, "unknown function 'factorial'"),
    ("huge-literal", "1e999999999", 0, "digits"),
    ("exp-tower", "exp(exp(exp(1000)))", 8, "too large"),
    ("nested-parentheses", "(" * 10_000 + "x" + ")" * 10_000, MAX_LENGTH, "too long"),
    ("100-kB", "x+" * 50_000 + "x", MAX_LENGTH, "too long"),
    ("100-kB-garbage", "\x00" * 100_000, MAX_LENGTH, "too long"),
    ("empty", "", None, "empty formula"),
    ("blank", " \t\n ", None, "empty formula"),
    ("nul", "x\x00", 1, "control character U+0000"),
    ("bell", "x\x07+1", 1, "control character"),
    ("escape-sequence", "\x1b[2Jx", 0, "control character U+001B"),
    ("delete", "x\x7f", 1, "control character"),
    ("c1-control", "x\x85", 1, "control character"),
    ("zero-width-space", "x\u200b+1", 1, "invisible formatting character U+200B"),
    ("zero-width-joiner", "si\u200dn(x)", 2, "invisible"),
    ("rtl-override", "\u202ex+1", 0, "RIGHT-TO-LEFT OVERRIDE"),
    ("rtl-mark", "x\u200f", 1, "invisible"),
    ("bom", "\ufeffx", 0, "invisible"),
    ("combining-mark", "x\u0301", 1, "combining mark"),
    ("full-width-digit", "x^\uff12", 2, "plain '2'"),
    ("math-italic-x", "\U0001d465+1", 0, "plain 'x'"),
    ("lone-surrogate", "x\ud800", 1, "U+D800"),
    ("private-use", "x\ue000", 1, "U+E000"),
    ("emoji", "x + \U0001f600", 4, "can't be part of a formula"),
    ("cyrillic-a", "\u0430", 0, "the variable is x"),
    ("backslash", "x\\n", 1, "isn't part of the formula language"),
    ("deep-but-short", "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), MAX_DEPTH,
     "nested too deeply"),
    ("minus-signs", "-" * 400 + "x", 200, "too many parts"),
]


@pytest.mark.parametrize("text, position, words", [case[1:] for case in HOSTILE],
                         ids=[case[0] for case in HOSTILE])
def test_hostile_input_is_refused_quickly_and_runs_nothing(text, position, words):
    outcome, seconds = watched_parse(text)
    assert isinstance(outcome, FormulaError), f"accepted: {outcome!r}"
    assert words in outcome.message, outcome.message
    assert outcome.position == position, outcome.message
    if position is not None:
        assert position < outcome.end <= len(text)
    assert seconds < TIME_LIMIT, f"{seconds:.2f} s"
    assert len(outcome.message) < 400  # a message, not an echo of 100 kB


def test_payloads_create_no_file(tmp_path):
    sentinel = tmp_path / "pwned"
    payloads = [
        f"__import__('os').system('touch {sentinel}')",
        f"open('{sentinel}', 'w').write('x')",
        f"__import__('pathlib').Path('{sentinel}').touch()",
        f"exec(\"open('{sentinel}','w')\")",
        f"eval(compile(\"open('{sentinel}','w')\", 'f', 'exec'))",
    ]
    for payload in payloads:
        outcome, seconds = watched_parse(payload)
        assert isinstance(outcome, FormulaError)
        assert seconds < TIME_LIMIT
    assert not sentinel.exists()


def test_deep_nesting_fails_on_depth_even_without_the_length_bound(monkeypatch):
    """With the length bound lifted, 10,000 nested parentheses (or functions, or exponents) still
    fail fast on the depth bound — no RecursionError."""
    monkeypatch.setattr(parser, "MAX_LENGTH", 10**7)
    for text in ("(" * 10_000 + "x" + ")" * 10_000,
                 "sin(" * 10_000 + "x" + ")" * 10_000,
                 "x^" * 10_000 + "x",
                 "(" * 10_000):
        outcome, seconds = watched_parse(text)
        assert isinstance(outcome, FormulaError)
        assert "nested too deeply" in outcome.message
        assert outcome.position is not None
        assert seconds < TIME_LIMIT


def test_long_text_fails_on_parts_even_without_the_length_bound(monkeypatch):
    monkeypatch.setattr(parser, "MAX_LENGTH", 10**7)
    for text in ("x+" * 50_000 + "x", "-" * 100_000 + "x", "1" * 100_000, "x" * 100_000):
        outcome, seconds = watched_parse(text)
        assert isinstance(outcome, FormulaError)
        assert seconds < TIME_LIMIT


DEEP_CONSTANTS = [
    "sigmoid(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
    "sqrt(sigmoid(" * (MAX_DEPTH // 2) + "2" + "))" * (MAX_DEPTH // 2),
    "softplus(relu(" * (MAX_DEPTH // 2) + "3" + "))" * (MAX_DEPTH // 2),
    "exp(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
    "log(" * MAX_DEPTH + "10^200" + ")" * MAX_DEPTH,
    "cosh(" * MAX_DEPTH + "3" + ")" * MAX_DEPTH,
    "tan(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
    "^".join(["2"] * MAX_DEPTH),
    "^".join(["pi"] * MAX_DEPTH),
    "+".join(["sqrt(%d)" % n for n in range(2, 40)]),
]


@pytest.mark.parametrize("text", DEEP_CONSTANTS, ids=[t[:24] for t in DEEP_CONSTANTS])
def test_deep_constants_are_measured_quickly(text):
    """Constant parts are sized with mpmath bottom-up, linear in the formula: accepted or refused,
    it is quick."""
    outcome, seconds = watched_parse(text)
    assert seconds < TIME_LIMIT, f"{seconds:.2f} s"


_ODD = list("x0123456789.+-*/^() eπsincotalgqrbhpuf_,'\"[]{}=|!;:@#$%&~`<>?\\") + [
    "\x00", "\x1b", "\u200b", "\u202e", "\ufeff", "−", "×", "·", "÷", "²", "ｘ", "\u0301",
    "\U0001f600", "**", "sin(", "exp(", "sigmoid(", "__", "e9", "9e9", "1e-9",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ODD), max_size=40).map("".join))
def test_fuzzed_text_either_parses_or_raises_formula_error(text):
    outcome, seconds = watched_parse(text)
    assert seconds < TIME_LIMIT
    if isinstance(outcome, FormulaError):
        if outcome.position is not None:
            assert 0 <= outcome.position <= len(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=30))
def test_arbitrary_unicode_either_parses_or_raises_formula_error(text):
    outcome, seconds = watched_parse(text)
    assert seconds < TIME_LIMIT


def test_deep_constant_sigmoids_inside_other_functions_parse_fast():
    """sigmoid evaluates its argument first; rewriting whole arguments to exponentials was
    exponential in the depth (11-deep sin(sigmoid(...(1))) took about a minute)."""
    import time
    from core.formula.parser import parse_formula
    for text in ["sin(sigmoid(" * 11 + "1" + "))" * 11, "atan(sigmoid(" * 19 + "1" + "))" * 19]:
        start = time.perf_counter()
        parse_formula(text)
        assert time.perf_counter() - start < TIME_LIMIT, text[:20]   # it took about a minute
