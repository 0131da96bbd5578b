"""A training run: one network, its data, an update rule and its state, the mini-batch cursor, the
divergence guard and a trajectory that can rebuild any of its steps exactly.

The studio shows a run while it trains, rewinds it, and branches from its past; a notebook steps it
with ``step(n)``. All of this rests on one property: **a step is a pure function of the recorded
state** (parameters, rule state, batch cursor, settings). So the trajectory keeps keyframes of that
state every few steps plus every change made between steps (an *event*), and ``theta_at(k)``
replays from the nearest keyframe with this very class's step code: the parameters it returns are
bit for bit those the run had at step k.

Divergence is caught *before* it damages anything (a learner will try a learning rate of a
million): each step is computed on the side and checked (finite cost, gradient and parameters, no
floating-point overflow, every |parameter| <= PARAMETER_LIMIT); a failed check raises
``TrainingDiverged`` with the network, the rule state and the cursor exactly as before the step.

Batches: ``batch_size`` None (or >= N) is full-batch gradient descent; 1 is one sample per step;
k takes k samples per step (the last batch of a pass may be smaller). Each pass visits every sample
once, in an order drawn from ``(shuffle_seed, pass number)`` alone. Whatever the batch, the
trajectory records the cost on the FULL training set after each step, so curves of different batch
sizes compare -- with one bound: a mini-batch step on more than ``COST_SAMPLE_ROWS`` rows records
(and checks for divergence) the cost on a fixed sample of ``COST_SAMPLE_ROWS`` rows spread evenly
through the training set (the test cost likewise), so a step costs in proportion to its batch, not
to N (on 1,000,000 rows the full cost made mini-batch training crawl at 4 steps/s). The sample
depends on N alone, so the curve is smooth and replay is unaffected; ``Run.cost`` and
``full_gradient`` stay exact, and a full-batch step pays for the full cost anyway.

Threads: a run is not thread-safe; the app steps it on one worker thread at a time, under a lock.
"""
from __future__ import annotations

import math
import numpy as np

from .fast_step import StepWorkspace
from .metrics import accuracy
from .naming import to_unicode
from .network import Network, prepare_data
from .trajectory import Settings, Trajectory
from .schedules import Constant, make_schedule
from .update_rules import UpdateRule, copy_state, make_rule

__all__ = ["PARAMETER_LIMIT", "COST_SAMPLE_ROWS", "TrainingDiverged", "Run", "format_number"]

# Beyond |1000| a sigmoid unit is a hard step for any input away from 0 (sigmoid(1000 * 0.05) is
# 1 - 2e-22): gradients vanish, the lesson's surface (a few units wide) is meaningless out there,
# and a parameter that got that far was thrown by a too-large step, not learned. Stopping here
# also keeps far away from float overflow in z = a W + b.
PARAMETER_LIMIT = 1e3
# A mini-batch step records the cost on at most this many training (and test) rows: see above.
COST_SAMPLE_ROWS = 2_048   # above the built-in sets (at most 2,000 points): their curves stay exact


class TrainingDiverged(ArithmeticError):
    """A gradient step would have made training blow up; the network was left as it was.

    ``parameter`` names the parameter that escaped (None when the cost itself overflowed), ``value``
    the value it would have taken, ``learning_rate`` the rate used.
    """

    def __init__(self, message: str, learning_rate: float, parameter: str | None = None,
                 value: float | None = None):
        super().__init__(message)
        self.learning_rate = learning_rate
        self.parameter = parameter
        self.value = value


def format_number(value: float) -> str:
    """Short human form for messages: 1e6 -> "1e6", 32000 -> "3.2e4", 0.05 -> "0.05", nan -> "NaN"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:.3g}"


def _check_schedule(schedule):
    """None is the constant rate; a name is looked up; anything else must have ``rate(base, step)``."""
    if schedule is None:
        return Constant()
    if isinstance(schedule, str):
        return make_schedule(schedule)
    if not callable(getattr(schedule, "rate", None)):
        raise ValueError(f"a schedule needs a rate(base, step) method, got {schedule!r}")
    return schedule


def check_rate(learning_rate) -> float:
    rate = float(learning_rate)
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"the learning rate must be a finite number >= 0, got {learning_rate!r}")
    return rate


def check_batch_size(value) -> int | None:
    if value is None:
        return None
    size = int(value) if not isinstance(value, bool) else 0
    if size != value or size < 1:
        raise ValueError(f"the batch size must be None (full batch) or an integer >= 1, got {value!r}")
    return size


def parameter_mask(net: Network, only) -> np.ndarray | None:
    """Boolean mask over parameter_names for ``only`` (None: every parameter trains)."""
    if only is None:
        return None
    names = net.parameter_names()
    mask = np.zeros(len(names), dtype=bool)
    for name in only:
        net.locate(name)  # a clear ValueError for unknown names
        mask[names.index(name)] = True
    return mask


def _diverged(rate: float, what: str) -> str:
    return (f"The step with learning rate {format_number(rate)} {what}: training diverged. "
            "Lower the learning rate or reset.")


def _readonly(*arrays) -> tuple:
    """Private read-only copies: replicas, snapshots and views share a run's data safely."""
    out = []
    for array in arrays:
        array = np.array(array, dtype=np.float64, copy=True)
        array.setflags(write=False)
        out.append(array)
    return tuple(out)


def _net_settings(net: Network) -> tuple:
    return (str(net.loss), net.regularization, float(net.regularization_rate))


class Run:
    """Checked steps of one update rule on one network and dataset, recorded in a ``Trajectory``.

    ``copy=True`` (the default) trains a private copy of ``net``; ``copy=False`` trains ``net``
    itself (``core.GradientDescent``, for notebooks that keep a reference to their network).
    Parameters, learning rate, batch size, trained subset (``only``), cost and regularization may
    be changed between steps through the run's setters; a change made directly on ``net`` is
    noticed at the next ``step``/``record`` and recorded too, so replay stays exact. A change of the
    network's layers needs a new run.
    """

    def __init__(self, net: Network, X, y, learning_rate: float, *, rule: UpdateRule | str = "sgd",
                 schedule=None, only=None, batch_size: int | None = None, shuffle_seed: int = 0, X_test=None, y_test=None,
                 copy: bool = True, keyframe_interval: int | None = None, path_capacity: int | None = None):
        self.net = net.copy() if copy else net
        self.X, self.y = _readonly(*prepare_data(self.net, X, y))
        if (X_test is None) != (y_test is None):
            raise ValueError("give both X_test and y_test, or neither")
        self.X_test, self.y_test = (None, None) if X_test is None else \
            _readonly(*prepare_data(self.net, X_test, y_test))
        if self.X_test is not None and len(self.X_test) == 0:
            raise ValueError("the test set is empty")
        seed = int(shuffle_seed)
        if seed != shuffle_seed or seed < 0:
            raise ValueError(f"shuffle_seed must be an integer >= 0, got {shuffle_seed!r}")
        self.shuffle_seed = seed
        self.rule = make_rule(rule) if isinstance(rule, str) else rule
        self._rate = check_rate(learning_rate)
        self._schedule = _check_schedule(schedule)
        self._batch_size = check_batch_size(batch_size)
        self._mask = parameter_mask(self.net, only)
        self._only = None if only is None else tuple(only)
        self.rule_state = self.rule.init(self.net.parameter_vector())
        self._seen = 0          # samples used by all steps so far: epoch = seen / N
        self._pass = 0          # which shuffled order the mini-batches are drawn from
        self._position = 0      # how far into that order
        self._order = None      # the order itself, drawn when first needed
        self._workspace: StepWorkspace | None = None
        self._gradient = None   # (cost, gradient) at the current parameters on the full training set
        self._outputs = None    # (that _gradient, the output logits of its pass): see train_accuracy
        self._accuracy = None   # (that _gradient, the accuracy) when computed elsewhere: see train_accuracy
        self._structure = (self.net.sizes, self.net.activations)
        self.step_count = 0
        self.distance = 0.0     # Σ‖θ_k − θ_{k−1}‖ over the steps so far (hand edits excluded)
        self._replay: Run | None = None   # the last replica built by _replica_at (scrubbing is sequential)
        options = {} if keyframe_interval is None else {"keyframe_interval": keyframe_interval}
        self.trajectory: Trajectory | None = Trajectory(self.net.parameter_count, **options)
        if path_capacity is not None:
            from .history import History
            self.trajectory.path = History(path_capacity)
        self._known = (self.net.parameter_vector(), _net_settings(self.net))
        self._record_row(path=True)
        self._keyframe()

    # ------------------------------------------------------------------ settings
    @property
    def learning_rate(self) -> float:
        return self._rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        rate = check_rate(value)
        if rate != self._rate:
            self._change("learning_rate", rate)

    @property
    def schedule(self):
        """The learning-rate schedule: the step from k uses ``schedule.rate(learning_rate, k)``."""
        return self._schedule

    @schedule.setter
    def schedule(self, value) -> None:
        value = _check_schedule(value)
        if value != self._schedule:
            self._change("schedule", value)

    @property
    def current_rate(self) -> float:
        """The rate the next step uses: the base learning rate through the schedule."""
        return self._schedule.rate(self._rate, self.step_count)

    @property
    def only(self):
        return None if self._only is None else list(self._only)

    @only.setter
    def only(self, names) -> None:
        parameter_mask(self.net, names)  # validate first: a refused change changes nothing
        names = None if names is None else tuple(names)
        if names != self._only:
            self._change("only", names)

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value) -> None:
        """None for full batch, else an integer >= 1; a change takes effect at the next step and
        continues the current shuffled pass where it was."""
        value = check_batch_size(value)
        if value != self._batch_size:
            self._change("batch_size", value)

    def set_loss(self, name: str) -> None:
        """Train on another cost from the next step on (the network's ``loss``)."""
        if name != self.net.loss:
            probe = self.net.copy()
            probe.loss = name  # a clear ValueError for an unknown cost
            self._change("loss", name)

    def set_regularization(self, kind: str | None, rate: float) -> None:
        if (kind, float(rate)) != (self.net.regularization, self.net.regularization_rate):
            probe = self.net.copy()
            probe.regularization, probe.regularization_rate = kind, rate  # validates
            self._change("regularization", (kind, float(rate)))

    def set_parameters(self, vector) -> None:
        """Hand edit: every parameter at once (``parameter_names`` order)."""
        vector = np.asarray(vector, dtype=np.float64).ravel()
        probe = self.net.copy()
        probe.set_parameter_vector(vector)  # validates the size
        if not np.all(np.isfinite(vector)):
            raise ValueError("every parameter must be a finite number")
        if not np.array_equal(vector, self.net.parameter_vector()):
            self._change("parameters", vector)

    def set_parameter(self, name: str, value: float) -> None:
        """Hand edit of one parameter."""
        self.net.locate(name)  # a clear ValueError for unknown names
        vector = self.net.parameter_vector()
        vector[self.net.parameter_names().index(name)] = float(value)
        self.set_parameters(vector)

    @property
    def settings(self) -> Settings:
        net = self.net
        return Settings(self._rate, self._batch_size, self._only, str(net.loss), net.regularization,
                        float(net.regularization_rate), self._schedule)

    def _change(self, kind: str, value) -> None:
        """Apply a change between steps and record it as an event at the current step."""
        self._sync()
        self._apply(kind, value)
        self.trajectory.add_event(self.step_count, kind, value)
        self._replay = None  # a replica standing at this step has not seen the change
        self._known = (self.net.parameter_vector(), _net_settings(self.net))
        self._record_row(path=kind in ("parameters", "loss", "regularization"))

    def _apply(self, kind: str, value) -> None:
        """Set one thing (the meaning of an event; used live and in replay alike)."""
        net = self.net
        if kind == "parameters":
            net.set_parameter_vector(value)
        elif kind == "learning_rate":
            self._rate = value
        elif kind == "batch_size":
            self._batch_size = value
        elif kind == "schedule":
            self._schedule = value
        elif kind == "only":
            self._mask = parameter_mask(net, value)
            self._only = value
        elif kind == "loss":
            net.loss = value
        elif kind == "regularization":
            net.regularization, net.regularization_rate = value
        else:
            raise ValueError(f"unknown change {kind!r}")
        if kind in ("parameters", "loss", "regularization"):
            self._gradient = None

    def _sync(self) -> None:
        """Record changes made directly on the network since the run last touched it (a notebook's
        ``net.set(...)``), so replay sees them too."""
        if self.trajectory is None:
            return
        net = self.net
        if (net.sizes, net.activations) != self._structure:
            raise ValueError(f"the network's layers changed since this run began ({list(self._structure[0])} "
                             f"-> {list(net.sizes)}): start a new run")
        theta, settings = self._known
        now_theta, now_settings = net.parameter_vector(), _net_settings(net)
        changed = False
        if now_settings != settings:
            loss, kind, rate = now_settings
            if loss != settings[0]:
                self.trajectory.add_event(self.step_count, "loss", loss)
            if (kind, rate) != settings[1:]:
                self.trajectory.add_event(self.step_count, "regularization", (kind, rate))
            changed = True
        if not np.array_equal(now_theta, theta):
            self.trajectory.add_event(self.step_count, "parameters", now_theta)
            changed = True
        if changed:
            self._gradient = None
            self._replay = None
            self._known = (now_theta, now_settings)
            self._record_row(path=True)

    # ------------------------------------------------------------------ reading
    @property
    def full_batch(self) -> bool:
        """True when every step uses all the training data (batch_size None or >= N)."""
        return self._batch_size is None or self._batch_size >= len(self.X)

    @property
    def epoch(self) -> float:
        """Passes over the training data so far (samples used / N)."""
        return self._seen / len(self.X)

    @property
    def cursor(self) -> tuple[int, int, int]:
        """(samples seen, shuffled pass, position in that pass): where the next batch starts."""
        return self._seen, self._pass, self._position

    @property
    def next_batch(self) -> np.ndarray:
        """The row indices of the training data the next step will use (a copy), in batch order."""
        n = len(self.X)
        if self.full_batch:
            return np.arange(n)
        if self._order is None:
            rng = np.random.default_rng([self.shuffle_seed, self._pass])
            self._order = rng.permutation(n)
        return self._order[self._position:self._position + self._batch_size].copy()

    @property
    def cost(self) -> float:
        """The cost on the full training set at the network's current parameters."""
        return self.net.cost(self.X, self.y)

    @property
    def test_cost(self) -> float | None:
        """The cost on the test set at the current parameters (None without test data)."""
        if self.X_test is None:
            return None
        return self.net.cost(self.X_test, self.y_test)

    def _test_cost_or_nan(self) -> float:
        if self.X_test is None:
            return math.nan
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.full_batch:
                return self.test_cost
            return self.net.cost(*self._cost_sample("test"))

    def tracked_cost(self) -> float:
        """The cost the trajectory records: on the full training set, or for a mini-batch run on
        more than COST_SAMPLE_ROWS rows, on the fixed sample of them (see the module)."""
        if self.full_batch:
            return self.net.cost(self.X, self.y)
        return self.net.cost(*self._cost_sample("train"))

    def _cost_sample(self, which: str):
        """The training or test (X, y), or its fixed even sample when longer than COST_SAMPLE_ROWS
        (made once per run; replicas and clones share it, as they share the data)."""
        X, y = (self.X, self.y) if which == "train" else (self.X_test, self.y_test)
        if len(X) <= COST_SAMPLE_ROWS:
            return X, y
        samples = self.__dict__.setdefault("_cost_samples", {})
        if which not in samples:
            rows = _evenly_sampled_rows(len(X))
            samples[which] = _readonly(X[rows], y[rows])
        return samples[which]

    def full_gradient(self):
        """(cost, gradient) on the full training set at the current parameters; the gradient is
        read-only and shared until the parameters change (a full-batch step reuses it as its own)."""
        self._sync()
        return self._full_gradient()

    def _full_gradient(self):
        if self._gradient is None:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self._compute_gradient()
        return self._gradient

    def _compute_gradient(self):
        """(cost, read-only gradient) at the current parameters by the workspace, kept for the next
        step; floating-point errors behave as the caller's np.errstate says."""
        if self._workspace is None:
            self._workspace = StepWorkspace(self.net, self.X, self.y)
        cost, gradient = self._workspace.gradient()
        gradient = gradient.copy()
        gradient.setflags(write=False)
        self._gradient = (float(cost), gradient)
        self._keep_outputs(self._workspace.outputs())
        return self._gradient

    def _keep_outputs(self, logits) -> None:
        """Keep the output logits of the pass that gave ``_gradient`` (a copy): the accuracy at these
        parameters without another forward pass. Valid while ``_gradient`` is that pass's."""
        self._outputs = (self._gradient, np.array(logits))

    def train_accuracy(self) -> float:
        """The fraction of the training set classified right at the current parameters.

        From the output of the full-batch pass at these parameters when there is one (every
        full-batch step computes it for its check): a snapshot of a race needs every run's accuracy
        each frame, and a forward pass per run cost as much as half a training step. The pass's
        logits equal a forward pass's up to rounding in the last bits, which could only matter for a
        sample whose two top classes tie to 1e-16. Or, for steps taken in another process, as that
        process computed it (core.run_transfer). Otherwise by a forward pass."""
        self._sync()
        known = self._accuracy
        if known is not None and self._gradient is not None and known[0] is self._gradient:
            return known[1]
        outputs = self._outputs
        with np.errstate(all="ignore"):
            if self._gradient is not None and outputs is not None and outputs[0] is self._gradient:
                predicted = self.net.activation(self.net.depth - 1).forward(outputs[1])
            else:
                predicted = self.net.predict(self.X)
            return accuracy(predicted, self.y)

    # ------------------------------------------------------------------ stepping
    def step(self, count: int = 1) -> float:
        """Take ``count`` steps; return the full training cost after the last one.

        If a step diverges, the steps before it stay applied and recorded, the failing one is not
        applied (nor counted in ``epoch``), and TrainingDiverged propagates.
        """
        count = int(count)
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        self._sync()
        cost = self._full_gradient()[0] if self.full_batch else math.nan
        if count == 0:
            return self.cost if math.isnan(cost) else cost
        try:
            for _ in range(count):
                cost = self._step_once()
                self._recorded_step(cost)
        finally:   # also when a step diverged: the steps before it were the run's, not a hand edit
            self._steps_taken()
        return cost

    def _step_once(self) -> float:
        """One checked step; returns the full training cost after it. The trajectory is not touched
        (replay uses this too)."""
        staged = self._stage_step()
        return self._settle_step(staged, *self._check_alone())

    # A step in three parts, so that a race can compute the check of all its runs in one pass
    # (core.lockstep): stage (the rule's proposal, applied), check (cost and gradient at the proposed
    # parameters), settle (keep it, or undo it and raise). _step_once is the three in a row.
    def _stage_step(self) -> tuple:
        """Propose the next step and apply it to the network: (θ before, θ after, rule state after,
        samples used). Raises TrainingDiverged, with nothing changed, if the proposal is refused."""
        net = self.net
        theta = net.parameter_vector()
        if self.full_batch:
            gradient = self._full_gradient()[1]
            used = len(self.X)
        else:
            batch = self.next_batch
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                gradient = net.gradient_vector(self.X[batch], self.y[batch])
            used = len(batch)
        new_theta, new_state = self._propose(theta, gradient)
        net.set_parameter_vector(new_theta)
        self._gradient = None
        return theta, new_theta, new_state, used

    @property
    def can_check_in_lanes(self) -> bool:
        """True when a step's check is the workspace's full-batch pass, which a race can compute for
        several runs at once (``StepWorkspace.gradients``) with the same numbers as ``_check_alone``."""
        return self.full_batch

    def _check_alone(self) -> tuple:
        """(cost, gradient, finite) at the network's parameters: the check of a staged step. A
        floating-point error (over, invalid, divide) in the pass counts as not finite."""
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                if self.full_batch:
                    cost, gradient = self._compute_gradient()   # raising: the divergence check
                    finite = math.isfinite(cost) and bool(np.all(np.isfinite(gradient)))
                else:
                    cost, gradient = self.tracked_cost(), None
                    finite = math.isfinite(cost)
        except FloatingPointError:
            finite, cost, gradient = False, math.inf, None
        return cost, gradient, finite

    def _settle_step(self, staged: tuple, cost: float, gradient, finite: bool, outputs=None) -> float:
        """Keep the staged step (``gradient``: the full-batch gradient at its parameters, kept for
        the next step, and ``outputs`` the pass's logits) or, if its check failed, put the network
        back and raise TrainingDiverged."""
        theta, new_theta, new_state, used = staged
        if not finite:
            self.net.set_parameter_vector(theta)
            self._gradient = None
            rate = self.current_rate
            raise TrainingDiverged(_diverged(rate, f"made the cost {format_number(cost)} (a numeric overflow)"),
                                   rate)
        if self.full_batch and self._gradient is None:   # computed elsewhere (a race's lanes)
            gradient = np.array(gradient)
            gradient.setflags(write=False)
            self._gradient = (float(cost), gradient)
            if outputs is not None:
                self._keep_outputs(outputs)
        self.rule_state = new_state
        self.distance += float(np.linalg.norm(new_theta - theta))
        self._advance(used)
        self.step_count += 1
        return cost

    def _steps_taken(self) -> None:
        """After a series of steps: the parameters they reached are the run's own (not a hand edit
        for the next ``_sync`` to record)."""
        self._known = (self.net.parameter_vector(), self._known[1])

    def _recorded_step(self, cost: float) -> None:
        """The trajectory's part of a step just taken: its row, and a keyframe when one is due."""
        self._record_row(path=True, cost=cost)
        if self.trajectory.wants_keyframe(self.step_count):
            self._keyframe()

    def next_update_inputs(self):
        """(gradient, rule state, θ, rate) that the next step will hand its rule — the batch's
        gradient, masked to the trained subset — so the step can be explained before it is taken."""
        self._sync()
        theta = self.net.parameter_vector()
        if self.full_batch:
            gradient = np.array(self._full_gradient()[1])
        else:
            batch = self.next_batch
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                gradient = self.net.gradient_vector(self.X[batch], self.y[batch])
        if self._mask is not None:
            gradient = np.where(self._mask, gradient, 0.0)
        return gradient, copy_state(self.rule_state), theta, self.current_rate

    def _propose(self, theta: np.ndarray, gradient: np.ndarray):
        """The rule's new parameters and state for ``gradient``, checked; raises TrainingDiverged."""
        rate = self.current_rate
        if not np.all(np.isfinite(gradient)):
            raise TrainingDiverged(_diverged(rate, "met a gradient that is not a finite number"), rate)
        mask = self._mask
        if mask is not None:
            gradient = np.where(mask, gradient, 0.0)
        with np.errstate(over="raise", invalid="raise"):
            try:
                new, state = self.rule.update(gradient, self.rule_state, theta, rate)
            except FloatingPointError:
                new, state = np.full_like(theta, np.inf), self.rule_state
        if mask is not None:
            new = np.where(mask, new, theta)
        bad = ~np.isfinite(new) | (np.abs(new) > PARAMETER_LIMIT)
        if bad.any():
            names = self.net.parameter_names()
            k = int(np.argmax(np.where(bad, np.nan_to_num(np.abs(new), nan=np.inf, posinf=np.inf), -1.0)))
            raise TrainingDiverged(_diverged(rate, f"sent {to_unicode(names[k])} to {format_number(float(new[k]))}"),
                                   rate, names[k], float(new[k]))
        return new, state

    def _advance(self, used: int) -> None:
        self._seen += used
        if not self.full_batch:
            self._position += used
            if self._position >= len(self.X):
                self._pass += 1
                self._position = 0
                self._order = None

    # ------------------------------------------------------------------ recording
    def record(self) -> None:
        """Note changes made directly on the network (a hand edit) in the trajectory now."""
        self._sync()

    def _record_row(self, path: bool, cost: float | None = None) -> None:
        if cost is None:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                cost = self._full_gradient()[0] if self.full_batch else self.tracked_cost()
        theta = self.net.parameter_vector()
        self.trajectory.record(self.step_count, cost, self._test_cost_or_nan(), self.current_rate, self.epoch,
                               theta, path=path, distance=self.distance)

    def _keyframe(self) -> None:
        self.trajectory.add_keyframe(self.step_count, self.net.parameter_vector(), self.rule_state,
                                     self.cursor, self.settings)

    # ------------------------------------------------------------------ replay
    def theta_at(self, step: int) -> np.ndarray:
        """The parameters after step ``step`` (and its events), rebuilt exactly by replay."""
        if step == self.step_count:
            self._sync()
            return self.net.parameter_vector()
        return self._replica_at(step).net.parameter_vector()

    def replica_at(self, step: int) -> "Run":
        """An independent run standing at ``step`` of this one (not recording), e.g. to draw it."""
        return self._replica_at(step).clone()

    def _replica_at(self, step: int) -> "Run":
        step = int(step)
        if not 0 <= step <= self.step_count:
            raise IndexError(f"step {step} is outside 0..{self.step_count}")
        frame = self.trajectory.keyframe_before(step)
        replica = self._replay
        if replica is None or not (frame.step <= replica.step_count <= step):
            replica = self._from_keyframe(frame)
        while replica.step_count < step:
            replica._step_once()
            for event in self.trajectory.events_between(replica.step_count, replica.step_count):
                replica._apply(event.kind, event.value)
        self._replay = replica
        return replica

    def _from_keyframe(self, frame) -> "Run":
        replica = self._bare_copy()
        replica.net.set_parameter_vector(frame.theta)
        s = frame.settings
        replica.net.loss = s.loss
        replica.net.regularization, replica.net.regularization_rate = s.regularization, s.regularization_rate
        replica._rate, replica._batch_size, replica._schedule = s.learning_rate, s.batch_size, s.schedule
        replica._only, replica._mask = s.only, parameter_mask(replica.net, s.only)
        replica.rule_state = copy_state(frame.rule_state)
        replica._seen, replica._pass, replica._position = frame.cursor
        replica._order = None
        replica.step_count = frame.step
        replica.distance = self.trajectory.row(frame.step)["distance"]
        for event in self.trajectory.events_between(frame.step, frame.step):
            replica._apply(event.kind, event.value)
        return replica

    def _bare_copy(self) -> "Run":
        """A non-recording run sharing the data (read-only) with its own network and buffers."""
        replica = Run.__new__(Run)
        replica.__dict__.update(self.__dict__)
        replica.net = self.net.copy()
        replica._workspace = None
        replica._gradient = None
        replica._replay = None
        replica.trajectory = None
        replica.rule_state = copy_state(self.rule_state)
        return replica

    def clone(self) -> "Run":
        """An independent copy of this run's current state (its trajectory is not copied)."""
        twin = self._bare_copy()
        twin._gradient = self._gradient  # immutable (read-only gradient)
        return twin

    DATA_FIELDS = ("X", "y", "X_test", "y_test")

    def without_data(self, trajectory) -> "Run":
        """A copy of this run's current state (its ``clone``) with no data, nothing made from them
        (the cost sample, the shuffled order, the outputs of the last pass) and ``trajectory`` in
        place of its own: it pickles small, to be stepped elsewhere once ``attach_data`` gave it the
        data again (core.run_transfer)."""
        self._sync()
        away = self.clone()
        for name in self.DATA_FIELDS:
            setattr(away, name, None)
        away.__dict__.pop("_cost_samples", None)
        away._order = None          # drawn again from (shuffle seed, pass): it is as long as the data
        away._outputs = None
        away.trajectory = trajectory
        return away

    def data(self) -> tuple:
        """(X, y, X_test, y_test): what ``attach_data`` takes."""
        return tuple(getattr(self, name) for name in self.DATA_FIELDS)

    def attach_data(self, data: tuple) -> "Run":
        """Give a run made by ``without_data`` its data (as ``data()`` returned them)."""
        for name, value in zip(self.DATA_FIELDS, data):
            setattr(self, name, value)
        return self

    def restarted(self, theta, *, rule: UpdateRule | None = None, learning_rate: float | None = None) -> "Run":
        """A new run from parameters ``theta`` with this run's data, split, batch size, shuffle
        seed, trained subset and schedule (and optionally another rule or rate): a race's runs."""
        net = self.net.copy()
        net.set_parameter_vector(theta)
        options = {} if self.X_test is None else {"X_test": self.X_test, "y_test": self.y_test}
        return Run(net, self.X, self.y, self._rate if learning_rate is None else learning_rate,
                   rule=self.rule if rule is None else rule, schedule=self._schedule, only=self._only,
                   batch_size=self._batch_size, shuffle_seed=self.shuffle_seed, copy=False, **options)

    # ------------------------------------------------------------------ session files and undo
    def resume(self, rule_state: dict, cursor, step_count: int, distance: float, trajectory: Trajectory) -> None:
        """Stand where a saved run stood: its rule state, batch cursor, step count, travelled distance
        and whole trajectory (the network's parameters and settings are this run's already). For
        session files; the caller checked that the trajectory ends at ``step_count``."""
        if len(trajectory) != step_count + 1:
            raise ValueError(f"the trajectory has {len(trajectory)} rows, not one per step 0..{step_count}")
        self.rule_state = copy_state(rule_state)
        self._seen, self._pass, self._position = (int(c) for c in cursor)
        self._order = None
        self.step_count = int(step_count)
        self.distance = float(distance)
        self.trajectory = trajectory
        self._replay = None
        self._gradient = None
        self._known = (self.net.parameter_vector(), _net_settings(self.net))

    def stand_at(self, theta, rule_state: dict, cursor, step_count: int, distance: float, gradient=None,
                 train_accuracy: float | None = None) -> None:
        """Stand where steps taken elsewhere left this run's copy (core.run_transfer, after writing
        their rows into the trajectory): parameters, rule state, batch cursor, step count, distance,
        and the full-batch (cost, gradient) and training accuracy computed there, kept as if computed here."""
        self.net.set_parameter_vector(theta)
        self.rule_state = copy_state(rule_state)
        self._seen, self._pass, self._position = (int(c) for c in cursor)
        self._order = None
        self.step_count = int(step_count)
        self.distance = float(distance)
        self._known = (self.net.parameter_vector(), _net_settings(self.net))
        self._gradient = gradient
        self._outputs = None
        self._accuracy = None if train_accuracy is None or gradient is None else (gradient, train_accuracy)

    def copy(self) -> "Run":
        """An independent run in the same state with the same history: its trajectory shares the
        immutable keyframes and events and copies only the dense columns and the drawn path, so a
        saved or undoable state costs little, and training this run leaves the copy as it was."""
        self._sync()
        twin = self.clone()
        twin.trajectory = self.trajectory.truncated(self.trajectory.last_step)
        return twin

    def fork(self, step: int) -> "Run":
        """A new run that continues this one from ``step``: its trajectory holds steps 0..step of
        this one (sharing their keyframes) and records its own future. This run is unchanged."""
        self._sync()
        branch = self._replica_at(step).clone()
        branch.trajectory = self.trajectory.truncated(step)
        branch._known = (branch.net.parameter_vector(), _net_settings(branch.net))
        branch._keyframe()
        return branch

    def __repr__(self) -> str:
        return (f"<Run {self.rule.name} step {self.step_count} lr {format_number(self._rate)} "
                f"batch {self._batch_size or 'full'} {self.trajectory!r}>")



def _evenly_sampled_rows(n: int) -> np.ndarray:
    """COST_SAMPLE_ROWS row indices spread evenly through n rows (n > COST_SAMPLE_ROWS)."""
    return np.linspace(0, n - 1, COST_SAMPLE_ROWS).round().astype(np.int64)
