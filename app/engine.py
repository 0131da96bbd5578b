"""The training worker: steps the current run on its own thread and publishes snapshots, at most one
per displayed frame, so the GUI thread only draws and handles input.

One lock guards the timeline (its runs and cursor). The worker holds it while it steps, a few
milliseconds at a time, and checks ``_interrupt`` after every step: a GUI-thread edit sets it, so
the worker stops at the next step boundary and the edit gets the lock at once (``engine.edit()``).
Snapshots go through one slot that the GUI thread *polls* once a frame (a QTimer that runs only
while training runs or a snapshot is due): newer snapshots replace older ones in the slot, and the
worker posts no events to the GUI thread at all — a steady flow of events posted from another
thread starved the GUI thread's own timers (a 5 ms timer fired 3 times in 75 s).

Where the steps are taken: in a worker process (``away``, app/training_process.py). The thread only
waits on that process's pipe, once a frame, and, under the lock, writes the steps it took into the
runs at home and takes the snapshot: the GUI thread gets the interpreter for itself. (A thread that
stepped the runs here shared the interpreter lock with the GUI thread and the views' workers: the
16x3 network stepped 114-192 times a second of the 2,400 it steps alone.) An edit ends the worker's
spell: steps it took from the state before the edit are dropped, unshown. At the learner's speed
the thread sleeps out the rest of each frame.

``synchronous = True`` (tests, and ``--steps`` at start-up) runs nothing on a thread: ``start``
drives the run from a QTimer on the GUI thread instead, one frame's steps per tick.
"""
from __future__ import annotations

import atexit
import sys
import threading
import time
import weakref
from contextlib import contextmanager
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

import core

from . import pacing

FRAME_SECONDS = 1 / 60
# The interpreter lock changes hands after at most this long (CPython's default: 5 ms). The GUI
# thread, the views' workers and this engine's thread (adopting steps, taking snapshots) run Python
# most of the time, and a thread waiting for the lock waited up to the whole interval.
SWITCH_INTERVAL = 0.001
FLAT_OUT_LEAST_SECONDS = 0.002   # flat out, a call waits for this much stepping if it finds less
sys.setswitchinterval(SWITCH_INTERVAL)
_ENGINES: "weakref.WeakSet[TrainingEngine]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """A worker still running Python while the interpreter tears down would crash it."""
    for engine in list(_ENGINES):
        engine.shutdown()


class TrainingEngine(QObject):
    """While running, has ``away`` (app.training_process.TrainingProcess) step the runs in a worker
    process and adopt its steps, and calls ``snapshot()`` at most once per frame, both under the lock,
    on a thread of its own. Synchronous (tests), calls ``step(n)`` (which must step the current run,
    raising core.TrainingDiverged) and ``snapshot()`` from a QTimer on the GUI thread instead.
    """

    snapshotReady = Signal()      # a new snapshot waits in the slot: take() it (GUI thread)
    diverged = Signal(str)        # training stopped: the message says why
    synchronous_default = False   # tests flip this

    def __init__(self, step: Callable[[int], object], snapshot: Callable[[], object], parent=None,
                 synchronous: bool | None = None, away=None):
        super().__init__(parent)
        self.synchronous = self.synchronous_default if synchronous is None else synchronous
        self._step = step
        self._snapshot = snapshot
        self._away = away            # app.training_process.TrainingProcess (needed unless synchronous)
        self.lock = threading.RLock()
        self._interrupt = 0
        self._edits = 0              # edits so far: a worker's steps begun before one are dropped
        self._running = False
        self._steps_per_frame = 0            # 0: as fast as the machine goes
        self._slot = None
        self._slot_lock = threading.Lock()
        self._message: str | None = None    # why training stopped, for the GUI thread
        self._publish_soon = False
        self._frame = QTimer(self)
        self._frame.setInterval(int(FRAME_SECONDS * 1000))
        self._frame.timeout.connect(self._poll)
        self._wake = threading.Event()
        self._quit = False
        self._thread: threading.Thread | None = None
        self._timer: QTimer | None = None
        self.steps_taken = 0
        _ENGINES.add(self)

    # ------------------------------------------------------------------ control (GUI thread)
    @property
    def running(self) -> bool:
        return self._running

    @property
    def steps_per_frame(self) -> int:
        return self._steps_per_frame

    @steps_per_frame.setter
    def steps_per_frame(self, steps: int) -> None:
        self._steps_per_frame = max(0, int(steps))

    def start(self) -> None:
        self._running = True
        if self.synchronous:
            if self._timer is None:
                self._timer = QTimer(self)
                self._timer.setInterval(int(FRAME_SECONDS * 1000))
                self._timer.timeout.connect(self._tick)
            self._timer.start()
            return
        self._ensure_thread()
        self._frame.start()
        self._wake.set()

    def warm_up(self) -> None:
        """Start the training processes now (in the background) if training will use them."""
        if self._away is not None and not self.synchronous:
            self._away.warm_up()

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._quit:
            self._thread = threading.Thread(target=self._loop, name="training", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop at the next step boundary; returns once the worker holds no lock."""
        self._running = False
        self._stop_timer()
        with self.edit(publish=False):
            pass

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    @contextmanager
    def edit(self, publish: bool = True):
        """Hold the run still: the worker stops at its next step boundary while the block runs;
        ``publish``: then have the worker show the result."""
        self._interrupt += 1
        self._edits += 1
        try:
            with self.lock:
                if self._away is not None:
                    self._away.invalidate()
                yield
        finally:
            self._interrupt -= 1
            if publish:
                self.publish_soon()

    @contextmanager
    def reading(self):
        """Read the runs between two steps without changing them: unlike ``edit()``, the steps the
        training process is taking meanwhile stay valid (the runs at home change only under the
        lock, when those steps are adopted)."""
        self._interrupt += 1
        try:
            with self.lock:
                yield
        finally:
            self._interrupt -= 1

    def publish_soon(self) -> None:
        """Ask the worker for a snapshot of the shown state at its next chance (after an edit)."""
        self._publish_soon = True
        if not self.synchronous:
            self._ensure_thread()
            if not self._frame.isActive():
                self._frame.start()
            self._wake.set()

    def take(self):
        """The newest published snapshot, or None (GUI thread, on snapshotReady)."""
        with self._slot_lock:
            snapshot, self._slot = self._slot, None
        return snapshot

    def _poll(self) -> None:
        """Once a frame, on the GUI thread: announce a waiting snapshot, or why training stopped."""
        with self._slot_lock:
            ready, message, self._message = self._slot is not None, self._message, None
        if ready:
            self.snapshotReady.emit()
        if message is not None:
            self.diverged.emit(message)
        if not self._running and not self._publish_soon and self._slot is None:
            self._frame.stop()

    def shutdown(self) -> None:
        self._running = False
        self._quit = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)
        self._thread = None

    # ------------------------------------------------------------------ the worker
    def _publish(self, snapshot) -> None:
        with self._slot_lock:
            self._slot = snapshot

    def _loop(self) -> None:
        """The loop with a worker process: once a frame, a call that takes the learner's steps per frame
        there (flat out: the steps the process took since the last call, once the window is ready to
        show them), then, under the lock, its steps adopted and a snapshot taken."""
        clock = time.perf_counter
        failures = 0
        frame_start = 0.0
        while not self._quit:
            if not self._running and not self._publish_soon:
                self._wake.wait()
                self._wake.clear()
                continue
            budget = self._steps_per_frame or None
            if budget is None and self._running:
                # flat out the process steps meanwhile: its steps are taken when a frame can show them
                pacing.wait_for_gui()
                rest = frame_start + FRAME_SECONDS - clock()
                if rest > 0:
                    time.sleep(rest)
            while self._interrupt and not self._quit:
                time.sleep(0.0005)   # an edit holds the runs: let it finish first
            frame_start = clock()
            result = snapshot = message = None
            with self.lock:
                edits = self._edits
                try:
                    request = self._away.request() if self._running else None
                except core.TrainingDiverged as exc:   # nothing left to train (a race whose runs all stopped)
                    request, message = None, str(exc)
                except Exception as exc:  # a bug stops training visibly instead of killing the thread
                    request, message = None, f"Training stopped: {type(exc).__name__}: {exc}"
            if request is not None:
                try:   # the lock is free meanwhile: the runs at home do not change during the call
                    result = self._away.call(request, FLAT_OUT_LEAST_SECONDS, budget)
                    failures = 0
                except Exception as exc:  # noqa: BLE001 - the worker failed (killed, out of memory...)
                    # its steps since the last adoption are lost, nothing else: a new worker process
                    # is seeded from the runs at home; twice in a row, training stops and says why
                    failures += 1
                    with self.lock:
                        self._away.invalidate()
                    if failures > 1:
                        message = f"Training stopped: the training process failed ({type(exc).__name__}: {exc})"
                    else:
                        continue
            with self.lock:
                if result is not None and edits == self._edits and self._running:
                    try:
                        steps, message = self._away.adopt(result)
                    except Exception as exc:  # a bug stops training visibly instead of killing the thread
                        steps, message = 0, f"Training stopped: {type(exc).__name__}: {exc}"
                    self.steps_taken += steps
                ready = pacing.gui_ready() or not self._running or message
                if ready and not self._interrupt:
                    self._publish_soon = False
                    try:
                        snapshot = self._snapshot()
                    except Exception as exc:  # shown, and the thread lives on for the next request
                        message = message or f"Could not show the training state: {type(exc).__name__}: {exc}"
            if snapshot is not None:
                self._publish(snapshot)
            if message is not None:
                with self._slot_lock:
                    self._message = message
                self._running = False   # after the message: the GUI's poll stops only once it is out
            if budget is not None and self._running:
                rest = frame_start + FRAME_SECONDS - clock()
                if rest > 0:
                    time.sleep(rest)   # the learner's speed: the rest of the frame is idle

    # ------------------------------------------------------------------ synchronous mode
    def _tick(self) -> None:
        budget = self._steps_per_frame or 50
        with self.lock:
            try:
                self._step(budget)
            except core.TrainingDiverged as exc:
                self._running = False
                self._stop_timer()
                self.diverged.emit(str(exc))
            self._slot = self._snapshot()
        self.snapshotReady.emit()
