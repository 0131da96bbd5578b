"""A lab: one workspace of the studio (the Network lab, the Function lab) whose panels are docks the
learner can rearrange. A lab is an inner QMainWindow shown as a tab of the main window, so each lab
keeps its own dock layout while menus, toolbar and status bar stay shared.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

LAYOUT_VERSION = 1


@dataclass(frozen=True)
class Panel:
    """A panel of a lab. ``widget`` is the panel itself, or a function that builds it: such a panel
    is built just after the window's first paint (the learner sees the studio sooner; a plot costs
    ~10 ms to build and as much again to paint), or at once when anything asks for it."""

    id: str
    title: str
    focus_key: str
    widget: QWidget | Callable[[], QWidget]


class DockLab(QMainWindow):
    """Panels in docks, laid out by `arrange(lab)` and sized by `size(lab)` once the lab is shown."""

    def __init__(self, name: str, title: str, panels: list[Panel], arrange: Callable[["DockLab"], None],
                 size: Callable[["DockLab"], None], parent=None, main_panel: str | None = None):
        """`main_panel`: the panel that gets the focus when the lab is entered or a field is left
        with Escape (default: the first) — where the lab's single-key commands work."""
        super().__init__(parent)
        self.name, self.title = name, title
        self.main_panel = main_panel or panels[0].id
        self.setObjectName(f"lab-{name}")
        self.setWindowFlags(Qt.Widget)  # a page inside the main window, not a window of its own
        self._size = size
        self._panels: dict[str, QWidget | None] = {}
        self._deferred: dict[str, Callable[[], QWidget]] = {}
        self.docks: dict[str, QDockWidget] = {}
        for panel in panels:
            dock = QDockWidget(f"{panel.title}  ({panel.focus_key})", self)
            dock.setObjectName(f"dock-{panel.id}")
            if isinstance(panel.widget, QWidget):
                self._panels[panel.id] = panel.widget
                dock.setWidget(panel.widget)
            else:
                self._panels[panel.id] = None
                self._deferred[panel.id] = panel.widget
                dock.setWidget(QWidget())  # blank until built, right after the first paint
            dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                             | QDockWidget.DockWidgetClosable)
            self.docks[panel.id] = dock
        placeholder = QWidget()
        placeholder.hide()  # every panel is a dock; a hidden central widget leaves them all the room
        self.setCentralWidget(placeholder)
        self.setDockNestingEnabled(True)
        # No animated re-layout: while training, a caption that changes its height re-lays the docks
        # out every frame, and each animated re-layout made and deleted an animation per dock
        # and repainted the whole window
        self.setAnimated(False)
        arrange(self)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self._sized = False

    @property
    def panels(self) -> dict[str, QWidget]:
        """Every panel by id, in the order given; asking builds any panel still deferred."""
        self.build_deferred()
        return self._panels

    def is_built(self, panel_id: str) -> bool:
        """True when the panel exists (not still waiting for the first paint); asking does not build it."""
        return self._panels.get(panel_id) is not None

    def build_deferred(self) -> None:
        """Build the panels that waited for the first paint, in their docks."""
        while self._deferred:
            panel_id, build = next(iter(self._deferred.items()))
            widget = build()
            del self._deferred[panel_id]
            self._panels[panel_id] = widget
            old = self.docks[panel_id].widget()
            self.docks[panel_id].setWidget(widget)
            if old is not None:
                old.deleteLater()

    def apply_default_sizes(self) -> None:
        self._size(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:  # dock sizes only take once the lab has real room to divide, which on
            self._sized = True  # X11 is after this event has returned: hence the zero timer
            QTimer.singleShot(0, lambda: self._size(self))

    def focus_panel(self, panel_id: str) -> None:
        dock = self.docks[panel_id]
        dock.show()
        dock.raise_()
        self.panels[panel_id].setFocus(Qt.ShortcutFocusReason)

    def focus_main_panel(self) -> None:
        """The keyboard focus to the main panel, if its dock is open, else to the lab itself (where
        the lab's keys work too, but no field can take them)."""
        dock, panel = self.docks[self.main_panel], self._panels[self.main_panel]
        if panel is not None and dock.isVisibleTo(self):   # (not `panels`: that builds deferred ones)
            panel.setFocus(Qt.OtherFocusReason)
        else:
            self.setFocus(Qt.OtherFocusReason)

    def restore_default_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()
        self._size(self)

    def restore_layout(self, state) -> bool:
        """The saved dock layout, if there is one; True when it was applied."""
        if isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION):
            self._sized = True  # the learner's own sizes win over the defaults
            return True
        return False

    def layout_state(self) -> QByteArray:
        return self.saveState(LAYOUT_VERSION)

    def is_settled(self) -> bool:
        if self._deferred:
            return False  # built right after the first paint
        return all(getattr(panel, "is_settled", lambda: True)() for panel in self.panels.values())
