"""Dragging a race's common start on the cost surface (issue 10 §2).

A drag that begins within GRAB_PIXELS of a grip point (the race's start, the white ring, or the shown
run's current point) moves the start with the mouse; a drag anywhere else is left to the plot, which
pans as every plot of the studio does. Grabbing the ring is what a learner tries first, and keeping
plain drags for panning means no modifier to learn (and none that clashes with the plot's own
Shift/Ctrl gestures).

``StartGrip`` is an invisible item over the whole plot area, above the plot's own items: pyqtgraph
offers a drag to the items under the press in turn, so the grip accepts it only near a grip point
and otherwise lets it pass to the view box beneath.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

GRAB_PIXELS = 14


class StartGrip(pg.GraphicsObject):
    """Turns a left-button drag that starts near a grip point into positions in plot coordinates.

    ``grips()`` gives the grip points now (plot coordinates; none: no drag to take); ``began()``
    starts a gesture and gives its id, ``moved(a, b, gesture)`` is called at every position of the
    drag and ``ended(a, b, gesture)`` at its last."""

    def __init__(self, box: pg.ViewBox, grips: Callable[[], Iterable[tuple[float, float]]],
                 began: Callable[[], int], moved: Callable[[float, float, int], None],
                 ended: Callable[[float, float, int], None]):
        super().__init__(box)
        self._box = box
        self._grips, self._began, self._moved, self._ended = grips, began, moved, ended
        self._gesture: int | None = None
        self.setZValue(1000)
        box.sigResized.connect(lambda *_: self.prepareGeometryChange())

    @property
    def dragging(self) -> bool:
        return self._gesture is not None

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return QRectF(self._box.rect())

    def paint(self, *_args) -> None:
        pass   # invisible: the ring and the point are drawn by the surface

    def near_grip(self, scene_pos) -> bool:
        """True if ``scene_pos`` lies within GRAB_PIXELS of a grip point on screen."""
        for a, b in self._grips():
            point = self._box.mapViewToScene(pg.Point(float(a), float(b)))
            if math.hypot(point.x() - scene_pos.x(), point.y() - scene_pos.y()) <= GRAB_PIXELS:
                return True
        return False

    def mouseDragEvent(self, event) -> None:  # noqa: N802 (pyqtgraph's name)
        if event.isStart():
            if event.button() != Qt.LeftButton or not self.near_grip(event.buttonDownScenePos()):
                event.ignore()   # the plot beneath pans
                return
            self._gesture = self._began()
        if self._gesture is None:
            event.ignore()
            return
        event.accept()
        point = self._box.mapSceneToView(event.scenePos())
        a, b, gesture = float(point.x()), float(point.y()), self._gesture
        if event.isFinish():
            self._gesture = None
            self._ended(a, b, gesture)
        else:
            self._moved(a, b, gesture)
