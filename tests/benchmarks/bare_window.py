"""Reference for bench_startup.py: the least a PySide6 + pyqtgraph app can do before it shows.

A QMainWindow with a pyqtgraph PlotWidget, 1400x900 like the studio's window. Right after its
first paint it prints the same marker line as the studio (CHAINRULE_STUDIO_EXIT_AFTER_PAINT in
app/application.py) and quits. The paint detection is a copy of app.application.watch_first_paint,
kept separate so this reference never imports anything of the project.
"""
import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

import pyqtgraph as pg


class FirstPaint(QObject):
    """First QEvent.Paint to the window or a widget in it, then a zero-timer (see app.application)."""

    def __init__(self, app, window, on_painted):
        super().__init__()
        self.app, self.window, self.on_painted, self.seen = app, window, on_painted, False
        app.installEventFilter(self)

    def eventFilter(self, obj, event):
        if (not self.seen and event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget) and obj.window() is self.window):
            self.seen = True
            self.app.removeEventFilter(self)
            QTimer.singleShot(0, self.on_painted)
        return False


def main():
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("bare PySide6 + pyqtgraph")
    window.setCentralWidget(pg.PlotWidget())
    window.resize(1400, 900)

    def painted():
        record = {"t": time.monotonic(), "heavy_modules": []}
        print("CHAINRULE_STUDIO_FIRST_PAINT", json.dumps(record), flush=True)
        app.quit()

    watcher = FirstPaint(app, window, painted)
    window.show()
    code = app.exec()
    del watcher
    return code


if __name__ == "__main__":
    sys.exit(main())
