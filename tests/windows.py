"""The main window as the UI tests drive it: registered with qtbot, shown, exposed and active, and
(with ``focus=True``) the keyboard focus in the network diagram so single-key shortcuts reach it."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.workers import LatestOnlyWorker


def shown(qtbot, focus: bool = False, **kwargs) -> MainWindow:
    """A main window, registered with qtbot, shown and exposed (kwargs go to MainWindow)."""
    win = MainWindow(**kwargs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    if focus:
        win.activateWindow()
        diagram = win.panels()["diagram"]
        diagram.setFocus()
        qtbot.waitUntil(diagram.hasFocus)
    return win


def settled(qtbot, monkeypatch, focus: bool = False, **kwargs) -> MainWindow:
    """A shown main window whose workers run synchronously, once every panel has settled."""
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    win = shown(qtbot, focus=focus, persist_layout=False, **kwargs)
    win.activateWindow()
    qtbot.waitUntil(win.is_settled, timeout=30000)
    return win


def press(qtbot, key, modifiers=Qt.NoModifier) -> None:
    """A key press where the focus is, as on a real keyboard."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifiers)


def with_deferred_panels(qtbot) -> MainWindow:
    """A shown window (focus in the diagram, its layout not saved) whose deferred panels are built,
    as they are once the window has painted."""
    win = shown(qtbot, focus=True, persist_layout=False)
    win.network_lab.build_deferred()
    return win


def with_every_panel_started(qtbot) -> MainWindow:
    """A shown window (real worker threads and processes) whose deferred panels are all built and
    started, as they are once the window has painted: for tests of live training."""
    win = with_deferred_panels(qtbot)
    for panel in win.panels().values():
        if hasattr(panel, "start"):
            panel.start()
    return win
