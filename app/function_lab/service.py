"""Symbolic work for the Function lab, off the GUI thread and out of the GUI process.

sympy cannot be interrupted from a thread, so every analysis runs in core's time-limited worker process
(core.formula.runner.SymbolicRunner); a background thread waits for it, so the window never blocks.
Requests collapse: while one runs, only the newest waits, and results for older texts are dropped.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from ..workers import LatestOnlyWorker

TIME_LIMIT_S = 5.0


class SymbolicService(QObject):
    """`request(text)` -> `analyzed(text, analysis)` or `failed(text, message)`."""

    analyzed = Signal(str, object)
    failed = Signal(str, str)
    busyChanged = Signal(bool)

    def __init__(self, parent=None, time_limit: float = TIME_LIMIT_S):
        super().__init__(parent)
        self._time_limit = time_limit
        self._runner = None
        self._runner_lock = threading.Lock()
        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(lambda message: self.failed.emit(self._latest, message))
        self._worker.busyChanged.connect(self.busyChanged)
        self._latest = ""

    @property
    def busy(self) -> bool:
        return self._worker.busy

    def _run(self, text: str):
        from core.formula.analysis import analyze_formula
        from core.formula.runner import SymbolicRunner

        with self._runner_lock:  # the process starts on first use, in the background thread
            if self._runner is None:
                self._runner = SymbolicRunner(time_limit=self._time_limit)
            runner = self._runner
        try:
            return text, runner.run(analyze_formula, text), ""
        except Exception as exc:  # timeouts, memory limits, a crashed child: all become a message
            return text, None, str(exc) or type(exc).__name__

    def request(self, text: str) -> None:
        self._latest = text
        self._worker.submit(lambda: self._run(text))

    def _on_finished(self, result) -> None:
        text, analysis, error = result
        if error:
            self.failed.emit(text, error)
        else:
            self.analyzed.emit(text, analysis)

    def close(self) -> None:
        self._worker.shutdown()
        with self._runner_lock:
            if self._runner is not None:
                self._runner.close()
                self._runner = None
