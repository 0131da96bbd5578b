"""Reading and writing session files off the GUI thread, with a busy bar in the status bar.

A session with long trajectories is megabytes of JSON: encoding, writing, parsing and checking it
would freeze the window for a moment. The state to save is captured on the GUI thread (a cheap
copy, see app/session_state.py); the file work runs on a plain thread; the result comes back to the
GUI thread as a signal. ``synchronous=True`` (tests, the command line) does the work in the call.
"""
from __future__ import annotations

import os
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar

import core

from .session_state import SessionState


class SessionIO(QObject):
    """``save(path, state)`` and ``load(path)``; ``saved(path)``, ``loaded(path, state)`` or
    ``failed(path, what, message)`` (``what``: "save" or "open") when done."""

    saved = Signal(str)
    loaded = Signal(str, object)
    failed = Signal(str, str, str)
    _finished = Signal(object)   # from the worker thread: a function to run on the GUI thread
    busyChanged = Signal(bool)

    synchronous_default = False

    def __init__(self, window: QMainWindow, synchronous: bool | None = None):
        super().__init__(window)
        self.synchronous = self.synchronous_default if synchronous is None else synchronous
        self._finished.connect(lambda done: done())
        self._jobs = 0
        self._threads: list[threading.Thread] = []
        self.progress_label = QLabel()
        self.progress_label.setObjectName("session-progress-label")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("session-progress")
        self.progress_bar.setRange(0, 0)     # busy: the length of a JSON parse is not known ahead
        self.progress_bar.setMaximumWidth(120)
        status = window.statusBar()
        status.insertPermanentWidget(0, self.progress_label)
        status.insertPermanentWidget(1, self.progress_bar)
        self.progress_label.hide()
        self.progress_bar.hide()

    @property
    def busy(self) -> bool:
        return self._jobs > 0

    def save(self, path: str, state: SessionState, quiet: bool = False) -> None:
        """Write ``state`` to ``path`` (``quiet``: an autosave, no busy bar)."""
        def work():
            core.save_session(path, state.to_core())
            return lambda: self.saved.emit(path)
        self._run(path, "save", work, None if quiet else f"Saving {os.path.basename(path)} …")

    def load(self, path: str) -> None:
        def work():
            state = SessionState.from_core(core.load_session(path))
            return lambda: self.loaded.emit(path, state)
        self._run(path, "open", work, f"Opening {os.path.basename(path)} …")

    def _run(self, path: str, what: str, work, label: str | None) -> None:
        def job():
            try:
                done = work()
            except core.SessionError as exc:
                message = str(exc)
                done = lambda: self.failed.emit(path, what, message)   # noqa: E731
            except OSError as exc:
                message = exc.strerror or str(exc)
                done = lambda: self.failed.emit(path, what, message)   # noqa: E731
            except Exception as exc:   # a bug must not kill the thread silently: the user hears of it
                message = f"{type(exc).__name__}: {exc}"
                done = lambda: self.failed.emit(path, what, message)   # noqa: E731
            return done

        self._start(label)
        if self.synchronous:
            done = job()
            self._stop()
            done()
            return

        def threaded():
            done = job()

            def finish():
                self._stop()
                done()
            self._finished.emit(finish)

        thread = threading.Thread(target=threaded, name=f"session-{what}", daemon=False)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _start(self, label: str | None) -> None:
        self._jobs += 1
        if label:
            self.progress_label.setText(label)
            self.progress_label.show()
            self.progress_bar.show()
        if self._jobs == 1:
            self.busyChanged.emit(True)

    def _stop(self) -> None:
        self._jobs -= 1
        if self._jobs == 0:
            self.progress_label.hide()
            self.progress_bar.hide()
            self.busyChanged.emit(False)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for file work still running (closing the window: a save must finish)."""
        for thread in list(self._threads):
            thread.join(timeout)
