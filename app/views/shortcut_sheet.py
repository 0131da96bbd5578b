"""The shortcut sheet (F1): every command, where its key works, the key and what it does — generated
from the action registry, panel-local keys (Enter in the diagram, the data panel's arrows) included.
A command that cannot run now is greyed, with the reason as the row's tooltip."""
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from ..actions import ActionRegistry, ActionSpec


class ShortcutSheet(QDialog):
    KEY_COLUMN = 3

    def __init__(self, actions: ActionRegistry, where: Callable[[ActionSpec], str], parent=None):
        """`where(spec)` names the place a command's key works in (everywhere, a lab, a panel)."""
        super().__init__(parent)
        self._actions = actions
        self._ids = actions.sheet_order()   # the rows' commands, in sheet_rows' order
        self.setObjectName("shortcut-sheet")
        self.setWindowTitle("Keyboard shortcuts — Chain Rule Studio")
        rows = actions.sheet_rows(where)
        self.table = QTableWidget(len(rows), 5, self)
        self.table.setHorizontalHeaderLabels(["Where", "Menu", "Command", "Key", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == self.KEY_COLUMN:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setWordWrap(True)   # a long help line wraps instead of ending in "…"
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(1000, 620)
        self.table.setFocus(Qt.OtherFocusReason)

    def show_availability(self) -> None:
        """Grey the rows of commands that cannot run now, their reason as tooltip (on showing)."""
        for row, action_id in enumerate(self._ids):
            can_run, reason = self._actions.availability(action_id)
            group = QPalette.Active if can_run else QPalette.Disabled
            color = self.palette().color(group, QPalette.Text)
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                item.setForeground(color)
                item.setToolTip("" if can_run else f"Not now: {reason}")

    def unavailable(self) -> dict[str, str]:
        """Command title -> why it cannot run, for the rows shown greyed."""
        return {self.table.item(row, 2).text(): self.table.item(row, 0).toolTip()
                for row in range(self.table.rowCount()) if self.table.item(row, 0).toolTip()}

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()   # the columns have their widths now

    def rows(self) -> list[tuple[str, ...]]:
        """Every row's texts (where, menu, command, key, what it does), as shown."""
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]
