"""Drives training from a timer while the model says it is running, so the window never freezes.

Each tick takes a few cheap full-batch steps and returns to the event loop; views redraw between ticks.
"""
from PySide6.QtCore import QObject, QTimer

from .model import SessionModel

TICK_MS = 33  # ~30 frames a second: smooth to watch, leaves the event loop free


class TrainingLoop(QObject):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self._model = model
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        model.runningChanged.connect(self._on_running)

    def _on_running(self, running: bool) -> None:
        if running:
            self._timer.start()
        else:
            self._timer.stop()

    def _tick(self) -> None:
        if not self._model.step(self._model.steps_per_tick):
            self._timer.stop()

    def is_active(self) -> bool:
        return self._timer.isActive()
