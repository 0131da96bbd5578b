"""Symbolic work for the Function lab, off the GUI thread and out of the GUI process.

sympy cannot be interrupted from a thread, so every analysis runs in core's time-limited worker process
(core.process_runner.SymbolicRunner); a background thread waits for it, so the window never blocks.
Requests collapse: while one runs, only the newest waits, and results for older texts are dropped.
"""
from __future__ import annotations

import atexit
import threading

from PySide6.QtCore import QObject, Signal

from ..workers import LatestOnlyWorker

TIME_LIMIT_S = 5.0

_runner = None
_runner_lock = threading.Lock()


def shared_runner():
    """One sandbox process per studio, started on first use (from a background thread)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            from core.process_runner import SymbolicRunner

            _runner = SymbolicRunner(time_limit=TIME_LIMIT_S)
            atexit.register(_runner.close)
        return _runner


class SymbolicService(QObject):
    """`request(text)` -> `analyzed(text, analysis)`, `refused(text, formula_error)` (the parser's
    FormulaError, with its position: building the expression is part of the worker's job) or
    `failed(text, message)` (a time or memory limit, a crashed worker)."""

    analyzed = Signal(str, object)
    refused = Signal(str, object)
    failed = Signal(str, str)
    busyChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(lambda message: self.failed.emit(self._latest, message))
        self._worker.busyChanged.connect(self.busyChanged)
        self._latest = ""

    @property
    def busy(self) -> bool:
        return self._worker.busy

    def is_working_on(self, text: str) -> bool:
        """True while the newest request is ``text`` and its answer has not come yet."""
        return self._worker.busy and self._latest == text

    def _run(self, text: str):
        from core.formula.analysis import analyze_formula
        from core.formula.parser import FormulaError

        try:
            analysis = shared_runner().run(analyze_formula, text)
        except FormulaError as error:   # what only building the expression finds: log(0), 10^999
            return text, None, error
        except Exception as exc:  # timeouts, memory limits, a crashed child: all become a message
            return text, None, str(exc) or type(exc).__name__
        # Compile the generated numpy code here, off the GUI thread (cached by its source): the
        # plots and the chain factors at x0 then only evaluate it.
        try:
            analysis.compiled()
            analysis.decomposition.factors_at(1.0)
        except Exception as exc:  # noqa: BLE001 - generated code the checker refuses: a message
            return text, None, f"{type(exc).__name__}: {exc}"
        return text, analysis, ""

    def request(self, text: str) -> None:
        """Analyse `text`; a slow analysis of an older text is cancelled rather than waited for."""
        self._latest = text
        if self._worker.busy and _runner is not None and not self._worker.synchronous:
            _runner.cancel()
        self._worker.submit(lambda: self._run(text))

    def _on_finished(self, result) -> None:
        text, analysis, error = result
        if isinstance(error, Exception):
            self.refused.emit(text, error)
        elif error:
            self.failed.emit(text, error)
        else:
            self.analyzed.emit(text, analysis)

    def close(self) -> None:
        """Stop waiting for work; the shared process itself ends with the studio (atexit)."""
        self._worker.shutdown()
