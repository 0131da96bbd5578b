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
    # Panel-local keys (Enter in the diagram, the arrows in the data panel): the panels (by id) whose
    # own key handling gives the key this meaning while they have the focus. Such a command gets no
    # window-wide shortcut (Enter or an arrow must stay free for every other widget); its `shortcut`
    # is the key text shown in menus and on the F1 sheet ("Arrows" stands for the four arrows).
    panels: tuple[str, ...] = ()


# Where a platform defines no binding for a standard key (offscreen, some desktops), use the usual one.
_STANDARD_FALLBACKS = {
    QKeySequence.Quit: "Ctrl+Q",
    QKeySequence.HelpContents: "F1",
    QKeySequence.Open: "Ctrl+O",
    QKeySequence.Save: "Ctrl+S",
    QKeySequence.SaveAs: "Ctrl+Shift+S",
    QKeySequence.Undo: "Ctrl+Z",
}


# Key names in panel-local shortcut texts that stand for several keys.
_KEY_GROUPS = {"Arrows": ("Left", "Right", "Up", "Down")}


def panel_key_sequences(text: str) -> list[QKeySequence]:
    """The keys a panel-local shortcut text such as "Left / Right" or "Arrows" names."""
    keys = []
    for part in (p.strip() for p in text.split(" / ")):
        keys += [QKeySequence(k) for k in _KEY_GROUPS.get(part, (part,))]
    return [k for k in keys if not k.isEmpty()]


def key_sequence(shortcut: Shortcut) -> QKeySequence:
    """The QKeySequence a spec's shortcut stands for (standard keys resolve per platform)."""
    sequence = QKeySequence(shortcut)
    if sequence.isEmpty() and shortcut in _STANDARD_FALLBACKS:
        sequence = QKeySequence(_STANDARD_FALLBACKS[shortcut])
    return sequence


class ActionRegistry(QObject):
    """Owns one QAction per command; the window adds them so their shortcuts work everywhere."""

    MENU_ORDER = ("File", "Data", "Network", "Training", "Timeline", "Parameters", "Function", "View", "Help")

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
        if spec.panels:
            # the panel's own key handling owns the key; menus show it after a tab
            action.setText(f"{spec.title}\t{spec.shortcut}")
        else:
            action.setShortcut(key_sequence(spec.shortcut))
            action.setShortcutContext(Qt.WindowShortcut)
        action.setStatusTip(spec.help)
        action.setToolTip(f"{spec.title} ({self._key_text(spec, action)}): {spec.help}")
        action.setCheckable(spec.checkable)
        if spec.checkable:
            action.toggled.connect(lambda _checked, h=spec.handler: h())
        else:
            action.triggered.connect(lambda _checked=False, h=spec.handler: h())
        if not spec.panels:
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

    def spec(self, action_id: str) -> ActionSpec:
        return self._specs[action_id]

    @staticmethod
    def _key_text(spec: ActionSpec, action: QAction) -> str:
        if spec.panels:
            return str(spec.shortcut)
        return action.shortcut().toString(QKeySequence.NativeText)

    def shortcut_text(self, action_id: str) -> str:
        return self._key_text(self._specs[action_id], self._actions[action_id])

    def duplicate_shortcuts(self) -> dict[str, list[str]]:
        """Key text -> action ids that clash over it; empty when every key has one meaning.

        Window-wide keys must be unique. A panel-local key must not be a window-wide key too (the
        window's shortcut would fire first and the panel would never see it), nor have two meanings
        in one panel."""
        window: dict[str, list[str]] = {}
        for key, action_id in ((a.shortcut().toString(QKeySequence.PortableText), i)
                               for i, a in self._actions.items() if not self._specs[i].panels):
            if key:
                window.setdefault(key, []).append(action_id)
        clashes = {key: ids for key, ids in window.items() if len(ids) > 1}
        local: dict[tuple[str, str], list[str]] = {}
        for spec in self._specs.values():
            for sequence in panel_key_sequences(str(spec.shortcut)) if spec.panels else ():
                key = sequence.toString(QKeySequence.PortableText)
                if key in window:
                    clashes[key] = window[key] + [spec.id]
                for panel in spec.panels:
                    local.setdefault((panel, key), []).append(spec.id)
        for (panel, key), ids in local.items():
            if len(ids) > 1:
                clashes[f"{key} in {panel}"] = ids
        return clashes

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

    def sheet_rows(self, where: Callable[[ActionSpec], str] = lambda spec: spec.scope
                   ) -> list[tuple[str, str, str, str, str]]:
        """(where, menu, title, shortcut, help) for every command, everywhere-keys first, then by lab
        and menu: the shortcut sheet. `where(spec)` names the place a key works in."""
        order = {m: i for i, m in enumerate(self.MENU_ORDER)}
        scopes = list(dict.fromkeys(["global", *(s.scope for s in self._specs.values())]))
        specs = sorted(self._specs.values(),
                       key=lambda s: (scopes.index(s.scope), order.get(s.menu, 99), bool(s.panels)))
        # the action's own text: "Go to Network diagram" rather than the spec's "Go to panel 1"
        return [(where(s), s.menu, self._actions[s.id].text().split("\t")[0].replace("&", ""),
                 self.shortcut_text(s.id), s.help) for s in specs]
