"""A number box that reads what a learner types, scientific notation included, and says when it clamps.

Qt's QDoubleSpinBox silently drops characters its validator does not expect: typing ``1e-3`` in the
learning rate gave 13 (the "e" and "-" vanished) and ``1e308`` gave 1308. ``NumberField`` accepts
any float Python reads (``1e-3``, ``2.5E+2``, ``.5``, a decimal comma), keeps intermediate states
such as ``1e`` and ``1e-`` while they are typed, and takes a number outside its range to the
nearest end, emitting ``clamped(message)`` with a sentence that says so (the controls show it in
the window's banner), since a silently changed value is worse than a refused one.
"""
from __future__ import annotations

import math
import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PARTIAL = re.compile(r"[+-]?(\d*\.?\d*)([eE][+-]?\d*)?")


def _plain(value: float) -> str:
    """A short way to write a bound: 0.0001, 10000000, 0.5."""
    text = f"{value:.10g}"
    if "e" in text:
        text = f"{value:,.10f}".rstrip("0").rstrip(".")
    return text


class NumberField(QDoubleSpinBox):
    """A QDoubleSpinBox for typed numbers in any common notation, clamped with a message.

    ``clamped(message)`` is emitted once when an edit is finished with a number outside
    [minimum, maximum]; the value is then the nearest bound. ``name`` is how the message calls
    the field ("The learning rate").
    """

    clamped = Signal(str)
    number_characters = "eE+-"   # kept by the field, not passed on as command keys (app/key_routing.py)

    def __init__(self, name: str = "This value", parent=None):
        super().__init__(parent)
        self.name = name
        self._typed: float | None = None
        self.editingFinished.connect(self._report_clamp)

    def _number_text(self, text: str) -> str:
        text = text.strip()
        prefix, suffix = self.prefix(), self.suffix()
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
        if suffix and text.endswith(suffix):
            text = text[:-len(suffix)]
        text = text.strip().replace("\u2212", "-")   # a typographic minus
        point = self.locale().decimalPoint()
        if point != ".":
            text = text.replace(point, ".")
        return text.replace(",", ".")

    def validate(self, text: str, pos: int):  # noqa: D401 - Qt's signature
        s = self._number_text(text)
        if self.specialValueText() and text == self.specialValueText():
            return QValidator.Acceptable, text, pos
        if _NUMBER.fullmatch(s):
            value = float(s)
            return (QValidator.Acceptable if math.isfinite(value) else QValidator.Intermediate), text, pos
        if _PARTIAL.fullmatch(s):
            return QValidator.Intermediate, text, pos   # "", "-", "1e", "1e-", "."
        return QValidator.Invalid, text, pos

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        if self.specialValueText() and text == self.specialValueText():
            return self.minimum()
        try:
            value = float(self._number_text(text))
        except ValueError:
            return self.value()
        if not math.isfinite(value):
            return self.value()
        self._typed = value
        return min(max(value, self.minimum()), self.maximum())

    def fixup(self, text: str) -> str:
        """An unfinished number ("1e", "-") left in the box: keep the value it had."""
        return self.textFromValue(self.value())

    def _report_clamp(self) -> None:
        typed, self._typed = self._typed, None
        if typed is None:
            return
        low, high = self.minimum(), self.maximum()
        if typed < low:
            self.clamped.emit(f"{self.name} can't be below {_plain(low)}: {_plain(low)} is used instead "
                              f"of {typed:g}.")
        elif typed > high:
            self.clamped.emit(f"{self.name} can't be above {_plain(high)}: {_plain(high)} is used instead "
                              f"of {typed:g}.")
