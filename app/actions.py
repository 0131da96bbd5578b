"""The one action registry: every command's id, title, shortcut, menu place, help line and handler.

Menus, toolbars, the shortcut sheet and (later) the command palette are all generated from it, so a
command added here is reachable from the keyboard and documented everywhere at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

Shortcut = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """What a command is, independent of where it shows up."""

    id: str
    title: str
    shortcut: Shortcut
    menu: str
    help: str
    handler: Callable[[], object]
    checkable: bool = False
    scope: str = "global"  # or a lab's name: the command works only while that lab is shown


# Where a platform defines no binding for a standard key (offscreen, some desktops), use the usual one.
_STANDARD_FALLBACKS = {
    QKeySequence.Quit: "Ctrl+Q",
    QKeySequence.HelpContents: "F1",
    QKeySequence.Open: "Ctrl+O",
    QKeySequence.Save: "Ctrl+S",
    QKeySequence.Undo: "Ctrl+Z",
}


def key_sequence(shortcut: Shortcut) -> QKeySequence:
    """The QKeySequence a spec's shortcut stands for (standard keys resolve per platform)."""
    sequence = QKeySequence(shortcut)
    if sequence.isEmpty() and shortcut in _STANDARD_FALLBACKS:
        sequence = QKeySequence(_STANDARD_FALLBACKS[shortcut])
    return sequence


class ActionRegistry(QObject):
    """Owns one QAction per command; the window adds them so their shortcuts work everywhere."""

    MENU_ORDER = ("File", "Data", "Network", "Training", "Timeline", "Parameters", "Surface", "Function", "View",
                  "Help")

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._window = parent
        self._specs: dict[str, ActionSpec] = {}
        self._actions: dict[str, QAction] = {}

    def add(self, spec: ActionSpec) -> QAction:
        if spec.id in self._specs:
            raise ValueError(f"action id {spec.id!r} registered twice")
        action = QAction(spec.title, self._window)
        action.setObjectName(f"action-{spec.id}")
        action.setShortcut(key_sequence(spec.shortcut))
        action.setShortcutContext(Qt.WindowShortcut)
        action.setStatusTip(spec.help)
        action.setToolTip(f"{spec.title} ({action.shortcut().toString(QKeySequence.NativeText)}): {spec.help}")
        action.setCheckable(spec.checkable)
        if spec.checkable:
            action.toggled.connect(lambda _checked, h=spec.handler: h())
        else:
            action.triggered.connect(lambda _checked=False, h=spec.handler: h())
        self._window.addAction(action)
        self._specs[spec.id] = spec
        self._actions[spec.id] = action
        return action

    def add_all(self, specs: Iterable[ActionSpec]) -> None:
        for spec in specs:
            self.add(spec)

    def action(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def trigger(self, action_id: str) -> None:
        self._actions[action_id].trigger()

    def specs(self) -> list[ActionSpec]:
        return list(self._specs.values())

    def enable_scope(self, lab: str) -> None:
        """Enable global commands and those of `lab`; disable the other labs' (so S never trains a
        network the learner cannot see)."""
        for spec in self._specs.values():
            self._actions[spec.id].setEnabled(spec.scope in ("global", lab))

    def shortcut_text(self, action_id: str) -> str:
        return self._actions[action_id].shortcut().toString(QKeySequence.NativeText)

    def duplicate_shortcuts(self) -> dict[str, list[str]]:
        """Key text -> action ids sharing it; empty when every shortcut is unique."""
        seen: dict[str, list[str]] = {}
        for action_id, action in self._actions.items():
            key = action.shortcut().toString(QKeySequence.PortableText)
            if key:
                seen.setdefault(key, []).append(action_id)
        return {key: ids for key, ids in seen.items() if len(ids) > 1}

    def build_menus(self, menubar: QMenuBar) -> dict[str, object]:
        menus = {}
        names = sorted({s.menu for s in self._specs.values()},
                       key=lambda m: (self.MENU_ORDER.index(m) if m in self.MENU_ORDER else 99, m))
        for name in names:
            menu = menubar.addMenu(f"&{name}")
            menus[name] = menu
            for spec in self._specs.values():
                if spec.menu == name:
                    menu.addAction(self._actions[spec.id])
        return menus

    def sheet_rows(self) -> list[tuple[str, str, str, str]]:
        """(menu, title, shortcut, help) for every command, in menu order: the shortcut sheet."""
        order = {m: i for i, m in enumerate(self.MENU_ORDER)}
        specs = sorted(self._specs.values(), key=lambda s: order.get(s.menu, 99))
        return [(s.menu, s.title.replace("&", ""), self.shortcut_text(s.id), s.help) for s in specs]
