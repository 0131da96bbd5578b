"""A label for text that changes every frame (captions under plots, summaries) without re-laying out
the window every frame.

A QLabel whose text changes asks its parent layout to re-lay out, and that request climbs to the
main window: every dock is re-laid out (and each got a geometry animation) whenever any caption's
numbers changed — dozens of times a second while training. Qt stops the climb only at a widget of
fixed size. So the label lives in a box without a layout, placed by hand, and the box has a fixed
height that changes only when the text needs another number of lines (rarely), not when its numbers
change.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class FrameCaption(QWidget):
    """A word-wrapped rich-text label whose height follows its line count only."""

    def __init__(self, parent=None, style: str = ""):
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.AutoText)
        if style:
            self.label.setStyleSheet(style)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setFixedHeight(self.label.fontMetrics().lineSpacing() + 4)

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name, so it stands in for one)
        if text != self.label.text():
            self.label.setText(text)
            self._fit()

    def text(self) -> str:
        return self.label.text()

    def setObjectName(self, name: str) -> None:  # noqa: N802
        super().setObjectName(name)
        self.label.setObjectName(f"{name}-text")

    def setStyleSheet(self, style: str) -> None:  # noqa: N802
        self.label.setStyleSheet(style)

    def setWordWrap(self, on: bool) -> None:  # noqa: N802
        self.label.setWordWrap(on)

    def _fit(self) -> None:
        width = max(1, self.width())
        needed = max(self.label.heightForWidth(width), self.label.fontMetrics().lineSpacing()) + 4
        if needed != self.height():
            self.setFixedHeight(needed)   # a new line count: one re-layout, rarely
        self.label.setGeometry(0, 0, width, needed)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()
