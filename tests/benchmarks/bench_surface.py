"""Benchmark: the cost surface against the price of its exponentials, measured in the same run.

Workload: J of the lesson network (1-1-1 sigmoid, squared error) on a 128 x 128 grid of (w1, w2)
over 2,000 samples of the lesson dataset.

Reference: numpy's time for the exponentials a straightforward evaluation needs, two per grid point
and sample (one per sigmoid), i.e. ``np.exp`` over 2 x 128 x 128 x 2000 float64 values. It is
measured in cache-sized chunks into a reused buffer — the fastest way numpy can do those
exponentials, so the reference is as demanding as it can honestly be; the full-array figure
(one big ``np.exp(x, out=y)``, memory-bound) is printed too. Best of several runs for everything,
because the machine may be shared.

Run by hand or by ``make bench``: ``python tests/benchmarks/bench_surface.py``. The last line is
``ratio surface/exp: R (goal <= 2)``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

GRID = 128
SAMPLES = 2000
REPEATS = 7


def best_of(fn, repeats=REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import numpy as np

    import core

    data = core.load_dataset("lesson", n=SAMPLES, seed=0)
    net = core.lesson_network()
    values = np.linspace(-8.0, 8.0, GRID)

    count = GRID * GRID * SAMPLES
    rng = np.random.default_rng(0)
    full_in = rng.uniform(-10.0, 10.0, count)
    full_out = np.empty_like(full_in)
    chunk = GRID * SAMPLES  # 256k values, 2 MB: one grid row over all samples
    chunk_in = full_in[:chunk].copy()
    chunk_out = np.empty_like(chunk_in)

    def exp_chunked():
        for _ in range(count // chunk):
            np.exp(chunk_in, out=chunk_out)

    def exp_full():
        np.exp(full_in, out=full_out)

    def surface(loss):
        net.loss = loss
        return lambda: core.cost_surface(net, data.X, data.y, "w1", values, "w2", values)

    surface("squared_error")()  # warm-up: BLAS threads, page faults, caches
    exp_full()
    # Interleave the measurements so a burst of load elsewhere hits both sides alike.
    ref, ref_full, t_se, t_bce = [], [], [], []
    for _ in range(3):
        ref.append(2 * best_of(exp_chunked, 3))
        ref_full.append(2 * best_of(exp_full, 3))
        t_se.append(best_of(surface("squared_error"), 3))
        t_bce.append(best_of(surface("binary_cross_entropy"), 3))
    ref, ref_full, t_se, t_bce = min(ref), min(ref_full), min(t_se), min(t_bce)

    print(f"workload: {GRID}x{GRID} grid of (w1, w2), {SAMPLES} samples, lesson network 1-1-1 sigmoid")
    print(f"reference, 2 exps per point and sample, chunked in cache: {ref * 1e3:8.1f} ms")
    print(f"reference, 2 exps per point and sample, full arrays:      {ref_full * 1e3:8.1f} ms "
          f"(ratio against it: {t_se / ref_full:.2f})")
    print(f"surface, squared error:                                   {t_se * 1e3:8.1f} ms")
    print(f"surface, binary cross-entropy:                            {t_bce * 1e3:8.1f} ms "
          f"(ratio {t_bce / ref:.2f})")
    print(f"ratio surface/exp: {t_se / ref:.2f} (goal <= 2)")


if __name__ == "__main__":
    main()
