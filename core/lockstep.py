"""Several runs stepped in lockstep, their checks computed in one pass: what makes a race cheap.

A race steps six runs of one network shape on one dataset. Stepped one after the other, each run's
full-batch pass is a few dozen small numpy calls, and in the studio every call that releases the
interpreter lock may wait for the GUI thread and the views' workers to hand it back: six runs paid
six times that. In lockstep, each step of every run is split as ``Run`` splits it (stage, check,
settle) and the checks of all full-batch runs that share a shape, a cost and the data are one
``StepWorkspace.gradients`` pass, with the lane as the leading axis of every array.

Exactness: lane r of that pass is bit for bit the one-lane pass a run makes alone (see
core.fast_step), so a run stepped here has the trajectory it would have had alone, and its replay
from keyframes (one lane) rebuilds it exactly. Divergence too is decided as alone: a floating-point
error raised anywhere in the shared pass does not say which run caused it, so then each run of that
pass is checked alone (the same numbers, and its own verdict).
"""
from __future__ import annotations

import hashlib
import math

import numpy as np

from .fast_step import StepWorkspace
from .run import Run, TrainingDiverged

__all__ = ["Lockstep"]

_DATA_KEYS_KEPT = 64


class Lockstep:
    """Steps lists of runs together; keeps one shared workspace per group of runs that can share a
    pass (same layers, activations, cost, regularization and data), for as long as the group lasts."""

    def __init__(self):
        self._workspaces: dict[tuple, StepWorkspace] = {}
        self._data_keys: dict[int, tuple] = {}

    def step(self, runs: list[Run], count: int = 1) -> list[tuple[int, TrainingDiverged]]:
        """``count`` steps of each of ``runs`` (each run as ``Run.step`` would take them, stopping a
        run at its first divergence); returns (index in ``runs``, exception) of the runs that stopped."""
        failures: list[tuple[int, TrainingDiverged]] = []
        if count <= 0 or not runs:
            return failures
        for run in runs:
            run._sync()
        going = list(range(len(runs)))
        for _ in range(count):
            if not going:
                break
            stopped = self._step_once(runs, going)
            failures.extend(stopped)
            if stopped:
                gone = {index for index, _ in stopped}
                going = [index for index in going if index not in gone]
        for run in runs:
            run._steps_taken()
        return failures

    def _step_once(self, runs, going) -> list[tuple[int, TrainingDiverged]]:
        failures = []
        staged = {}
        for index in going:
            try:
                staged[index] = runs[index]._stage_step()
            except TrainingDiverged as exc:
                failures.append((index, exc))
        checks = self._checks(runs, staged)
        for index, step in staged.items():
            run = runs[index]
            try:
                cost = run._settle_step(step, *checks[index])
            except TrainingDiverged as exc:
                failures.append((index, exc))
                continue
            run._recorded_step(cost)
        failures.sort(key=lambda failure: failure[0])
        return failures

    def _checks(self, runs, staged) -> dict[int, tuple]:
        """(cost, gradient, finite[, output logits]) at each staged run's proposed parameters, as
        ``Run._check_alone`` gives them: shared passes where runs can share one, each run's own
        pass otherwise."""
        groups: dict[tuple, list[int]] = {}
        checks = {}
        for index in staged:
            run = runs[index]
            if run.can_check_in_lanes:
                groups.setdefault(self._group_key(run), []).append(index)
            else:
                checks[index] = run._check_alone()
        for key, members in groups.items():
            if len(members) == 1:
                checks[members[0]] = runs[members[0]]._check_alone()
                continue
            workspace = self._workspace(key, runs[members[0]])
            thetas = np.stack([staged[index][1] for index in members])
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    costs, gradients = workspace.gradients(thetas)
                    for lane, index in enumerate(members):
                        cost, gradient = float(costs[lane]), gradients[lane]
                        finite = math.isfinite(cost) and bool(np.all(np.isfinite(gradient)))
                        checks[index] = (cost, gradient, finite, workspace.outputs(lane))
            except FloatingPointError:
                for index in members:   # which run overflowed? each alone: the same numbers, its own verdict
                    checks[index] = runs[index]._check_alone()
        unused = set(self._workspaces) - set(groups)
        for key in unused:   # a group that ended (a run diverged, a cost changed) frees its buffers
            del self._workspaces[key]
        return checks

    def _group_key(self, run: Run) -> tuple:
        net = run.net
        return (net.sizes, net.activations, str(net.loss), net.regularization, float(net.regularization_rate),
                self._data_key(run))

    def _data_key(self, run: Run) -> tuple:
        """A key equal for equal training data (a run's data arrays are read-only, so by identity
        once their content has been digested)."""
        known = self._data_keys.get(id(run.X))
        if known is not None and known[0] is run.X and known[1] is run.y:
            return known[2]
        digest = hashlib.blake2b(digest_size=16)
        for array in (run.X, run.y):
            digest.update(repr((array.shape, array.dtype.str)).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        key = (run.X.shape, run.y.shape, digest.hexdigest())
        if len(self._data_keys) >= _DATA_KEYS_KEPT:
            self._data_keys.clear()
        self._data_keys[id(run.X)] = (run.X, run.y, key)
        return key

    def _workspace(self, key: tuple, run: Run) -> StepWorkspace:
        workspace = self._workspaces.get(key)
        if workspace is None:
            # its own network: the structure, cost and regularization the pass reads (never the
            # parameters, which come from the runs)
            workspace = StepWorkspace(run.net.copy(), run.X, run.y)
            self._workspaces[key] = workspace
        return workspace
