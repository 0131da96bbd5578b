"""Moving a race's common start with the mouse (issue 10 §2): a click or a drag on the cost surface.

Every position of a gesture restarts every run of the race there, recomputing its first hundred
steps (core.Race). That costs 40-130 ms for three runs of the lesson's 1-1-1 network and 0.4-1.2 s
for three to six runs of a [2,16,16,3] network on 1,000 samples (measured on a loaded 2-core
machine), far too long for the GUI thread while the mouse moves. So the races are built off the GUI
thread by a LatestOnlyWorker: while one is computed, newer positions replace one another and only
the newest waits (bursts collapse); a result is placed as soon as it is newer than the last one
placed, so the paths follow the mouse a computation behind. A result for a race that has changed
since (ended, another entrant list, other data) is dropped.

Each placed result is one undoable edit whose merge key names the gesture: a whole drag is one entry
in the undo history, and two drags are two.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

import core

from . import edit_labels as labels
from .transactions import transaction
from .undo import undoable
from .workers import LatestOnlyWorker

_GESTURES = itertools.count(1)


@dataclass(frozen=True)
class RaceStartRequest:
    """A race to build off the GUI thread: the race on's template and entrants from a new start."""

    template: core.Run
    entrants: tuple
    start: np.ndarray
    revision: int
    gesture: int

    def compute(self) -> "RaceStartResult":
        race = core.Race(self.template, self.entrants, start=self.start, warm_steps=core.race.WARM_STEPS)
        return RaceStartResult(self, race)


@dataclass(frozen=True)
class RaceStartResult:
    request: RaceStartRequest
    race: core.Race


class RaceStartGestures:
    """Mixin of the session model: needs ``racing``, ``_timeline``, ``_shown``, ``_axes``,
    ``_engine``, ``revision``, ``running``, ``_refresh``, ``_emit`` and ``set_message``."""

    _race_start_worker: LatestOnlyWorker | None = None

    def begin_race_start_gesture(self) -> int:
        """A new gesture's id: the positions sent with it make one undo entry."""
        return next(_GESTURES)

    def move_race_start_to(self, a: float, b: float, gesture: int) -> bool:
        """Restart every run of the race from (a, b) in the surface's two parameters (the others as
        they are at the race's start), computed off the GUI thread and placed when ready. False
        (nothing asked) when no race is on or the position is not finite."""
        if not self.racing or not (np.isfinite(a) and np.isfinite(b)):
            return False
        race = self._timeline.race
        start = race.start.copy()
        names = self._shown.names
        start[names.index(self._axes[0])], start[names.index(self._axes[1])] = a, b
        request = RaceStartRequest(race.template, tuple(race.entrants), start, self.revision, gesture)
        self._race_start_jobs().submit(request.compute)
        return True

    @property
    def race_start_pending(self) -> bool:
        """True while a moved start's runs are being computed."""
        worker = self._race_start_worker
        return worker is not None and worker.busy

    def _race_start_jobs(self) -> LatestOnlyWorker:
        if self._race_start_worker is None:
            self._race_start_worker = LatestOnlyWorker(self, keep_up=True)
            self._race_start_worker.finished.connect(self._on_race_start_ready)
            self._race_start_worker.failed.connect(
                lambda text: self.set_message(f"Could not move the race's start: {text.splitlines()[0]}"))
        return self._race_start_worker

    def _on_race_start_ready(self, result: RaceStartResult) -> None:
        request, race = result.request, self._timeline.race
        if (race is None or request.revision != self.revision or request.template is not race.template
                or list(request.entrants) != list(race.entrants)):
            return   # the race changed while this one was computed
        self.place_race(result.race, gesture=request.gesture)

    @undoable(labels.move_race_start, merge=labels.race_start_key)
    @transaction
    def place_race(self, race: core.Race, gesture: int | None = None) -> None:
        """Put ``race`` (the race on, restarted elsewhere) in its place; ``gesture`` names the drag
        it belongs to, for the undo history."""
        running = self.running
        if running:
            self._engine.stop()
        with self._engine.edit(publish=False):
            self._timeline.replace_race(race)
        self.set_message(" ".join(lane.stopped for lane in race.lanes if lane.stopped))
        self._refresh()
        self._emit("timelineChanged")
        if running:
            self._engine.start()
