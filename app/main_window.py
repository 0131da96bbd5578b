"""Main window (placeholder while the panels are built)."""
from PySide6.QtWidgets import QLabel, QMainWindow, QDockWidget
from PySide6.QtCore import Qt


class MainWindow(QMainWindow):
    """The studio's main window: dock panels around the network diagram."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Chain Rule Studio")
        self._panels = {}
        for name in ("diagram", "expression"):
            dock = QDockWidget(name.title(), self)
            dock.setObjectName(f"dock-{name}")
            label = QLabel(f"{name} panel")
            label.setAlignment(Qt.AlignCenter)
            dock.setWidget(label)
            self.addDockWidget(Qt.LeftDockWidgetArea, dock)
            self._panels[name] = label
        self.resize(1400, 900)

    def panels(self):
        """Name -> the widget each dock shows, for the self-test and screenshots."""
        return dict(self._panels)
