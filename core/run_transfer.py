"""Training a run somewhere else — in the studio, a worker process — and bringing its steps home exactly.

Why: a training step is a few dozen numpy calls and as much Python around them. Stepped on a thread
of the window's process, every one of those calls competes with the GUI thread for the interpreter
lock: measured on a 2-16-16-16-1 network, a run that steps 2,400 times a second alone stepped 114
to 192 times a second beside the window, and the window stalled while it did. In another process
the run has a core of its own and the window keeps its interpreter.

The run at home (the one the timeline, undo, session files and snapshots read) stays the only
truth. ``away_copy`` makes a copy to step elsewhere: the run's state without its trajectory or its
data (data travel once, by ``Run.data``, and are attached again by ``Run.attach_data``); in place of the
trajectory a ``StepLog`` notes what the steps would have written into it. ``delta_of`` packs the
steps taken since the last delta with the facts a snapshot needs at the newest step (the full-batch
cost and gradient, the training accuracy), so the window never makes a pass over the data for
them; ``adopt`` writes them into the run at home: the same rows, drawn path and keyframes, in the
same order, as if the run had taken the steps itself — so replay and everything else stay exact.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from .run import Run, TrainingDiverged
from .update_rules import copy_state

__all__ = ["StepLog", "RunDelta", "Seed", "AwayResult", "AwayTrainer", "away_copy", "delta_of", "adopt"]


class StepLog:
    """What a run away from home writes into its trajectory while it steps: one row per step (with
    the parameters, for the drawn path) and its keyframes. Keyframes are offered at the home
    trajectory's interval when the copy was made; home takes those its own interval still wants
    (an interval only ever doubles, so it never wants one that was not offered)."""

    def __init__(self, keyframe_interval: int):
        self.keyframe_interval = int(keyframe_interval)
        self.rows: list[tuple] = []
        self.keyframes: list[tuple] = []

    def record(self, step: int, cost: float, test_cost: float, learning_rate: float, epoch: float,
               theta: np.ndarray, path: bool = True, distance: float = 0.0) -> None:
        self.rows.append((int(step), float(cost), float(test_cost), float(learning_rate), float(epoch),
                          float(distance), np.array(theta, dtype=np.float64) if path else None))

    def wants_keyframe(self, step: int) -> bool:
        return step % self.keyframe_interval == 0

    def add_keyframe(self, step: int, theta, rule_state: dict, cursor, settings) -> None:
        self.keyframes.append((int(step), np.array(theta, dtype=np.float64), copy_state(rule_state),
                               tuple(int(c) for c in cursor), settings))

    def add_event(self, step: int, kind: str, value) -> None:
        raise RuntimeError("a run stepping away from home takes no edits: edit the run at home")

    def take(self) -> tuple[list, list]:
        """The rows and keyframes logged since the last take."""
        rows, keyframes, self.rows, self.keyframes = self.rows, self.keyframes, [], []
        return rows, keyframes


@dataclass(frozen=True)
class RunDelta:
    """The steps a run took away from home since the last delta, and where they left it."""

    rows: list                   # StepLog rows, in step order
    keyframes: list              # StepLog keyframes
    theta: np.ndarray            # the parameters after the last step
    rule_state: dict
    cursor: tuple[int, int, int]
    step_count: int
    distance: float
    gradient: tuple | None       # (cost, read-only gradient) on the full training set at theta
    train_accuracy: float | None

    @property
    def steps(self) -> int:
        return len(self.rows)


def away_copy(run: Run) -> Run:
    """A copy of ``run`` to step elsewhere: its current state (network, rule state, cursor, settings,
    step count) with a ``StepLog`` for a trajectory and no data (``Run.attach_data`` attaches them; they
    are sent once, not with every copy). Pickles small."""
    return run.without_data(StepLog(run.trajectory.keyframe_interval))


def delta_of(away: Run, accuracy: bool) -> RunDelta:
    """The steps ``away`` took since the last delta, with the full-batch cost and gradient at its
    parameters (and its training accuracy, ``accuracy``) computed here, away from home."""
    rows, keyframes = away.trajectory.take()
    with np.errstate(all="ignore"):
        gradient = away.full_gradient()
        train_accuracy = away.train_accuracy() if accuracy else None
    return RunDelta(rows, keyframes, away.net.parameter_vector(), copy_state(away.rule_state), away.cursor,
                    away.step_count, away.distance, gradient, train_accuracy)


def adopt(run: Run, delta: RunDelta) -> None:
    """Write ``delta`` into ``run`` at home, as if ``run`` had taken those steps itself: the
    trajectory's rows, drawn path and wanted keyframes in the order the run writes them, then the
    state after the last step. ``run`` must stand where the away copy started (not edited since)."""
    if delta.rows and delta.rows[0][0] != run.step_count + 1:
        raise ValueError(f"these steps continue step {delta.rows[0][0] - 1}, not this run's step {run.step_count}")
    trajectory = run.trajectory
    frames = {frame[0]: frame for frame in delta.keyframes}
    for step, cost, test_cost, rate, epoch, distance, theta in delta.rows:
        trajectory.record(step, cost, test_cost, rate, epoch, theta, path=theta is not None, distance=distance)
        frame = frames.get(step)
        if frame is not None and trajectory.wants_keyframe(step):
            trajectory.add_keyframe(*frame)
    run.stand_at(delta.theta, delta.rule_state, delta.cursor, delta.step_count, delta.distance, delta.gradient,
                 delta.train_accuracy)


# ---------------------------------------------------------------------------------------- the far side

@dataclass(frozen=True)
class Seed:
    """Runs to step away from home, from ``away_copy``: their data travel under ``data_token`` and
    only when the far side may not have them yet (``data`` None otherwise)."""

    runs: list
    data_token: int
    data: tuple | None
    lockstep: bool           # a race: step every run each step, their passes shared (core.lockstep)
    accuracy: bool           # classification: each delta carries the training accuracy


@dataclass(frozen=True)
class AwayResult:
    """One call's steps: a delta per run of the spell, and the runs that stopped (index, message).
    ``needs``: "seed" or "data" when the far side could not step (it was started afresh)."""

    spell: int
    deltas: list
    stopped: list
    needs: str | None = None


class AwayTrainer:
    """The far side: keeps the runs of the current *spell* (one seeding, then continued call after
    call) and the data they train on, and steps them.

    With a ``budget`` (the learner's speed) a call takes that many steps and returns (every process
    of a race the same number: their runs stand at one step after each call). Without one
    (as fast as it goes) a thread steps the runs between calls, up to ``LEAD_SECONDS`` after the
    last call, and a call takes what it stepped (waiting for at least ``seconds`` of steps if it has
    less): the caller asks once a frame, when the window can show the steps, and needs not wait for
    them. (Stepping only inside calls, measured beside a busy window, a 16 ms call came back every
    27 ms and the runs stood still in between; with a call that waited for a frame's steps, the
    window got a snapshot every 36 ms.) Steps taken ahead and never asked for (the learner paused or
    edited) are dropped with the spell; a paused spell stops stepping after ``LEAD_SECONDS``."""

    DATA_KEPT = 4
    LEAD_SECONDS = 0.1

    def __init__(self):
        self._data: dict[int, tuple] = {}
        self._spell: int | None = None
        self._runs: list[Run] = []
        self._going: list[int] = []
        self._stopped: list[tuple[int, str]] = []
        self._seed: Seed | None = None
        self._lockstep = None
        self._lock = threading.Condition()   # held for each step and while a call takes the steps
        self._thread: threading.Thread | None = None
        self._ahead_until = 0.0              # the stepping thread steps until this perf_counter time
        self._stepped_since = 0.0            # seconds of stepping since the last call took the steps

    def train(self, spell: int, seed: Seed | None, seconds: float, budget: int | None) -> AwayResult:
        """The spell's steps: ``budget`` more, or, with no budget, whatever was stepped since the
        last call, at least ``seconds``' worth; a new ``seed`` starts spell ``spell`` first. Each run
        stops at its first divergence."""
        if seed is not None:
            self._stop_thread()
            if seed.data is not None:
                self._data[seed.data_token] = seed.data
                while len(self._data) > self.DATA_KEPT:
                    self._data.pop(next(iter(self._data)))
            data = self._data.get(seed.data_token)
            if data is None:
                return AwayResult(spell, [], [], needs="data")
            self._spell, self._seed = spell, seed
            self._runs = [run.attach_data(data) for run in seed.runs]
            self._going = list(range(len(self._runs)))
            self._stopped = []
        elif spell != self._spell:
            return AwayResult(spell, [], [], needs="seed")
        clock = time.perf_counter
        if budget is not None:     # exactly ``budget`` steps: a race's two processes stay in step
            self._stop_thread()
            for _ in range(budget):
                if not self._going:
                    break
                self._step_once()
        else:
            with self._lock:
                started = clock()
                self._ahead_until = started + self.LEAD_SECONDS
                if self._thread is None and self._going:
                    self._thread = threading.Thread(target=self._step_ahead, name="stepping", daemon=True)
                    self._thread.start()
                self._lock.notify_all()
                self._lock.wait_for(lambda: not self._going or self._stepped_since >= seconds
                                    or clock() - started >= seconds)
        with self._lock:
            stopped, self._stopped = self._stopped, []
            self._stepped_since = 0.0
            deltas = [delta_of(run, self._seed.accuracy) for run in self._runs]
        return AwayResult(spell, deltas, stopped)

    def _step_ahead(self) -> None:
        clock = time.perf_counter
        while True:
            with self._lock:
                if self._thread is not threading.current_thread() or not self._going:
                    return
                if clock() >= self._ahead_until:
                    self._lock.wait()      # far enough ahead: until the next call
                    continue
                began = clock()
                self._step_once()
                self._stepped_since += clock() - began
                self._lock.notify_all()
            time.sleep(0)   # a call waiting for the lock gets it between two steps

    @property
    def stepping(self) -> bool:
        """True while the stepping thread is stepping (not waiting for a call, nor stopped)."""
        with self._lock:
            return self._thread is not None and bool(self._going) and time.perf_counter() < self._ahead_until

    def _stop_thread(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._lock.notify_all()
        if thread is not None:
            thread.join()

    def _step_once(self) -> None:
        """One step of every run still going; a run that diverges stops (noted in ``_stopped``)."""
        if self._seed.lockstep:
            if self._lockstep is None:
                from .lockstep import Lockstep
                self._lockstep = Lockstep()
            going = self._going
            failures = [(going[k], str(exc)) for k, exc in self._lockstep.step([self._runs[i] for i in going])]
        else:
            failures = []
            for index in self._going:
                try:
                    self._runs[index].step(1)
                except TrainingDiverged as exc:
                    failures.append((index, str(exc)))
        if failures:
            gone = {index for index, _ in failures}
            self._going = [index for index in self._going if index not in gone]
            self._stopped.extend(failures)
