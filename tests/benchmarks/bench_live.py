"""Live benchmark: how live the real main window stays while it trains, against a bare plot window.

    .venv/bin/python tests/benchmarks/bench_live.py [--seconds S] [--config lesson|spiral|spiral-flat|both]
                                                    [--platform offscreen|current|xvfb] [--json PATH]

Configurations (each in a fresh child process with its settings in a temporary directory):
- lesson: MainWindow(persist_layout=False) as it starts, the 1-1-1 sigmoid network on the lesson data;
- spiral: the same window with model.set_dataset("spiral") and set_hidden_layers([16, 16, 16], "tanh");
- spiral-flat: spiral at the speed "as fast as it goes" (model.set_steps_per_tick(0)); the window's
  default, 5 steps a frame, caps training at 300 steps/s, under the issue's 500.
The window is 1440x900, shown, every panel built (the window's own start-up after its first paint)
and visible: the Parameters dock, tabbed behind the Chain rule, is split off below it. Once the window
says it has settled (is_settled(), bounded wait), Space is pressed on it (focus in the diagram) and
for S seconds (default 8) of training this is measured:
- frames/s of each view: paint passes reaching the viewport of every plot (QGraphicsView) in the
  panels surface, slice, cost, data and diagram, and any widget of the expression and params panels;
  "median" is 1 / the median gap between frames, "mean" is frames / S (what the goal is held to);
- steps/s: model.step_count at the start and the end (read every 100 ms too, for the spread);
- event-loop stalls: the gaps between the timeouts of a 5 ms precise QTimer (p50, p95, max): how
  long the GUI thread could not respond;
- key press -> visible: every ~0.7 s (once the last press has shown) "N" (next parameter) is pressed
  on the window with QTest.keyClick; the latency runs from just before the press to the end of the
  paint pass (a zero timer queued at its Paint event) in which the slice plot's viewport is first
  painted after model.selected has changed and the slice's bottom axis label names the new
  parameter; when that paint began is printed too.
Then Space again (training stops) and the window closes. A child's Qt warnings are printed.

Reference, in the same run: a bare QMainWindow with one pyqtgraph PlotWidget (pyqtgraph's default
style, fixed axes) whose curve gets 200 new random points from a 16 ms timer, measured the same way: its
frames/s and stall p95. The app's frames/s per view are printed as a ratio of the reference's, and
its stall p95 beside the reference's. The goals (issue): every plot view >= 55 frames/s while
training, stall p95 <= 35 ms, key press to visible <= 50 ms, >= 500 steps/s on the 16x3 network.

--platform: offscreen (default; QT_QPA_PLATFORM=offscreen, no window system, no vsync), current
(the session's display) or xvfb (a private Xvfb, as bench_startup.py starts it). Run by hand or by
``make bench``; never part of the test suite. Only public API of Qt and pyqtgraph is used, plus
MainWindow.panels(), .docks, .network_lab, .model (running, step_count, selected, set_dataset,
set_hidden_layers), .registry.action(id) and .is_settled().
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = "CHAINRULE_STUDIO_BENCH_LIVE"
CONFIGS = {
    "lesson": "1-1-1 sigmoid network on the lesson data",
    "spiral": "2-16-16-16-1 tanh network on the spiral data",
    "spiral-flat": "2-16-16-16-1 tanh network on the spiral data, trained as fast as it goes",
}
PANELS = ("diagram", "expression", "surface", "slice", "cost", "data", "controls", "params")
PLOT_PANELS = ("surface", "slice", "cost", "data")      # pyqtgraph views: the frames/s goal applies
WHOLE_PANELS = ("expression", "params")   # no graphics view: paint passes of any of their widgets
GOAL_FPS = 55.0
GOAL_STALL_P95_MS = 35.0
GOAL_KEY_MS = 50.0
GOAL_STEPS_PER_S = 500.0     # on the 16x3 (spiral) network
STALL_TIMER_MS = 5
STEP_SAMPLE_MS = 100
KEY_INTERVAL_MS = 700
KEY_GIVE_UP_S = 5.0          # a press still invisible after this long counts as never shown
REFERENCE_TICK_MS = 16
REFERENCE_POINTS = 200
SIZE = (1440, 900)
SETTLE_TIMEOUT_S = 60.0
EXTRA_SETTLE_MS = 500        # after is_settled(): layouts, first renders of the split-off dock
REFERENCE_DESCRIPTION = (f"bare QMainWindow + pyqtgraph PlotWidget, {REFERENCE_POINTS} new random "
                         f"points every {REFERENCE_TICK_MS} ms")
QUIET_STDERR = ("propagateSizeHints", "does not support raise()", "QStandardPaths: wrong permissions")


# ====================================================================== the child: measuring
def _percentile(values, q):
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def _rates(stamps, t0, t1) -> dict:
    """Frames in [t0, t1]: count, mean rate, 1 / median gap, longest gap (ms)."""
    inside = [t for t in stamps if t0 <= t <= t1]
    gaps = [b - a for a, b in zip(inside, inside[1:])]
    median_gap = statistics.median(gaps) if gaps else None
    return {"frames": len(inside), "fps_mean": len(inside) / (t1 - t0),
            "fps_median": (1.0 / median_gap) if median_gap else None,
            "gap_max_ms": max(gaps) * 1000 if gaps else None}


def _stalls(stamps, t0, t1) -> dict:
    """The gaps (ms) between the stall timer's timeouts in [t0, t1], the window's ends included."""
    inside = [t for t in stamps if t0 <= t <= t1]
    gaps = [(b - a) * 1000 for a, b in zip([t0, *inside], [*inside, t1])]
    return {"timeouts": len(inside), "p50_ms": _percentile(gaps, 50), "p95_ms": _percentile(gaps, 95),
            "max_ms": max(gaps) if gaps else None}


def _summary(values) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)} if values else {}


def _run_events(ms: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(0, int(ms)), loop.quit)
    loop.exec()


def _wait_until(condition, timeout_s: float, step_ms: int = 20) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        _run_events(step_ms)
    return True


def _application(sandbox: str):
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    # Settings never touch the user's: every format's paths point into the sandbox (and the parent
    # set XDG_CONFIG_HOME & co. there before this process started).
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, sandbox)
    QCoreApplication.setOrganizationName("chainrule-studio-bench")
    QCoreApplication.setApplicationName("chainrule-studio-bench")
    return QApplication.instance() or QApplication(["chainrule-studio-bench"])


def sandboxed_application(prefix: str):
    """(QApplication, sandbox) for a benchmark that measures in its own process: offscreen unless
    told otherwise, every settings and XDG path in a new temporary directory."""
    sandbox = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = os.path.join(sandbox, var.lower())
    sys.path.insert(0, str(ROOT))
    return _application(sandbox), sandbox


def _instruments():
    """The measuring classes (Qt is imported only in the children, once the platform is set)."""
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer

    class FrameCounter(QObject):
        """Times the paint passes that reach watched widgets: one stamp per pass and view.

        A pass is one synchronous backing-store repaint: the Paint events delivered before control
        returns to the event loop (a zero timer marks its end). ``on_painted(view, widget)`` is
        called for each view's first Paint of a pass."""

        def __init__(self):
            super().__init__()
            self.stamps: dict[str, list[float]] = {}
            self._view_of: dict[int, str] = {}
            self._widgets = []          # the wrappers stay alive while filtered
            self._in_pass: set[str] = set()
            self.on_painted = None

        def watch(self, view: str, widget) -> None:
            self.stamps.setdefault(view, [])
            if id(widget) not in self._view_of:
                self._view_of[id(widget)] = view
                self._widgets.append(widget)
                widget.installEventFilter(self)

        def stop(self) -> None:
            self.on_painted = None
            for widget in self._widgets:
                try:
                    widget.removeEventFilter(self)
                except RuntimeError:
                    pass  # deleted with its panel
            self._widgets.clear()

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                view = self._view_of.get(id(obj))
                if view is not None and view not in self._in_pass:
                    if not self._in_pass:
                        QTimer.singleShot(0, self._in_pass.clear)
                    self._in_pass.add(view)
                    self.stamps[view].append(time.perf_counter())
                    if self.on_painted is not None:
                        self.on_painted(view, obj)
            return False

    class Ticker:
        """A precise timer that records (time, read()) at every timeout."""

        def __init__(self, ms: int, read=lambda: None):
            self.samples: list[tuple[float, object]] = []
            self._ms, self._timer = ms, QTimer()
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.timeout.connect(lambda: self.samples.append((time.perf_counter(), read())))

        def start(self) -> None:
            self._timer.start(self._ms)

        def stop(self) -> None:
            self._timer.stop()

        @property
        def stamps(self) -> list[float]:
            return [t for t, _ in self.samples]

    return FrameCounter, Ticker


def _graphics_views(panel) -> list:
    from PySide6.QtWidgets import QGraphicsView

    views = [panel] if isinstance(panel, QGraphicsView) else []
    return views + [v for v in panel.findChildren(QGraphicsView) if v is not panel]


def _slice_axis(panel):
    """The bottom axis of the slice panel's pyqtgraph plot (PlotWidget's public API), or None."""
    import pyqtgraph as pg

    plots = [v for v in _graphics_views(panel) if isinstance(v, pg.PlotWidget)]
    return plots[0].getPlotItem().getAxis("bottom") if plots else None


class KeyProbe:
    """Presses N (next parameter) and times each press until the slice plot shows the change: the end
    of the first paint pass of its viewport after model.selected changed and its bottom axis label
    names the new parameter. One press at a time: a press waits until the last one was shown (or
    KEY_GIVE_UP_S passed). If a key press never changes the selection, later presses trigger the
    next_param action instead (and say so)."""

    def __init__(self, win, slice_panel, notes: list[str]):
        self.win, self.notes = win, notes
        views = _graphics_views(slice_panel) if slice_panel is not None else []
        self.port = views[0].viewport() if views else None
        self.axis = _slice_axis(slice_panel) if slice_panel is not None else None
        self.presses: list[dict] = []
        self.pending: dict | None = None
        self.via = "keyboard"
        if self.port is None or self.axis is None:
            notes.append("no slice plot found: key press -> visible not measured")

    def press(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        if self.port is None or self.axis is None:
            return
        model = self.win.model
        if self.pending is not None:
            if time.perf_counter() - self.pending["t"] < KEY_GIVE_UP_S:
                return  # the last press is not shown yet
            if model.selected == self.pending["old"] and self.via == "keyboard":
                self.via = "action"
                self.notes.append("key N did not change the selection: later presses trigger the "
                                  "next_param action")
        self.pending = {"old": model.selected, "t": time.perf_counter()}
        self.presses.append(self.pending)
        if self.via == "keyboard":
            QTest.keyClick(self.win, Qt.Key.Key_N)  # synchronous: the paint comes later
        else:
            self.win.registry.action("next_param").trigger()

    def on_painted(self, view, widget) -> None:
        from PySide6.QtCore import QTimer

        press = self.pending
        if press is None or widget is not self.port or "paint" in press:
            return
        selected = self.win.model.selected
        label = str(getattr(self.axis, "labelText", "") or "").strip()
        from core.naming import to_unicode   # the axis names the parameter in the window's notation

        if selected != press["old"] and label == to_unicode(selected):
            press["paint"], press["new"] = time.perf_counter(), selected

            def shown():
                press["visible"] = time.perf_counter()
                if self.pending is press:
                    self.pending = None

            QTimer.singleShot(0, shown)  # runs once this paint pass has completed

    def figures(self, t1: float) -> dict:
        presses = [p for p in self.presses if p["t"] <= t1]
        shown = [p for p in presses if "visible" in p]
        latencies = [(p["visible"] - p["t"]) * 1000 for p in shown]
        starts = [(p["paint"] - p["t"]) * 1000 for p in shown]
        return {"via": self.via, "presses": len(presses), "shown": len(shown),
                "median_ms": statistics.median(latencies) if latencies else None,
                "max_ms": max(latencies) if latencies else None,
                "paint_start_median_ms": statistics.median(starts) if starts else None,
                "latencies_ms": [round(v, 2) for v in latencies]}


def _show_every_dock(win, notes: list[str]) -> None:
    """Un-tabify the Parameters dock from the Chain rule's and split it off below, so both paint (the
    Gradient health tab that shares their place goes behind the data panel)."""
    from PySide6.QtCore import Qt

    lab, docks = win.network_lab, win.docks
    expression, params = docks.get("expression"), docks.get("params")
    if expression is None or params is None:
        notes.append("no expression/params docks: layout left as it is")
        return
    for other in lab.tabifiedDockWidgets(expression):
        if other is not params:
            lab.removeDockWidget(other)
            lab.tabifyDockWidget(docks["data"], other)
    if params in lab.tabifiedDockWidgets(expression):
        lab.removeDockWidget(params)
        lab.splitDockWidget(expression, params, Qt.Orientation.Vertical)
    if params in lab.tabifiedDockWidgets(expression):  # still a tab: a dock area of its own then
        lab.removeDockWidget(params)
        lab.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, params)
        notes.append("params could not be split below expression: put in the right dock area")
    for dock in docks.values():
        dock.show()
    for dock in (expression, params, docks["data"]):   # in front of any tab sharing their place
        dock.raise_()


def _open_window(config: str, notes: list[str]):
    """The main window of ``config``, shown at SIZE with every panel built, visible and settled,
    and the keyboard focus in the diagram. Returns (window, panels, warm-up seconds)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    sys.path.insert(0, str(ROOT))
    from app.main_window import MainWindow

    win = MainWindow(persist_layout=False)
    if config.startswith("spiral"):
        win.model.set_dataset("spiral")
        win.model.set_hidden_layers([16, 16, 16], "tanh")
    if config.endswith("-flat"):
        win.model.set_steps_per_tick(0)   # "as fast as it goes": the steps/s goal is about this speed
    win.resize(*SIZE)
    win.show()
    if not QTest.qWaitForWindowExposed(win, 10000):
        notes.append("the window was not reported exposed within 10 s")
    # The window builds and starts its deferred panels after its first paint; is_settled() is
    # False until then (asking panels() first would build them at once, out of that order).
    if not _wait_until(win.is_settled, SETTLE_TIMEOUT_S):
        notes.append(f"not settled {SETTLE_TIMEOUT_S:g} s after showing")
    panels = win.panels()
    if missing := [p for p in PANELS if p not in panels]:
        notes.append(f"panels missing: {', '.join(missing)}")
    _show_every_dock(win, notes)
    t = time.perf_counter()
    if not _wait_until(win.is_settled, SETTLE_TIMEOUT_S):
        notes.append(f"not settled {SETTLE_TIMEOUT_S:g} s after the params dock was split off; "
                     "measured anyway")
    warm_up_s = time.perf_counter() - t
    _run_events(EXTRA_SETTLE_MS)
    if hidden := [p for p in PANELS if p in panels and panels[p].visibleRegion().isEmpty()]:
        notes.append(f"panels not visible: {', '.join(hidden)}")
    win.activateWindow()
    diagram = panels.get("diagram")
    if diagram is not None:
        diagram.setFocus(Qt.FocusReason.OtherFocusReason)
        if not _wait_until(diagram.hasFocus, 3.0):
            notes.append("the diagram did not get the keyboard focus")
    return win, panels, warm_up_s


def _toggle_training(win, want: bool, notes: list[str]) -> str:
    """Space on the window; the run action if the key did not do it. Says which did it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(win, Qt.Key.Key_Space)
    if _wait_until(lambda: win.model.running == want, 1.0, 5):
        return "the Space key"
    win.registry.action("run").trigger()
    _wait_until(lambda: win.model.running == want, 1.0, 5)
    notes.append(f"Space did not {'start' if want else 'stop'} training: "
                 "fell back to registry.action('run').trigger()")
    return "the run action (Space did not work)"


def measure_app(config: str, seconds: float, sandbox: str) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    FrameCounter, Ticker = _instruments()
    _app = _application(sandbox)
    notes: list[str] = []
    errors: list[str] = []
    default_hook = sys.excepthook
    sys.excepthook = lambda kind, value, tb: (errors.append(f"{kind.__name__}: {value}"),
                                              default_hook(kind, value, tb))
    win, panels, warm_up_s = _open_window(config, notes)
    model = win.model

    counter = FrameCounter()
    for panel_id in (*PLOT_PANELS, "diagram"):
        views = _graphics_views(panels[panel_id]) if panel_id in panels else []
        for i, view in enumerate(views):
            counter.watch(panel_id if i == 0 else f"{panel_id}[{i}]", view.viewport())
        if not views:
            notes.append(f"no graphics view in panel {panel_id!r}")

    def watch_whole_panels():  # any of their widgets; they may add widgets as they refresh
        for panel_id in WHOLE_PANELS:
            if panel_id in panels:
                for widget in (panels[panel_id], *panels[panel_id].findChildren(QWidget)):
                    counter.watch(panel_id, widget)

    watch_whole_panels()
    rescan = QTimer()
    rescan.timeout.connect(watch_whole_panels)
    stalls = Ticker(STALL_TIMER_MS)
    steps = Ticker(STEP_SAMPLE_MS, lambda: model.step_count)
    keys = KeyProbe(win, panels.get("slice"), notes)
    counter.on_painted = keys.on_painted
    key_timer = QTimer()
    key_timer.timeout.connect(keys.press)
    stopped = []
    model.runningChanged.connect(lambda running: stopped.append(time.perf_counter()) if not running else None)

    started_by = _toggle_training(win, True, notes)
    t0, steps0 = time.perf_counter(), model.step_count
    for ticker in (stalls, steps):
        ticker.start()
    rescan.start(250)
    QTimer.singleShot(KEY_INTERVAL_MS // 2, lambda: (keys.press(), key_timer.start(KEY_INTERVAL_MS)))
    _run_events(seconds * 1000)
    t1, steps1 = time.perf_counter(), model.step_count
    for timer in (stalls, steps, key_timer, rescan):
        timer.stop()
    _wait_until(lambda: keys.pending is None, KEY_GIVE_UP_S)  # the last press, still training
    if stopped:
        notes.append(f"training stopped by itself after {stopped[0] - t0:.1f} s "
                     f"(message: {getattr(model, 'message', '')!r})")
    running_at_end = model.running
    if model.running:
        _toggle_training(win, False, notes)
    counter.stop()
    win.close()
    _run_events(50)
    sys.excepthook = default_hook

    samples = steps.samples
    rates = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(samples, samples[1:]) if b[0] > a[0]]
    net = getattr(model, "network", None)
    return {
        "name": config, "description": CONFIGS[config],
        "network": list(getattr(net, "sizes", []) or []), "seconds": t1 - t0,
        "started_by": started_by, "warm_up_s": warm_up_s,
        "views": {name: _rates(stamps, t0, t1) for name, stamps in counter.stamps.items()},
        "steps": {"start": steps0, "end": steps1, "per_s": (steps1 - steps0) / (t1 - t0),
                  "per_s_each_100ms": _summary(rates)},
        "stall": _stalls(stalls.stamps, t0, t1),
        "keys": keys.figures(t1),
        "running_at_end": running_at_end, "errors": errors, "notes": notes,
        "code": str(Path(sys.modules["app"].__file__).resolve().parents[1]),
    }


def measure_reference(seconds: float, sandbox: str) -> dict:
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMainWindow

    FrameCounter, Ticker = _instruments()
    _app = _application(sandbox)
    # pyqtgraph's default style, as tests/benchmarks/bare_window.py: the least a plot costs. (The
    # app's antialiased 2.5 px pens are its own choice, and part of what is measured: through such
    # a pen these random points take ~300 ms to paint, through the default pen ~5 ms.) Fixed axis
    # ranges: each update is drawn once (an autoranging plot paints a second time for the range).
    win = QMainWindow()
    win.setWindowTitle("bare PySide6 + pyqtgraph")
    plot = pg.PlotWidget()
    win.setCentralWidget(plot)
    plot.setXRange(0, REFERENCE_POINTS - 1)
    plot.setYRange(0, 1)
    curve = plot.plot()
    rng = np.random.default_rng(0)
    x = np.arange(REFERENCE_POINTS, dtype=float)
    curve.setData(x, rng.random(REFERENCE_POINTS))
    win.resize(*SIZE)
    win.show()
    QTest.qWaitForWindowExposed(win, 10000)
    _run_events(EXTRA_SETTLE_MS)

    counter = FrameCounter()
    counter.watch("plot", plot.viewport())
    stalls = Ticker(STALL_TIMER_MS)
    tick = Ticker(REFERENCE_TICK_MS, lambda: curve.setData(x, rng.random(REFERENCE_POINTS)))
    t0 = time.perf_counter()
    stalls.start()
    tick.start()
    _run_events(seconds * 1000)
    t1 = time.perf_counter()
    for timer in (stalls, tick):
        timer.stop()
    counter.stop()
    win.close()
    return {"name": "reference", "description": REFERENCE_DESCRIPTION, "seconds": t1 - t0,
            "views": {"plot": _rates(counter.stamps["plot"], t0, t1)},
            "stall": _stalls(stalls.stamps, t0, t1), "notes": [], "errors": []}


def child_main(which: str, seconds: float, sandbox: str) -> int:
    result = measure_reference(seconds, sandbox) if which == "reference" else measure_app(which, seconds, sandbox)
    print(MARKER + " " + json.dumps(result), flush=True)
    return 0


# ====================================================================== the parent: running, printing
def child_env(platform: str, display: str | None, sandbox: str) -> dict:
    """bench_startup's child environment (sandboxed settings, the platform), minus its exit-after-paint."""
    from bench_startup import child_env as startup_env

    env = startup_env(platform, display, sandbox)
    env.pop("CHAINRULE_STUDIO_EXIT_AFTER_PAINT", None)
    return env


def run_child(which: str, seconds: float, env: dict, sandbox: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", which, "--seconds", str(seconds),
               "--sandbox", sandbox]
    load_before = os.getloadavg()[0]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 300)
    load_after = os.getloadavg()[0]
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER + " "):
            result = json.loads(line.split(" ", 1)[1])
            result["load_1min"] = [round(load_before, 2), round(load_after, 2)]
            result["stderr"] = [l for l in proc.stderr.splitlines()
                                if l.strip() and not any(q in l for q in QUIET_STDERR)][-12:]
            return result
    raise RuntimeError(f"{which}: the child exited with {proc.returncode} without a result\n"
                       f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def _f(value, spec=".1f", missing="-"):
    return missing if value is None else format(value, spec)


def print_config(result: dict, ref: dict) -> None:
    ref_fps = ref["views"]["plot"]["fps_mean"]
    ref_p95 = ref["stall"]["p95_ms"]
    print(f"\n== {result['name']}: {result['description']} "
          f"(network {result.get('network')}), trained {result['seconds']:.2f} s, "
          f"started by {result['started_by']}")
    print(f"  {'view':<12} {'frames':>7} {'fps median':>11} {'fps mean':>9} {'max gap ms':>11} "
          f"{'mean/ref':>9}   goal")
    for name, v in result["views"].items():
        plot = name.split("[")[0] in PLOT_PANELS
        verdict = ""
        if plot:
            verdict = f">= {GOAL_FPS:g} fps: {'met' if v['fps_mean'] >= GOAL_FPS else 'NOT met'}"
        print(f"  {name:<12} {v['frames']:>7} {_f(v['fps_median']):>11} {v['fps_mean']:>9.1f} "
              f"{_f(v['gap_max_ms'], '.0f'):>11} {_f(v['fps_mean'] / ref_fps if ref_fps else None, '.2f'):>9}   {verdict}")
    s = result["steps"]
    big = result["name"].startswith("spiral")
    goal = (f"goal >= {GOAL_STEPS_PER_S:g}: {'met' if s['per_s'] >= GOAL_STEPS_PER_S else 'NOT met'}"
            if big else f"(goal >= {GOAL_STEPS_PER_S:g} is for the 16x3 network)")
    each = s.get("per_s_each_100ms") or {}
    print(f"  steps/s      {s['per_s']:8.1f}   per 100 ms: min {_f(each.get('min'), '.0f')}, "
          f"median {_f(each.get('median'), '.0f')}, max {_f(each.get('max'), '.0f')}   {goal}")
    st = result["stall"]
    print(f"  stall ms     p50 {_f(st['p50_ms'])}  p95 {_f(st['p95_ms'])}  max {_f(st['max_ms'])}   "
          f"reference p95 {_f(ref_p95)} (x{_f(st['p95_ms'] / ref_p95 if ref_p95 else None, '.2f')})   "
          f"goal p95 <= {GOAL_STALL_P95_MS:g}: {'met' if st['p95_ms'] <= GOAL_STALL_P95_MS else 'NOT met'}")
    k = result["keys"]
    def met(ms):
        return "met" if ms is not None and ms <= GOAL_KEY_MS and k["shown"] == k["presses"] else "NOT met"

    print(f"  key N -> visible  median {_f(k['median_ms'])} ms  max {_f(k['max_ms'])} ms  "
          f"({k['shown']}/{k['presses']} presses shown, via {k['via']}; paint began after median "
          f"{_f(k['paint_start_median_ms'])} ms)   goal <= {GOAL_KEY_MS:g}: median {met(k['median_ms'])}, "
          f"max {met(k['max_ms'])}")
    load = result.get("load_1min") or ["?", "?"]
    print(f"  code measured: {result.get('code')}; load average (1 min) before/after: {load[0]} / {load[1]}")
    for note in result.get("notes", []):
        print(f"  note: {note}")
    if result.get("errors"):
        print(f"  {len(result['errors'])} exception(s) in the app: {'; '.join(result['errors'][:3])}")
    for line in result.get("stderr", []):
        print(f"  child stderr: {line}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="training time measured (default 8)")
    parser.add_argument("--config", choices=("lesson", "spiral", "spiral-flat", "both"), default="both",
                        help="spiral-flat: the spiral network trained as fast as it goes (speed 0) "
                             "instead of the window's default 5 steps a frame")
    parser.add_argument("--platform", choices=("offscreen", "current", "xvfb"), default="offscreen")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sandbox", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    if args.child:
        return child_main(args.child, args.seconds, args.sandbox or tempfile.mkdtemp())

    configs = ["lesson", "spiral"] if args.config == "both" else [args.config]
    xvfb, display = None, None
    if args.platform == "xvfb":
        if not shutil.which("Xvfb"):
            parser.error("--platform xvfb needs Xvfb installed")
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_startup import start_xvfb

        xvfb, display = start_xvfb()
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="chainrule-bench-live-") as sandbox:
            env = child_env(args.platform, display, sandbox)
            print(f"live while training: {args.seconds:g} s each, platform {args.platform}"
                  f"{' ' + display if display else ''}, {os.cpu_count()} CPUs, python {sys.executable}")
            for which in ["reference", *configs]:
                results[which] = run_child(which, args.seconds, env, sandbox)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)

    ref = results["reference"]
    r = ref["views"]["plot"]
    print(f"\n== reference: {ref['description']}, {ref['seconds']:.2f} s")
    print(f"  frames {r['frames']}, fps median {_f(r['fps_median'])}, mean {r['fps_mean']:.1f}; stall ms p50 "
          f"{_f(ref['stall']['p50_ms'])} p95 {_f(ref['stall']['p95_ms'])} max {_f(ref['stall']['max_ms'])}")
    for line in ref.get("stderr", []):
        print(f"  child stderr: {line}")
    for which in configs:
        print_config(results[which], ref)
    print()
    for which in configs:
        res = results[which]
        plots = [v["fps_mean"] for n, v in res["views"].items() if n.split("[")[0] in PLOT_PANELS]
        if plots:
            ratio = min(plots) / r["fps_mean"] if r["fps_mean"] else None
            print(f"ratio {which} plot fps (slowest view) / reference fps: {_f(ratio, '.2f')} "
                  f"(goal >= {GOAL_FPS:g} fps: {'met' if min(plots) >= GOAL_FPS else 'NOT met'})")
        p95 = res["stall"]["p95_ms"]
        ref_p95 = ref["stall"]["p95_ms"]
        print(f"ratio {which} stall p95 / reference stall p95: {_f(p95 / ref_p95 if ref_p95 else None, '.2f')} "
              f"({p95:.1f} ms vs {ref['stall']['p95_ms']:.1f} ms; goal <= {GOAL_STALL_P95_MS:g} ms: "
              f"{'met' if p95 <= GOAL_STALL_P95_MS else 'NOT met'})")
    if args.json:
        payload = {"seconds": args.seconds, "platform": args.platform,
                   "goals": {"fps": GOAL_FPS, "stall_p95_ms": GOAL_STALL_P95_MS, "key_ms": GOAL_KEY_MS,
                             "steps_per_s_16x3": GOAL_STEPS_PER_S},
                   "results": results}
        Path(args.json).write_text(json.dumps(payload, indent=1))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
