"""A data point added or removed: the new state built in one place, off the GUI thread on big data.

Adding or removing one point restarts the history: a new split, a new run on the new data and its
first snapshot. The run's row 0 and the snapshot need the cost and the full-batch gradient over
every training row (and the cost and accuracy over the test rows). On the built-in data that is
about a millisecond, so it stays on the GUI thread and the picture follows the key at once. On big
data (a CSV of 100,000 rows: 30-60 ms, more with a wider network) it is several frames, so the
whole new state is built by a worker thread from an immutable request captured on the GUI thread
(the data, the split's settings, a copy of the network, the run's settings), and the session model
installs the result when it is ready, as one transaction (app/model.py: ``settle``). Until then
the model shows the state before the edit, complete and consistent; any other command first waits
for the edit to land, so commands still apply in the order the learner gave them.

``build`` is pure (numpy and core only): the same function makes the state on either thread, so
small and big data give the same runs.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

import core

# Training rows from which the first full pass goes to a worker thread: below, the pass takes under
# a few milliseconds (the built-in data sets hold at most a few thousand rows) and the picture is
# best immediate.
BACKGROUND_ROWS = 20_000


@dataclass(frozen=True)
class Split:
    """The rows of ``data`` for training and for testing, and their inputs and targets."""

    train: np.ndarray
    test: np.ndarray
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def split_rows(data: core.Dataset, test_fraction: float, seed: int) -> Split:
    train, test = core.train_test_split(data.X, data.y, data.task, test_fraction, seed)
    return Split(train, test, data.X[train], data.y[train], data.X[test], data.y[test])


@dataclass(frozen=True, eq=False)
class PointEdit:
    """Everything the new state depends on, captured on the GUI thread (the network is a copy)."""

    label: str                     # what Undo takes back ("Add a Point")
    kind: str                      # "add" (a row at the end) or "remove"
    row: int                       # the row added or removed
    before: core.Dataset           # the data the edit changed
    data: core.Dataset
    test_fraction: float
    split_seed: int
    network: core.Network
    learning_rate: float
    batch_size: int | None
    only: tuple | None
    revision: int                  # the revision the new state belongs to
    axes: tuple[str, str]
    full_path: bool


@dataclass(frozen=True, eq=False)
class PointEditResult:
    edit: PointEdit
    split: Split
    timeline: core.Timeline
    snapshot: core.Snapshot


def build(edit: PointEdit) -> PointEditResult:
    """The split, the new timeline (one run from ``edit.network``) and its first snapshot."""
    split = split_rows(edit.data, edit.test_fraction, edit.split_seed)
    options = {"X_test": split.X_test, "y_test": split.y_test} if len(split.X_test) else {}
    run = core.Run(edit.network, split.X, split.y, edit.learning_rate,
                   only=None if edit.only is None else list(edit.only), batch_size=edit.batch_size, **options)
    timeline = core.Timeline(run)
    snapshot = core.take_snapshot(run, timeline.cursor, revision=edit.revision, branch=timeline.current_id,
                                  axes=edit.axes, classify=edit.data.task != "regression",
                                  label=timeline.current.label, full_path=edit.full_path)
    return PointEditResult(edit, split, timeline, snapshot)


def in_background(edit: PointEdit) -> bool:
    """True when the edit's first full pass is worth a worker thread (see BACKGROUND_ROWS)."""
    return len(edit.data) >= BACKGROUND_ROWS


class PointEditWorker(QObject):
    """Builds one point edit at a time on a worker thread; ``ready`` (GUI thread) says one is done.

    ``take(wait=True)`` gives the finished result (waiting for it if needed) once, or None when
    nothing is pending; an exception of the build is raised there, on the GUI thread."""

    ready = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._outcome: tuple | None = None

    @property
    def pending(self) -> bool:
        return self._thread is not None

    def submit(self, edit: PointEdit) -> None:
        if self._thread is not None:
            raise RuntimeError("a point edit is still being built: take() it first")

        def work():
            try:
                self._outcome = (build(edit), None)
            except Exception as exc:   # noqa: BLE001 (reported on the GUI thread)
                self._outcome = (None, exc)
            self.ready.emit()

        self._outcome = None
        self._thread = threading.Thread(target=work, name="point-edit", daemon=True)
        self._thread.start()

    def take(self, wait: bool = True) -> PointEditResult | None:
        thread = self._thread
        if thread is None or (not wait and thread.is_alive()):
            return None
        thread.join()
        self._thread = None
        result, error = self._outcome
        self._outcome = None
        if error is not None:
            raise error
        return result
