"""Benchmark: undo's cost per edit does not grow with the stack, and 1,000 undo states of a long
trained run do not hold 1,000 copies of its history.

Workload: the session model and the Function lab model with their undo history (app/undo.py, no
window: the views' cost is the edit's, not the stack's), the lesson trained for --steps steps; then
1,000 recorded edits (typed values of the parameters, in turn, so none merge).

Figures:
* the time an edit's recording takes (two captures, the comparison, the push), measured over the
  first edits (1 entry on the stack) and over the last ones (1,000 entries), and their ratio (about
  1 means the stack does not slow the window), against the edit alone (the same command, not
  recorded) measured in the same run;
* memory held by the 1,000 entries (tracemalloc: numpy's arrays included), against the reference
  of what one full copy of the run's trajectory takes (its dense columns and its drawn path): below
  one copy per entry means the states share the history.

Run: ``QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_undo.py [--steps N]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.function_lab.model import FunctionLabModel  # noqa: E402
from app.model import SessionModel  # noqa: E402
from app.undo import UndoHistory  # noqa: E402

EDITS = 1000
SAMPLE = 50   # edits timed at each end


def edit(model, k: int) -> None:
    names = model.parameter_names()
    name = names[k % len(names)]
    model.set_parameter(name, model.network.get(name) + 1e-3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])   # noqa: F841 (the models are QObjects)
    model = SessionModel(synchronous=True)
    function_model = FunctionLabModel()
    try:
        model.step(args.steps)
        trajectory = model.run_at_shown_step().trajectory
        full_copy = (sum(c.size * 8 for c in (trajectory.costs(), trajectory.test_costs(), trajectory.learning_rates(),
                                               trajectory.epochs(), trajectory.distances()))
                     + len(trajectory.path) * (8 * trajectory.parameter_count + 32))

        # the reference: the same edits, not recorded
        plain = []
        for k in range(SAMPLE):
            start = time.perf_counter()
            edit(model, k)
            plain.append(time.perf_counter() - start)

        history = UndoHistory(model, function_model)
        recorded = []
        for k in range(EDITS):
            start = time.perf_counter()
            edit(model, k)
            recorded.append(time.perf_counter() - start)
        assert history.stack.count() == EDITS, history.stack.count()
        # memory, in a second pass (tracemalloc slows allocations: not while timing)
        history.clear()
        tracemalloc.start()
        held_before = tracemalloc.get_traced_memory()[0]
        for k in range(EDITS):
            edit(model, k)
        held = tracemalloc.get_traced_memory()[0] - held_before
        tracemalloc.stop()

        first, last = statistics.median(recorded[:SAMPLE]), statistics.median(recorded[-SAMPLE:])
        alone = statistics.median(plain)
        print(f"run: {model.step_count:,} steps; one full copy of its trajectory: {full_copy / 1e6:.2f} MB")
        print(f"edit alone (reference):          {alone * 1e3:7.3f} ms")
        print(f"edit recorded, 1 entry:          {first * 1e3:7.3f} ms  (recording: {(first - alone) * 1e3:.3f} ms)")
        print(f"edit recorded, {EDITS:,} entries:    {last * 1e3:7.3f} ms  (recording: {(last - alone) * 1e3:.3f} ms)")
        print(f"ratio at {EDITS:,} entries / at 1:  {last / first:.2f}   (about 1: the stack does not slow edits)")
        print(f"memory held by {EDITS:,} entries: {held / 1e6:.2f} MB = {held / EDITS / 1e3:.1f} kB an entry, "
              f"{held / EDITS / full_copy:.3f} of a full trajectory copy an entry")
        start = time.perf_counter()
        for _ in range(EDITS):
            history.undo()
        undo_time = (time.perf_counter() - start) / EDITS
        print(f"undo (no views):                 {undo_time * 1e3:7.3f} ms an entry")
    finally:
        model.engine.shutdown()
        function_model.close()


if __name__ == "__main__":
    main()
