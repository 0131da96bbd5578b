"""Typesetting for panels that follow training, in a worker process.

ziamath lays equations out in pure Python. In a thread of this process it holds the interpreter
lock while it works — the chain panel of the 16x3 network typesets about a dozen equations for each
newly selected parameter, and measured while training, that thread held the lock for more than a
third of the time, so the GUI thread waited for it (p95 event-loop stalls of 400 ms) and training
slowed down with it. In a worker process it costs this process nothing but reading the SVG text.

``typeset(latexes, size, ratio)`` (from a worker thread: it blocks) puts every equation's image in
math_render's cache and returns those that could not be laid out. The worker process is the
time-limited ``SymbolicRunner`` of the Function lab (its own instance, a lane of app/process_jobs.py); where it cannot be used
(``in_process = True``: tests that run workers synchronously), the equations are laid out right here.
``chain_formulas`` asks another worker process (app/process_jobs.py) for the chain's symbolic formulas
(sympy: pure Python too), so typesetting never waits behind a derivation.
"""
from __future__ import annotations

from . import math_render
from .typeset_job import factor_formulas, latex_svgs

TIME_LIMIT_S = 30.0           # one panel's equations; each of ours takes about 0.1 s
#: Added to the typesetting process's nice value: below the GUI, as every worker, but above the
#: view lanes of app/process_jobs.py (NICENESS 4). Those recompute a surface, a slice and a gradient
#: check for every snapshot while training and kept this process, which only works for a moment
#: after the learner selects another parameter, from the CPU: one equation took 0.7 s instead of 0.1.
NICENESS = 1
DEFAULT_COLOR = "#1d2433"

TYPESETTING_LANE = "typesetting"


def _shared_runner():
    from core.process_runner import DEFAULT_MEMORY_LIMIT

    from .process_jobs import lane_runner   # a background job: the GUI thread comes first

    return lane_runner(TYPESETTING_LANE, TIME_LIMIT_S, NICENESS, DEFAULT_MEMORY_LIMIT)


def worker_pid() -> int | None:
    """The worker process's id (None before the first equation was sent): tests, monitoring."""
    from .process_jobs import worker_pid as lane_pid

    return lane_pid(TYPESETTING_LANE)


def warm_up() -> None:
    """Start the worker process and load ziamath in it (call from a worker thread, e.g. at start-up)."""
    try:
        _shared_runner().run(latex_svgs, ["x"], 12.0, DEFAULT_COLOR)
    except Exception:  # noqa: BLE001 - a courtesy; real calls report their own trouble
        pass


def typeset(latexes, size: float, ratio: float, color: str = DEFAULT_COLOR, in_process: bool = False) -> set:
    """Lay out every equation not yet in math_render's cache (in the worker process unless
    ``in_process``) and cache its image; returns the equations that could not be laid out."""
    missing = list(dict.fromkeys(latex for latex in latexes
                                 if math_render.cached_image(latex, size, color, ratio) is None))
    if not missing:
        return set()
    if in_process:
        failed = set()
        for latex in missing:
            try:
                math_render.render_image(latex, size, color, ratio)
            except ValueError:
                failed.add(latex)
        return failed
    try:
        svgs = _shared_runner().run(latex_svgs, missing, size, color)
    except Exception:  # noqa: BLE001 - timeout, crash, closed: shown as plain text, never inline here
        return set(missing)
    failed = set()
    for latex, svg in zip(missing, svgs):
        if svg is None:
            failed.add(latex)
        else:
            math_render.store_image(math_render.svg_image(svg, ratio), latex, size, color, ratio)
    return failed


def chain_formulas(net, name: str, X, y, in_process: bool = False) -> list[str]:
    """The local derivatives' formulas of dJ/d(name) as LaTeX, derived by sympy in the worker
    process (unless ``in_process``): sympy in a thread held the interpreter lock for each newly
    selected parameter. Raises what the derivation raises."""
    from . import process_jobs   # a process of its own: typesetting never queues behind sympy

    return process_jobs.run(process_jobs.CHAIN_FORMULAS, factor_formulas, net, name, X, y, in_process=in_process)
