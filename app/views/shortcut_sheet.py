"""The shortcut sheet (F1): every command, its key and what it does, generated from the action registry."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from ..actions import ActionRegistry


class ShortcutSheet(QDialog):
    def __init__(self, actions: ActionRegistry, parent=None):
        super().__init__(parent)
        self.setObjectName("shortcut-sheet")
        self.setWindowTitle("Keyboard shortcuts — Chain Rule Studio")
        rows = actions.sheet_rows()
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Key", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(820, 560)
        self.table.setFocus(Qt.OtherFocusReason)
