"""Race benchmark: what six optimizers racing cost against one run alone, in the real window.

    .venv/bin/python tests/benchmarks/bench_race.py [--seconds S] [--repeats R]

Each measurement runs in a fresh child process (offscreen, settings in a temporary directory): the
main window at 1440x900 with every panel built, the 3-class blobs data with 1,000 samples and a
[2, 16, 16, 3] tanh/softmax network, training as fast as it goes (steps per frame 0) for S seconds
(default 6):
- single: one run (gradient descent);
- race: six runs from one start (gradient descent, momentum, Nesterov, RMSprop, Adam, AdamW).
Printed for each: training steps per second per run (the mean over runs), and frames per second of
the cost surface's viewport. The ratio printed is single steps/s ÷ race steps/s per run: how many
times one run's cost six runs cost (the issue's goal: at most 3). R repeats (default 3) alternate
single and race, and the spread is printed, with the machine's 1-minute load average before and after
each measurement (on a shared machine the figures move with it). Run by hand or ``make bench``;
never part of the tests.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
MARKER = "CHAINRULE_STUDIO_BENCH_RACE"
RACE = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
GOAL_RATIO = 3.0


def child(which: str, seconds: float, sandbox: str) -> dict:
    import bench_live as live

    app = live._application(sandbox)  # noqa: F841 (kept alive)
    FrameCounter, _Ticker = live._instruments()
    notes: list[str] = []
    win, panels, _warm = live._open_window("lesson", notes)
    model = win.model
    model.set_dataset("blobs", n=1000)
    model.set_hidden_layers([16, 16], "tanh")
    model.set_steps_per_tick(0)
    import core
    if which == "race":
        model.start_race(core.default_entrants(model.learning_rate, RACE))
    live._wait_until(win.is_settled, 60.0)
    counter = FrameCounter()
    counter.watch("surface", live._graphics_views(panels["surface"])[0].viewport())

    def steps() -> list[int]:
        snap = model.snapshot
        return [snap.step] + [t.step for t in snap.others]

    before = steps()
    t0 = time.perf_counter()
    live._toggle_training(win, True, notes)
    live._run_events(seconds * 1000)
    live._toggle_training(win, False, notes)
    t1 = time.perf_counter()
    live._run_events(200)
    after = steps()
    counter.stop()
    win.close()
    per_run = [(b - a) / (t1 - t0) for a, b in zip(before, after)]
    return {"which": which, "runs": len(per_run), "steps_per_run": statistics.mean(per_run),
            "surface_fps": live._rates(counter.stamps["surface"], t0, t1)["fps_mean"],
            "network": list(model.network.sizes), "samples": len(model.X), "notes": notes}


def run_child(which: str, seconds: float) -> dict:
    import bench_live as live

    sandbox = tempfile.mkdtemp(prefix="chainrule-bench-race-")
    env = live.child_env("offscreen", None, sandbox)
    load_before = os.getloadavg()[0]
    proc = subprocess.run([sys.executable, __file__, "--child", which, "--seconds", str(seconds),
                           "--sandbox", sandbox], env=env, capture_output=True, text=True, timeout=seconds + 300)
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER + " "):
            result = json.loads(line.split(" ", 1)[1])
            result["load"] = (load_before, os.getloadavg()[0])
            return result
    raise RuntimeError(f"{which}: no result\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--sandbox")
    args = parser.parse_args()
    if args.child:
        print(MARKER + " " + json.dumps(child(args.child, args.seconds, args.sandbox)), flush=True)
        return 0
    ratios = []
    for k in range(args.repeats):
        single, race = run_child("single", args.seconds), run_child("race", args.seconds)
        ratio = single["steps_per_run"] / max(race["steps_per_run"], 1e-9)
        ratios.append(ratio)
        print(f"repeat {k + 1}: network {single['network']} on {single['samples']} samples")
        for r in (single, race):
            print(f"  {r['which']:<6} {r['runs']} run(s): {r['steps_per_run']:7.1f} steps/s per run, "
                  f"surface {r['surface_fps']:5.1f} frames/s, load {r['load'][0]:.1f} -> {r['load'][1]:.1f}"
                  + (f"  notes: {r['notes']}" if r["notes"] else ""))
        print(f"  ratio single / race steps per run: {ratio:.2f} (goal <= {GOAL_RATIO:g})")
    print(f"\nratio over {len(ratios)} repeats: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}, "
          f"max {max(ratios):.2f} (six runs cost this many times one; goal <= {GOAL_RATIO:g}: "
          f"{'met' if statistics.median(ratios) <= GOAL_RATIO else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
