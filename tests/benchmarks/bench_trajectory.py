"""Benchmark: a 100,000-step trajectory of the studio's largest network — memory, and the time to show
any step (a replay from the nearest keyframe), against a reference measured in the same run.

Workload: 2 -> 6 x 16 tanh -> 3 softmax (1,459 parameters), cross-entropy, the three-class blobs dataset (300
points), plain gradient descent, full batch, 100,000 steps through ``core.Run.step``.

Figures:
* memory the trajectory holds (keyframes, drawn path, dense scalars, events), against the issue's
  limit of 50 MB, and against the reference: what keeping every step's parameters would take;
* the time to rebuild a random step exactly (``Run.theta_at`` on a cold replay cache), against the
  reference: one training step of the same run (so the ratio says how many steps a jump replays),
  and against the issue's goal of 100 ms;
* that the replayed parameters equal the ones recorded live at a few steps (bit for bit).

Run: ``python tests/benchmarks/bench_trajectory.py [--steps N]``. Takes about a minute.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import core  # noqa: E402

LIMIT_MB = 50
JUMP_GOAL_MS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--jumps", type=int, default=40)
    args = parser.parse_args()

    data = core.load_dataset("blobs", n=300)
    net = core.Network([2, *[16] * 6, 3], ["tanh"] * 6 + ["softmax"], "cross_entropy", seed=0)
    run = core.Run(net, data.X, data.y, 0.05)
    probes = sorted({0, 1, args.steps // 3, args.steps // 2 + 7, args.steps - 1})
    live = {}
    step_times = []
    started = time.perf_counter()
    while run.step_count < args.steps:
        if run.step_count in probes:
            live[run.step_count] = run.net.parameter_vector()
        t0 = time.perf_counter()
        run.step(1)
        step_times.append(time.perf_counter() - t0)
    live[run.step_count] = run.net.parameter_vector()
    training = time.perf_counter() - started
    trajectory = run.trajectory

    for step, theta in live.items():
        if not np.array_equal(run.theta_at(step), theta):
            raise SystemExit(f"replay of step {step} differs from the live parameters")

    rng = np.random.default_rng(1)
    jumps = []
    for step in rng.integers(0, args.steps, args.jumps):
        run._replay = None   # a cold jump: no replica left from the previous one
        t0 = time.perf_counter()
        run.theta_at(int(step))
        jumps.append(time.perf_counter() - t0)

    mb = trajectory.nbytes / 2 ** 20
    every_step_mb = (args.steps + 1) * net.parameter_count * 8 / 2 ** 20
    step_ms = statistics.median(step_times) * 1e3
    jump_ms = sorted(jumps)
    print(f"{args.steps:,} steps of {list(net.sizes)} ({net.parameter_count:,} parameters) in {training:.1f} s; "
          f"median step {step_ms:.3f} ms")
    print(f"keyframes: {len(trajectory.keyframes):,}, every {trajectory.keyframe_interval} steps; "
          f"drawn path: {len(trajectory.path):,} records; replay of {len(live)} probed steps: bit for bit")
    print(f"memory: {mb:.1f} MB (limit {LIMIT_MB} MB: {'met' if mb <= LIMIT_MB else 'NOT met'}); "
          f"every step's parameters would take {every_step_mb:,.0f} MB")
    print(f"ratio memory/every step kept: {mb / every_step_mb:.4f}")
    print(f"jump to a random step (cold replay), {args.jumps} jumps: median {statistics.median(jump_ms) * 1e3:.1f} ms, "
          f"max {jump_ms[-1] * 1e3:.1f} ms (goal <= {JUMP_GOAL_MS} ms: "
          f"{'met' if jump_ms[-1] * 1e3 <= JUMP_GOAL_MS else 'NOT met'})")
    print(f"ratio jump/one step (steps replayed, on medians): {statistics.median(jump_ms) * 1e3 / step_ms:.1f}")


if __name__ == "__main__":
    main()
