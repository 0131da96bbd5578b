"""Keys work whatever has focus: a text or number field keeps only the keys it edits with.

Qt lets a focused line edit or spin box claim a key before the window's shortcuts see it (the
ShortcutOverride event), so once the learner tabs into the learning rate or scrolls the mouse wheel
over the Seed box, S, Space, L, G ... silently type into the field or do nothing. This filter, put
on each field of the window the first time it gets the focus, decides instead:

* Escape leaves the field: the focus goes back to the lab's main panel, where every key works.
* A number box keeps digits, its decimal separator, a sign where negative numbers are allowed, the
  characters it declares in ``number_characters`` (e, E, + and - for scientific notation), and
  the editing and moving keys; any other character (a letter, Space, = [ ] ...) goes on to the
  window, so a command key does its command.
* Any field gives up a Ctrl, Alt or Meta combination that an enabled command is bound to (Ctrl+E,
  Ctrl+Left in the formula field), except the standard editing keys (copy, cut, paste, undo, redo,
  select all), which stay the field's.
* Widgets that own their keys (a value being typed over the diagram, an editor inside a table) are
  left alone: Escape there cancels the edit as it always did.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QDoubleSpinBox,
                               QLineEdit, QWidget)

from .actions import ActionRegistry

FIELDS = (QLineEdit, QAbstractSpinBox, QComboBox)
EDITING_KEYS = (QKeySequence.Copy, QKeySequence.Cut, QKeySequence.Paste, QKeySequence.Undo,
                QKeySequence.Redo, QKeySequence.SelectAll)
COMMAND_MODIFIERS = Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier
WATCHED = "keyRoutingWatched"


def field_of(widget: QWidget | None) -> QWidget | None:
    """The field a focus widget belongs to (a spin box's or a combo's inner line edit: the box)."""
    if widget is None:
        return None
    parent = widget.parentWidget()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
        return parent
    return widget if isinstance(widget, FIELDS) else None


def keeps_its_keys(widget: QWidget) -> bool:
    """True for a field that handles Escape and its keys itself (inline editors, item-view editors)."""
    ancestor = widget
    while ancestor is not None:
        if getattr(ancestor, "keeps_its_keys", False) or isinstance(ancestor, QAbstractItemView):
            return True
        ancestor = ancestor.parentWidget()
    return False


def is_number_character(box: QAbstractSpinBox, text: str) -> bool:
    """True when `text` can be part of a number typed into `box`."""
    if text.isdigit() or (text and text in getattr(box, "number_characters", "")):
        return True   # (a box may take more: NumberField's scientific notation, 1e-3)
    if isinstance(box, QDoubleSpinBox) and text in (".", ",", box.locale().decimalPoint()):
        return True
    minimum = getattr(box, "minimum", lambda: 0)()
    return text in ("-", "+", "−") and minimum < 0


class FieldKeys(QObject):
    """Routes keys out of the fields of `window` as described above; `leave(field)` moves the focus
    from a field back to its lab's main panel."""

    def __init__(self, window: QWidget, registry: ActionRegistry, leave: Callable[[QWidget], None]):
        super().__init__(window)
        self._window = window
        self._registry = registry
        self._leave = leave
        QApplication.instance().focusChanged.connect(self._on_focus)

    def _on_focus(self, _old: QWidget | None, now: QWidget | None) -> None:
        for widget in {now, field_of(now)}:
            if (isinstance(widget, FIELDS) and not widget.property(WATCHED)
                    and self._window.isAncestorOf(widget) and not keeps_its_keys(widget)):
                widget.setProperty(WATCHED, True)
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.ShortcutOverride and self.passes_on(watched, event):
            event.ignore()
            return True   # not accepted: the window's shortcut runs
        if kind == QEvent.KeyPress and event.key() == Qt.Key_Escape and not event.modifiers():
            popup = getattr(watched, "view", lambda: None)()
            if popup is None or not popup.isVisible():
                self._leave(watched)
                return True
        return False

    def passes_on(self, field: QWidget, event: QKeyEvent) -> bool:
        """True when `field` has no use for the key of `event` and the window should have it."""
        if any(event.matches(standard) for standard in EDITING_KEYS):
            return False
        if event.modifiers() & COMMAND_MODIFIERS:
            return self.is_command(event)
        box = field_of(field)
        if isinstance(box, QAbstractSpinBox):
            text = event.text()
            if not text or not text.isprintable():
                return False   # Backspace, Delete, arrows, Home, End, Enter: editing keys
            return not is_number_character(box, text)
        return False   # a text field types every character

    def is_command(self, event: QKeyEvent) -> bool:
        """True when an enabled command is bound to the key of `event`."""
        pressed = QKeySequence(event.keyCombination())
        for spec in self._registry.specs():
            action = self._registry.action(spec.id)
            if (not spec.panels and action.isEnabled()
                    and action.shortcut().matches(pressed) == QKeySequence.ExactMatch):
                return True
        return False
