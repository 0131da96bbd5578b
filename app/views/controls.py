"""Training controls: learning rate, cost, dataset, surface axes, what trains, speed, and the buttons.

Two-way bound to the model: widgets write through the model and, when the model changes, are updated
with their signals blocked so nothing echoes back.
"""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

import core

from ..actions import ActionRegistry
from ..model import MAX_LEARNING_RATE, MIN_LEARNING_RATE, SessionModel


@contextmanager
def blocked(*widgets):
    for widget in widgets:
        widget.blockSignals(True)
    try:
        yield
    finally:
        for widget in widgets:
            widget.blockSignals(False)


class ControlsPanel(QWidget):
    def __init__(self, model: SessionModel, actions: ActionRegistry, parent=None):
        super().__init__(parent)
        self.setObjectName("controls")
        self.setAccessibleName("Training controls")
        self._model = model
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        buttons = QHBoxLayout()
        for action_id in ("step", "run", "reset"):
            button = QToolButton()
            button.setDefaultAction(actions.action(action_id))
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            button.setObjectName(f"button-{action_id}")
            buttons.addWidget(button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)

        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setObjectName("learning-rate")
        self.learning_rate.setDecimals(4)
        self.learning_rate.setRange(MIN_LEARNING_RATE, MAX_LEARNING_RATE)
        self.learning_rate.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.learning_rate.setKeyboardTracking(False)
        self.learning_rate.setToolTip("η, the step size of gradient descent (L doubles it, Shift+L halves it)")
        self.learning_rate.valueChanged.connect(model.set_learning_rate)
        form.addRow("&Learning rate η", self.learning_rate)

        self.cost = QComboBox()
        self.cost.setObjectName("cost")
        for name, loss in core.LOSSES.items():
            self.cost.addItem(loss.title, name)
        self.cost.currentIndexChanged.connect(lambda _i: model.set_loss(self.cost.currentData()))
        form.addRow("&Cost", self.cost)

        self.dataset = QComboBox()
        self.dataset.setObjectName("dataset")
        for name, title in core.DATASET_TITLES.items():
            self.dataset.addItem(title, name)
        self.dataset.currentIndexChanged.connect(lambda _i: model.set_dataset(self.dataset.currentData()))
        form.addRow("&Dataset", self.dataset)

        self.axis_a, self.axis_b = QComboBox(), QComboBox()
        for combo, label in ((self.axis_a, "Surface &x axis"), (self.axis_b, "Surface &y axis")):
            combo.setObjectName(label.replace("&", "").lower().replace(" ", "-"))
            combo.currentIndexChanged.connect(self._axes_edited)
            form.addRow(label, combo)

        self.train_only = QCheckBox("Train only the two surface parameters")
        self.train_only.setObjectName("train-only-axes")
        self.train_only.setToolTip("Holds the others, so the path lies exactly on a fixed surface (T)")
        self.train_only.toggled.connect(model.set_train_only_axes)
        form.addRow(self.train_only)

        self.speed = QSpinBox()
        self.speed.setObjectName("steps-per-tick")
        self.speed.setRange(1, 1000)
        self.speed.setToolTip("How many gradient-descent steps each frame of a run takes")
        self.speed.valueChanged.connect(model.set_steps_per_tick)
        form.addRow("Steps per &frame", self.speed)

        model.learningRateChanged.connect(self._sync)
        model.lossChanged.connect(self._sync)
        model.datasetChanged.connect(self._sync)
        model.axesChanged.connect(self._sync)
        model.trainOnlyAxesChanged.connect(self._sync)
        model.stepsPerTickChanged.connect(self._sync)
        self._sync()

    def _axes_edited(self, _index: int) -> None:
        a, b = self.axis_a.currentText(), self.axis_b.currentText()
        if a and b:
            self._model.set_axes(a, b)
            self._sync()  # a refused pair snaps back to the model's

    def _sync(self, *_args) -> None:
        model = self._model
        names = model.parameter_names()
        widgets = (self.learning_rate, self.cost, self.dataset, self.axis_a, self.axis_b, self.train_only,
                   self.speed)
        with blocked(*widgets):
            self.learning_rate.setValue(model.learning_rate)
            self.cost.setCurrentIndex(self.cost.findData(model.loss_name))
            self.dataset.setCurrentIndex(self.dataset.findData(model.dataset.name))
            for combo, value in ((self.axis_a, model.axes[0]), (self.axis_b, model.axes[1])):
                if [combo.itemText(i) for i in range(combo.count())] != names:
                    combo.clear()
                    combo.addItems(names)
                combo.setCurrentText(value)
            self.train_only.setChecked(model.train_only_axes)
            self.speed.setValue(model.steps_per_tick)
