"""A formula and its derivative as fast numpy functions, and curves that show gaps instead of spikes.

    >>> c = compile_formula("log(2 + cos(x))")       # or an expression; cached (LRU) by text / expression
    >>> c.f(xs), c.df(xs)                            # float64 arrays, NaN where h is undefined
    >>> c.sample(xs), c.sample_derivative(xs)        # the same, broken (NaN) at poles and jumps

**How the numpy functions are made.** sympy's NumPy printer turns the expression (after common
sub-expression elimination, sympy.cse) into the source of a small Python function,

    def f(x):
        _c0 = numpy.cos(x)
        return numpy.log(_c0 + 2)

and that source is executed to define the function — which is all ``sympy.lambdify`` does itself. We
take the two steps by hand because lambdified functions do not pickle: the worker process
(core.process_runner) derives and prints, ships the *source* text to the GUI process inside the
FormulaAnalysis, and ``CompiledFormula.from_source`` turns it back into functions there in
microseconds, without importing sympy.

**Why executing that source is safe.** (1) It is never user text: the user's text is parsed by our
whitelisting parser into a sympy tree whose only atoms are the symbol x, numbers and whitelisted
functions, and the source is printed by sympy from that tree. (2) It comes from our own worker
process over a private pipe, not from a file or the network. (3) ``from_source`` does not trust
either point: before compiling, it checks the source's syntax tree against a whitelist (one function
of one argument; assignments to plain names; arithmetic; calls and attribute reads only of the form
``numpy.<name>`` for a fixed list of numpy names; number literals with bounded integers; no
import, no other attribute, no dunder, no loop, no lambda, no integer-power tower that could take
forever), and it executes the code in a namespace that holds only ``numpy`` and an empty
``__builtins__``. So even hostile source can do no more than arithmetic on arrays.

**Undefined values.** ``f`` and ``df`` convert input to float64, evaluate with every floating-point
warning silenced, and turn complex, infinite and NaN results into NaN: log of a negative, division
by zero, sqrt of a negative and overflow (exp(1000)) are all NaN — a plot shows a gap. They never
warn and never raise for a numeric input.

**Poles and jumps.** A curve sampled across a pole (tan x at π/2, 1/x at 0) or a jump (the Heaviside
step in relu′) would be drawn as a near-vertical line joining the two sides. ``sample_curve``
examines every interval between adjacent samples whose variation (through its midpoint) is much
larger than the typical one: a bisection following the larger jump, and ternary searches for the
largest and smallest value inside. A jump that does not shrink with the interval, an extreme that
keeps growing as the search closes in (a pole, or log|x| at 0), or an undefined value inside is a
break: the sample on the side with the larger |y| (the one nearer the pole) becomes NaN. Smooth
steep functions (exp, sigmoid(50x)) and narrow bumps are left alone.
"""
from __future__ import annotations

import ast
import functools
from typing import Callable

import numpy as np

__all__ = ["CompiledFormula", "compile_formula", "formula_source", "sample_curve", "suggest_y_range",
           "UnsafeSourceError", "point_function"]

FUNCTION_NAME = "f"
CACHE_SIZE = 128
MAX_SOURCE_CHARS = 200_000
MAX_INT_LITERAL = 2 ** 63
MAX_INT_EXPONENT = 10_000

# numpy names generated code may use: what sympy's NumPy printer emits for the whitelisted functions
# and their derivatives (Heaviside and Piecewise print as numpy.select of comparisons), plus constants.
_NUMPY_NAMES = frozenset("""
    sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh
    exp exp2 expm1 log log2 log10 log1p logaddexp sqrt cbrt power abs absolute sign heaviside
    maximum minimum fmax fmin hypot floor ceil mod
    select where less less_equal greater greater_equal equal not_equal logical_and logical_or logical_not
    isnan isinf isfinite
    pi e nan inf
""".split())


class UnsafeSourceError(ValueError):
    """Generated numpy source that fails the whitelist check (it never should: it is a bug or an attack)."""


# --------------------------------------------------------------------------------------------- printing

@functools.lru_cache(maxsize=1)
def _printer_class():
    import sympy
    from sympy.printing.numpy import NumPyPrinter

    class FormulaNumPyPrinter(NumPyPrinter):
        """sympy's NumPy printer, fully qualified (``numpy.sin``), with nothing outside numpy."""

        def __init__(self):
            super().__init__({"fully_qualified_modules": True, "strict": True})

        def _print_Abs(self, expr):
            return f"numpy.abs({self._print(expr.args[0])})"

        def _nested(self, name, args):
            text = self._print(args[0])
            for arg in args[1:]:
                text = f"numpy.{name}({text}, {self._print(arg)})"
            return text

        def _print_Max(self, expr):
            return self._nested("maximum", expr.args)

        def _print_Min(self, expr):
            return self._nested("minimum", expr.args)

        def _print_Heaviside(self, expr):
            # sympy's own printing goes through Piecewise and, for an argument whose sign sympy can
            # reason about (relu(..)), emits numpy.logical_and.reduce; numpy has the step itself.
            at_zero = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
            return f"numpy.heaviside({self._print(expr.args[0])}, {self._print(at_zero)})"

        def _print_Integer(self, expr):
            value = int(expr)
            if abs(value) < MAX_INT_LITERAL:
                return str(value)
            return repr(float(value)) if abs(value) < 1e308 else ("-numpy.inf" if value < 0 else "numpy.inf")

        def _print_Rational(self, expr):
            if abs(expr.p) < MAX_INT_LITERAL and expr.q < MAX_INT_LITERAL:
                return super()._print_Rational(expr)
            return repr(float(expr))

        def _print_ComplexInfinity(self, expr):
            return "numpy.nan"

        _print_NaN = _print_ComplexInfinity

    return FormulaNumPyPrinter


def formula_source(expr, name: str = FUNCTION_NAME, variable=None) -> str:
    """Python source of ``def name(x): ...`` computing ``expr`` with numpy, common sub-expressions
    computed once. Raises ValueError when the expression contains something numpy cannot compute.
    Text is read by the whitelisting parser (core.formula.inputs), never by sympify."""
    import sympy

    from .graph import _default_variable
    from .inputs import as_expression

    variable = _default_variable() if variable is None else variable
    expr = as_expression(expr)
    extra = expr.free_symbols - {variable}
    if extra:
        raise ValueError(f"the formula may only use {variable}, not {', '.join(sorted(map(str, extra)))}")
    temporaries, (reduced,) = sympy.cse([expr], symbols=sympy.numbered_symbols("_c"), optimizations=None)
    printer = _printer_class()()
    lines = [f"def {name}({printer.doprint(variable)}):"]
    try:
        for symbol, value in temporaries:
            lines.append(f"    {symbol} = {printer.doprint(value)}")
        lines.append(f"    return {printer.doprint(reduced)}")
    except Exception as exc:  # sympy's PrintMethodNotImplementedError and friends
        raise ValueError(f"cannot turn {expr} into numpy code: {exc}") from exc
    source = "\n".join(lines) + "\n"
    check_source(source, name)   # fail here, in the worker, rather than in the GUI
    return source


# --------------------------------------------------------------------------------------------- checking

_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod)
_ALLOWED_UNARY = (ast.USub, ast.UAdd, ast.Not)


def _int_only(node: ast.AST) -> bool:
    """True for a sub-tree Python would compute with exact (possibly huge) integers."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _int_only(node.operand)
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Div):
        return _int_only(node.left) and _int_only(node.right)
    return False


def check_source(source: str, name: str = FUNCTION_NAME) -> ast.Module:
    """The parsed source if it is a plain numpy function of one argument; UnsafeSourceError if not."""
    if not isinstance(source, str) or len(source) > MAX_SOURCE_CHARS:
        raise UnsafeSourceError("generated source missing or too long")
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as exc:
        raise UnsafeSourceError(f"generated source does not parse: {exc}") from exc
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise UnsafeSourceError("generated source must be exactly one function definition")
    function = tree.body[0]
    arguments = function.args
    if (function.name != name or function.decorator_list or function.returns is not None
            or len(arguments.args) != 1 or arguments.posonlyargs or arguments.kwonlyargs
            or arguments.vararg or arguments.kwarg or arguments.defaults
            or arguments.args[0].annotation is not None):
        raise UnsafeSourceError(f"generated source must define a plain function {name}(x)")
    known = {arguments.args[0].arg}
    if not function.body or not isinstance(function.body[-1], ast.Return):
        raise UnsafeSourceError("generated function must end with return")

    def check_expression(node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or isinstance(value, (float, complex)):
                return
            if isinstance(value, int) and abs(value) < MAX_INT_LITERAL:
                return
            raise UnsafeSourceError(f"literal {value!r} not allowed")
        if isinstance(node, ast.Name):
            if node.id in known:
                return
            raise UnsafeSourceError(f"unknown name {node.id!r}")
        if isinstance(node, ast.Attribute):
            if (isinstance(node.value, ast.Name) and node.value.id == "numpy"
                    and node.attr in _NUMPY_NAMES and isinstance(node.ctx, ast.Load)):
                return
            raise UnsafeSourceError(f"attribute {ast.unparse(node)!r} not allowed")
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _ALLOWED_BINOPS):
                raise UnsafeSourceError(f"operator {type(node.op).__name__} not allowed")
            if isinstance(node.op, ast.Pow) and _int_only(node.left) and _int_only(node.right):
                raise UnsafeSourceError("integer power of integers not allowed")
            check_expression(node.left)
            check_expression(node.right)
            return
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, _ALLOWED_UNARY):
                raise UnsafeSourceError(f"operator {type(node.op).__name__} not allowed")
            check_expression(node.operand)
            return
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Attribute):
                raise UnsafeSourceError("only numpy functions may be called")
            check_expression(node.func)
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    raise UnsafeSourceError("starred arguments not allowed")
                check_expression(arg)
            for keyword in node.keywords:
                if keyword.arg not in ("default",):
                    raise UnsafeSourceError(f"keyword {keyword.arg!r} not allowed")
                check_expression(keyword.value)
            return
        if isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                check_expression(element)
            return
        raise UnsafeSourceError(f"{type(node).__name__} not allowed in generated source")

    for statement in function.body:
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise UnsafeSourceError("only assignments to plain names are allowed")
            target = statement.targets[0].id
            if target.startswith("__") or target == "numpy":
                raise UnsafeSourceError(f"name {target!r} not allowed")
            check_expression(statement.value)
            known.add(target)
        elif isinstance(statement, ast.Return) and statement is function.body[-1]:
            if statement.value is None:
                raise UnsafeSourceError("generated function must return a value")
            check_expression(statement.value)
        else:
            raise UnsafeSourceError(f"{type(statement).__name__} statement not allowed")
    return tree


def _define(source: str, name: str = FUNCTION_NAME) -> Callable:
    tree = check_source(source, name)
    namespace = {"numpy": np, "__builtins__": {}}
    exec(compile(tree, f"<formula {name}>", "exec"), namespace)  # noqa: S102 - checked above
    return namespace[name]


# -------------------------------------------------------------------------------------------- evaluating

def _clean(y, shape) -> np.ndarray:
    """float64 array of ``shape``; NaN for complex, infinite or unconvertible values."""
    try:
        y = np.asarray(y)
        if np.iscomplexobj(y):
            y = np.where(y.imag == 0, y.real, np.nan)
        out = np.array(np.broadcast_to(y, shape), dtype=np.float64)
    except (ArithmeticError, ValueError, TypeError):
        return np.full(shape, np.nan)
    out[~np.isfinite(out)] = np.nan
    return out


def _safe(raw: Callable) -> Callable[[np.ndarray], np.ndarray]:
    def evaluate(xs) -> np.ndarray:
        x = np.asarray(xs, dtype=np.float64)
        with np.errstate(all="ignore"):
            try:
                y = raw(x)
            except (ArithmeticError, ValueError, TypeError):  # e.g. an int too large for a float
                return np.full(x.shape, np.nan)
            return _clean(y, x.shape)
    evaluate.__wrapped__ = raw
    return evaluate


class CompiledFormula:
    """h and h′ as vectorized numpy functions.

    ``f(xs)``, ``df(xs)``: float64 arrays shaped like ``xs``, NaN where undefined (see the module
    docstring). ``sample(xs)``, ``sample_derivative(xs)``: the same through ``sample_curve`` (NaN at
    poles and jumps too; ``xs`` increasing). ``at(x0)``: (h(x0), h′(x0)) as floats.
    ``f_source``/``df_source``: the generated code. ``expr``/``derivative``: the sympy expressions
    when built by ``compile_formula`` (None when rebuilt from source). Pickles as its source.
    """

    def __init__(self, f_source: str, df_source: str, expr=None, derivative=None):
        self.f_source = f_source
        self.df_source = df_source
        self.expr = expr
        self.derivative = derivative
        self.f = _safe(_define(f_source))
        self.df = _safe(_define(df_source))

    @classmethod
    def from_source(cls, f_source: str, df_source: str) -> "CompiledFormula":
        """Functions from generated source (checked, see the module docstring); cached by the text."""
        return _from_source(f_source, df_source)

    @classmethod
    def from_analysis(cls, analysis) -> "CompiledFormula":
        """The functions of a FormulaAnalysis (from its generated source; no sympy needed)."""
        return _from_source(analysis.f_source, analysis.df_source)

    def sample(self, xs) -> np.ndarray:
        return sample_curve(self.f, xs)

    def sample_derivative(self, xs) -> np.ndarray:
        """h′ sampled like h, and NaN wherever h itself is undefined: for log(x) + tan(x) the formula
        1/x + sec² x is a number at x < 0, but h has no derivative where it has no value."""
        xs = np.asarray(xs, dtype=np.float64)
        dh = sample_curve(self.df, xs)
        dh[~np.isfinite(self.f(xs))] = np.nan
        return dh

    def at(self, x0: float) -> tuple[float, float]:
        """(h(x0), h′(x0)); h′(x0) is NaN where h(x0) is (see ``sample_derivative``)."""
        point = np.array([float(x0)])
        value = float(self.f(point)[0])
        return value, (float(self.df(point)[0]) if np.isfinite(value) else float("nan"))

    def __reduce__(self):
        return (_from_source, (self.f_source, self.df_source))

    def __repr__(self) -> str:
        shown = self.expr if self.expr is not None else self.f_source.splitlines()[-1].strip()
        return f"<CompiledFormula {shown}>"


@functools.lru_cache(maxsize=CACHE_SIZE)
def _from_source(f_source: str, df_source: str) -> CompiledFormula:
    return CompiledFormula(f_source, df_source)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_expr(expr, derivative) -> CompiledFormula:
    f_source, df_source = formula_source(expr), formula_source(derivative)
    return CompiledFormula(f_source, df_source, expr, derivative)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_text(text: str) -> CompiledFormula:
    from .parser import parse_formula

    return compile_formula(parse_formula(text))


def compile_formula(expr_or_text, derivative=None) -> CompiledFormula:
    """h (a formula text, parsed by the whitelisting parser, or a sympy expression in x) and its
    derivative compiled to numpy, cached (LRU) by the text or the expressions.
    ``derivative`` (a sympy expression, or text read by the whitelisting parser — never sympify)
    defaults to ``sympy.diff(expr, x)``; the Function lab passes the derivative it
    shows (the derivation's result) so the plotted h′ is the displayed one."""
    if isinstance(expr_or_text, str) and derivative is None:
        return _compile_text(expr_or_text)
    import sympy

    from .graph import _default_variable

    from .inputs import as_expression

    expr = as_expression(expr_or_text)
    if derivative is None:
        derivative = sympy.diff(expr, _default_variable())
    return _compile_expr(expr, as_expression(derivative, "the derivative"))


# --------------------------------------------------------------------------------------------- curves

BISECTIONS = 40             # jump search: the interval shrinks to 2**-40 of a sample step
TERNARY_STEPS = 50          # extreme search: (2/3)**50, about 2e-9 of a sample step
TERNARY_EARLY = 15          # ... compared with where it stood after this many steps
CANDIDATE_FACTOR = 3.0      # an interval is examined when its variation exceeds this many typical ones
BREAK_RATIO = 0.1           # a jump that stays, or an extreme that keeps growing, by this fraction of
                            # the interval's variation: a break


def _jump_search(fn, lo, hi, ylo, yhi):
    """Bisect towards the half with the larger jump; the final |jump| and whether f was undefined inside."""
    undefined = np.zeros(lo.shape, dtype=bool)
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        ymid = _clean(fn(mid), mid.shape)
        bad = ~np.isfinite(ymid)
        undefined |= bad
        ymid = np.where(bad, ylo, ymid)
        left = np.abs(ymid - ylo) >= np.abs(yhi - ymid)
        hi, yhi = np.where(left, mid, hi), np.where(left, ymid, yhi)
        lo, ylo = np.where(left, lo, mid), np.where(left, ylo, ymid)
    return np.abs(yhi - ylo), undefined


def _extreme_growth(fn, lo, hi, sign):
    """Ternary search for the largest ``sign * f`` on each interval. Returns how much that extreme
    still grew between step TERNARY_EARLY and the end, and whether f was undefined inside. Near a
    pole (or a logarithmic singularity) it keeps growing as the search closes in; for a continuous
    function it has long settled."""
    undefined = np.zeros(lo.shape, dtype=bool)
    best = np.full(lo.shape, -np.inf)
    early = best
    for step in range(TERNARY_STEPS):
        third = (hi - lo) / 3.0
        q1, q2 = lo + third, hi - third
        y1 = sign * _clean(fn(q1), q1.shape)
        y2 = sign * _clean(fn(q2), q2.shape)
        undefined |= ~(np.isfinite(y1) & np.isfinite(y2))
        y1, y2 = np.nan_to_num(y1, nan=-np.inf), np.nan_to_num(y2, nan=-np.inf)
        best = np.maximum(best, np.maximum(y1, y2))
        right = y2 > y1
        lo, hi = np.where(right, q1, lo), np.where(right, hi, q2)
        if step + 1 == TERNARY_EARLY:
            early = best.copy()
    growth = np.where(np.isfinite(best) & np.isfinite(early), best - early, 0.0)
    return growth, undefined


def sample_curve(fn: Callable[[np.ndarray], np.ndarray], xs) -> np.ndarray:
    """``fn(xs)`` with NaN where fn is undefined or infinite and at every pole or jump between
    adjacent samples (``xs`` increasing), so a plot shows gaps, not spikes or vertical cliffs.
    ``fn`` must be vectorized and NaN-safe (``CompiledFormula.f``/``.df`` are).

    Each interval between finite samples gets its midpoint evaluated; one whose variation through
    the midpoint is large compared with the typical one (or whose midpoint is undefined) is
    examined: a bisection following the larger jump (a continuous function's jump shrinks with the
    interval, a step stays, an odd pole like tan's grows), and ternary searches for the largest and
    the smallest f inside (near a pole — even one like 1/x²'s, whose two sides may match — or a
    logarithmic singularity like log|x|'s, they keep growing as the search closes in; for a
    continuous function they settle). A break sets the sample with the larger |y| — the one nearer
    the pole — to NaN."""
    xs = np.asarray(xs, dtype=np.float64)
    with np.errstate(all="ignore"):
        ys = _clean(fn(xs), xs.shape)
        if ys.ndim != 1 or ys.size < 2:
            return ys
        ya, yb = ys[:-1], ys[1:]
        ends = np.isfinite(ya) & np.isfinite(yb)
        if not ends.any():
            return ys
        mids = 0.5 * (xs[:-1] + xs[1:])
        ym = _clean(fn(mids), mids.shape)
        variation = np.abs(ym - ya) + np.abs(yb - ym)
        undefined_inside = ends & ~np.isfinite(ym)
        measured = ends & np.isfinite(variation)
        typical = float(np.median(variation[measured])) if measured.any() else 0.0
        scale = float(np.max(np.abs(ys[np.isfinite(ys)])))
        candidates = np.flatnonzero(measured & (variation > CANDIDATE_FACTOR * typical)
                                    & (variation > 1e-9 * scale))
        broken = np.flatnonzero(undefined_inside)
        if candidates.size:
            lo, hi = xs[candidates], xs[candidates + 1]
            ylo, yhi = ya[candidates], yb[candidates]
            v0 = variation[candidates]
            final_jump, undefined_a = _jump_search(fn, lo.copy(), hi.copy(), ylo.copy(), yhi.copy())
            rise, undefined_b = _extreme_growth(fn, lo.copy(), hi.copy(), 1.0)
            fall, undefined_c = _extreme_growth(fn, lo.copy(), hi.copy(), -1.0)
            is_break = (undefined_a | undefined_b | undefined_c | (final_jump > BREAK_RATIO * v0)
                        | (np.maximum(rise, fall) > BREAK_RATIO * v0))
            broken = np.union1d(broken, candidates[is_break])
        if broken.size:
            nearer_pole = np.where(np.abs(ys[broken]) >= np.abs(ys[broken + 1]), broken, broken + 1)
            ys[nearer_pole] = np.nan
    return ys


def runs_reaching_a_gap(ys: np.ndarray, outside: np.ndarray, edges: bool = False) -> np.ndarray:
    """Mask of the samples in ``outside`` whose run (consecutive outside samples) reaches a gap (NaN),
    or with ``edges`` an end of the window too: a curve running off towards a pole or a domain edge
    (or growing off the picture). A run with defined values on both sides (a narrow peak) is kept."""
    mask = np.zeros(ys.shape, dtype=bool)
    if ys.ndim != 1:
        return mask
    gap = np.isnan(ys)
    n, i = ys.size, 0
    while i < n:
        if not outside[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and outside[j + 1]:
            j += 1
        before = gap[i - 1] if i > 0 else edges
        after = gap[j + 1] if j + 1 < n else edges
        if before or after:
            mask[i:j + 1] = True
        i = j + 1
    return mask


def suggest_y_range(*curves, margin: float = 0.08, fence: float = 5.0) -> tuple[float, float] | None:
    """A y range for plotting sampled ``curves`` (1-D arrays as ``sample_curve`` returns them, NaN
    for gaps), widened by ``margin`` on each side: every finite value, except the samples running
    off towards a pole. Those are the values beyond Tukey's far-out fences (quartiles ± ``fence``
    interquartile ranges, over all curves) in a stretch that ends at a gap — tan x shows its
    branches instead of ±600 at the sample nearest π/2, while exp x, which has no gap, keeps its
    top in view. None when there is nothing finite."""
    arrays = [np.asarray(c, dtype=np.float64) for c in curves]
    finite = np.concatenate([a.ravel() for a in arrays]) if arrays else np.empty(0)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return None
    q1, q3 = (float(v) for v in np.quantile(finite, [0.25, 0.75]))
    spread = q3 - q1
    low_fence, high_fence = q1 - fence * spread, q3 + fence * spread
    kept = []
    for ys in arrays:
        ok = np.isfinite(ys)
        outside = ok & ((ys < low_fence) | (ys > high_fence))
        kept.append(ys[ok & ~runs_reaching_a_gap(ys, outside)].ravel())
    shown = np.concatenate(kept)
    if shown.size == 0:
        shown = finite
    low, high = float(np.min(shown)), float(np.max(shown))
    if high - low < 1e-12 * max(1.0, abs(high)):
        pad = max(1.0, abs(high)) * 0.5
        return low - pad, high + pad
    pad = (high - low) * margin
    return low - pad, high + pad


# ------------------------------------------------------------------------------------------ one point

@functools.lru_cache(maxsize=CACHE_SIZE)
def point_function(source: str) -> Callable[[float], float]:
    """The generated function ``source`` (checked like every generated source, see the module
    docstring) as a function of one float, cached by the source text. Its value is a float:
    NaN where the expression is undefined or not real (a division by zero, log(0), sqrt(-1)),
    ±inf where it only overflows (exp(exp(9)));
    it never raises or warns, and takes microseconds whatever the expression's nesting — this is
    what makes it safe to call at every move of x0 in a GUI (sympy's evalf of exp(exp(exp(exp(
    exp(x))))) takes minutes)."""
    raw = _define(source)

    def at(x0: float) -> float:
        # a division by zero (and log(0)) raises here, so an infinity left is an overflow
        with np.errstate(divide="raise", over="ignore", under="ignore", invalid="ignore"):
            try:
                value = complex(np.asarray(raw(np.float64(x0))).reshape(-1)[0])
            except (ArithmeticError, ValueError, TypeError, IndexError):  # FloatingPointError too
                return float("nan")
        if value.imag != 0.0 and not (np.isfinite(value.imag) and abs(value.imag) <= 1e-12 * max(1.0, abs(value.real))):
            return float("nan")
        return float(value.real)

    return at
