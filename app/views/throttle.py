"""Rate limiting for views that redraw while training runs: a redraw asked for too soon after the
last one is run once, when the interval is up; asking again meanwhile changes nothing."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer


class Throttle:
    """Runs `func` now if it has not run for `interval` seconds, else once when that time is up."""

    def __init__(self, func, interval: float, parent):
        self._func, self.interval = func, interval
        self._last = -1e9
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)

    @property
    def pending(self) -> bool:
        """A run is scheduled and has not happened yet."""
        return self._timer.isActive()

    def request(self, immediate: bool = False) -> None:
        """Run `func` as soon as the interval allows (at once when `immediate`, e.g. not training)."""
        wait = self.interval - (time.monotonic() - self._last)
        if immediate or wait <= 0:
            self._timer.stop()
            self._run()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def _run(self) -> None:
        self._last = time.monotonic()
        self._func()
