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
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from core.run_transfer import AwayResult, Seed, adopt, away_copy

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
    None when the others go on (a race).

    A race's runs are split between two worker processes (``lanes``), each stepping its share in
    lockstep: a run's numbers do not depend on which runs share its pass (core.lockstep), and on two
    cores six runs then cost about three times one instead of six."""

    def __init__(self, runs_to_train: Callable[[], tuple[list, bool, bool]],
                 stopped: Callable[[object, str], str | None], lanes=process_jobs.TRAINING_LANES):
        self._runs_to_train = runs_to_train
        self._stopped = stopped
        self._lanes = tuple(lanes)
        self._spell = 0
        self._groups: list[tuple[str, list]] = []   # (lane, the runs at home it steps)
        self._seeded = False
        self._tokens = DataTokens()
        self._sent: dict[str, set[int]] = {lane: set() for lane in self._lanes}   # data each worker holds
        self._workers: dict[str, int | None] = {}
        self._pool: ThreadPoolExecutor | None = None     # calls to the other lanes of a race

    def warm_up(self) -> None:
        """Start every training lane's worker process in the background (a race uses two), so the
        first steps do not wait for one to start."""
        process_jobs.warm_up(self._lanes)

    def invalidate(self) -> None:
        """The runs at home changed (an edit): the next call seeds a new spell (engine lock held)."""
        self._seeded = False

    def request(self) -> list[tuple[str, int, Seed | None]]:
        """(lane, spell, seed or None to continue) per worker process for the next call (engine lock held)."""
        if self._seeded:
            return [(lane, self._spell, None) for lane, _runs in self._groups]
        runs, lockstep, accuracy = self._runs_to_train()
        runs = list(runs)
        self._spell += 1
        self._seeded = True
        shares = len(self._lanes) if lockstep else 1
        size = -(-len(runs) // shares)
        self._groups = [(lane, runs[k * size:(k + 1) * size]) for k, lane in enumerate(self._lanes[:shares])
                        if runs[k * size:(k + 1) * size]]
        token = self._tokens.token(runs[0].X)
        requests = []
        for lane, group in self._groups:
            if process_jobs.worker_pid(lane) != self._workers.get(lane):
                self._sent[lane].clear()     # a new worker process (or a replaced one) holds no data
            data = None if token in self._sent[lane] else group[0].data()
            requests.append((lane, self._spell, Seed([away_copy(run) for run in group], token, data,
                                                     lockstep, accuracy)))
        return requests

    def call(self, requests, seconds: float, budget: int | None) -> list[AwayResult]:
        """The steps of the worker processes, all at once: ``budget`` more, or (flat out) those taken
        since the last call, at least ``seconds``' worth; blocks on their pipes (engine thread, no lock
        held)."""
        if len(requests) == 1:
            return [self._call_one(*requests[0], seconds, budget)]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=len(self._lanes) - 1, thread_name_prefix="training lane")
        others = [self._pool.submit(self._call_one, *request, seconds, budget) for request in requests[1:]]
        first = self._call_one(*requests[0], seconds, budget)
        return [first, *(future.result() for future in others)]

    def _call_one(self, lane: str, spell: int, seed: Seed | None, seconds: float, budget) -> AwayResult:
        result = process_jobs.run(lane, job_functions.train_away, spell, seed, seconds, budget)
        self._workers[lane] = process_jobs.worker_pid(lane)
        if seed is not None and seed.data is not None and result.needs is None:
            self._sent[lane].add(seed.data_token)
        return result

    def adopt(self, results: list[AwayResult]) -> tuple[int, str | None]:
        """Write the results into the runs at home: (steps taken, the message that ends training or
        None). A worker that lacked the spell or its data is seeded again (engine lock held)."""
        if any(r.needs is not None for r in results):
            for (lane, _runs), result in zip(self._groups, results):
                if result.needs == "data":
                    self._sent[lane].clear()
            self._seeded = False
            return 0, None
        if not self._seeded or any(r.spell != self._spell for r in results) or len(results) != len(self._groups):
            return 0, None     # steps of an earlier spell (sent before an edit): dropped
        steps, message = 0, None
        for (_lane, runs), result in zip(self._groups, results):
            for run, delta in zip(runs, result.deltas):
                adopt(run, delta)
                steps = max(steps, delta.steps)
            for index, reason in result.stopped:
                message = self._stopped(runs[index], reason) or message
            if result.stopped:
                self._seeded = False       # the next spell leaves the stopped runs home
        return steps, message
