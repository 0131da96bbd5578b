"""Off-GUI-thread computation with stale results dropped and bursts of requests collapsed.

A `LatestOnlyWorker` runs one job at a time on a thread pool. While a job runs, new requests replace
one another in a single pending slot, so only the newest waits; each result carries the generation of
its request and is delivered only if no newer request exists. Tests switch it to synchronous mode.

``keep_up=True`` is for views that follow training: a result is delivered whenever it is newer than
the last one delivered, even if a newer request is already waiting. Each result is a consistent
picture of one snapshot, so while snapshots arrive faster than the job runs the view still moves,
a job behind, instead of waiting for a pause that never comes.
"""
from __future__ import annotations

import atexit
import threading
import traceback
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from . import pacing, process_jobs


_LIVE_WORKERS: "weakref.WeakSet[LatestOnlyWorker]" = weakref.WeakSet()


@atexit.register
def _drain_all_workers() -> None:
    """A job still running Python while the interpreter tears down crashes it: wait for every job."""
    for worker in list(_LIVE_WORKERS):
        worker.shutdown()


POLL_MS = 8   # how often the GUI thread looks for a finished job while one runs


class _Job(QRunnable):
    def __init__(self, generation: int, func: Callable[[], Any], done: list, lock: threading.Lock):
        super().__init__()
        self.setAutoDelete(True)
        self._generation, self._func, self._done, self._lock = generation, func, done, lock

    def run(self) -> None:
        pacing.wait_while_drawing()   # the GUI thread's turn first (app/pacing.py)
        try:
            result, error = self._func(), ""
        except Exception as exc:  # delivered to the GUI as a message, never lost silently
            result, error = None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        pacing.wait_for_gui()   # the GUI thread gets its breath first (app/pacing.py)
        with self._lock:
            self._done.append((self._generation, result, error))


class LatestOnlyWorker(QObject):
    """Runs `submit`ted callables off the GUI thread; emits `finished(result)` for the newest only."""

    finished = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    synchronous_default = False  # tests flip this to run every job inline

    def __init__(self, parent=None, synchronous: bool | None = None, keep_up: bool = False):
        super().__init__(parent)
        self.synchronous = self.synchronous_default if synchronous is None else synchronous
        self.keep_up = keep_up
        self._delivered = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # Finished jobs wait in a list that the GUI thread polls while a job runs, instead of
        # posting a queued signal: a steady flow of events posted from other threads starved the
        # GUI thread's timers (see app/pacing.py and app/engine.py).
        self._done: list = []
        self._done_lock = threading.Lock()
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect)
        self._generation = 0
        self._pending: tuple[int, Callable[[], Any]] | None = None
        self._running = False
        _LIVE_WORKERS.add(self)

    @property
    def busy(self) -> bool:
        return self._running or self._pending is not None

    def submit(self, func: Callable[[], Any]) -> int:
        """Queue `func`; any not-yet-started older request is dropped. Returns its generation."""
        self._generation += 1
        if self.synchronous:
            try:
                self._deliver(func())
            except Exception as exc:
                self.failed.emit(f"{type(exc).__name__}: {exc}")
            return self._generation
        self._pending = (self._generation, func)
        if not self._running:
            self._start_pending()
        return self._generation

    def submit_to_lane(self, lane: str, fn: Callable[..., Any], *args) -> int:
        """``submit`` ``fn(*args)`` run in the worker process of ``lane`` (app/process_jobs.py says
        why), or in this worker's thread when it runs synchronously (tests)."""
        in_process = self.synchronous
        return self.submit(lambda: process_jobs.run(lane, fn, *args, in_process=in_process))

    def _start_pending(self) -> None:
        generation, func = self._pending
        self._pending = None
        was_busy = self._running
        self._running = True
        if not was_busy:
            self.busyChanged.emit(True)
        self._pool.start(_Job(generation, func, self._done, self._done_lock))
        if not self._poll.isActive():
            self._poll.start()

    def _collect(self) -> None:
        with self._done_lock:
            finished, self._done[:] = list(self._done), []
        for generation, result, error in finished:
            with pacing.handling():
                self._handle(generation, result, error)
        if not self._running and not self._done:
            self._poll.stop()

    def _on_done(self, generation: int, result: Any, error: str) -> None:
        """Handle a finished job now (tests and callers that wait for the pool)."""
        with pacing.handling():
            self._handle(generation, result, error)

    def _handle(self, generation: int, result: Any, error: str) -> None:
        self._running = False
        if self._pending is not None:
            self._start_pending()
        else:
            self.busyChanged.emit(False)
        if generation != self._generation and not (self.keep_up and generation > self._delivered):
            return  # stale: a newer request exists
        self._delivered = generation
        if error:
            self.failed.emit(error)
        else:
            self._deliver(result)

    def _deliver(self, result: Any) -> None:
        self.finished.emit(result)

    def wait_idle(self, msecs: int = 10000) -> bool:
        done = self._pool.waitForDone(msecs)
        self._collect()
        return done

    def shutdown(self, msecs: int = 30000) -> None:
        """Drop what has not started and wait for the running job (at quit, before teardown)."""
        self._pending = None
        self._generation += 1  # whatever is running now is stale
        self._delivered = self._generation
        try:
            self._pool.waitForDone(msecs)
        except RuntimeError:
            pass  # the C++ pool is already gone: nothing left to wait for
