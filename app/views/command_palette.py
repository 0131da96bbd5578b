"""The command palette (Ctrl+Shift+P): every command of the action registry, found by typing part of
its name or help text.

Up/Down choose, Enter runs, Escape closes. Each row shows the command's key, so the palette also
teaches the keys; a command that cannot run now is greyed with the reason beside it, and Enter on
it only repeats the reason. A command that needs a value (a dataset, η, the race's optimizers …)
asks for it in a second stage: a list to choose from (Space ticks several where several make
sense) or a number, parsed by app/command_arguments.py, never evaluated.

It floats over the top of the window (like the message banner) rather than being a window of its
own: it needs no window manager to get the keyboard, and closes when the focus goes elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QFrame, QHeaderView, QLabel, QLineEdit,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ..actions import ActionRegistry
from ..command_arguments import Choices, Number
from ..command_search import rank

WIDTH, TOP = 780, 8
MAX_ROWS = 16   # rows shown at once; the list scrolls beyond
GREY = QColor(128, 128, 128)
GREY_HIGHLIGHT, GREY_TEXT = QColor(226, 226, 226), QColor(112, 112, 112)   # a highlighted row that cannot run


@dataclass(frozen=True)
class Entry:
    """One row of the palette as shown: a command (first stage) or a value (second stage)."""

    title: str
    key: str          # the command's key, or a value's note ("shown now", "η 0.01")
    can_run: bool
    note: str         # why the command cannot run now, a toggle's state, a tick
    target: object    # the command's id, or the value


class CommandPalette(QFrame):
    keeps_its_keys = True   # app/key_routing.py leaves its field alone: Escape and letters are its own

    def __init__(self, registry: ActionRegistry, host: QWidget, parent: QWidget):
        """`host`: the widget the palette is placed over (the window's labs)."""
        super().__init__(parent)
        self.setObjectName("command-palette")
        self.setAccessibleName("Command palette")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet("#command-palette { background: palette(window); border: 1px solid #8a8a8a; "
                           "border-radius: 6px; }")
        self._registry, self._host = registry, host
        self._command: str | None = None      # the command whose value is asked for (second stage)
        self._ticked: set = set()             # names of the ticked choices (several)
        self._entries: list[Entry] = []
        self._return_focus: QWidget | None = None
        self.prompt = QLabel(self)
        self.prompt.setObjectName("palette-prompt")
        self.search = QLineEdit(self)
        self.search.setObjectName("palette-search")
        self.search.setAccessibleName("Command palette search")
        self.search.setClearButtonEnabled(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("palette-list")
        self.list.setAccessibleName("Commands")
        self.list.setColumnCount(3)
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setFocusPolicy(Qt.NoFocus)   # the keys stay in the search field
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("palette-detail")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        for widget in (self.prompt, self.search, self.list, self.detail):
            layout.addWidget(widget)
        self.search.textEdited.connect(lambda _text: self._fill())
        self.search.installEventFilter(self)
        self.list.itemClicked.connect(lambda item: self._choose_row(self.list.indexOfTopLevelItem(item)))
        self.list.currentItemChanged.connect(lambda *_: self._show_detail())
        registry.availabilityChanged.connect(self._on_availability)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self.hide()

    # ------------------------------------------------------------------ opening and closing
    def open(self) -> None:
        """Show the commands, the search field empty and focused."""
        self._open_stage(None)

    def ask(self, action_id: str) -> None:
        """Ask for the value of a command that needs one (chosen from a menu, its key or the palette)."""
        can_run, reason = self._registry.availability(action_id)
        if not can_run:
            self._open_stage(None)
            self.detail.setText(f"{self._registry.title(action_id)}: not now. {reason}")
            return
        self._open_stage(action_id)

    def close_palette(self) -> None:
        if not self.isVisible():
            return
        self.hide()
        target = self._return_focus
        self._return_focus = None
        if target is not None and target.isVisible():
            target.setFocus(Qt.OtherFocusReason)
        else:
            getattr(self.window(), "leave_field", lambda: None)()

    def _open_stage(self, command: str | None) -> None:
        if not self.isVisible():
            focused = QApplication.focusWidget()
            self._return_focus = None if focused is None or self.isAncestorOf(focused) else focused
        self._command = command
        argument = self._argument()
        self._ticked = set(argument.preset()) if isinstance(argument, Choices) and argument.several else set()
        self.prompt.setText(self._prompt_text())
        self.search.clear()
        self.search.setPlaceholderText(self._placeholder())
        self._registry.refresh()
        self._fill()
        self._place()
        self.show()
        self.raise_()
        self.search.setFocus(Qt.ShortcutFocusReason)

    def _place(self) -> None:
        """Over the top of the host, centred, as tall as its rows (up to MAX_ROWS) need."""
        host = self._host
        origin = host.mapTo(self.parentWidget(), host.rect().topLeft())
        width = min(WIDTH, max(320, host.width() - 40))
        row = self.list.sizeHintForRow(0) if self.list.topLevelItemCount() else self.fontMetrics().height() + 4
        self.list.setFixedHeight(row * max(1, min(MAX_ROWS, self.list.topLevelItemCount())) + 2 * self.list.frameWidth())
        height = min(self.sizeHint().height(), max(160, host.height() - 2 * TOP))
        self.setGeometry(origin.x() + (host.width() - width) // 2, origin.y() + TOP, width, height)

    def _on_focus_changed(self, _old, new) -> None:
        """Closed when the focus goes elsewhere (a click on a panel, another window)."""
        if self.isVisible() and new is not None and not self.isAncestorOf(new):
            self._return_focus = None   # the learner chose where the focus goes
            self.hide()

    # ------------------------------------------------------------------ what it shows
    def _argument(self):
        return None if self._command is None else self._registry.spec(self._command).argument

    def _prompt_text(self) -> str:
        argument = self._argument()
        if argument is None:
            return "Run a command — type part of its name, ↑ ↓ choose, Enter runs, Escape closes"
        if isinstance(argument, Number):
            low, high = argument.bounds()
            now = f"now {argument.current():g}; " if argument.current is not None else ""
            return f"{argument.prompt} ({now}{low:g} to {high:g}): type it, Enter sets it, Escape closes"
        if argument.several:
            return f"{argument.prompt}: Space ticks or unticks, Enter runs with the ticked ones, Escape closes"
        return f"{argument.prompt}: type part of its name, ↑ ↓ choose, Enter takes it, Escape closes"

    def _placeholder(self) -> str:
        argument = self._argument()
        if argument is None:
            return "Command"
        return "Number" if isinstance(argument, Number) else argument.prompt

    def _candidates(self) -> list[Entry]:
        registry, argument = self._registry, self._argument()
        if argument is None:
            entries = []
            for action_id in registry.sheet_order():
                can_run, reason = registry.availability(action_id)
                checked = registry.is_checked(action_id)
                note = reason if not can_run else ("" if checked is None else ("on" if checked else "off"))
                entries.append(Entry(registry.title(action_id), registry.shortcut_text(action_id), can_run, note,
                                     action_id))
            return entries
        if isinstance(argument, Number):
            return []
        return [Entry(c.label, c.detail, True, "✓ ticked" if c.name in self._ticked else ("" if not argument.several
                                                                                             else "–"), c)
                for c in argument.options()]

    def _fill(self) -> None:
        """The rows the typed text finds, best first (for a number: the value it would set)."""
        query = self.search.text()
        argument = self._argument()
        if isinstance(argument, Number):
            try:
                value = argument.parse(query)
                entries = [Entry(f"Set to {value:g}", "", True, "", value)]
            except ValueError as exc:
                entries = [Entry(str(exc) if query.strip() else "Type a number", "", False, "", None)]
        else:
            candidates = self._candidates()
            if argument is None:
                registry = self._registry
                texts = [(e.title, f"{registry.spec(e.target).help} {e.key} {registry.spec(e.target).menu}")
                         for e in candidates]
            else:
                texts = [(e.title, f"{e.target.name} {e.key}") for e in candidates]
            entries = rank(query, candidates, texts)
            if not query.strip() and argument is None:   # nothing typed: what can run first
                entries.sort(key=lambda e: not e.can_run)
        self._entries = entries
        self.list.clear()
        for entry in entries:
            item = QTreeWidgetItem([entry.title, entry.key, entry.note])
            if not entry.can_run:
                for column in range(3):
                    item.setForeground(column, self.palette().color(QPalette.Disabled, QPalette.Text))
                item.setToolTip(0, entry.note)
            else:
                item.setForeground(2, GREY)
            font = item.font(1)
            font.setBold(True)
            item.setFont(1, font)
            self.list.addTopLevelItem(item)
        if entries:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._show_detail()
        if self.isVisible():
            self._place()

    def _show_detail(self) -> None:
        row = self.current_row()
        if row < 0:
            self.detail.setText("Nothing matches: fewer letters, or another word.")
            return
        entry = self._entries[row]
        self._grey_highlight(not entry.can_run)
        if self._command is None:
            spec = self._registry.spec(entry.target)
            self.detail.setText(spec.help if entry.can_run else f"Not now: {entry.note}")
        elif isinstance(self._argument(), Number):
            self.detail.setText("")   # the row says what Enter would set, or what is wrong
        elif self._argument().several:
            chosen = [e.title for e in self._entries if e.target.name in self._ticked]
            self.detail.setText(f"Ticked: {', '.join(chosen)}" if chosen else "Nothing ticked yet: Space ticks.")
        else:
            self.detail.setText(f"Enter takes {entry.title}.")

    def _grey_highlight(self, grey: bool) -> None:
        """The highlighted row of a command that cannot run stays grey: highlighted in the usual
        colours it would look runnable."""
        colors = self.palette()
        if grey:
            colors.setColor(QPalette.Highlight, GREY_HIGHLIGHT)
            colors.setColor(QPalette.HighlightedText, GREY_TEXT)
        self.list.setPalette(colors)

    def _on_availability(self) -> None:
        if self.isVisible() and self._command is None:
            row = self.current_row()
            self._fill()
            if 0 <= row < self.list.topLevelItemCount():
                self.list.setCurrentItem(self.list.topLevelItem(row))

    # ------------------------------------------------------------------ public, for tests and tools
    def entries(self) -> list[Entry]:
        """The rows as shown, top first."""
        return list(self._entries)

    def current_row(self) -> int:
        item = self.list.currentItem()
        return -1 if item is None else self.list.indexOfTopLevelItem(item)

    def detail_text(self) -> str:
        return self.detail.text()

    # ------------------------------------------------------------------ keys
    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == QEvent.ShortcutOverride:
            event.accept()   # every key is the palette's while it is open: no command fires behind it
            return True
        if watched is self.search and event.type() == QEvent.KeyPress:
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key, count = event.key(), self.list.topLevelItemCount()
        if key == Qt.Key_Escape or (key == Qt.Key_P and event.modifiers() & Qt.ControlModifier
                                    and event.modifiers() & Qt.ShiftModifier):
            self.close_palette()
            return True
        moves = {Qt.Key_Down: 1, Qt.Key_Up: -1, Qt.Key_PageDown: 8, Qt.Key_PageUp: -8}
        if key in moves and count:
            row = min(max(self.current_row() + moves[key], 0), count - 1)
            self.list.setCurrentItem(self.list.topLevelItem(row))
            return True
        if key in (Qt.Key_Return, Qt.Key_Enter):
            self._choose_row(self.current_row())
            return True
        argument = self._argument()
        if key == Qt.Key_Space and isinstance(argument, Choices) and argument.several:
            self._toggle(self.current_row())
            return True
        return False

    def _toggle(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            self._ticked ^= {self._entries[row].target.name}
            self._fill()
            self.list.setCurrentItem(self.list.topLevelItem(row))

    # ------------------------------------------------------------------ running
    def _choose_row(self, row: int) -> None:
        if not 0 <= row < len(self._entries):
            return
        entry, argument = self._entries[row], self._argument()
        if not entry.can_run:
            self._show_detail()   # says why not, again; nothing runs
            if isinstance(argument, Number):
                self.detail.setText(f"Not set: {entry.title}")
            return
        if argument is None:
            if self._registry.spec(entry.target).argument is not None:
                self._open_stage(entry.target)   # its value next, in the palette
                return
            self.close_palette()
            self._registry.run(entry.target)
            return
        if isinstance(argument, Choices) and argument.several:
            value = tuple(c.value for c in argument.options() if c.name in self._ticked)
        else:
            value = entry.target if isinstance(argument, Number) else entry.target.value
        command = self._command
        self.close_palette()
        self._registry.run(command, value)
