"""Bars for the chain-rule paths: one row per path from a parameter to the cost, its product of local
derivatives as a signed bar, and a last row for their sum — so a learner sees which routes through the
network carry the gradient and that together they make dJ/dθ.

Painted directly (one widget, no per-row children): a network with 64 paths redraws every training
tick without creating widgets.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from .diagram import HIGHLIGHT, NEGATIVE, POSITIVE

ROW_HEIGHT = 36  # two lines: the route, then its factors' numbers
BAR_WIDTH = 110
TEXT = QColor("#1d2433")
MUTED = QColor("#5b6478")
AXIS = QColor("#9aa3b5")


@dataclass(frozen=True)
class BarRow:
    label: str        # the route, e.g. "w2.1.1 → a2.1 → a3.2 → J"
    detail: str       # the factors' numbers, e.g. "0.31 · (−1.2) · 0.5"
    value: float      # the path's product (or the sum, for the total row)
    focused: bool = False   # the path singled out on the diagram


class PathBars(QWidget):
    """Rows of (route, numbers, signed bar, value); the last row, the sum, is drawn in bold; the
    focused path's row has a gold background. Clicking a path's row emits its index."""

    rowClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("path-bars")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.rows: list[BarRow] = []
        self.total: BarRow | None = None

    def set_rows(self, rows: list[BarRow], total: BarRow) -> None:
        self.rows, self.total = list(rows), total
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, ROW_HEIGHT * (len(self.rows) + 1) + 6)

    def row_tooltip(self, y: float) -> str:
        """The whole route and product of the row at height `y`: a narrow panel cuts them with "…"."""
        from ..format import fmt

        index = int((y - 3) // ROW_HEIGHT)
        rows = self.rows + ([self.total] if self.total else [])
        if not 0 <= index < len(rows):
            return ""
        row = rows[index]
        return "\n".join(part for part in (row.label, row.detail and f"{row.detail} = {fmt(row.value)}") if part)

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            text = self.row_tooltip(event.pos().y())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        index = int((event.position().y() - 3) // ROW_HEIGHT)
        if 0 <= index < len(self.rows):
            self.rowClicked.emit(index)

    def paintEvent(self, _event) -> None:
        from ..format import fmt

        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        font = QFont(self.font())
        metrics = QFontMetrics(font)
        width = self.width()
        value_width = metrics.horizontalAdvance("−0.000000") + 8
        bar_left = width - value_width - BAR_WIDTH
        text_width = max(bar_left - 12, 60)
        scale = max([abs(r.value) for r in self.rows] + [abs(self.total.value) if self.total else 0.0, 1e-300])
        zero = bar_left + BAR_WIDTH / 2
        rows = self.rows + ([self.total] if self.total else [])
        for k, row in enumerate(rows):
            top = 3 + k * ROW_HEIGHT
            is_total = row is self.total
            if row.focused:
                painter.fillRect(QRectF(0, top, width, ROW_HEIGHT), HIGHLIGHT.lighter(170))
            font.setBold(is_total)
            painter.setFont(font)
            painter.setPen(TEXT)
            line = ROW_HEIGHT / 2
            painter.drawText(QRectF(4, top, text_width, line if row.detail else ROW_HEIGHT),
                             Qt.AlignVCenter | Qt.AlignLeft,
                             metrics.elidedText(row.label, Qt.ElideMiddle, int(text_width)))
            if row.detail:
                painter.setPen(MUTED)
                painter.drawText(QRectF(14, top + line, text_width - 10, line), Qt.AlignVCenter | Qt.AlignLeft,
                                 metrics.elidedText(row.detail, Qt.ElideRight, int(text_width - 10)))
            half = (BAR_WIDTH / 2 - 2) * abs(row.value) / scale
            colour = POSITIVE if row.value >= 0 else NEGATIVE
            left = zero if row.value >= 0 else zero - half
            painter.fillRect(QRectF(left, top + 9, half, ROW_HEIGHT - 18), colour)
            painter.setPen(MUTED)
            painter.drawText(QRectF(width - value_width, top, value_width - 4, ROW_HEIGHT),
                             Qt.AlignVCenter | Qt.AlignRight, fmt(row.value))
        painter.setPen(AXIS)
        painter.drawLine(int(zero), 2, int(zero), 3 + len(rows) * ROW_HEIGHT)
        painter.end()
