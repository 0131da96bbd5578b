"""Typing a parameter's value: one parser and one commit path for the diagram and the parameter table.

`commit_value(model, name, text)` is the only way typed text reaches the model: it parses a plain
decimal number (never eval), writes it with `model.set_parameter`, and on bad text leaves the value
alone and says what was wrong in the window's banner. `InlineValueEditor` is the small line edit the
diagram places over the scene: Enter commits, Escape (or clicking elsewhere) cancels.
"""
from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit

from core.naming import to_unicode

from ..model import SessionModel

MAX_TEXT = 40
NOT_CHANGED = " was not changed: "
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_value(text: str) -> float:
    """A finite float from text like "-1.5", "2e-3", "−0.25" or "0,5"; ValueError saying why not."""
    cleaned = text.strip().replace("−", "-").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    if not cleaned:
        raise ValueError("Type a number.")
    if len(cleaned) > MAX_TEXT or not _NUMBER.fullmatch(cleaned):
        shown = text.strip() if len(text.strip()) <= MAX_TEXT else text.strip()[:MAX_TEXT] + "…"
        raise ValueError(f"“{shown}” is not a number; type something like 0.5, -1.2 or 3e-2.")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"“{text.strip()}” is too large; type a finite number.")
    return value


def commit_value(model: SessionModel, name: str, text: str) -> bool:
    """Set parameter `name` to the number in `text`; on bad text keep the value and show why."""
    try:
        value = parse_value(text)
    except ValueError as exc:
        model.set_message(f"{to_unicode(name)}{NOT_CHANGED}{exc}")
        return False
    if name not in model.parameter_names():
        model.set_message(f"{to_unicode(name)} no longer exists in this network.")
        return False
    if NOT_CHANGED in model.message:
        model.set_message("")  # our own complaint about earlier text, now answered; others stay
    model.set_parameter(name, value)
    return True


def editable_text(value: float) -> str:
    """The value as the editor shows it: enough digits to round-trip what a learner would type."""
    return f"{value:.6g}"


class InlineValueEditor(QLineEdit):
    """A one-line editor for one parameter. Enter commits through `commit_value`; Escape cancels.

    It closes (and deletes itself) after either; `closed(committed)` tells its owner which."""

    closed = Signal(bool)
    keeps_its_keys = True   # app.key_routing leaves it alone: Escape cancels here, letters are typed

    def __init__(self, model: SessionModel, name: str, parent=None):
        super().__init__(parent)
        self._model, self.parameter = model, name
        self._done = False
        self.setObjectName("parameter-editor")
        self.setAccessibleName(f"Value of {to_unicode(name)}")
        self.setToolTip(f"New value of {to_unicode(name)}: Enter sets it, Escape cancels")
        self.setText(editable_text(model.network.get(name)))
        self.selectAll()
        self.setMinimumWidth(110)
        self.setStyleSheet("QLineEdit { border: 2px solid #f2a900; padding: 2px 4px; background: white; }")

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            committed = commit_value(self._model, self.parameter, self.text())
            if committed:
                self._finish(True)
            else:
                self.selectAll()  # bad text: the message says why; the learner corrects it or escapes
            return
        if event.key() == Qt.Key_Escape:
            self._finish(False)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if event.reason() not in (Qt.PopupFocusReason, Qt.ActiveWindowFocusReason):
            self._finish(False)

    def _finish(self, committed: bool) -> None:
        if self._done:
            return
        self._done = True
        self.hide()
        self.closed.emit(committed)
        self.deleteLater()

    @property
    def finished(self) -> bool:
        return self._done
