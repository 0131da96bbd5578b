"""Snapshots: one step of one run, frozen, with everything the views draw from it.

Views never read a network that training is changing. They draw a snapshot: the parameters of one
step, its cost and full-batch gradient, its accuracy, the descent path and cost curve up to it.
Every view of the window draws the same snapshot, so numbers on screen always belong together, and
a view's cache keys on ``snapshot.key`` = (problem revision, branch, step, edit count).

A snapshot is built off the GUI thread (by the training worker, or by a replay for a past step)
and never changes afterwards: its arrays are read-only and its network is a private copy that no
one steps or edits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .diagnosis import Diagnosis, diagnose
from .metrics import accuracy
from .network import Network
from .run import Run

__all__ = ["Snapshot", "take_snapshot"]

CURVE_POINTS = 2000


def _frozen(array) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state of ``branch`` at ``step`` (``live``: the newest step, training may go on)."""

    revision: int
    branch: int
    step: int
    version: int                 # counts hand edits and setting changes within the same step
    live: bool
    network: Network             # a private copy at this step: read it, never change it
    theta: np.ndarray
    gradient: np.ndarray         # dJ/dθ on the full training set, penalty included
    cost: float
    test_cost: float | None
    learning_rate: float
    epoch: float
    batch_size: int | None
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    train_accuracy: float | None
    test_accuracy: float | None
    axes: tuple[str, str] | None
    path_steps: np.ndarray       # the drawn path up to this step, over ``axes``
    path: np.ndarray             # (records, 2)
    curve_steps: np.ndarray      # the cost curve up to this step (decimated on long runs)
    curve_costs: np.ndarray
    curve_test_costs: np.ndarray
    names: tuple[str, ...] = field(default=())
    diagnosis: Diagnosis | None = None   # what is wrong at this step (core.diagnosis), in plain words

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.revision, self.branch, self.step, self.version)

    def value(self, name: str) -> float:
        return float(self.theta[self.names.index(name)])

    def gradient_of(self, name: str) -> float:
        return float(self.gradient[self.names.index(name)])

    def gradients(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The gradient as per-layer (dW, db), shaped like the network's weights and biases (views)."""
        dW, db, offset = [], [], 0
        for W, b in zip(self.network.weights, self.network.biases):
            dW.append(self.gradient[offset:offset + W.size].reshape(W.shape))
            offset += W.size
            db.append(self.gradient[offset:offset + b.size])
            offset += b.size
        return dW, db

    def __repr__(self) -> str:
        return f"<Snapshot rev {self.revision} branch {self.branch} step {self.step} J={self.cost:.6g}>"


def take_snapshot(run: Run, step: int | None = None, *, revision: int = 0, branch: int = 0, axes: tuple[str, str] | None = None, classify: bool = True,
                  curve_points: int = CURVE_POINTS) -> Snapshot:
    """A snapshot of ``run`` at ``step`` (default: its current step), replaying if it is past.

    ``classify``: compute accuracies (classification data). ``axes``: the two parameters whose
    path is included. Costs the full-batch gradient at that step (cached by the run when live).
    The key's ``version`` counts the changes recorded up to that step, so an edit (same step, new
    values or cost) gives a new key.
    """
    live = step is None or step == run.step_count
    source = run if live else run._replica_at(step)
    step = source.step_count
    cost, gradient = source.full_gradient()
    trajectory = run.trajectory
    row = trajectory.row(step)
    version = len(trajectory.events_between(0, step))
    net = source.net.copy()
    theta = _frozen(net.parameter_vector())
    names = tuple(net.parameter_names())
    train_acc = test_acc = None
    if classify:
        with np.errstate(all="ignore"):
            train_acc = accuracy(net.predict(run.X), run.y)
            if run.X_test is not None:
                test_acc = accuracy(net.predict(run.X_test), run.y_test)
    if axes is not None:
        columns = [names.index(a) for a in axes]
        path_steps, path = trajectory.path_until(step, columns)
        # the path ends exactly at the shown point, even where the stored path is thinned
        if not len(path_steps) or path_steps[-1] != step or not np.array_equal(path[-1], theta[columns]):
            path_steps = np.append(path_steps, step)
            path = np.vstack([path, theta[columns][None, :]])
    else:
        path_steps, path = np.empty(0, dtype=np.int64), np.empty((0, 2))
    curve_steps, curve_costs, curve_tests = trajectory.decimated(curve_points, stop=step + 1)
    test_cost = row["test_cost"]
    return Snapshot(
        revision=revision, branch=branch, step=step, version=version, live=live, network=net, theta=theta,
        gradient=_frozen(gradient), cost=float(cost) if math.isfinite(cost) else row["cost"],
        test_cost=test_cost, learning_rate=source.learning_rate, epoch=source.epoch,
        batch_size=source.batch_size, X=run.X, y=run.y, X_test=run.X_test, y_test=run.y_test,
        train_accuracy=train_acc, test_accuracy=test_acc, axes=tuple(axes) if axes else None,
        path_steps=path_steps, path=path, curve_steps=curve_steps, curve_costs=curve_costs,
        curve_test_costs=curve_tests, names=names,
        diagnosis=diagnose(net, run.X, curve_costs, gradient, source.learning_rate))
