"""The main window as the UI tests drive it: registered with qtbot, shown, exposed and active, and
(with ``focus=True``) the keyboard focus in the network diagram so single-key shortcuts reach it."""
from app.main_window import MainWindow


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
