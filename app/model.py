"""The session model: the single observable source of truth every view reads and every control writes.

It wraps plain core objects (the network, the dataset, the gradient-descent run) and emits a specific
signal only when a value really changes, so views can stay dumb: they observe and redraw.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

import core

DEFAULT_LEARNING_RATE = 2.0
MIN_LEARNING_RATE = 1e-4
MAX_LEARNING_RATE = 1e7
NUDGE_STEP = 0.1
FINE_NUDGE_STEP = 0.01


class SessionModel(QObject):
    """Everything the studio is showing: network, data, cost, optimizer settings, selection, history."""

    parametersChanged = Signal()          # any parameter value changed (step, nudge, reset)
    stepped = Signal(int, float)           # step count and cost after a training step
    datasetChanged = Signal()
    lossChanged = Signal(str)
    learningRateChanged = Signal(float)
    selectionChanged = Signal(str)
    sampleChanged = Signal(int)
    axesChanged = Signal(str, str)
    trainOnlyAxesChanged = Signal(bool)
    runningChanged = Signal(bool)
    stepsPerTickChanged = Signal(int)
    historyReset = Signal()
    messageChanged = Signal(str)          # "" clears; a non-empty text is shown in the window banner

    def __init__(self, dataset: str = "lesson", loss: str = "squared_error", parent=None):
        super().__init__(parent)
        self._dataset = core.load_dataset(dataset)
        self._network = core.lesson_network(loss=loss)
        self._learning_rate = DEFAULT_LEARNING_RATE
        names = self._network.parameter_names()
        self._selected = names[0]
        self._axes = (names[0], names[2] if len(names) > 2 else names[1])
        self._sample = 0
        self._train_only_axes = False
        self._running = False
        self._steps_per_tick = 5
        self._message = ""
        self._descent = self._new_descent()
        self._record_start()

    # ----------------------------------------------------------------- read access
    @property
    def network(self) -> core.Network:
        """The live network. Views read it; only the model changes it."""
        return self._network

    @property
    def dataset(self) -> core.Dataset:
        return self._dataset

    @property
    def X(self):
        return self._dataset.X

    @property
    def y(self):
        return self._dataset.y

    @property
    def loss_name(self) -> str:
        return self._network.loss

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

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
        return self._descent.history

    @property
    def step_count(self) -> int:
        return self._descent.step_count

    def parameter_names(self) -> list[str]:
        return self._network.parameter_names()

    def cost(self) -> float:
        return self._network.loss(self.X, self.y)

    def gradient(self, name: str) -> float:
        return float(self._network.gradient_vector(self.X, self.y)[self.parameter_names().index(name)])

    def chain(self, name: str | None = None, sample: int | None = None):
        """The chain-rule breakdown of dJ/d(name) at the chosen sample (core.Network.chain)."""
        return self._network.chain(name or self._selected, self.X, self.y,
                                   sample=self._sample if sample is None else sample)

    # ----------------------------------------------------------------- training
    def _new_descent(self) -> core.GradientDescent:
        only = list(self._axes) if self._train_only_axes else None
        return core.GradientDescent(self._network, self.X, self.y, self._learning_rate, only=only)

    def _record_start(self) -> None:
        history = self._descent.history
        history.clear()
        history.append(0, self.cost(), self._network.parameter_vector())

    def step(self, count: int = 1) -> bool:
        """Take gradient-descent steps; on divergence pause, keep the last good parameters, say why."""
        try:
            cost = self._descent.step(count)
        except core.TrainingDiverged as exc:
            self.set_running(False)
            self.set_message(f"{exc} Press Reset (Ctrl+R) to start again.")
            self.parametersChanged.emit()
            return False
        self.parametersChanged.emit()
        self.stepped.emit(self._descent.step_count, float(cost))
        return True

    def set_running(self, running: bool) -> None:
        if running and self._message:
            self.set_message("")
        if running != self._running:
            self._running = running
            self.runningChanged.emit(running)

    def toggle_running(self) -> None:
        self.set_running(not self._running)

    def reset(self) -> None:
        """Back to the starting parameters and an empty history, keeping every setting."""
        self.set_running(False)
        start = core.lesson_network(loss=self.loss_name)
        if start.sizes == self._network.sizes:
            self._network.set_parameter_vector(start.parameter_vector())
        else:
            self._network.reinitialize(0)
        self._descent = self._new_descent()
        self._record_start()
        self.set_message("")
        self.historyReset.emit()
        self.parametersChanged.emit()

    def set_steps_per_tick(self, steps: int) -> None:
        steps = max(1, int(steps))
        if steps != self._steps_per_tick:
            self._steps_per_tick = steps
            self.stepsPerTickChanged.emit(steps)

    # ----------------------------------------------------------------- settings
    def set_learning_rate(self, rate: float) -> None:
        if not math.isfinite(rate) or rate <= 0:
            self.set_message(f"The learning rate must be a positive number, not {rate!r}.")
            return
        rate = min(max(rate, MIN_LEARNING_RATE), MAX_LEARNING_RATE)
        if rate != self._learning_rate:
            self._learning_rate = rate
            self._descent.learning_rate = rate
            self.learningRateChanged.emit(rate)

    def scale_learning_rate(self, factor: float) -> None:
        self.set_learning_rate(self._learning_rate * factor)

    def set_loss(self, name: str) -> None:
        if name != self._network.loss:
            self._network.loss = name
            self._restart_history()
            self.lossChanged.emit(name)
            self.parametersChanged.emit()

    def cycle_loss(self) -> None:
        names = list(core.LOSSES)
        self.set_loss(names[(names.index(self.loss_name) + 1) % len(names)])

    def set_dataset(self, name: str) -> None:
        if name != self._dataset.name:
            self._dataset = core.load_dataset(name)
            self._sample = min(self._sample, len(self.X) - 1)
            self._restart_history()
            self.datasetChanged.emit()
            self.parametersChanged.emit()

    def cycle_dataset(self) -> None:
        names = list(core.DATASETS)
        self.set_dataset(names[(names.index(self._dataset.name) + 1) % len(names)])

    def _restart_history(self) -> None:
        """The cost being minimised changed, so the old curve no longer describes this run."""
        self.set_running(False)
        self._descent = self._new_descent()
        self._record_start()
        self.set_message("")
        self.historyReset.emit()

    # ----------------------------------------------------------------- selection and parameters
    def select(self, name: str) -> None:
        if name not in self.parameter_names():
            raise ValueError(f"unknown parameter {name!r}")
        if name != self._selected:
            self._selected = name
            self.selectionChanged.emit(name)

    def select_relative(self, offset: int) -> None:
        names = self.parameter_names()
        self.select(names[(names.index(self._selected) + offset) % len(names)])

    def set_sample(self, index: int) -> None:
        index = int(index) % len(self.X)
        if index != self._sample:
            self._sample = index
            self.sampleChanged.emit(index)

    def set_parameter(self, name: str, value: float) -> None:
        if not math.isfinite(value):
            self.set_message(f"{name} must be a finite number.")
            return
        if value != self._network.get(name):
            self._network.set(name, value)
            self.history.append(self.step_count, self.cost(), self._network.parameter_vector())
            self.parametersChanged.emit()

    def nudge(self, direction: int, fine: bool = False) -> None:
        """Move the selected parameter by a fixed amount so the learner sees every view respond."""
        amount = (FINE_NUDGE_STEP if fine else NUDGE_STEP) * direction
        self.set_parameter(self._selected, self._network.get(self._selected) + amount)

    def set_axes(self, name_a: str, name_b: str) -> None:
        names = self.parameter_names()
        if name_a not in names or name_b not in names or name_a == name_b:
            self.set_message("Choose two different parameters for the surface axes.")
            return
        if (name_a, name_b) != self._axes:
            self._axes = (name_a, name_b)
            if self._train_only_axes:
                self._descent = self._new_descent_keep_history()
            self.axesChanged.emit(name_a, name_b)

    def axis_pairs(self) -> list[tuple[str, str]]:
        names = self.parameter_names()
        return [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]

    def cycle_axes(self, offset: int = 1) -> None:
        pairs = self.axis_pairs()
        current = self._axes if self._axes in pairs else (self._axes[1], self._axes[0])
        index = pairs.index(current) if current in pairs else 0
        self.set_axes(*pairs[(index + offset) % len(pairs)])

    def set_train_only_axes(self, only: bool) -> None:
        if only != self._train_only_axes:
            self._train_only_axes = only
            self._descent = self._new_descent_keep_history()
            self.trainOnlyAxesChanged.emit(only)

    def _new_descent_keep_history(self) -> core.GradientDescent:
        """Swap the optimizer's settings without losing the step count and the path so far."""
        old = self._descent
        new = self._new_descent()
        new.history = old.history
        new.step_count = old.step_count
        return new

    def set_message(self, text: str) -> None:
        if text != self._message:
            self._message = text
            self.messageChanged.emit(text)
