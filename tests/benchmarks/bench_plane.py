"""Benchmark: the cost over a filter-normalized plane against the price of its exponentials,
measured in the same run.

Workload: J of a [2, 16, 16, 3] network (tanh hidden layers, softmax output, cross-entropy) on a
51 x 51 grid of a filter-normalized random plane through its parameters, over 1,000 samples of the
three-class blobs — issue 10's landscape benchmark.

Reference: numpy's time for ``np.exp`` over as many float64 values as the grid has pre-activations
(51 x 51 grid points x 1,000 samples x (16 + 16 + 3) neurons), in cache-sized chunks into a
reused buffer: the fastest way numpy does those exponentials.

The machine may be shared, so both sides are measured interleaved, several times; the ratio is
printed for each repeat with its min / median / max. The last line is
``ratio plane/exp: min R (median M, max X; goal <= 3)``.

Run by hand or by ``make bench``: ``python tests/benchmarks/bench_plane.py``.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

GRID = 51
SAMPLES = 1000
SIZES = (2, 16, 16, 3)
REPEATS = 7


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import numpy as np

    import core

    data = core.load_dataset("blobs", n=SAMPLES, seed=0)
    net = core.Network(SIZES, ["tanh", "tanh", "softmax"], "cross_entropy", seed=0)
    d1, d2 = core.random_plane(net, seed=0)
    centre = net.parameter_vector()
    values = np.linspace(-1.0, 1.0, GRID)

    count = GRID * GRID * SAMPLES * sum(SIZES[1:])
    chunk = 1 << 17
    chunk_in = np.random.default_rng(0).uniform(-10.0, 10.0, chunk)
    chunk_out = np.empty_like(chunk_in)
    full_chunks, rest = divmod(count, chunk)

    def exps():
        for _ in range(full_chunks):
            np.exp(chunk_in, out=chunk_out)
        np.exp(chunk_in[:rest], out=chunk_out[:rest])

    def plane():
        core.plane_surface(net, data.X, data.y, centre, d1, d2, values, values)

    plane()   # warm-up: BLAS threads, page faults, caches
    exps()
    ratios, t_plane, t_exp = [], [], []
    for _ in range(REPEATS):
        reference = timed(exps)
        surface = timed(plane)
        t_exp.append(reference)
        t_plane.append(surface)
        ratios.append(surface / reference)

    print(f"workload: {GRID}x{GRID} filter-normalized plane, {SAMPLES} samples, network "
          f"{list(SIZES)} tanh/softmax, cross-entropy")
    print(f"reference, np.exp over {count / 1e6:.1f} M values (every pre-activation), chunked: "
          f"min {min(t_exp) * 1e3:.0f} ms, median {statistics.median(t_exp) * 1e3:.0f} ms")
    print(f"plane surface: min {min(t_plane) * 1e3:.0f} ms, median {statistics.median(t_plane) * 1e3:.0f} ms")
    print("ratios per repeat: " + ", ".join(f"{r:.2f}" for r in ratios))
    print(f"ratio plane/exp: min {min(ratios):.2f} (median {statistics.median(ratios):.2f}, "
          f"max {max(ratios):.2f}; goal <= 3)")


if __name__ == "__main__":
    main()
