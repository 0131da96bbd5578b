"""Training in a worker process: the home side (core/run_transfer.py has the arithmetic of it).

Measured on the 2-16-16-16-1 network on the spiral data, a training thread in the window's process
stepped 114–192 times a second where the same run steps 2,400 times alone: the GUI thread, the
views' threads and the training thread queued for one interpreter lock, and the window stalled
while they did. So the training engine (app/engine.py) steps copies of the runs in a worker process
of their own (app/process_jobs.py's TRAINING lane) and adopts their steps here, between two frames,
under the engine's lock: the runs at home (which the timeline, undo, session files and snapshots
read) stay the one truth, with exactly the trajectory they would have had if stepped here.

A *spell* is one seeding of the worker followed by calls that each step for about a frame. Any
edit at home ends the spell (``invalidate``): the next call seeds again from the edited runs, and
steps the worker took meanwhile, from the state before the edit, are dropped, never shown. The data
travel once per worker process (by a token), not with every spell.
"""
from __future__ import annotations

import weakref
from typing import Callable

from core.run_transfer import AwayResult, Seed, adopt, away_copy, data_of

from . import job_functions, process_jobs


class DataTokens:
    """A token per training set (by identity: runs share their read-only data arrays), so the worker
    keeps data it was sent and a spell on the same data sends none."""

    KEPT = 8

    def __init__(self):
        self._known: list[tuple[weakref.ref, int]] = []
        self._next = 0

    def token(self, X) -> int:
        for ref, token in self._known:
            if ref() is X:
                return token
        self._next += 1
        self._known = [(ref, token) for ref, token in self._known if ref() is not None][-(self.KEPT - 1):]
        self._known.append((weakref.ref(X), self._next))
        return self._next


class TrainingProcess:
    """Seeds, calls and adopts for the training engine. ``runs_to_train()`` gives (the runs to step,
    whether they race in lockstep, whether to compute accuracies); ``stopped(run, message)`` is told
    of a run that stopped over there (a divergence) and returns the message that ends training, or
    None when the others go on (a race)."""

    def __init__(self, runs_to_train: Callable[[], tuple[list, bool, bool]],
                 stopped: Callable[[object, str], str | None], lane: str = process_jobs.TRAINING):
        self._runs_to_train = runs_to_train
        self._stopped = stopped
        self._lane = lane
        self._spell = 0
        self._runs: list = []
        self._seeded = False
        self._tokens = DataTokens()
        self._sent: set[int] = set()    # tokens whose data the worker process holds
        self._worker: int | None = None

    def invalidate(self) -> None:
        """The runs at home changed (an edit): the next call seeds a new spell (engine lock held)."""
        self._seeded = False

    def request(self) -> tuple[int, Seed | None]:
        """(spell, seed or None to continue) for the next call (engine lock held)."""
        if self._seeded:
            return self._spell, None
        runs, lockstep, accuracy = self._runs_to_train()
        self._spell += 1
        self._runs = list(runs)
        self._seeded = True
        if process_jobs.worker_pid(self._lane) != self._worker:
            self._sent.clear()          # a new worker process (or a replaced one) holds no data
        token = self._tokens.token(self._runs[0].X)
        data = None if token in self._sent else data_of(self._runs[0])
        return self._spell, Seed([away_copy(run) for run in self._runs], token, data, lockstep, accuracy)

    def call(self, spell: int, seed: Seed | None, seconds: float, budget: int | None) -> AwayResult:
        """Step in the worker process for about ``seconds`` (or ``budget`` steps); blocks on its pipe
        (engine thread, no lock held)."""
        result = process_jobs.run(self._lane, job_functions.train_away, spell, seed, seconds, budget)
        self._worker = process_jobs.worker_pid(self._lane)
        if seed is not None and seed.data is not None and result.needs is None:
            self._sent.add(seed.data_token)
        return result

    def adopt(self, result: AwayResult) -> tuple[int, str | None]:
        """Write the result into the runs at home: (steps taken, the message that ends training or
        None). A worker that lacked the spell or its data is seeded again (engine lock held)."""
        if result.needs is not None or result.spell != self._spell or not self._seeded:
            if result.needs == "data":
                self._sent.clear()
            self._seeded = False
            return 0, None
        steps = 0
        for run, delta in zip(self._runs, result.deltas):
            adopt(run, delta)
            steps = max(steps, delta.steps)
        message = None
        for index, reason in result.stopped:
            message = self._stopped(self._runs[index], reason) or message
        if result.stopped:
            self._seeded = False       # the next spell leaves the stopped runs home
        return steps, message
