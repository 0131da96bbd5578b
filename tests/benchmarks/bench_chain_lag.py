"""Chain-panel lag benchmark: after N (next parameter) while training, how long until the chain-rule
panel shows the newly selected parameter — its first picture of it, and its complete derivation
(symbolic formulas in).

    .venv/bin/python tests/benchmarks/bench_chain_lag.py [--config lesson|spiral] [--presses K]

Runs the real main window offscreen (settings in a temporary directory), every dock shown as
bench_live.py does, training as fast as it goes; every ~1.5 s after the last press has fully shown,
N is pressed on the window. Printed: per press the seconds to the first picture of the new
parameter and to the complete one, their medians, and the load average before and after. Only
public API: MainWindow.panels(), .model, ExpressionPanel.shown_parameter / .catching_up /
.is_settled(). Run by hand; never part of the test suite.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", choices=("lesson", "spiral"), default="spiral")
    parser.add_argument("--presses", type=int, default=8)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
    import bench_live
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app, _sandbox = bench_live.sandboxed_application("chain-lag-")   # noqa: F841 - kept alive
    notes: list[str] = []
    win, panels, _ = bench_live._open_window(args.config, notes)
    expression, model = panels["expression"], win.model
    model.set_steps_per_tick(0)
    print(f"load average before: {os.getloadavg()}")
    bench_live._toggle_training(win, True, notes)
    bench_live._run_events(1500)
    first, complete, badge = [], [], []
    for _ in range(args.presses):
        t0 = time.perf_counter()
        QTest.keyClick(win, Qt.Key.Key_N)
        target = model.selected
        seen_badge = seen_first = None
        deadline = t0 + 60
        while time.perf_counter() < deadline:
            bench_live._run_events(5)
            now = time.perf_counter() - t0
            if seen_badge is None and expression.catching_up:
                seen_badge = now
            if seen_first is None and expression.shown_parameter == target:
                seen_first = now
            shown = expression.shown_request
            if (shown is not None and shown.name == target and shown.formulas is not None
                    and not expression.catching_up and not expression.typesetting):
                break
        done = time.perf_counter() - t0
        first.append(seen_first if seen_first is not None else float("nan"))
        complete.append(done)
        badge.append(seen_badge if seen_badge is not None else float("nan"))
        print(f"  {target}: badge {badge[-1]:.3f} s, first picture {first[-1]:.2f} s, complete {done:.2f} s,"
              f" step {model.step_count}")
        bench_live._run_events(1500)
    bench_live._toggle_training(win, False, notes)
    print(f"{args.config}: median first picture {statistics.median(first):.2f} s, complete "
          f"{statistics.median(complete):.2f} s (min {min(complete):.2f}, max {max(complete):.2f})")
    print(f"load average after: {os.getloadavg()}")
    for note in notes:
        print("note:", note)
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
