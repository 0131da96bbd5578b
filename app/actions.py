"""The one action registry: every command's id, title, shortcut, menu place, help line and handler,
when it can run (and why not) and, for a toggle, where its checked state comes from.

Menus, toolbars, the shortcut sheet and the command palette (Ctrl+Shift+P) are all generated from
it, so a command added here is reachable from the keyboard and documented everywhere at once, and
all of them agree on whether it can run now: a command that cannot is greyed everywhere with the
reason, and its key does nothing (the window says why).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

Shortcut = str | QKeySequence.StandardKey
# (can run now, why not): the reason is a sentence for the learner, "" when the command can run.
Availability = tuple[bool, str]
READY: Availability = (True, "")


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
    # When the command can run: a function of the session's state giving (can run, why not). None:
    # always (within its scope). Evaluated when the watched session signals fire, so keep it cheap.
    enabled_when: Callable[[], Availability] | None = None
    # For a checkable command: where its checked state comes from (the session, not the QAction).
    checked: Callable[[], bool] | None = None
    # A command that needs a value (a dataset's name, a learning rate …): app/command_arguments.py's
    # Choices or Number. Its handler takes the value; from a menu or key it asks the palette for it.
    argument: object | None = None


# Where a platform defines no binding for a standard key (offscreen, some desktops), use the usual one.
_STANDARD_FALLBACKS = {
    QKeySequence.Quit: "Ctrl+Q",
    QKeySequence.HelpContents: "F1",
    QKeySequence.Open: "Ctrl+O",
    QKeySequence.Save: "Ctrl+S",
    QKeySequence.SaveAs: "Ctrl+Shift+S",
    QKeySequence.Undo: "Ctrl+Z",
    QKeySequence.Redo: "Ctrl+Shift+Z",
}
# Where a platform binds a standard key to several keys, the one the studio shows and binds, if the
# platform has it: Redo is Ctrl+Y first on some (Windows, offscreen), Ctrl+Shift+Z on the desktops.
_STANDARD_PREFERRED = {QKeySequence.Redo: "Ctrl+Shift+Z"}


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
    preferred = _STANDARD_PREFERRED.get(shortcut) if isinstance(shortcut, QKeySequence.StandardKey) else None
    if preferred is not None and QKeySequence(preferred) in QKeySequence.keyBindings(shortcut):
        sequence = QKeySequence(preferred)
    if sequence.isEmpty() and shortcut in _STANDARD_FALLBACKS:
        sequence = QKeySequence(_STANDARD_FALLBACKS[shortcut])
    return sequence


class ActionRegistry(QObject):
    """Owns one QAction per command; the window adds them so their shortcuts work everywhere."""

    MENU_ORDER = ("File", "Edit", "Export", "Data", "Network", "Training", "Timeline", "Race", "Parameters",
                  "Surface", "Function", "View", "Lesson", "Help")
    # A command that needs a value was chosen from a menu or by its key: the palette asks for it.
    argumentWanted = Signal(str)
    # Availability or checked state of some command changed (the palette and the F1 sheet follow).
    availabilityChanged = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._window = parent
        self._specs: dict[str, ActionSpec] = {}
        self._actions: dict[str, QAction] = {}
        self._lab: str | None = None                 # the lab shown; None: every scope counts as shown
        self._shown: dict[str, tuple] = {}   # (can run, why not, title) as shown: only changes are redrawn
        # Why a lab's command cannot run in another lab ("Function lab only: F3 opens it").
        self.scope_reason: Callable[[str], str] = lambda scope: f"Works in the {scope} lab only."

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
        if spec.argument is not None:
            action.triggered.connect(lambda _checked=False, i=spec.id: self.argumentWanted.emit(i))
        elif spec.checkable:
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
        """Enable global commands and those of `lab` (as far as their conditions allow); disable the
        other labs' (so S never trains a network the learner cannot see)."""
        self._lab = lab
        self.refresh()

    # ------------------------------------------------------------------ can it run now?
    def availability(self, action_id: str) -> Availability:
        """(can run now, why not) for a command: its lab must be shown and its condition hold."""
        spec = self._specs[action_id]
        if self._lab is not None and spec.scope not in ("global", self._lab):
            return False, self.scope_reason(spec.scope)
        return spec.enabled_when() if spec.enabled_when is not None else READY

    def is_checked(self, action_id: str) -> bool | None:
        """A toggle's state from its source (None for a command that is not a toggle)."""
        spec = self._specs[action_id]
        if not spec.checkable:
            return None
        return spec.checked() if spec.checked is not None else self._actions[action_id].isChecked()

    def watch(self, *signals, only: Iterable[str] | None = None) -> None:
        """Re-evaluate every command's availability and checked state (or `only` these commands')
        when one of these (session) signals fires. A signal sent every frame gets `only`: the few
        commands whose condition it can change."""
        ids = None if only is None else tuple(only)
        for signal in signals:
            signal.connect(lambda *_args: self.refresh(ids=ids))

    def refresh(self, *_args, ids: Iterable[str] | None = None) -> None:
        """Bring every QAction (or those of `ids`), and so menus, toolbar and keys, in line with its
        condition and checked-state source; only what changed is touched."""
        changed = False
        for spec in (self._specs.values() if ids is None else (self._specs[i] for i in ids)):
            action = self._actions[spec.id]
            can_run, reason = self.availability(spec.id)
            title = self.title(spec.id)
            if self._shown.get(spec.id) != (can_run, reason, title):
                self._shown[spec.id] = (can_run, reason, title)
                changed = True
                action.setEnabled(can_run)
                key = self._key_text(spec, action)
                if can_run:
                    action.setStatusTip(spec.help)
                    action.setToolTip(f"{title} ({key}): {spec.help}" if key else f"{title}: {spec.help}")
                else:
                    action.setStatusTip(f"Not now: {reason}")
                    action.setToolTip(f"{title}: not now. {reason}")
            if spec.checkable and spec.checked is not None:
                on = bool(spec.checked())
                if action.isChecked() != on:
                    changed = True
                    action.blockSignals(True)   # the source already is in this state: no handler
                    action.setChecked(on)
                    action.blockSignals(False)
        if changed:
            self.availabilityChanged.emit()

    def run(self, action_id: str, value=None) -> Availability:
        """Run a command now (with `value` for one that takes an argument) if it can run; returns
        its availability, so a caller can say why it did not."""
        can_run, reason = self.availability(action_id)
        if not can_run:
            return can_run, reason
        spec = self._specs[action_id]
        if spec.argument is not None:
            spec.handler(value)
        else:
            self._actions[action_id].trigger()
        return READY

    def command_for_key(self, sequence: QKeySequence) -> str | None:
        """The id of the window-wide command bound to `sequence`, enabled or not."""
        for spec in self._specs.values():
            action = self._actions[spec.id]
            if not spec.panels and action.shortcut().matches(sequence) == QKeySequence.ExactMatch:
                return spec.id
        return None

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
            menu.setToolTipsVisible(True)   # a greyed entry says why in its tooltip
            menu.aboutToShow.connect(self.refresh)
            menus[name] = menu
            for spec in self._specs.values():
                if spec.menu == name:
                    menu.addAction(self._actions[spec.id])
        return menus

    def title(self, action_id: str) -> str:
        """The command's title as its menu entry shows it ("Go to Network diagram", not the spec's
        "Go to panel 1"), without the menu's accelerator mark and key."""
        return self._actions[action_id].text().split("\t")[0].replace("&", "")

    def sheet_order(self) -> list[str]:
        """Command ids, everywhere-keys first, then by lab and menu: the shortcut sheet's order."""
        order = {m: i for i, m in enumerate(self.MENU_ORDER)}
        scopes = list(dict.fromkeys(["global", *(s.scope for s in self._specs.values())]))
        specs = sorted(self._specs.values(),
                       key=lambda s: (scopes.index(s.scope), order.get(s.menu, 99), bool(s.panels)))
        return [s.id for s in specs]

    def sheet_rows(self, where: Callable[[ActionSpec], str] = lambda spec: spec.scope
                   ) -> list[tuple[str, str, str, str, str]]:
        """(where, menu, title, shortcut, help) for every command in `sheet_order`: the shortcut
        sheet. `where(spec)` names the place a key works in."""
        specs = [self._specs[i] for i in self.sheet_order()]
        return [(where(s), s.menu, self.title(s.id), self.shortcut_text(s.id), s.help) for s in specs]
