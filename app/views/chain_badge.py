"""The chain panel's "catching up" badge: which parameter and step its picture shows while a newer
one is being made, in the words the plot views use (app/views/plot_style.PlotPanel.show_lag).

The chain panel typesets equations in a worker process; on a deep network a newly selected
parameter takes a moment. Meanwhile the panel keeps its last consistent picture, dimmed, and this
badge over its top right corner says whose picture it is, so a learner never reads b₃,₅'s chain as
b₃,₆'s.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsOpacityEffect, QLabel, QWidget

from core.naming import to_unicode

DIMMED_OPACITY = 0.55


def lag_text(shown_name: str, shown_step: int, selected: str, behind: bool, running: bool,
             typesetting: bool) -> str:
    """What the badge says ("" when there is nothing to say)."""
    if shown_name != selected:
        return f"showing ∂J/∂{to_unicode(shown_name)}, step {shown_step} — catching up…"
    if behind:
        return f"step {shown_step}" if running else f"showing step {shown_step} — catching up…"
    if typesetting:
        return "typesetting the equations…"
    return ""


class ChainLagBadge(QLabel):
    """A small label over ``area``'s top right corner that also dims ``body`` while the picture
    shows another parameter than the selected one."""

    def __init__(self, area: QWidget, body: QWidget):
        super().__init__(area)
        self.setObjectName("expression-lag")
        self.setAccessibleName("Chain rule catching up")
        self.setStyleSheet("background: rgba(255, 244, 214, 235); color: #1d2433; border: 1px solid #e0c98a;"
                           " border-radius: 3px; padding: 1px 6px; font-size: 8pt;")
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self._area, self._body = area, body
        self._effect = QGraphicsOpacityEffect(body)
        self._effect.setOpacity(1.0)
        self._effect.setEnabled(False)
        body.setGraphicsEffect(self._effect)
        self.hide()

    def say(self, text: str, dim: bool) -> None:
        """Show ``text`` (hide when empty) and dim the body when ``dim``."""
        if dim != self._effect.isEnabled():
            self._effect.setOpacity(DIMMED_OPACITY)
            self._effect.setEnabled(dim)
        if not text:
            self.hide()
            return
        if text != self.text():
            self.setText(text)
            self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        """Top right of the visible area, whatever its width."""
        self.move(max(4, self._area.width() - self.width() - 6), 4)
