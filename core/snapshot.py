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
from types import MappingProxyType

import numpy as np

from .diagnosis import Diagnosis, diagnose
from .metrics import accuracy
from .network import Network
from .run import Run
from .update_rules import UpdateRule

__all__ = ["Snapshot", "RunTrace", "take_snapshot", "trace_run"]

CURVE_POINTS = 2000
# Full parameter vectors of the path a snapshot carries when asked (``full_path``): enough for a
# plane through the path (its principal components, the projected path) at a bounded copy per frame.
PLANE_PATH_POINTS = 300


def _frozen(array) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


def _frozen_state(state: dict) -> MappingProxyType:
    """A read-only copy of an update rule's state (arrays copied and frozen, numbers as they are)."""
    return MappingProxyType({key: _frozen(value) if isinstance(value, np.ndarray) else value
                             for key, value in state.items()})


def _full_path(trajectory, step: int, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(steps, full parameter vectors) of the drawn path up to ``step``, at most PLANE_PATH_POINTS
    of them, ending exactly at ``theta`` (frozen)."""
    steps, thetas = trajectory.path.sampled(step, PLANE_PATH_POINTS)
    if not len(steps) or steps[-1] != step or not np.array_equal(thetas[-1], theta):
        steps = np.append(steps, step)
        thetas = np.vstack([thetas.reshape(-1, theta.size), theta[None, :]])
    steps.setflags(write=False)
    return steps, _frozen(thetas)


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
    label: str = ""                  # the run's name ("Run 1", "Adam η 0.01")
    distance: float = 0.0            # Σ‖θ_k − θ_{k−1}‖ travelled up to this step
    stopped: str | None = None       # why this run stopped (a race's diverged run), else None
    others: tuple = ()               # the timeline's other runs (RunTrace), as the plots draw them
    racing: bool = False             # the runs are a race from one start (drawn in colours)
    plane: Network | None = None     # the network whose held parameters the cost surface uses
                                     # (a race's common start); None: this snapshot's own
    previous_theta: np.ndarray | None = None   # the parameters one step earlier (None at step 0)
    diagnosis: Diagnosis | None = None   # what is wrong at this step (core.diagnosis), in plain words
    rule: UpdateRule | None = None   # the run's update rule (immutable, shared)
    rule_state: MappingProxyType | None = None   # its state at this step, read-only (velocities, moments, t)
    path_theta_steps: np.ndarray | None = None   # with ``full_path``: the path's records as full vectors,
    path_thetas: np.ndarray | None = None        # (records, P), at most PLANE_PATH_POINTS, ending at theta

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


@dataclass(frozen=True, eq=False)
class RunTrace:
    """Another run of the timeline as a snapshot's plots draw it: its path over the snapshot's
    axes and cost curve up to ``step``, with its cost, accuracy and distance travelled there."""

    branch: int
    label: str
    step: int
    cost: float
    accuracy: float | None
    distance: float
    stopped: str | None
    path: np.ndarray             # (records, 2) over the snapshot's axes
    curve_steps: np.ndarray
    curve_costs: np.ndarray
    thetas: np.ndarray | None = None   # with ``full_path``: the path as full parameter vectors


def trace_run(run: Run, branch: int, label: str, axes, step: int | None = None, *, classify: bool = True,
              stopped: str | None = None, curve_points: int = 600, full_path: bool = False) -> RunTrace:
    """The trace of ``run`` up to ``step`` (default and at most: its newest step). Accuracy only at
    the newest step (a past one would need a replay). ``full_path``: also the path's records as full
    parameter vectors (at most PLANE_PATH_POINTS), for planes through all the parameters."""
    newest = run.step_count
    step = newest if step is None else max(0, min(int(step), newest))
    trajectory = run.trajectory
    row = trajectory.row(step)
    names = run.net.parameter_names()
    if axes is not None:
        _steps, path = trajectory.path_until(step, [names.index(a) for a in axes])
    else:
        path = np.empty((0, 2))
    curve_steps, curve_costs, _tests = trajectory.decimated(curve_points, stop=step + 1)
    acc = None
    if classify and step == newest:
        acc = run.train_accuracy()
    thetas = None
    if full_path:
        thetas = _frozen(trajectory.path.sampled(step, PLANE_PATH_POINTS)[1])
    return RunTrace(branch, label, step, row["cost"], acc, row["distance"], stopped, path, curve_steps, curve_costs,
                    thetas)


def take_snapshot(run: Run, step: int | None = None, *, revision: int = 0, branch: int = 0, axes: tuple[str, str] | None = None, classify: bool = True,
                  curve_points: int = CURVE_POINTS, label: str = "", others: tuple = (), racing: bool = False,
                  plane_theta=None, stopped: str | None = None, full_path: bool = False) -> Snapshot:
    """A snapshot of ``run`` at ``step`` (default: its current step), replaying if it is past.

    ``classify``: compute accuracies (classification data). ``axes``: the two parameters whose
    path is included. ``full_path``: also the path as full parameter vectors (``path_thetas``), for a
    plane through all the parameters. The update rule's state is the run's (live) or its replay's. Costs the full-batch gradient at that step (cached by the run when live).
    The key's ``version`` counts the changes recorded up to that step, so an edit (same step, new
    values or cost) gives a new key.
    """
    live = step is None or step == run.step_count
    step = run.step_count if live else int(step)
    previous = _previous_theta(run, step, live)
    source = run if live else run._replica_at(step)
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
            train_acc = source.train_accuracy()
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
    theta_steps = thetas = None
    if full_path:
        theta_steps, thetas = _full_path(trajectory, step, theta)
    test_cost = row["test_cost"]
    return Snapshot(
        revision=revision, branch=branch, step=step, version=version, live=live, network=net, theta=theta,
        gradient=_frozen(gradient), cost=float(cost) if math.isfinite(cost) else row["cost"],
        test_cost=test_cost, learning_rate=source.current_rate, epoch=source.epoch,
        batch_size=source.batch_size, X=run.X, y=run.y, X_test=run.X_test, y_test=run.y_test,
        train_accuracy=train_acc, test_accuracy=test_acc, axes=tuple(axes) if axes else None,
        path_steps=path_steps, path=path, curve_steps=curve_steps, curve_costs=curve_costs,
        curve_test_costs=curve_tests, names=names, label=label, distance=row["distance"], stopped=stopped,
        others=tuple(others), racing=racing, plane=_plane(net, plane_theta),
        previous_theta=None if previous is None else _frozen(previous), rule=source.rule,
        rule_state=_frozen_state(source.rule_state), path_theta_steps=theta_steps, path_thetas=thetas,
        diagnosis=diagnose(net, run.X, curve_costs, gradient, source.learning_rate))


def _plane(net: Network, theta) -> Network | None:
    if theta is None:
        return None
    plane = net.copy()
    plane.set_parameter_vector(theta)
    return plane


def _previous_theta(run: Run, step: int, live: bool) -> np.ndarray | None:
    """The parameters after step ``step - 1``: from the drawn path, which keeps the newest steps
    densely; for a past step whose record was thinned away, by replay (which, being just before
    the replay to ``step``, costs one step more). None at step 0, or live and not recorded."""
    if step == 0:
        return None
    previous = run.trajectory.path.parameters_at(step - 1)
    if previous is None and not live:
        previous = run._replica_at(step - 1).net.parameter_vector()
    return previous
