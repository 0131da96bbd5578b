"""Crash recovery: the session is written to the user's state folder every interval in which it
changed and at once after every structural edit; the next start offers to restore it.

A learner's hour of work must survive a crash, a killed process or a power cut. The autosave is an
ordinary session file (``$XDG_STATE_HOME/chainrule-studio/autosave.crstudio``), written atomically
off the GUI thread like any save; a clean close (saved, or changes discarded) deletes it, so finding
one at start means the last session did not end properly.

``CHAINRULE_STUDIO_AUTOSAVE_MS`` sets the interval (tests use a fraction of a second);
``CHAINRULE_STUDIO_RESTORE=yes|no`` answers the restore question without a dialog (tests, scripts).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

import core

from .crash_report import state_dir
from .session_io import SessionIO
from .session_state import SessionState

DEFAULT_INTERVAL_MS = 60_000
STRUCTURAL_DELAY_MS = 200     # a burst of structural edits (a key held down) is written once
STRUCTURAL_CHANGES = ("structureChanged", "datasetChanged", "historyReset")
FILE_NAME = "autosave" + core.session_file.SUFFIX


def autosave_path() -> str:
    return os.path.join(state_dir(), FILE_NAME)


def interval_ms() -> int:
    try:
        return max(50, int(os.environ.get("CHAINRULE_STUDIO_AUTOSAVE_MS", DEFAULT_INTERVAL_MS)))
    except ValueError:
        return DEFAULT_INTERVAL_MS


class Autosave(QObject):
    """Writes ``autosave_path()`` for ``window`` while it has unsaved changes."""

    written = Signal(str)

    def __init__(self, window: QMainWindow, files, path: str | None = None):
        super().__init__(window)
        self.window = window
        self.files = files
        self.path = path or autosave_path()
        self.io = SessionIO(window)
        self.io.saved.connect(self.written)
        self.io.failed.connect(self._on_failed)
        self.io.loaded.connect(self._on_restored)
        self._written_changes = files.changes
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms())
        self.timer.timeout.connect(self.write_if_changed)
        self.timer.start()
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(STRUCTURAL_DELAY_MS)
        self._soon.timeout.connect(self.write_if_changed)
        for name in STRUCTURAL_CHANGES:
            getattr(window.model, name).connect(self._soon.start)

    def write_if_changed(self) -> None:
        """Write the session if it changed since the last autosave and is not saved."""
        if self.files.changes == self._written_changes or not self.files.modified or self.io.busy:
            return
        self._written_changes = self.files.changes
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.io.save(self.path, SessionState.capture(self.window.model, self.window.function_model), quiet=True)

    def _on_failed(self, _path: str, what: str, message: str) -> None:
        if what == "open":
            self.window.model.set_message(f"The session from last time could not be restored: {message}")
            self.discard()

    def discard(self) -> None:
        """The session ended properly (or its recovery was declined): forget the autosave."""
        self.timer.stop()
        self._soon.stop()
        self.io.wait()
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def resume(self) -> None:
        """Autosave again (a close was cancelled)."""
        self.timer.start()

    # ------------------------------------------------------------------ recovery
    def offer_restore(self, synchronous: bool = False) -> bool:
        """If the last session did not end properly, ask whether to restore it; True if restoring."""
        if not os.path.exists(self.path):
            return False
        answer = os.environ.get("CHAINRULE_STUDIO_RESTORE", "").lower()
        if answer not in ("yes", "no"):
            reply = QMessageBox.question(
                self.window, "Restore the last session?",
                "Chain Rule Studio did not close properly last time. Restore the session it was working on "
                "(the network, the data and the training so far)?",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
            answer = "yes" if reply == QMessageBox.Yes else "no"
        if answer == "no":
            self.discard()
            self.timer.start()
            return False
        synchronous_before, self.io.synchronous = self.io.synchronous, synchronous or self.io.synchronous
        try:
            self.io.load(self.path)
        finally:
            self.io.synchronous = synchronous_before
        return True

    def _on_restored(self, _path: str, state: SessionState) -> None:
        self.files.apply_state(state, None)
        self._written_changes = self.files.changes
        self.window.model.set_message("The session from last time is restored. Save it (Ctrl+S) to keep it.")
