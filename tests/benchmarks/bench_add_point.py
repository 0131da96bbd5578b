"""Benchmark: what one data point added by keys costs the GUI thread, against a bare scatter plot.

    .venv/bin/python tests/benchmarks/bench_add_point.py [--points N] [--config lesson|circle|big|big-split|all]

The real main window, offscreen, 1440x900, every panel built and started as after its first paint,
its settings in a temporary directory. Focus in the data panel; per point the arrows move the cross
(not timed) and Enter (Shift+Enter every other point: class 1) adds a point, by QTest.keyClick.
Timed per point, on the GUI thread:
- key: the Enter press itself (the model's edit, its undo entry, every view's update, synchronous);
- total: key plus the event processing until the point is in the model and shown (a point edit built
  off the GUI thread on big data lands here; the repaint of every panel it changed): the busy time
  of the processEvents calls, so waiting for the worker thread is not counted, its landing is.
Printed: the median and p95 of both, over N points, and the same of the reference.

Reference, in the same run: a bare pyqtgraph PlotWidget of the same size holding the same points the
data panel draws (one ScatterPlotItem per class, one brush each, thinned alike beyond 5,000), to
which the same points are appended one by one with setData followed by a synchronous repaint: the
least a plot of these points costs per added point. A ratio near 1 means adding a point costs the
studio about what redrawing its points costs any pyqtgraph program.

Configurations: lesson (the 1-1-1 network on its 50 points), circle (2-4-4-1 tanh, 200 points),
big (a CSV-like table of 100,000 rows and 2 features, two classes, every row training), big-split
(the same with 20% held out: every added point splits the rows again, and the data panel redraws
every point). Run by hand; never part of the test suite.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = (1440, 900)
BIG_ROWS = 100_000
CONFIGS = ("lesson", "circle", "big", "big-split")
_KEPT = []   # the measured windows, hidden, until the process ends


def _percentile(values, q):
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


def _summary(values) -> str:
    return f"median {statistics.median(values) * 1e3:7.2f} ms, p95 {_percentile(values, 95) * 1e3:7.2f} ms"


def _busy_events(app, done, timeout_s: float = 30.0) -> float:
    """Process events until ``done()``, then once more (the repaint); returns the time spent inside
    processEvents calls (the GUI thread's work), not the waits between them."""
    from PySide6.QtCore import QThread

    busy = 0.0
    deadline = time.perf_counter() + timeout_s
    while True:
        start = time.perf_counter()
        app.processEvents()
        busy += time.perf_counter() - start
        if done() or time.perf_counter() > deadline:
            break
        QThread.usleep(200)
    start = time.perf_counter()
    app.processEvents()
    return busy + time.perf_counter() - start


def _big_table(split: bool):
    import numpy as np

    import core

    rng = np.random.default_rng(0)
    X = rng.normal(size=(BIG_ROWS, 2))
    labels = (X[:, 0] * X[:, 1] > 0).astype(float).reshape(-1, 1)
    return core.TabularDataset(X=X, y=labels, task="binary", classes={"no": 0, "yes": 1}, features=("p", "q"),
                               target="t", dropped=0, drop_reasons=[], filled=0, means=np.zeros(2),
                               stds=np.ones(2)), (0.2 if split else 0.0)


def measure_studio(app, config: str, points: int) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.main_window import MainWindow

    win = MainWindow(persist_layout=False)
    win.resize(*SIZE)
    win.show()
    QTest.qWaitForWindowExposed(win)
    win.network_lab.build_deferred()
    for panel in win.panels().values():
        if hasattr(panel, "start"):
            panel.start()
    model = win.model
    if config == "circle":
        model.set_dataset("circle")
    elif config.startswith("big"):
        table, fraction = _big_table(config == "big-split")
        model.load_tabular(table, "big.csv", fraction, 0)
    deadline = time.perf_counter() + 60
    while not win.is_settled() and time.perf_counter() < deadline:
        QTest.qWait(50)
    view = win.panels()["data"]
    view.activateWindow()
    view.setFocus()
    QTest.qWait(300)
    keys, totals = [], []
    for k in range(points):
        QTest.keyClick(view, Qt.Key.Key_Right if k % 2 else Qt.Key.Key_Up)
        app.processEvents()
        count = len(model.dataset)
        start = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier if k % 2 else
                       Qt.KeyboardModifier.NoModifier)
        key = time.perf_counter() - start
        busy = _busy_events(app, lambda: len(model.dataset) == count + 1 and not getattr(model, "points_pending", False))
        keys.append(key)
        totals.append(key + busy)
    assert len(model.dataset) >= points, "points were not added"
    data = model.dataset
    drawn = view.drawn_rows()
    result = {"keys": keys, "totals": totals, "rows": len(data), "drawn": len(drawn),
              "X": data.X.copy(), "labels": None if data.task == "regression" else data.labels.copy(),
              "two_d": data.n_inputs == 2, "added": points}
    win.hide()          # not closed: deleting a window whose views still wait on their worker
    _KEPT.append(win)   # processes blocked this script for minutes; the process exits at once
    QTest.qWait(100)
    return result


def measure_reference(app, studio: dict) -> list[float]:
    """Append the studio's last ``added`` points, one by one, to a bare scatter of the points before them."""
    import numpy as np
    import pyqtgraph as pg

    X, labels, added = studio["X"], studio["labels"], studio["added"]
    ys = X[:, 1] if studio["two_d"] else (labels if labels is not None else np.zeros(len(X)))
    classes = labels if labels is not None else np.zeros(len(X), dtype=int)
    widget = pg.PlotWidget()
    widget.resize(*SIZE)
    widget.show()
    items = {c: widget.getPlotItem().plot([], [], pen=None, symbol="o", symbolSize=8,
                                          symbolBrush=pg.mkBrush(pg.intColor(int(c))), symbolPen=pg.mkPen("w"))
             for c in np.unique(classes)}
    times = []
    limit = 5_000
    for n in range(len(X) - added, len(X)):
        start = time.perf_counter()
        rows = np.arange(n + 1)
        for c, item in items.items():
            mine = rows[classes[: n + 1] == c]
            if len(mine) > limit:
                mine = mine[np.linspace(0, len(mine) - 1, limit).round().astype(np.int64)]
            item.setData(X[mine, 0], ys[mine])
        widget.repaint()
        app.processEvents()
        times.append(time.perf_counter() - start)
    widget.close()
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--config", choices=CONFIGS + ("all",), default="all")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
    from bench_live import sandboxed_application

    app, _sandbox = sandboxed_application("bench-add-point-")
    print(f"load average before: {os.getloadavg()}", flush=True)
    for config in CONFIGS if args.config == "all" else (args.config,):
        points = args.points if not config.startswith("big") else min(args.points, 100)
        studio = measure_studio(app, config, points)
        reference = measure_reference(app, studio)
        ratio = statistics.median(studio["totals"]) / statistics.median(reference)
        print(f"{config}: {points} points added by Enter, {studio['rows']:,} rows after, {studio['drawn']:,} drawn")
        print(f"  key (model + views):      {_summary(studio['keys'])}")
        print(f"  total (with repaint):     {_summary(studio['totals'])}")
        print(f"  reference (bare scatter): {_summary(reference)}")
        print(f"  ratio total / reference (medians): {ratio:.2f}", flush=True)
    print(f"load average after: {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    os._exit(code)   # no teardown of the hidden windows' workers (see measure_studio)
