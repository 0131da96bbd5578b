"""The session model: the single observable source of truth every view reads and every control writes.

It holds the problem (data, split, selection, surface axes, sample) and a core.Timeline of training
runs, and shows one immutable **snapshot** of one step of one run: ``network``, ``cost()``,
``gradient_vector()``, ``step_count``, ... all read the shown snapshot, never a network that training
is changing, so every view draws numbers that belong together.

Training runs on a worker thread (app.engine.TrainingEngine) that publishes snapshots at most once
per frame. Every change the GUI makes to a run goes through ``engine.edit()`` (the worker stops at
its next step boundary). While paused, a change is shown at once (a snapshot made on the spot, a
millisecond); while running, the worker's next snapshot shows it.

A change made while a past step is shown (a step, run, a setting, a hand edit) first forks a new
branch there (core.Timeline), so the old future stays to compare.
"""
from __future__ import annotations

import itertools
import math
import threading
import time

from PySide6.QtCore import QObject, Signal

import core
from core.naming import to_unicode

from . import pacing
from .engine import TrainingEngine
from .training_process import TrainingProcess
from .session_plane import SurfacePlaneCommands
from .session_race import RaceCommands
from .session_race_drag import RaceStartGestures
from .session_timeline import TimelineCommands
from .transactions import SIGNAL_ORDER, Transactional, transaction  # noqa: F401 (SIGNAL_ORDER: tests)
from . import edit_labels as labels
from .point_edits import PointEdit, PointEditWorker, build, in_background, split_rows
from .undo import undoable

DEFAULT_LEARNING_RATE = 2.0
LESSON_DATASET = "lesson"
LESSON_LOSS = "squared_error"
# The lesson derives dJ/dw2 first (the output weight: the shortest chain), so the studio opens on it.
LESSON_SELECTION = "w2"
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
HIDDEN_ACTIVATIONS = core.problem.HIDDEN_ACTIVATIONS
# When the lesson's single hidden neuron meets data it cannot separate (2-D or several classes),
# the network grows to this; the learner edits it from there.
DEFAULT_HIDDEN = core.problem.DEFAULT_HIDDEN
DEFAULT_HIDDEN_ACTIVATION = core.problem.DEFAULT_HIDDEN_ACTIVATION
BATCH_MODES = (None, 32, 1)
MAX_STEPPED_PATHS = 32        # the chain panel lists (and P steps through) at most this many paths
# The lesson's rate of 2 suits its 1-1-1 sigmoid network only: a linear output (unbounded, nothing
# flattens large steps) diverges within a few steps on regression, and the wider tanh networks the
# 2-D datasets get oscillate wildly. 0.5 trains every built-in dataset smoothly, so a network newly
# shaped for the data starts from at most that.
NEW_SHAPE_MAX_RATE = 0.5   # full batch, mini-batch of 32, one sample at a time
# η stays within what a learner can use: large enough to watch a too-large step overshoot and saturate
# the lesson's sigmoids (from about 200), not so large that it only ever makes numbers explode.
MIN_LEARNING_RATE = 1e-4
MAX_LEARNING_RATE = 1000.0
NUDGE_STEP = 0.1
FINE_NUDGE_STEP = 0.01


class SessionModel(SurfacePlaneCommands, RaceCommands, RaceStartGestures, TimelineCommands, Transactional, QObject):
    """Everything the studio is showing: network, data, cost, optimizer settings, selection, history."""

    undo_history = None   # the window's app.undo.UndoHistory: the @undoable commands are recorded there

    parametersChanged = Signal()          # any parameter value changed (step, nudge, reset)
    stepped = Signal(int, float)           # step count and cost after a training step
    datasetChanged = Signal()
    lossChanged = Signal(str)
    learningRateChanged = Signal(float)
    selectionChanged = Signal(str)
    sampleChanged = Signal(int)
    axesChanged = Signal(str, str)
    surfacePlaneChanged = Signal(str, int)  # the cost surface's plane ("axes", "random", "pca") and seed
    trainOnlyAxesChanged = Signal(bool)
    runningChanged = Signal(bool)
    stepsPerTickChanged = Signal(int)
    historyReset = Signal()
    structureChanged = Signal()           # layers, neurons, activations or output changed: new parameter names
    trainingOptionsChanged = Signal()     # batch size, regularization, initialization, test split
    focusedPathChanged = Signal(object)   # one chain-rule path singled out (its nodes), or None: all
    messageChanged = Signal(str)          # "" clears; a non-empty text is shown in the window banner
    snapshotChanged = Signal(object)      # a new snapshot is shown (then parametersChanged)
    timelineChanged = Signal()            # branches, the current branch or the cursor changed
    narrationChanged = Signal()           # the narrated update's shown sub-steps changed (U)

    def __init__(self, dataset: str = LESSON_DATASET, loss: str = LESSON_LOSS, parent=None,
                 synchronous: bool | None = None):
        super().__init__(parent)
        self._depth = 0
        self._pending: dict = {}
        self._before: dict = {}
        self._data = core.load_dataset(dataset)
        network = core.lesson_network(loss=loss)
        self._test_fraction = 0.0
        self._split_seed = 0
        self._split()
        names = network.parameter_names()
        self._selected = LESSON_SELECTION if LESSON_SELECTION in names else names[0]
        self._axes = (names[0], names[2] if len(names) > 2 else names[1])
        self._sample = 0
        self._train_only_axes = False
        self._init_surface_plane()
        self._running = False
        self._steps_per_tick = 5
        self._message = ""
        # what the shown message is about, so it goes when that is over: "diagnosis" (the shown step's
        # core.Diagnosis), "diverged" (a refused step), None (anything else: it stays until replaced)
        self._message_source: str | None = None
        self._diverged_at: int | None = None
        self._focused_path: tuple | None = None
        self._revision = 0
        self._sequence = itertools.count(1)
        self._shown_sequence = 0
        self._race_notices: list[str] = []   # runs of a race that diverged, for the GUI to show
        self._notices_lock = threading.Lock()
        self._narration = None                 # (shown sub-steps, all sub-steps, rule title) while U explains
        self._trace_cache: dict = {}
        self._engine = TrainingEngine(self._engine_step, self._make_snapshot, self, synchronous=synchronous,
                                      away=TrainingProcess(self._runs_to_train, self._run_stopped_away))
        self._engine.steps_per_frame = self._steps_per_tick
        self._engine.snapshotReady.connect(self._on_snapshot_ready)
        self._engine.diverged.connect(self._on_diverged)
        # a point added or removed on big data is built by a worker thread (app/point_edits.py)
        self._point_edits = PointEditWorker(self)
        self._point_edit: PointEdit | None = None
        self._point_edits.ready.connect(self.settle)
        self.selectionChanged.connect(self._end_narration)
        self._timeline = core.Timeline(self._new_run(network, DEFAULT_LEARNING_RATE, None))
        self._shown = self._make_snapshot()[1]

    # ----------------------------------------------------------------- read access
    @property
    def snapshot(self) -> core.Snapshot:
        """The shown step of the shown run, frozen: what every view draws."""
        return self._shown

    @property
    def network(self) -> core.Network:
        """The shown snapshot's network: read it, never change it (the model changes runs)."""
        return self._shown.network

    @property
    def engine(self) -> TrainingEngine:
        return self._engine

    @property
    def _run(self) -> core.Run:
        return self._timeline.run

    @property
    def dataset(self) -> core.Dataset:
        """All the data, training and test points together (``train_indices``/``test_indices`` split it)."""
        return self._data

    @property
    def X(self):
        """The training inputs: what gradient descent, the surface, the slice and the chain use."""
        return self._X

    @property
    def y(self):
        return self._y

    @property
    def X_test(self):
        """Held-out inputs (no rows when the test fraction is 0)."""
        return self._X_test

    @property
    def y_test(self):
        return self._y_test

    @property
    def train_indices(self):
        return self._train_indices

    @property
    def test_indices(self):
        return self._test_indices

    @property
    def test_fraction(self) -> float:
        return self._test_fraction

    @property
    def split_seed(self) -> int:
        return self._split_seed

    @property
    def batch_size(self) -> int | None:
        """None: full batch; 1: one sample per step; k: mini-batches of k (the current run's)."""
        return self._timeline.run.batch_size

    @property
    def epoch(self) -> float:
        return self._shown.epoch

    @property
    def loss_name(self) -> str:
        return self.network.loss

    @property
    def learning_rate(self) -> float:
        """The current run's η (each run keeps its own; a new problem starts with it)."""
        return self._timeline.run.learning_rate

    @property
    def selected(self) -> str:
        return self._selected

    @property
    def axes(self) -> tuple[str, str]:
        return self._axes

    @property
    def sample(self) -> int:
        return self._sample

    @property
    def train_only_axes(self) -> bool:
        return self._train_only_axes

    @property
    def running(self) -> bool:
        return self._running

    @property
    def steps_per_tick(self) -> int:
        return self._steps_per_tick

    @property
    def message(self) -> str:
        return self._message

    @property
    def history(self) -> core.History:
        """The shown run's recorded path up to the shown step (a copy)."""
        with self._engine.reading():
            return self._run.trajectory.path.until(self._shown.step)

    @property
    def step_count(self) -> int:
        """The shown step (the newest one while live)."""
        return self._shown.step

    @property
    def live(self) -> bool:
        """True when the newest step of the current run is shown (training goes on from there)."""
        return self._timeline.live

    def parameter_names(self) -> list[str]:
        return list(self._shown.names)

    @property
    def revision(self) -> int:
        """Counts the changes of the problem (data, split, network shape or activations, a reset):
        each starts a new timeline."""
        return self._revision

    def cost(self) -> float:
        return self._shown.cost

    def accuracy(self, part: str = "train") -> float | None:
        """The share of "train" or "test" points the shown network classifies right (None: no points)."""
        return self._shown.train_accuracy if part == "train" else self._shown.test_accuracy

    def gradient_vector(self):
        """dJ/dθ for every parameter (parameter_names order) over the training data; read-only."""
        return self._shown.gradient

    def test_cost(self) -> float | None:
        """The cost on the held-out points, or None without a test set."""
        return self._shown.test_cost

    def gradient(self, name: str) -> float:
        return self._shown.gradient_of(name)

    def chain(self, name: str | None = None, sample: int | None = None):
        """The chain-rule breakdown of dJ/d(name) at the chosen sample (core.Network.chain)."""
        return self.network.chain(name or self._selected, self.X, self.y,
                                  sample=self._sample if sample is None else sample)

    def run_at_shown_step(self) -> core.Run:
        """An independent copy of the shown run standing at the shown step, its trajectory up to
        there (for exports: the trajectory table, the PyTorch script); the session's run is untouched."""
        with self._engine.reading():
            return self._run.fork(self._shown.step)

    # ----------------------------------------------------------------- runs and snapshots
    def _new_run(self, network: core.Network, learning_rate: float | None = None,
                 batch_size: int | None | str = "current") -> core.Run:
        """A fresh run (and trajectory) of ``network`` on the current data, with the current run's
        η and batch size unless given."""
        only = list(self._axes) if self._train_only_axes else None
        options = {}
        if len(self.X_test):
            options.update(X_test=self.X_test, y_test=self.y_test)
        rate = self.learning_rate if learning_rate is None else learning_rate
        batch = self.batch_size if batch_size == "current" else batch_size
        return core.Run(network, self.X, self.y, rate, only=only, batch_size=batch, **options)

    def _engine_step(self, count: int) -> None:
        self._step_runs(count)   # on the worker thread, under the engine's lock

    def _make_snapshot(self):
        """(sequence, snapshot) of the timeline's shown step; called under the engine's lock."""
        timeline = self._timeline
        race, run = timeline.race, timeline.run
        step = timeline.shown_step
        snapshot = core.take_snapshot(run, timeline.cursor, revision=self._revision,
                                      branch=timeline.current_id, axes=self._axes,
                                      classify=self._data.task != "regression", label=timeline.current.label,
                                      others=self._other_traces(step), racing=race is not None,
                                      plane_theta=None if race is None else race.start,
                                      stopped=None if race is None else race.lane_of(run).stopped,
                                      full_path=self.needs_full_path)
        return next(self._sequence), snapshot

    def _on_snapshot_ready(self) -> None:
        """Show the worker's newest snapshot (the worker paces itself on the GUI's load: app/pacing.py)."""
        with pacing.handling():
            item = self._engine.take()
            if item is not None:
                self._show(*item)
        if notices := self._take_race_notices():
            self.set_message(" ".join(notices))

    def _show(self, sequence: int, snapshot: core.Snapshot) -> None:
        """Show ``snapshot`` unless a newer one is shown or it belongs to an older problem."""
        if sequence <= self._shown_sequence or snapshot.revision != self._revision:
            return
        self._shown_sequence = sequence
        previous, self._shown = self._shown, snapshot
        if previous.key != snapshot.key:
            self._end_narration()   # the update it explained is not the next one any more
        self._follow_diagnosis(snapshot)
        self._emit("snapshotChanged", snapshot)
        self._emit("parametersChanged")
        if (previous.step, previous.branch) != (snapshot.step, snapshot.branch):
            self._emit("stepped", snapshot.step, snapshot.cost)

    def _refresh(self) -> None:
        """Show the current state: at once while paused (a millisecond), else by the worker."""
        if self._running:
            self._engine.publish_soon()
            return
        with self._engine.edit(publish=False):
            item = self._make_snapshot()
        self._show(*item)

    def _change_run(self, change) -> bool:
        """Apply ``change(run)`` to the current run (branching first if a past step is shown), then
        show the result. A ValueError from the change becomes the window's message."""
        branched = None
        ok = True
        try:
            with self._engine.edit(publish=False):
                branched = self._timeline.branch_if_rewound()
                change(self._timeline.run)
        except ValueError as exc:
            self.set_message(str(exc))
            ok = False
        self._refresh()
        if branched is not None:
            self._emit("timelineChanged")
        return ok

    def _follow_diagnosis(self, snapshot: core.Snapshot) -> None:
        """Say what is wrong at the shown step (core.diagnosis), and take back a message about a
        trouble that is over: a diagnosis that no longer holds, a divergence followed by good steps."""
        diagnosis = snapshot.diagnosis
        if self._message_source == "diverged":
            if self._diverged_at is not None and snapshot.step > self._diverged_at:
                self._say("")
            return
        if diagnosis is not None and self._message_source in ("diagnosis", None):
            if self._message_source == "diagnosis" or not self._message:
                self._say(diagnosis.message, "diagnosis")
        elif diagnosis is None and self._message_source == "diagnosis":
            self._say("")

    def _say(self, text: str, source: str | None = None) -> None:
        self.set_message(text)
        self._message_source = source if text else None

    def _diverged(self, message: str) -> None:
        """A step was refused: say so, and what to do (Reset restores a rate that trains)."""
        self._diverged_at = self._shown.step
        self._say(f"{message} Reset (Ctrl+R) starts again with a rate that trains.", "diverged")

    @transaction
    def _on_diverged(self, message: str) -> None:
        self._set_running_flag(False)
        self._refresh()
        self._diverged(message)
        self._emit("timelineChanged")

    # ----------------------------------------------------------------- training
    @transaction
    def step(self, count: int = 1) -> bool:
        """Take gradient-descent steps now (pausing a run first); on divergence keep the last good
        parameters, say why, and return False."""
        if self._running:
            self.set_running(False)
        ok = True

        def steps(_run):
            nonlocal ok
            try:
                self._step_runs(count)
            except core.TrainingDiverged as exc:
                ok = False
                failure.append(str(exc))

        failure: list[str] = []
        self._change_run(steps)
        if failure:
            self._diverged(failure[0])
        if notices := self._take_race_notices():
            self.set_message(" ".join(notices))
        self._emit("timelineChanged")
        return ok

    def _set_running_flag(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self._emit("runningChanged", running)

    @transaction
    def set_running(self, running: bool) -> None:
        if running and self._message:
            self.set_message("")
        if running == self._running:
            return
        if running:
            with self._engine.edit(publish=False):
                branched = self._timeline.branch_if_rewound()
            if branched is not None:
                self._emit("timelineChanged")
            self._set_running_flag(True)
            self._engine.start()
        else:
            self._engine.stop()
            self._set_running_flag(False)
            self._refresh()   # the last step taken is what the views show now
            self._emit("timelineChanged")

    @transaction
    def toggle_running(self) -> None:
        self.set_running(not self._running)

    @undoable(labels.reset)
    @transaction
    def reset(self) -> None:
        """Back to the starting parameters and an empty history, keeping every setting but a learning
        rate above the one this problem starts with (``trainable_rate``): that rate is what diverged
        or saturated the network, and Reset must give a start that trains."""
        self.set_running(False)
        start = core.lesson_network(loss=self.loss_name)
        network = self.network.copy()
        lesson_shape = start.sizes == network.sizes and start.activations == network.activations
        if lesson_shape:
            network.set_parameter_vector(start.parameter_vector())
        else:
            network.reinitialize()
        rate = min(self.learning_rate, self.trainable_rate())
        changed = rate != self.learning_rate
        self._restart_history(network, rate)
        if changed:
            self._emit("learningRateChanged", rate)
        self._emit("parametersChanged")

    def trainable_rate(self) -> float:
        """The η this problem starts with, known to train it: the lesson's 2 for the lesson's
        1-1-1 sigmoid network on its own data, else the rate every built-in dataset trains with."""
        start = core.lesson_network(loss=self.loss_name)
        net = self.network
        if self._data.name == "lesson" and (net.sizes, net.activations) == (start.sizes, start.activations):
            return DEFAULT_LEARNING_RATE
        return NEW_SHAPE_MAX_RATE

    @undoable(labels.restore_lesson)
    @transaction
    def restore_lesson(self) -> None:
        """Back to the lesson exactly as the studio starts: its data, no test split, the 1-1-1 sigmoid
        network with its starting weights, squared error, η = 2, full batch, no penalty, w2 selected,
        the surface over (w1, w2), sample 1, every parameter training."""
        self.set_running(False)
        self._data = core.load_dataset(LESSON_DATASET)
        self._test_fraction, self._split_seed = 0.0, 0
        self._split()
        network = core.lesson_network(loss=LESSON_LOSS)
        names = network.parameter_names()
        self._selected = LESSON_SELECTION
        with self._engine.edit(publish=False):   # the worker reads the axes for its snapshots
            self._axes = (names[0], names[2])
        self._sample = 0
        if self._train_only_axes:
            self._train_only_axes = False
            self._emit("trainOnlyAxesChanged", False)
        self._restart_history(network, DEFAULT_LEARNING_RATE, batch_size=None)
        self._announce_structure()
        self._emit("datasetChanged")
        self._emit("lossChanged", self.loss_name)
        self._emit("learningRateChanged", self.learning_rate)
        self._emit("trainingOptionsChanged")
        self._emit("sampleChanged", self._sample)
        self._emit("parametersChanged")

    @undoable(labels.reinitialize)
    @transaction
    def reinitialize(self, seed: int | None = None, init: str | None = None) -> None:
        """New random starting weights (from ``seed``, default the next one) under ``init``."""
        self.set_running(False)
        network = self.network.copy()
        network.reinitialize(network.seed + 1 if seed is None else seed, init)
        self._restart_history(network)
        self._emit("trainingOptionsChanged")
        self._emit("parametersChanged")

    @undoable(labels.cycle_init)
    @transaction
    def cycle_init(self) -> None:
        names = list(core.network.INITIALIZATIONS)
        network = self.network
        self.reinitialize(network.seed, names[(names.index(network.init) + 1) % len(names)])

    @transaction
    def set_steps_per_tick(self, steps: int) -> None:
        """Steps per displayed frame while running; 0: as many as the machine manages."""
        steps = max(0, int(steps))
        if steps != self._steps_per_tick:
            self._steps_per_tick = steps
            self._engine.steps_per_frame = steps
            self._emit("stepsPerTickChanged", steps)

    @undoable(labels.batch)
    @transaction
    def set_batch_size(self, size: int | None) -> None:
        """None (full batch), 1 (one sample at a time) or a mini-batch size; the run goes on."""
        if size is not None:
            size = int(size)
            if size < 1:
                self.set_message(f"A batch needs at least one sample, not {size}.")
                return
        if size != self.batch_size:
            def change(run):
                run.batch_size = size
            self._change_run(change)
            self._emit("trainingOptionsChanged")

    @undoable(labels.batch)
    @transaction
    def cycle_batch_mode(self) -> None:
        modes = list(BATCH_MODES)
        current = self.batch_size if self.batch_size in modes else None
        self.set_batch_size(modes[(modes.index(current) + 1) % len(modes)])

    # ----------------------------------------------------------------- settings
    @undoable(labels.learning_rate)
    @transaction
    def set_learning_rate(self, rate: float) -> None:
        if not math.isfinite(rate) or rate <= 0:
            self.set_message(f"The learning rate must be a positive number, not {rate!r}.")
            return
        if not MIN_LEARNING_RATE <= rate <= MAX_LEARNING_RATE:
            bound = "at most" if rate > MAX_LEARNING_RATE else "at least"
            limit = MAX_LEARNING_RATE if rate > MAX_LEARNING_RATE else MIN_LEARNING_RATE
            self._say(f"The learning rate η is {bound} {limit:g} in the studio; it stays at {limit:g}.")
            rate = min(max(rate, MIN_LEARNING_RATE), MAX_LEARNING_RATE)
        if rate != self.learning_rate:
            def change(run):
                run.learning_rate = rate
            self._change_run(change)
            self._emit("learningRateChanged", rate)

    @undoable(labels.learning_rate)
    @transaction
    def scale_learning_rate(self, factor: float) -> None:
        self.set_learning_rate(self.learning_rate * factor)

    def compatible_losses(self) -> list[str]:
        """The costs that make sense for this output layer and task (the learner's choice among them)."""
        return core.compatible_losses(self.network, self._data.task)

    @undoable(labels.cost)
    @transaction
    def set_loss(self, name: str) -> None:
        """Train on another cost from the shown step on (an event of the run: the curve goes on)."""
        if name not in self.compatible_losses():
            self.set_message(f"{core.ALL_LOSSES[name].title if name in core.ALL_LOSSES else name} does not fit "
                             f"a {self.network.activations[-1]} output on this data; choose from "
                             f"{', '.join(self.compatible_losses())}.")
            return
        if name != self.network.loss:
            self._change_run(lambda run: run.set_loss(name))
            self._emit("lossChanged", name)

    @undoable(labels.cost)
    @transaction
    def cycle_loss(self) -> None:
        names = self.compatible_losses()
        current = names.index(self.loss_name) if self.loss_name in names else -1
        self.set_loss(names[(current + 1) % len(names)])

    @undoable(labels.regularization)
    @transaction
    def set_regularization(self, kind: str | None, rate: float | None = None) -> None:
        """None, "l1" or "l2" with a rate; the cost (and so the curve) changes, the weights stay."""
        net = self.network
        rate = net.regularization_rate if rate is None else float(rate)
        if not math.isfinite(rate) or rate < 0:
            self.set_message(f"The regularization rate must be a number >= 0, not {rate!r}.")
            return
        if (kind, rate) != (net.regularization, net.regularization_rate):
            self._change_run(lambda run: run.set_regularization(kind, rate))
            self._emit("trainingOptionsChanged")

    @undoable(labels.regularization)
    @transaction
    def cycle_regularization(self) -> None:
        kinds = list(core.network.REGULARIZATIONS)
        self.set_regularization(kinds[(kinds.index(self.network.regularization) + 1) % len(kinds)])

    @undoable(labels.regularization)
    @transaction
    def scale_regularization(self, factor: float) -> None:
        self.set_regularization(self.network.regularization, self.network.regularization_rate * factor)

    # ----------------------------------------------------------------- data
    @undoable(labels.dataset)
    @transaction
    def set_dataset(self, name: str, n: int | None = None, noise: float | None = None,
                    seed: int | None = None) -> None:
        """A built-in dataset, generated with ``n`` points, ``noise`` and ``seed`` (defaults: its own)."""
        current = self._data
        same_kind = current.name == name
        options = {"n": n if n is not None else (len(current) if same_kind else None),
                   "seed": seed if seed is not None else (current.seed if same_kind else 0)}
        if noise is not None or same_kind:
            options["noise"] = noise if noise is not None else current.noise
        try:
            data = core.load_dataset(name, **options)
        except ValueError as exc:
            self.set_message(f"Could not make the {name} dataset: {exc}.")
            return
        self.set_data(data)

    @undoable(labels.dataset)
    @transaction
    def cycle_dataset(self, offset: int = 1) -> None:
        names = list(core.DATASETS)
        index = names.index(self._data.name) if self._data.name in names else (-1 if offset > 0 else 0)
        self.set_dataset(names[(index + offset) % len(names)])

    @undoable(labels.load_tabular)
    @transaction
    def load_tabular(self, table_data, title: str, test_fraction: float = 0.2, split_seed: int = 0) -> None:
        """The learner's CSV, as chosen in the import dialog (a core.TabularDataset)."""
        self.set_data(core.dataset_from_tabular(table_data, name="csv", title=title),
                      test_fraction=test_fraction, split_seed=split_seed)

    @undoable(labels.dataset)
    @transaction
    def set_data(self, data: core.Dataset, test_fraction: float | None = None,
                 split_seed: int | None = None) -> None:
        """Train on ``data``: the network's input and output layers (and its output activation and
        cost, when they don't fit the task) follow it; the hidden layers stay the learner's."""
        self.set_running(False)
        # The held-out share of the learner's CSV is theirs: built-in data starts with every point
        # training, as it does at start, and the learner is told so.
        dropped_split = (test_fraction is None and self._data.name == "csv" and data.name != "csv"
                         and self._test_fraction > 0)
        if dropped_split:
            test_fraction, dropped_share = 0.0, self._test_fraction
        self._data = data
        if test_fraction is not None:
            self._test_fraction = float(test_fraction)
        if split_seed is not None:
            self._split_seed = int(split_seed)
        self._split()
        network, reshaped = core.fit_network(self.network.copy(), self._data)
        gentler = (reshaped or network.activations[-1] == "linear") and self.learning_rate > NEW_SHAPE_MAX_RATE
        self._repair_selection(network)
        # every value is in place before anyone hears of it: views redraw from a consistent model
        self._restart_history(network, NEW_SHAPE_MAX_RATE if gentler else None)
        if reshaped:
            self._announce_structure()
        self._emit("datasetChanged")
        self._emit("lossChanged", self.loss_name)
        if gentler:
            self._emit("learningRateChanged", self.learning_rate)
        if dropped_split:
            self._emit("trainingOptionsChanged")
            self.set_message(f"Your CSV's held-out test set ({dropped_share:.0%} of the points) does not carry "
                             f"over to the built-in data: every point of {data.title} trains now "
                             "(Controls ▸ Held out sets a test set).")
        self._emit("parametersChanged")

    @undoable(labels.split)
    @transaction
    def set_split(self, test_fraction: float, seed: int | None = None) -> None:
        """Hold out ``test_fraction`` of the points (0: none) chosen from ``seed``."""
        test_fraction = float(test_fraction)
        if not (math.isfinite(test_fraction) and 0.0 <= test_fraction < 1.0):
            self.set_message(f"The test fraction must be at least 0 and below 1, not {test_fraction!r}.")
            return
        seed = self._split_seed if seed is None else int(seed)
        if (test_fraction, seed) != (self._test_fraction, self._split_seed):
            self._test_fraction, self._split_seed = test_fraction, seed
            self._replace_points(self._data)
            self._emit("trainingOptionsChanged")

    def _split(self) -> None:
        self._take_split(split_rows(self._data, self._test_fraction, self._split_seed))

    def _take_split(self, split) -> None:
        self._train_indices, self._test_indices = split.train, split.test
        self._X, self._y = split.X, split.y
        self._X_test, self._y_test = split.X_test, split.y_test

    @undoable(labels.add_point)
    @transaction
    def add_point(self, x, label) -> None:
        """A new data point at ``x`` (class index, or target value for regression), for training."""
        try:
            data = core.add_point(self._data, x, label)
        except ValueError as exc:
            self.set_message(str(exc))
            return
        self._edit_points(data, labels.add_point(self), "add", len(data) - 1)

    @undoable(labels.remove_point)
    @transaction
    def remove_point(self, index: int) -> None:
        try:
            data = core.remove_point(self._data, index)
        except ValueError as exc:
            self.set_message(str(exc))
            return
        self._edit_points(data, labels.remove_point(self), "remove", int(index))

    def _edit_points(self, data: core.Dataset, label: str, kind: str, row: int) -> None:
        """Other points, same split settings, the network goes on from the shown step, the history
        restarts (as ``_replace_points``). The new state is built by app/point_edits.py: here at once
        on small data; on big data by a worker thread, the model showing the state before the edit
        until ``settle`` installs it (any command settles first)."""
        self.set_running(False)
        edit = PointEdit(label, kind, row, self._data, data, self._test_fraction, self._split_seed, self.network.copy(),
                         self.learning_rate, self.batch_size, None if not self._train_only_axes else tuple(self._axes),
                         self._revision + 1, tuple(self._axes), self.needs_full_path)
        if in_background(edit) and not self._engine.synchronous:
            self._point_edits.submit(edit)
        else:
            self._install_points(build(edit))

    @property
    def point_edit(self) -> PointEdit | None:
        """The last point edit installed (its kind, row, data before and after): a view whose picture
        is of ``before`` may update it in place rather than redraw every point."""
        return self._point_edit

    @property
    def points_pending(self) -> bool:
        """True while a point edit is being built off the GUI thread (the shown state is the one before it)."""
        return self._point_edits.pending

    def settle(self, *_args) -> None:
        """Install a point edit built off the GUI thread (waiting for it if it is not ready yet),
        as an undoable edit of its own. Every command calls this first (app/transactions.py and
        app/undo.py), so nothing acts on the state before a point edit the learner made earlier."""
        if not self._point_edits.pending:
            return
        try:
            result = self._point_edits.take(wait=True)
        except Exception as exc:   # noqa: BLE001 (a failed build leaves the data as they were)
            self.set_message(f"Could not change the data: {exc}")
            return
        if result is not None:
            self._land_points(result)

    @undoable(lambda _model, result: result.edit.label)
    @transaction
    def _land_points(self, result) -> None:
        self._install_points(result)

    def _install_points(self, result) -> None:
        """Show a built point edit: its data, split, timeline and first snapshot, in one transaction."""
        if result.edit.revision != self._revision + 1:
            return   # something else changed the problem meanwhile (cannot happen: commands settle first)
        self.set_running(False)
        self._point_edit = result.edit
        self._data = result.edit.data
        self._take_split(result.split)
        self._sample = min(self._sample, len(self.X) - 1)
        with self._engine.edit(publish=False):
            self._revision = result.edit.revision
            self._timeline = result.timeline
            sequence = next(self._sequence)
        self._show(sequence, result.snapshot)
        self.set_message("")
        self._emit("historyReset")
        self._emit("timelineChanged")
        self._emit("datasetChanged")
        self._emit("parametersChanged")

    def _replace_points(self, data: core.Dataset) -> None:
        """Same kind of data, other points (or another split): the network goes on, the history
        restarts, since the cost now measures something else."""
        self._data = data
        self._split()
        self._sample = min(self._sample, len(self.X) - 1)
        self._restart_history(self.network.copy())
        self._emit("datasetChanged")
        self._emit("parametersChanged")

    def _restart_history(self, network: core.Network, learning_rate: float | None = None,
                         batch_size: int | None | str = "current") -> None:
        """A new problem (data, split, shape, a reset): a new timeline whose first run trains
        ``network`` (with the current η and batch size unless given); the old curves no longer
        describe it."""
        self.set_running(False)
        with self._engine.edit(publish=False):
            self._revision += 1
            self._timeline = core.Timeline(self._new_run(network, learning_rate, batch_size))
            item = self._make_snapshot()
        self._show(*item)
        self.set_message("")
        self._emit("historyReset")
        self._emit("timelineChanged")

    # ----------------------------------------------------------------- whole sessions (app/session_state.py)
    def copy_timeline(self) -> core.Timeline:
        """A private copy of the timeline (taken between two training steps): training goes on in
        this one, the copy stays as it was (a saved or undoable state). A point edit still being
        built is not in it: the state it copies is the one shown."""
        with self._engine.reading():
            return self._timeline.copy()

    @transaction
    def restore_session(self, data: core.Dataset, test_fraction: float, split_seed: int,
                        timeline: core.Timeline, view: dict) -> None:
        """Take a whole saved state as one change: the data and split, the timeline (its runs were
        built on that data and split), the selection, the surface plane, the sample and the pace.
        Every view hears of it once, after everything is in place; the diagram and the data are
        rebuilt only if the network's shape or the data really changed (an undo of η keeps both)."""
        self.set_running(False)
        shape = (self.network.sizes, self.network.activations)
        same_data = (data is self._data and float(test_fraction) == self._test_fraction
                     and int(split_seed) == self._split_seed)
        self._data = data
        self._test_fraction, self._split_seed = float(test_fraction), int(split_seed)
        self._split()
        with self._engine.edit(publish=False):
            self._revision += 1
            self._timeline = timeline
            self._axes = tuple(view["axes"])
        self._selected = view["selected"]
        self._sample = min(int(view["sample"]), len(self.X) - 1)
        self._train_only_axes = bool(view["train_only_axes"])
        self.set_steps_per_tick(view["steps_per_tick"])
        self.set_surface_plane(view.get("plane", "axes"), view.get("plane_seed", 0))
        self._focused_path = None
        self._end_narration()
        with self._engine.edit(publish=False):
            item = self._make_snapshot()
        self._show(*item)
        self.set_message("")
        changed = ("historyReset", "trainingOptionsChanged", "timelineChanged", "parametersChanged")
        if shape != (self.network.sizes, self.network.activations):
            changed += ("structureChanged",)
        if not same_data:
            changed += ("datasetChanged",)
        for name in changed:
            self._emit(name)
        for name in ("lossChanged", "learningRateChanged", "trainOnlyAxesChanged", "selectionChanged",
                     "axesChanged", "sampleChanged", "focusedPathChanged"):
            self._emit(name, None)   # value signals: sent with their new value if it differs

    # ----------------------------------------------------------------- network structure
    def hidden_layers(self) -> list[int]:
        """Sizes of the hidden layers (0-based hidden layer k is ``network.sizes[k + 1]``)."""
        return list(self.network.sizes[1:-1])

    @property
    def focused_layer(self) -> int | None:
        """The hidden layer the layer/neuron keys act on: the selected parameter's, or the last."""
        hidden = len(self.hidden_layers())
        if not hidden:
            return None
        layer = self.network.locate(self._selected).layer
        return min(layer, hidden - 1)

    @undoable(labels.add_layer)
    @transaction
    def add_layer(self, index: int | None = None, size: int | None = None,
                  activation: str | None = None) -> None:
        """A new hidden layer (default: after the focused one, as wide, with its activation)."""
        hidden = self.hidden_layers()
        if len(hidden) >= MAX_HIDDEN_LAYERS:
            self.set_message(f"The studio draws at most {MAX_HIDDEN_LAYERS} hidden layers.")
            return
        focus = self.focused_layer
        if index is None:
            index = len(hidden) if focus is None else focus + 1
        if size is None:
            size = hidden[focus] if focus is not None else 4
        if activation is None:
            activation = self.network.activations[focus] if focus is not None else DEFAULT_HIDDEN_ACTIVATION
        self._edit(lambda net: net.add_layer(index, min(size, MAX_NEURONS), activation),
                   select_layer=index)

    @undoable(labels.remove_layer)
    @transaction
    def remove_layer(self, index: int | None = None) -> None:
        index = self.focused_layer if index is None else index
        if index is None:
            self.set_message("There is no hidden layer to remove: the inputs feed the output directly.")
            return
        self._edit(lambda net: net.remove_layer(index),
                   select_layer=lambda net: min(index, net.depth - 2) if net.depth > 1 else None)

    @undoable(labels.add_neuron)
    @transaction
    def add_neuron(self, layer: int | None = None) -> None:
        layer = self.focused_layer if layer is None else layer
        if layer is None:
            self.set_message("Add a hidden layer first (H): the output layer's size is set by the data.")
            return
        if self.hidden_layers()[layer] >= MAX_NEURONS:
            self.set_message(f"A layer holds at most {MAX_NEURONS} neurons in the studio.")
            return
        self._edit(lambda net: net.add_neuron(layer), select_layer=layer)

    @undoable(labels.remove_neuron)
    @transaction
    def remove_neuron(self, layer: int | None = None, j: int | None = None) -> None:
        layer = self.focused_layer if layer is None else layer
        if layer is None:
            self.set_message("There is no hidden neuron to remove.")
            return
        size = self.hidden_layers()[layer]
        if size == 1:
            self.set_message("A layer keeps at least one neuron; remove the layer instead (Shift+H).")
            return
        j = size - 1 if j is None else j
        self._edit(lambda net: net.remove_neuron(layer, j), select_layer=layer)

    @undoable(labels.set_hidden_layers)
    @transaction
    def set_hidden_layers(self, sizes, activation: str = DEFAULT_HIDDEN_ACTIVATION) -> None:
        """Replace the hidden layers by fresh ones of these sizes (a starting network, e.g. from the
        command line); the input and output layers stay as the data needs them."""
        sizes = [min(max(int(n), 1), MAX_NEURONS) for n in list(sizes)[:MAX_HIDDEN_LAYERS]]

        def rebuild(net):
            for _ in range(net.depth - 1):
                net.remove_layer(0)
            for index, size in enumerate(sizes):
                net.add_layer(index, size, activation)
            net.reinitialize()

        self._edit(rebuild, select_layer=0 if sizes else None)

    @undoable(labels.set_activation)
    @transaction
    def set_activation(self, layer: int, name: str) -> None:
        if self.network.activations[layer] != name:
            self._edit(lambda net: net.set_activation(layer, name), select_layer=None)

    @undoable(labels.cycle_all_activations)
    @transaction
    def cycle_all_activations(self) -> None:
        """Every hidden layer to the next activation (after the first layer's): a deep sigmoid
        network becomes tanh, then ReLU … in one key, to compare how their gradients travel."""
        hidden = self.network.depth - 1
        if hidden < 1:
            self.set_message("There is no hidden layer whose activation could change.")
            return
        names = list(HIDDEN_ACTIVATIONS)
        current = self.network.activations[0]
        following = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self._edit(lambda net: [net.set_activation(layer, following) for layer in range(hidden)],
                   select_layer=None)
        self.set_message(f"Every hidden layer is {core.ACTIVATIONS[following].title} now.")

    @undoable(labels.vanishing_example)
    @transaction
    def load_vanishing_example(self) -> None:
        """Six sigmoid hidden layers of 8 on the circle data: the classic vanishing gradient."""
        self.set_dataset("circle")
        self.set_hidden_layers([8] * MAX_HIDDEN_LAYERS, "sigmoid")
        self.set_message("Six sigmoid layers: the gradient health panel (Ctrl+9) shows δ shrinking layer by "
                         "layer on the way back, since each σ′ ≤ ¼. Shift+V switches every hidden layer to the "
                         "next activation (tanh, ReLU …); I changes the initialization.")

    @undoable(labels.cycle_activation)
    @transaction
    def cycle_activation(self, layer: int | None = None) -> None:
        layer = self.focused_layer if layer is None else layer
        if layer is None:
            self.set_message("There is no hidden layer whose activation could change.")
            return
        names = list(HIDDEN_ACTIVATIONS)
        current = self.network.activations[layer]
        index = names.index(current) if current in names else -1
        self.set_activation(layer, names[(index + 1) % len(names)])

    def _edit(self, change, select_layer) -> None:
        """Apply a structural edit; training continues with the new shape from the same weights.

        The edit is made on a copy, taken only when it succeeds, so a refused edit changes nothing.
        ``select_layer`` (a layer, or a function of the edited model giving one, or None) is where
        the selection moves when its parameter no longer exists."""
        self.set_running(False)
        edited = self.network.copy()
        try:
            change(edited)
        except (ValueError, IndexError) as exc:
            self.set_message(str(exc))
            return
        if callable(select_layer):
            select_layer = select_layer(edited)
        self._repair_selection(edited, select_layer)
        self._restart_history(edited)
        self._announce_structure()
        self._emit("parametersChanged")

    def _repair_selection(self, network: core.Network, layer: int | None = None) -> None:
        """Parameter names may have changed: keep the selection (moved into ``layer`` if given), the
        surface axes and the sample where they still exist, else pick the first valid ones."""
        names = network.parameter_names()
        if layer is not None:
            in_layer = [n for n in names if network.locate(n).layer == layer]
            if self._selected not in in_layer and in_layer:
                self._selected = in_layer[0]
        if self._selected not in names:
            self._selected = names[0]
        if not set(self._axes) <= set(names):
            weights = [n for n in names if n.startswith("w")]
            with self._engine.edit(publish=False):   # the worker reads the axes for its snapshots
                self._axes = (weights[0], weights[1] if len(weights) > 1 else names[1])
        self._sample = min(self._sample, len(self.X) - 1)

    def _announce_structure(self) -> None:
        self.focus_path(None)
        self._emit("structureChanged")
        self._emit("selectionChanged", self._selected)
        self._emit("axesChanged", *self._axes)

    # ----------------------------------------------------------------- selection and parameters
    @transaction
    def select(self, name: str) -> None:
        if name not in self.parameter_names():
            raise ValueError(f"unknown parameter {name!r}")
        if name != self._selected:
            self._selected = name
            self.focus_path(None)
            self._emit("selectionChanged", name)

    @property
    def focused_path(self) -> tuple | None:
        """One path from the selected parameter to the cost, as core.path_nodes gives it, that the
        diagram and the chain panel single out; None: every path is shown alike."""
        return self._focused_path

    @transaction
    def focus_path(self, nodes) -> None:
        nodes = None if nodes is None else tuple(nodes)
        if nodes is not None and nodes not in core.path_nodes(self.network, self._selected):
            raise ValueError(f"{nodes!r} is not a path from {self._selected} to the cost")
        if nodes != self._focused_path:
            self._focused_path = nodes
            self._emit("focusedPathChanged", nodes)

    @transaction
    def cycle_path(self, offset: int = 1) -> None:
        """Step through the selected parameter's paths one at a time, then back to all of them."""
        count = core.path_count(self.network, self._selected)
        if count > MAX_STEPPED_PATHS:
            self.set_message(f"{count:,} paths lead from {to_unicode(self._selected)} to the cost: too many to step "
                             f"through one by one (at most {MAX_STEPPED_PATHS}).")
            return
        choices = [None, *core.path_nodes(self.network, self._selected)]
        index = choices.index(self._focused_path) if self._focused_path in choices else 0
        self.focus_path(choices[(index + offset) % len(choices)])

    @transaction
    def select_relative(self, offset: int) -> None:
        names = self.parameter_names()
        self.select(names[(names.index(self._selected) + offset) % len(names)])

    @transaction
    def set_sample(self, index: int) -> None:
        index = int(index) % len(self.X)
        if index != self._sample:
            self._sample = index
            self._emit("sampleChanged", index)

    @undoable(labels.set_parameter)
    @transaction
    def set_parameter(self, name: str, value: float) -> None:
        """A hand edit of the shown step (a past step: on a new branch from there)."""
        if not math.isfinite(value):
            self.set_message(f"{to_unicode(name)} must be a finite number.")
            return
        if value != self.network.get(name):
            self._change_run(lambda run: run.set_parameter(name, value))
            self._emit("timelineChanged")

    @undoable(labels.nudge, merge=labels.nudge_key)
    @transaction
    def nudge(self, direction: int, fine: bool = False) -> None:
        """Move the selected parameter by a fixed amount so the learner sees every view respond."""
        amount = (FINE_NUDGE_STEP if fine else NUDGE_STEP) * direction
        self.set_parameter(self._selected, self.network.get(self._selected) + amount)

    @transaction
    def set_axes(self, name_a: str, name_b: str) -> None:
        names = self.parameter_names()
        if name_a not in names or name_b not in names or name_a == name_b:
            self.set_message("Choose two different parameters for the surface axes.")
            return
        if (name_a, name_b) != self._axes:
            with self._engine.edit(publish=False):
                self._axes = (name_a, name_b)
            if self._train_only_axes:
                self._train_only_what_is_asked()
            else:
                self._refresh()   # the snapshot's path is over the axes
            self._emit("axesChanged", name_a, name_b)

    def axis_pairs(self) -> list[tuple[str, str]]:
        names = self.parameter_names()
        return [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]

    @transaction
    def cycle_axes(self, offset: int = 1) -> None:
        pairs = self.axis_pairs()
        current = self._axes if self._axes in pairs else (self._axes[1], self._axes[0])
        index = pairs.index(current) if current in pairs else 0
        self.set_axes(*pairs[(index + offset) % len(pairs)])

    @undoable(labels.train_only_axes)
    @transaction
    def set_train_only_axes(self, only: bool) -> None:
        if only != self._train_only_axes:
            self._train_only_axes = only
            self._train_only_what_is_asked()
            self._emit("trainOnlyAxesChanged", only)

    def _train_only_what_is_asked(self) -> None:
        """Restrict (or free) the trained parameters; the run, its path and its epochs go on."""
        only = list(self._axes) if self._train_only_axes else None

        def change(run):
            run.only = only
        self._change_run(change)

    @transaction
    def set_message(self, text: str) -> None:
        self._message_source = None   # a message from elsewhere: it stays until replaced or cleared
        if text != self._message:
            self._message = text
            self._emit("messageChanged", text)
