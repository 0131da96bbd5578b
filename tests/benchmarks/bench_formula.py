"""Formula benchmark: the Function lab's core work against a reference measured in the same run.

    .venv/bin/python tests/benchmarks/bench_formula.py [--repeats R]

Printed as min / median / max over R repeats (default 5) and as ratios to their reference:
- derive: the step-by-step derivation of a 60-term sum and of a 30-deep nesting, against
  sympy.diff of the same expression (the work the derivation explains);
- sample: a compiled formula's curve and derivative at 2,000 points (log(2 + cos x), tan x), against
  numpy evaluating the same two expressions directly;
- graph: the computation graph's evaluate() at one x0 (dragging x0 calls it per mouse move),
  against sympy's lambdify of the formula at one point.
These were once wall-clock limits inside tests; tests only check behaviour now.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np
import sympy

from core.formula import compile_formula, computation_graph, derive
from core.formula.parser import X as x

SUM_60 = sum(sympy.sin(k * x + sympy.log(1 + x**2))**2 * sympy.exp(-x / k) for k in range(1, 61))


def nested(depth=30):
    e = x
    for _ in range(depth):
        e = sympy.sin(e + 1)
    return e


def timed(function, repeat=1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat


def measures():
    xs = np.linspace(-10, 10, 2000)
    rows = []
    for label, expr in (("derive 60-term sum", SUM_60), ("derive 30-deep nesting", nested())):
        rows.append((label, timed(lambda: derive(expr)), timed(lambda: sympy.diff(expr, x)), "sympy.diff"))
    for label, expr, direct in (("sample log(2+cos x)", sympy.log(2 + sympy.cos(x)),
                                 lambda: (np.log(2 + np.cos(xs)), -np.sin(xs) / (2 + np.cos(xs)))),
                                ("sample tan x", sympy.tan(x), lambda: (np.tan(xs), 1 / np.cos(xs) ** 2))):
        compiled = compile_formula(expr)
        compiled.sample(xs)
        rows.append((label, timed(lambda: (compiled.sample(xs), compiled.sample_derivative(xs)), 10),
                     timed(direct, 10), "numpy directly"))
    expr = sympy.log(2 + sympy.cos(x)) * (1 / (1 + sympy.exp(-(sympy.sin(3 * x) - x ** 2))))
    graph = computation_graph(expr)
    f = sympy.lambdify(x, expr, "math")
    rows.append(("graph evaluate at x0", timed(lambda: graph.evaluate(0.3), 200), timed(lambda: f(0.3), 200),
                 "lambdify at a point"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = [measures() for _ in range(args.repeats)]
    print(f"{'work':<26} {'ms min/median/max':>24} {'reference ms':>14}  ratio median   reference")
    for i, (label, _t, _r, ref_name) in enumerate(runs[0]):
        times = [run[i][1] * 1e3 for run in runs]
        refs = [run[i][2] * 1e3 for run in runs]
        ratios = [t / r for t, r in zip(times, refs)]
        print(f"{label:<26} {min(times):8.3f} {statistics.median(times):8.3f} {max(times):8.3f}  "
              f"{statistics.median(refs):12.3f}  {statistics.median(ratios):10.1f}   {ref_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
