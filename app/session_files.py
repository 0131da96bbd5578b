"""The window's session file commands: Open (sessions and CSVs alike), Save, Save As, recent files,
dropped files, the title with the file name and an unsaved-changes mark, and the question on close.

A session file that cannot be read changes nothing: it is parsed and checked completely (off the GUI
thread, app/session_io.py) before the models are touched, and the banner says what is wrong where.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

import core

from .actions import ActionSpec
from .session_io import SessionIO
from .session_state import SessionState
from .undo import fingerprint

SESSION_SUFFIX = core.session_file.SUFFIX
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
OPEN_FILTER = ("Sessions and data (*.crstudio *.csv *.tsv *.txt);;Chain Rule Studio sessions (*.crstudio);;"
               "CSV files (*.csv *.tsv *.txt);;All files (*)")
SAVE_FILTER = "Chain Rule Studio sessions (*.crstudio)"
APP_TITLE = "Chain Rule Studio"
MAX_RECENT = 8
RECENT_KEY = "session/recent"
# What the learner changes in the network lab: any of these makes the session "modified".
MODEL_CHANGES = ("structureChanged", "datasetChanged", "historyReset", "stepped", "learningRateChanged",
                 "lossChanged", "trainingOptionsChanged", "selectionChanged", "axesChanged", "sampleChanged",
                 "timelineChanged", "trainOnlyAxesChanged", "stepsPerTickChanged")
FUNCTION_CHANGES = ("x0Changed", "historyChanged")


def is_session_path(path: str) -> bool:
    """A .crstudio file, or any file that starts like a JSON object (a session renamed)."""
    if path.lower().endswith(SESSION_SUFFIX):
        return True
    if path.lower().endswith(CSV_SUFFIXES):
        return False
    try:
        with open(path, "rb") as stream:
            return stream.read(64).lstrip().startswith(b"{")
    except OSError:
        return False


def dropped_paths(urls) -> list[str]:
    """The local session and CSV files among dropped URLs, in order."""
    paths = []
    for url in urls:
        url = url if isinstance(url, QUrl) else QUrl(str(url))
        if url.isLocalFile() and url.toLocalFile().lower().endswith((SESSION_SUFFIX, *CSV_SUFFIXES)):
            paths.append(url.toLocalFile())
    return paths


class SessionFiles(QObject):
    """The current file (``path``), whether the session changed since it was saved or opened
    (``modified``), and the commands on files. ``opened(path)`` / ``savedTo(path)`` when done."""

    opened = Signal(str)
    savedTo = Signal(str)
    recentChanged = Signal()

    def __init__(self, window: QMainWindow, settings, synchronous: bool | None = None):
        super().__init__(window)
        self.window = window
        self._settings = settings           # a function giving the QSettings to use
        self.io = SessionIO(window, synchronous)
        self.io.saved.connect(self._on_saved)
        self.io.loaded.connect(self._on_loaded)
        self.io.failed.connect(self._on_failed)
        self.path: str | None = None
        self.changes = 0                  # counts changes: a save is clean only if none came after it
        self._saved_at: dict[str, int] = {}
        # the fingerprint (app/undo.py) of the state last saved or opened, and of saves under way:
        # an undo or redo that puts that state back makes the session unmodified again
        self._clean_print: tuple | None = None
        self._saving_print: dict[str, tuple] = {}
        self._applying = False
        self._last_dir = ""
        self.recent_menu: QMenu | None = None
        window.setWindowTitle(f"{APP_TITLE}[*]")
        for name in MODEL_CHANGES:
            getattr(window.model, name).connect(self.note_change)
        for name in FUNCTION_CHANGES:
            getattr(window.function_model, name).connect(self.note_change)

    # ------------------------------------------------------------------ actions
    def action_specs(self) -> list[ActionSpec]:
        return [
            ActionSpec("open_csv", "&Open…", QKeySequence.Open, "File",
                       "Open a saved session (.crstudio) or your own CSV file (preview it, pick 1 or 2 feature "
                       "columns and a target, and train on it)", self.open_file),
            ActionSpec("save_session", "&Save", QKeySequence.Save, "File",
                       "Save the whole session (both labs, the data, the network and every run with its "
                       "history) to its file", self.save),
            ActionSpec("save_session_as", "Save &As…", QKeySequence.SaveAs, "File",
                       "Save the session to a new file", self.save_as),
        ]

    def build_recent_menu(self, file_menu: QMenu) -> None:
        """Put the file commands first in the File menu (Open, Open Recent, Save, Save As), then the
        menu's other commands, and Quit last, as desktop applications do."""
        menu = self.recent_menu = QMenu("Open &Recent", file_menu)
        menu.setObjectName("recent-files")
        ours = {f"action-{spec.id}" for spec in self.action_specs()}
        actions = file_menu.actions()
        others = [a for a in actions if a.objectName() not in ours]
        quits = [a for a in others if a.objectName() == "action-quit"]
        for action in actions:
            file_menu.removeAction(action)
        for action in actions:
            if action.objectName() in ours:
                file_menu.addAction(action)
                if action.objectName() == "action-open_csv":
                    file_menu.addMenu(menu)
        file_menu.addSeparator()
        for action in others:
            if action not in quits:
                file_menu.addAction(action)
        file_menu.addSeparator()
        for action in quits:
            file_menu.addAction(action)
        menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.recent_files()
        for number, path in enumerate(recent, 1):
            action = menu.addAction(f"&{number} {os.path.basename(path)}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if recent:
            menu.addSeparator()
        clear = menu.addAction("Clear the list")
        clear.setEnabled(bool(recent))
        clear.triggered.connect(self.clear_recent)

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        value = self._settings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(p) for p in (value or [])][:MAX_RECENT]

    def _remember(self, path: str) -> None:
        path = os.path.abspath(path)
        recent = [path] + [p for p in self.recent_files() if p != path]
        store = self._settings()
        store.setValue(RECENT_KEY, recent[:MAX_RECENT])
        store.sync()
        self.recentChanged.emit()

    def clear_recent(self) -> None:
        store = self._settings()
        store.setValue(RECENT_KEY, [])
        store.sync()
        self.recentChanged.emit()

    # ------------------------------------------------------------------ modified
    @property
    def modified(self) -> bool:
        return self.window.isWindowModified()

    def note_change(self, *_args) -> None:
        if not self._applying:
            self.changes += 1
            self.window.setWindowModified(True)

    def undo_applied(self, state: SessionState) -> None:
        """Undo or redo put ``state`` back: unmodified exactly when it is the state saved or opened."""
        self.window.setWindowModified(self._clean_print is None or fingerprint(state) != self._clean_print)

    def _set_path(self, path: str | None) -> None:
        self.path = path
        name = os.path.basename(path) if path else None
        self.window.setWindowTitle(f"{name}[*] — {APP_TITLE}" if name else f"{APP_TITLE}[*]")

    # ------------------------------------------------------------------ opening
    def open_file(self) -> None:
        """Ask for a session or a CSV file and open it (Cancel changes nothing)."""
        path, _filter = QFileDialog.getOpenFileName(self.window, "Open a session or a CSV file", self._last_dir,
                                                    OPEN_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path) -> None:
        """Open a session file (it replaces the whole session) or a CSV (the import dialog)."""
        path = os.fspath(path)
        self._last_dir = os.path.dirname(path)
        if is_session_path(path):
            self.io.load(path)
            return
        from .data_import import importer_for   # loaded on first use: start-up stays light

        self.window.open_lab("network")
        importer_for(self.window, self.window.model).open_path(path)

    def open_session_now(self, path: str) -> str:
        """Open a session file in this call (the command line); returns the problem, "" if none."""
        try:
            state = SessionState.from_core(core.load_session(path))
        except core.SessionError as exc:
            return f"could not open {os.path.basename(path)!r}: {exc}"
        self.apply_state(state, path)
        self._remember(path)
        return ""

    def apply_state(self, state: SessionState, path: str | None) -> None:
        """Replace the session by ``state`` (as read from ``path``, or recovered: None)."""
        self._applying = True
        try:
            state.apply(self.window.model, self.window.function_model)
        finally:
            self._applying = False
        self._set_path(path)
        self.window.setWindowModified(path is None)   # a recovered session is not saved anywhere yet
        self._clean_print = None if path is None else fingerprint(state)
        self.window.undo.clear()   # another session: its history starts here (app/undo.py)

    def _on_loaded(self, path: str, state: SessionState) -> None:
        self.apply_state(state, path)
        self._remember(path)
        self.window.statusBar().showMessage(f"Opened {os.path.basename(path)}", 8000)
        self.opened.emit(path)

    def _on_failed(self, path: str, what: str, message: str) -> None:
        name = os.path.basename(path)
        if what == "open":
            text = f"Could not open {name!r}: {message.rstrip('.')}. Nothing was changed."
        else:
            text = f"Could not save {name!r}: {message.rstrip('.')}. The session is not saved."
        self.window.model.set_message(text)

    # ------------------------------------------------------------------ saving
    def save(self) -> bool:
        """Save to the session's file (asking for one the first time); False if not saved."""
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        suggested = self.path or os.path.join(self._last_dir or os.path.expanduser("~"), f"session{SESSION_SUFFIX}")
        path, _filter = QFileDialog.getSaveFileName(self.window, "Save the session", suggested, SAVE_FILTER)
        if not path:
            return False
        if not path.lower().endswith(SESSION_SUFFIX):
            path += SESSION_SUFFIX
        return self.save_to(path)

    def save_to(self, path: str, wait: bool = False) -> bool:
        """Write the session to ``path`` (off the GUI thread unless ``wait``); True once it is
        started (or, with ``wait``, written)."""
        self._last_dir = os.path.dirname(os.path.abspath(path))
        state = SessionState.capture(self.window.model, self.window.function_model)
        self._saved_at[path] = self.changes
        self._saving_print[path] = fingerprint(state)
        if wait:
            synchronous, self.io.synchronous = self.io.synchronous, True
            try:
                self.io.save(path, state)
            finally:
                self.io.synchronous = synchronous
            return self.path == path and not self.modified
        self.io.save(path, state)
        return True

    def _on_saved(self, path: str) -> None:
        self._set_path(path)
        saved_print = self._saving_print.pop(path, None)
        if self._saved_at.pop(path, None) == self.changes:
            self.window.setWindowModified(False)
            self._clean_print = saved_print
        self._remember(path)
        self.window.statusBar().showMessage(f"Saved {os.path.basename(path)}", 8000)
        self.savedTo.emit(path)

    # ------------------------------------------------------------------ closing
    def confirm_close(self) -> bool:
        """True when the window may close: nothing unsaved, or the learner chose Save (and it was
        saved) or Discard; False for Cancel."""
        if not self.modified:
            return True
        name = os.path.basename(self.path) if self.path else "this session"
        answer = QMessageBox.question(
            self.window, "Unsaved changes", f"Save the changes to {name} before closing?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Discard:
            return True
        if answer == QMessageBox.Save:
            if self.path is None:
                path, _filter = QFileDialog.getSaveFileName(self.window, "Save the session",
                                                            f"session{SESSION_SUFFIX}", SAVE_FILTER)
                if not path:
                    return False
                if not path.lower().endswith(SESSION_SUFFIX):
                    path += SESSION_SUFFIX
            else:
                path = self.path
            return self.save_to(path, wait=True)
        return False
