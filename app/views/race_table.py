"""The race table: one row per optimizer of a race — step, cost, accuracy, distance travelled and
whether it is still going — all read from the shown snapshot (the shown run's own numbers and the
other runs' traces), so the table agrees with the surface and the cost curves drawn beside it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ..format import fmt
from ..model import SessionModel
from .plot_style import RUN_CURVE_COLORS

COLUMNS = ("Optimizer", "Step", "Cost J", "Accuracy", "Distance", "Status")
NO_RACE = ("No race yet. Press R to race optimizers from the shown parameters: each gets its own "
           "learning rate, all start from the same point on the same data.")


def race_rows(snapshot) -> list[tuple]:
    """(branch, label, step, cost, accuracy, distance, status) of every run, in race order."""
    rows = [(snapshot.branch, snapshot.label, snapshot.step, snapshot.cost, snapshot.train_accuracy,
             snapshot.distance, snapshot.stopped)]
    rows += [(t.branch, t.label, t.step, t.cost, t.accuracy, t.distance, t.stopped) for t in snapshot.others]
    return sorted(rows)


class RaceTable(QWidget):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.setObjectName("race-table")
        self.setAccessibleName("Race table")
        self._model = model
        self.note = QLabel(NO_RACE)
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        self.rows: list[tuple] = []      # what the table shows (for tests and exports)
        model.snapshotChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        snapshot = self._model.snapshot
        racing = snapshot.racing
        self.note.setVisible(not racing)
        self.table.setVisible(racing)
        self.rows = race_rows(snapshot) if racing else []
        if not racing:
            return
        self.table.setRowCount(len(self.rows))
        for r, (branch, label, step, cost, acc, distance, stopped) in enumerate(self.rows):
            texts = (label, f"{step:,}", fmt(cost), "—" if acc is None else f"{100 * acc:.0f}%", fmt(distance),
                     "diverged" if stopped else "running" if self._model.running else "paused")
            for c, text in enumerate(texts):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(r, c, item)
                if item.text() != text:
                    item.setText(text)
                if c == 0:
                    item.setForeground(QBrush(QColor(RUN_CURVE_COLORS[branch % len(RUN_CURVE_COLORS)])))
                    font = QFont(item.font())
                    font.setBold(branch == snapshot.branch)
                    item.setFont(font)
                if c == 5:
                    item.setToolTip(stopped or "")
