"""A run's trajectory: every step's scalars densely, and enough to rebuild any step exactly.

A learner scrubs back through 100,000 steps and branches from step 40: the studio must show *that
step's* parameters, bit for bit, without keeping 100,000 parameter vectors. So a trajectory keeps

* **dense scalars**, one row per step: train cost, test cost (NaN without a test set), learning
  rate and epoch (40 bytes a step: 4 MB for 100,000 steps);
* **keyframes** every ``interval`` steps: the parameters, the update rule's state, the mini-batch
  cursor and every setting the step code reads. When they outgrow their memory budget every other
  keyframe is dropped and the interval doubles, so memory stays bounded and a replay never takes
  more than ``interval`` steps;
* **events**: everything that changed between steps (hand edits of parameters, learning rate, batch
  size, trained subset, cost, regularization), each an absolute *set* at a step. Replaying a step
  applies that step's events after it, so a keyframe taken at any moment of a step is a valid start;
* a **path**: a bounded, uniformly thinned record of full parameter vectors (core.History) for
  drawing the descent path over any two parameters.

The trajectory stores; ``core.Run`` replays (with its own step code, so the result is exact).
Everything stored is immutable once written (arrays are made read-only), so a branch shares its
parent's keyframes and events without copying them.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .history import History
from .schedules import Constant

__all__ = ["Trajectory", "Keyframe", "Event", "Settings", "EVENT_KINDS",
           "DEFAULT_KEYFRAME_INTERVAL", "KEYFRAME_BUDGET", "PATH_BUDGET"]

DEFAULT_KEYFRAME_INTERVAL = 32
# Budgets (bytes) for a trajectory's keyframes and drawn path. With the dense scalars (40 B a step)
# 100,000 steps of the studio's largest network (2 -> 6 x 16 -> 3: 1,459 parameters) stay below
# 50 MB whatever the rule's state: keyframes <= 28 MB, path <= 12 MB, scalars 5 MB.
KEYFRAME_BUDGET = 28 * 2 ** 20
PATH_BUDGET = 12 * 2 ** 20
MIN_PATH_RECORDS, MAX_PATH_RECORDS = 256, 2000

EVENT_KINDS = ("parameters", "learning_rate", "batch_size", "only", "loss", "regularization", "schedule")


@dataclass(frozen=True)
class Settings:
    """Everything besides the parameters and rule state that a step's arithmetic reads."""

    learning_rate: float
    batch_size: int | None
    only: tuple | None          # names of the trained parameters, None: all
    loss: str
    regularization: str | None
    regularization_rate: float
    schedule: object = Constant()   # the learning-rate schedule (core.schedules), frozen


@dataclass(frozen=True)
class Keyframe:
    """The state a run had at ``step``: enough to continue it exactly from there."""

    step: int
    theta: np.ndarray           # read-only
    rule_state: dict            # read-only arrays
    cursor: tuple[int, int, int]  # (samples seen, shuffled pass, position in the pass)
    settings: Settings

    @property
    def nbytes(self) -> int:
        return self.theta.nbytes + sum(v.nbytes for v in self.rule_state.values() if isinstance(v, np.ndarray))


@dataclass(frozen=True)
class Event:
    """A change made at ``step`` (after that step's update): ``kind`` in EVENT_KINDS, an absolute
    new ``value`` (a read-only parameter vector for "parameters")."""

    step: int
    kind: str
    value: Any


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


class _Rows:
    """A float64 buffer whose rows are written once each, in order: ``filled`` rows are written.
    Columns share it; a column writes the next row in place only when it stands at the frontier
    (its rows are exactly the ``filled`` ones), else it copies its own rows into a new buffer."""

    __slots__ = ("data", "filled")

    def __init__(self, data: np.ndarray, filled: int):
        self.data, self.filled = data, filled


class _Column:
    """A growable float64 column (amortised doubling) whose copies share their rows.

    Rows 0 .. n-2 live in a shared write-once buffer (``_Rows``); the last row, the only one a run
    amends (an event at its current step), is the column's own (``last``). So ``truncated`` is a
    constant-time copy however long the column is: a thousand undo states of a 100,000-step run
    share one buffer instead of holding a thousand 800 kB copies, and training the live run (which
    appends at the frontier) never changes what a copy shows."""

    __slots__ = ("rows", "n", "last")

    def __init__(self, capacity: int = 256):
        self.rows = _Rows(np.empty(capacity), 0)
        self.n = 0
        self.last = math.nan

    @classmethod
    def of(cls, values: np.ndarray) -> "_Column":
        column = cls(max(256, values.size))
        if values.size:
            column.rows.data[:values.size - 1] = values[:-1]
            column.rows.filled = values.size - 1
            column.last, column.n = float(values[-1]), values.size
        return column

    def append(self, value: float) -> None:
        if self.n:
            self._settle()
        self.last = float(value)
        self.n += 1

    def _settle(self) -> None:
        """Move the last row into the buffer (in place at the frontier, else in a copy)."""
        index, rows = self.n - 1, self.rows
        if rows.filled != index or index >= rows.data.size:
            grown = np.empty(max(256, 2 * rows.data.size if index >= rows.data.size else rows.data.size))
            grown[:index] = rows.data[:index]
            rows = self.rows = _Rows(grown, index)
        rows.data[index] = self.last
        rows.filled = index + 1

    def amend(self, value: float) -> None:
        """Change the last row."""
        self.last = float(value)

    def at(self, index: int) -> float:
        return self.last if index == self.n - 1 else float(self.rows.data[index])

    def take(self, indices: np.ndarray) -> np.ndarray:
        """The rows at ``indices`` (0 <= index < n), a new array."""
        settled = self.rows.data[np.minimum(indices, max(self.n - 2, 0))]
        return np.where(indices == self.n - 1, self.last, settled)

    def view(self, stop: int | None = None) -> np.ndarray:
        """Rows 0 .. stop-1: a view of the shared buffer, or a copy when it includes the last row."""
        stop = self.n if stop is None else min(stop, self.n)
        if stop < self.n:
            return self.rows.data[:stop]
        return np.append(self.rows.data[:stop - 1], self.last) if stop else self.rows.data[:0]

    def truncated(self, length: int) -> "_Column":
        """The first ``length`` rows, sharing the buffer."""
        clone = _Column.__new__(_Column)
        clone.rows, clone.n = self.rows, length
        clone.last = self.at(length - 1) if length else math.nan
        return clone

    @property
    def nbytes(self) -> int:
        return self.rows.data.nbytes


class Trajectory:
    """Dense per-step scalars, keyframes, events and a drawn path of one run (see the module doc).

    Row ``k`` describes the state after step ``k`` *and* the events made at step ``k`` (so a hand
    edit at step 40 amends row 40). Step 0 is the starting point.
    """

    def __init__(self, parameter_count: int, keyframe_interval: int = DEFAULT_KEYFRAME_INTERVAL,
                 keyframe_budget: int = KEYFRAME_BUDGET, path_budget: int = PATH_BUDGET):
        if keyframe_interval < 1:
            raise ValueError(f"the keyframe interval must be >= 1, got {keyframe_interval}")
        self.parameter_count = int(parameter_count)
        self.keyframe_interval = int(keyframe_interval)
        self.keyframe_budget = int(keyframe_budget)
        capacity = int(min(MAX_PATH_RECORDS, max(MIN_PATH_RECORDS, path_budget // (8 * max(1, parameter_count)))))
        self.path = History(capacity)
        self._cost, self._test, self._rate, self._epoch, self._distance = (_Column() for _ in range(5))
        self._keyframes: dict[int, Keyframe] = {}
        self._keyframe_steps: list[int] = []
        self._keyframe_bytes = 0
        self._events: list[Event] = []
        self._event_steps: list[int] = []
        # the keyframe / event containers may be another trajectory's too (a copy of the whole)
        self._frames_shared = self._events_shared = False

    def _own_frames(self) -> None:
        """Copy the keyframe containers before changing them, if another trajectory shares them."""
        if self._frames_shared:
            self._keyframes, self._keyframe_steps = dict(self._keyframes), list(self._keyframe_steps)
            self._frames_shared = False

    def _own_events(self) -> None:
        if self._events_shared:
            self._events, self._event_steps = list(self._events), list(self._event_steps)
            self._events_shared = False

    # ------------------------------------------------------------------ writing (by the run)
    def record(self, step: int, cost: float, test_cost: float, learning_rate: float, epoch: float,
               theta: np.ndarray, path: bool = True, distance: float = 0.0) -> None:
        """Row ``step`` (the next one, or an amendment of the last one after an event); ``path``:
        also add the parameters to the drawn path. ``distance``: the length of the path the steps
        so far took through parameter space (hand edits are not travel)."""
        values = ((self._cost, cost), (self._test, test_cost), (self._rate, learning_rate),
                  (self._epoch, epoch), (self._distance, distance))
        if step == len(self) - 1:
            for column, value in values:
                column.amend(value)
        elif step == len(self):
            for column, value in values:
                column.append(value)
        else:
            raise ValueError(f"step {step} is not the next step ({len(self)}) of this trajectory")
        if path:
            self.path.append(step, cost, theta, test_cost)

    def wants_keyframe(self, step: int) -> bool:
        return step % self.keyframe_interval == 0 and step not in self._keyframes

    def add_keyframe(self, step: int, theta, rule_state: dict, cursor, settings: Settings) -> None:
        state = {key: _frozen(value) if isinstance(value, np.ndarray) else value
                 for key, value in rule_state.items()}
        frame = Keyframe(int(step), _frozen(theta), state, tuple(int(c) for c in cursor), settings)
        self._own_frames()
        if frame.step in self._keyframes:
            self._keyframe_bytes -= self._keyframes[frame.step].nbytes
        else:
            bisect.insort(self._keyframe_steps, frame.step)
        self._keyframes[frame.step] = frame
        self._keyframe_bytes += frame.nbytes
        while self._keyframe_bytes > self.keyframe_budget and len(self._keyframes) > 2:
            self._thin_keyframes()

    def _thin_keyframes(self) -> None:
        """Keep every other keyframe: the interval doubles, step 0 and the newest stay."""
        self.keyframe_interval *= 2
        newest = self._keyframe_steps[-1]
        keep = [s for s in self._keyframe_steps if s % self.keyframe_interval == 0 or s == newest or s == 0]
        for step in set(self._keyframe_steps) - set(keep):
            self._keyframe_bytes -= self._keyframes.pop(step).nbytes
        self._keyframe_steps = keep

    def add_event(self, step: int, kind: str, value) -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if self._event_steps and step < self._event_steps[-1]:
            raise ValueError("events are recorded in step order")
        if kind == "parameters":
            value = _frozen(value)
        self._own_events()
        self._events.append(Event(int(step), kind, value))
        self._event_steps.append(int(step))

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        """Rows recorded: the last step + 1."""
        return self._cost.n

    @property
    def last_step(self) -> int:
        return len(self) - 1

    def costs(self, stop: int | None = None) -> np.ndarray:
        """Train cost of steps 0 .. stop-1 (all by default); a read-only view, valid until the next write."""
        return self._readonly(self._cost.view(stop))

    def test_costs(self, stop: int | None = None) -> np.ndarray:
        return self._readonly(self._test.view(stop))

    def learning_rates(self, stop: int | None = None) -> np.ndarray:
        return self._readonly(self._rate.view(stop))

    def epochs(self, stop: int | None = None) -> np.ndarray:
        return self._readonly(self._epoch.view(stop))

    def distances(self, stop: int | None = None) -> np.ndarray:
        """Distance travelled through parameter space by steps 1 .. k (Σ‖θ_i − θ_{i−1}‖)."""
        return self._readonly(self._distance.view(stop))

    @staticmethod
    def _readonly(view: np.ndarray) -> np.ndarray:
        view = view.view()
        view.setflags(write=False)
        return view

    def row(self, step: int) -> dict:
        """The scalars of one step."""
        if not 0 <= step < len(self):
            raise IndexError(f"step {step} is outside 0..{len(self) - 1}")
        test = self._test.at(step)
        return {"step": step, "cost": self._cost.at(step),
                "test_cost": None if math.isnan(test) else test,
                "learning_rate": self._rate.at(step), "epoch": self._epoch.at(step),
                "distance": self._distance.at(step)}

    def keyframe_before(self, step: int) -> Keyframe:
        """The newest keyframe at or before ``step``."""
        index = bisect.bisect_right(self._keyframe_steps, step) - 1
        if index < 0:
            raise IndexError(f"no keyframe at or before step {step}")
        return self._keyframes[self._keyframe_steps[index]]

    @property
    def keyframes(self) -> list[Keyframe]:
        return [self._keyframes[s] for s in self._keyframe_steps]

    def events_between(self, first: int, last: int) -> list[Event]:
        """Events with first <= step <= last, in the order they were made."""
        lo = bisect.bisect_left(self._event_steps, first)
        hi = bisect.bisect_right(self._event_steps, last)
        return self._events[lo:hi]

    @property
    def events(self) -> list[Event]:
        return list(self._events)

    def decimated(self, max_points: int = 2000, stop: int | None = None):
        """(steps, costs, test_costs) of steps 0 .. stop-1 with at most ``max_points`` rows, for
        drawing: a uniform stride that always keeps the first and the last step (copies)."""
        n = len(self) if stop is None else min(stop, len(self))
        if n <= max_points:
            steps = np.arange(n)
        else:
            stride = math.ceil(n / (max_points - 1))
            steps = np.arange(0, n, stride)
            if steps[-1] != n - 1:
                steps = np.append(steps, n - 1)
        return steps, self._cost.take(steps), self._test.take(steps)

    def path_until(self, step: int, columns) -> tuple[np.ndarray, np.ndarray]:
        """(steps, parameters[:, columns]) of the drawn path's records up to ``step`` (copies)."""
        return self.path.columns(columns, until=step)

    @property
    def nbytes(self) -> int:
        """Bytes held: keyframes, events' vectors, the drawn path and the dense columns."""
        path = self.path.capacity * (8 * self.parameter_count + 32)
        columns = sum(c.nbytes for c in (self._cost, self._test, self._rate, self._epoch, self._distance))
        events = sum(e.value.nbytes for e in self._events if isinstance(e.value, np.ndarray))
        return self._keyframe_bytes + path + columns + events

    # ------------------------------------------------------------------ session files
    def export(self) -> dict:
        """Everything the trajectory holds (dense columns, keyframes, events, drawn path), as plain
        values sharing the stored immutable arrays: a session file writes it whole."""
        n = len(self)
        return {"keyframe_interval": self.keyframe_interval, "keyframe_budget": self.keyframe_budget,
                "parameter_count": self.parameter_count,
                "columns": {name: column.view(n).copy() for name, column in self._named_columns()},
                "keyframes": self.keyframes, "events": list(self._events), "path": self.path.export()}

    def _named_columns(self):
        return (("cost", self._cost), ("test_cost", self._test), ("learning_rate", self._rate),
                ("epoch", self._epoch), ("distance", self._distance))

    @classmethod
    def restore(cls, exported: dict) -> "Trajectory":
        """The trajectory ``export`` described (its caller validated every value)."""
        trajectory = cls(exported["parameter_count"], exported["keyframe_interval"], exported["keyframe_budget"])
        trajectory.path = History.restore(exported["path"])
        (trajectory._cost, trajectory._test, trajectory._rate, trajectory._epoch, trajectory._distance) = (
            _Column.of(np.asarray(exported["columns"][name], dtype=np.float64).ravel())
            for name, _column in trajectory._named_columns())
        for frame in exported["keyframes"]:
            trajectory.add_keyframe(frame.step, frame.theta, frame.rule_state, frame.cursor, frame.settings)
        trajectory.keyframe_interval = exported["keyframe_interval"]   # adding may have thinned: as saved
        for event in exported["events"]:
            trajectory.add_event(event.step, event.kind, event.value)
        return trajectory

    # ------------------------------------------------------------------ branching
    def truncated(self, step: int) -> "Trajectory":
        """A new trajectory holding steps 0..step of this one (keyframes, events and the dense
        scalars' rows shared, being immutable or written once; the path copied), for a branch from
        ``step`` or an undo state."""
        if not 0 <= step < len(self):
            raise IndexError(f"step {step} is outside 0..{len(self) - 1}")
        clone = Trajectory.__new__(Trajectory)
        clone.parameter_count = self.parameter_count
        clone.keyframe_interval = self.keyframe_interval
        clone.keyframe_budget = self.keyframe_budget
        clone.path = self.path.until(step)
        clone._cost, clone._test, clone._rate, clone._epoch, clone._distance = (
            c.truncated(step + 1) for c in (self._cost, self._test, self._rate, self._epoch, self._distance))
        # the keyframe and event containers of a copy of the whole are shared until either changes
        if self._keyframe_steps and self._keyframe_steps[-1] > step:
            clone._keyframe_steps = [s for s in self._keyframe_steps if s <= step]
            clone._keyframes = {s: self._keyframes[s] for s in clone._keyframe_steps}
            clone._keyframe_bytes = sum(f.nbytes for f in clone._keyframes.values())
            clone._frames_shared = False
        else:
            clone._keyframe_steps, clone._keyframes = self._keyframe_steps, self._keyframes
            clone._keyframe_bytes = self._keyframe_bytes
            clone._frames_shared = self._frames_shared = True
        cut = bisect.bisect_right(self._event_steps, step)
        if cut < len(self._events):
            clone._events, clone._event_steps = self._events[:cut], self._event_steps[:cut]
            clone._events_shared = False
        else:
            clone._events, clone._event_steps = self._events, self._event_steps
            clone._events_shared = self._events_shared = True
        return clone

    def __repr__(self) -> str:
        return (f"<Trajectory {len(self)} steps, {len(self._keyframes)} keyframes every "
                f"{self.keyframe_interval}, {len(self._events)} events>")
