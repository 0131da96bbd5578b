"""Opening a CSV file from start to finish: ask for a path (or take a dropped one), load it off the GUI
thread with a progress bar in the status bar, show the import dialog, and hand the chosen data set to
the session model. A file that can't be read leaves everything as it was and says why in the banner.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QProgressBar

from .dialog import ImportChoice, ImportDialog
from .loader import CsvLoader

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
FILE_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
_OBJECT_NAME = "csv-importer"


def csv_paths(urls) -> list[str]:
    """The local .csv/.tsv/.txt files among dropped URLs (QUrl or str), in order."""
    paths = []
    for url in urls:
        url = url if isinstance(url, QUrl) else QUrl(str(url))
        if url.isLocalFile():
            path = url.toLocalFile()
            if path.lower().endswith(CSV_SUFFIXES):
                paths.append(path)
    return paths


def could_not_open(path: str, reason: str) -> str:
    return (f"Could not open {os.path.basename(path)!r}: {reason.rstrip('.')}. "
            "The data you had is unchanged.")


class CsvImporter(QObject):
    """The window's CSV opener (one per window: use `importer_for`).

    `open_file()` asks for a path with QFileDialog.getOpenFileName; `open_path(path)` loads it.
    `dialog` is the import dialog once a file has loaded; `imported(ImportChoice)` after the model took it.
    """

    imported = Signal(object)
    dialogOpened = Signal(object)

    def __init__(self, window: QMainWindow, model):
        super().__init__(window)
        self.setObjectName(_OBJECT_NAME)
        self.window = window
        self.model = model
        self.loader = CsvLoader(self)
        self.loader.started.connect(self._on_started)
        self.loader.progress.connect(self._on_progress)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self.loader.busyChanged.connect(self._on_busy)
        self.dialog: ImportDialog | None = None
        self._last_dir = ""
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("csv-progress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setTextVisible(False)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("csv-progress-label")
        status = window.statusBar()
        status.insertPermanentWidget(0, self.progress_label)
        status.insertPermanentWidget(1, self.progress_bar)
        self.progress_bar.hide()
        self.progress_label.hide()

    def open_file(self) -> None:
        """Ask for a CSV file and load it (Cancel in the file dialog changes nothing)."""
        path, _filter = QFileDialog.getOpenFileName(self.window, "Open a CSV file", self._last_dir, FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path) -> None:
        """Load `path` off the GUI thread; a load still running for another file is dropped."""
        path = os.fspath(path)
        self._last_dir = os.path.dirname(path)
        self.loader.load(path)

    # ------------------------------------------------------------------ loader -> window
    def _on_started(self, path: str) -> None:
        self.progress_label.setText(f"Reading {os.path.basename(path)} …")
        self.progress_bar.setValue(0)

    def _on_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.progress_label.setVisible(busy)

    def _on_progress(self, _path: str, done, total) -> None:
        self.progress_bar.setValue(int(1000 * done / total) if total else 0)
        if total and done >= total:
            self.progress_label.setText(f"Reading {os.path.basename(_path)} … checking the columns")

    def _on_failed(self, path: str, reason: str) -> None:
        self.model.set_message(could_not_open(path, reason))

    def _on_loaded(self, path: str, table) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        dialog = self.dialog = ImportDialog(table, path, self.window, apply=self._hand_over)
        dialog.chosen.connect(self.imported)
        dialog.open()
        self.dialogOpened.emit(dialog)

    def _hand_over(self, choice: ImportChoice) -> None:
        """The chosen data to the session model (a ValueError keeps the dialog open, saying why)."""
        self.model.load_tabular(choice.dataset, choice.title, choice.test_fraction, choice.split_seed)
        tab = choice.dataset
        task = "regression" if tab.task == "regression" else f"{len(tab.classes)} classes"
        self.window.statusBar().showMessage(
            f"Opened {choice.title}: {len(tab)} rows, {', '.join(tab.features)} → {tab.target} ({task})", 8000)


def importer_for(window: QMainWindow, model=None) -> CsvImporter:
    """The window's importer, made on first use (so nothing of it loads at start-up)."""
    importer = window.findChild(CsvImporter, _OBJECT_NAME)
    if importer is None:
        importer = CsvImporter(window, model if model is not None else window.model)
    return importer
