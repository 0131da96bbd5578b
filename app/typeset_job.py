"""Typesetting one equation, and how costly that may be — without Qt, so it runs in the worker process.

ziamath lays an equation out in pure Python, and its time grows about twofold with every level of
nesting (a continued fraction 1/(1 + 1/(1 + …)) eight deep takes about a second, ten deep 19 s,
twelve deep over a minute). A thread cannot stop it, so an equation that may be costly is laid
out in a time-limited worker process (core.process_runner.SymbolicRunner calls ``latex_svg``
there); only equations that are cheap by construction (``is_cheap``: shallow and short) are laid
out where they are needed.
"""
from __future__ import annotations

import re

#: Deepest nesting (braces and \left … \right pairs) laid out in the calling thread. The lesson's
#: equations nest 4 or 5 deep and take about 0.1 s each; every further level about doubles that.
CHEAP_DEPTH = 5
#: Longest LaTeX source laid out in the calling thread (time grows with length too).
CHEAP_LENGTH = 600
#: Largest length × 2^depth laid out in the calling thread: a step of the lesson's derivation
#: scores about 2,200 (about 0.1 s); the row of a ten-layer function's layers, about 3,000, goes to
#: the worker.
CHEAP_COST = 2500

_GROUPING = re.compile(r"\\left|\\right|[{}]")


def nesting_depth(latex: str) -> int:
    """How deeply groups nest in ``latex``: ``{`` and ``\\left`` open one, ``}`` and ``\\right``
    close one."""
    depth = deepest = 0
    for match in _GROUPING.finditer(latex):
        if match.group() in ("{", r"\left"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def is_cheap(latex: str) -> bool:
    """True when laying ``latex`` out is quick for certain (a few tenths of a second at most)."""
    if len(latex) > CHEAP_LENGTH:
        return False
    depth = nesting_depth(latex)
    return depth <= CHEAP_DEPTH and len(latex) * 2 ** depth <= CHEAP_COST


def latex_svg(latex: str, size: float, color: str) -> str:
    """SVG text of the equation (ValueError with the reason if ziamath cannot lay it out). A
    top-level function, so the worker process can be asked to run it."""
    import ziamath

    ziamath.config.svg2 = False  # QtSvg draws no glyphs from SVG2 <symbol>/<use> output
    try:
        return ziamath.Latex(latex, size=size, color=color).svg()
    except Exception as exc:  # ziamath raises assorted errors for malformed input
        raise ValueError(f"cannot render {latex!r}: {exc}") from exc


def latex_svgs(latexes, size: float, color: str) -> list:
    """SVG text of each equation, or None for one ziamath cannot lay out: a panel's equations in one
    call to the worker process (app/math_process.py), so they cost one round trip, not one each."""
    svgs = []
    for latex in latexes:
        try:
            svgs.append(latex_svg(latex, size, color))
        except ValueError:
            svgs.append(None)
    return svgs


def factor_formulas(net, name: str, X, y) -> list[str]:
    """The LaTeX of each local derivative on the chain of dJ/d(name) (sympy; what the chain panel
    writes after "="): a top-level function, so the worker process can be asked to run it."""
    return [factor.expanded_latex for factor in net.chain(name, X, y, sample=0).factors]
