"""Training controls, in a narrow scrollable column of group boxes:

* Training: Step/Run/Reset, learning rate, cost (only those that fit the output layer), batch mode
  (full / mini-batch of k / one sample) with the epoch counter, steps per frame;
* Data: the built-in dataset, its size, noise and seed, the held-out test fraction and split seed;
* Network: its shape ("2 → 4 → 4 → 1") with the keys that edit it, regularization and rate,
  initialization and a new random start;
* Cost surface: the two parameters on its axes, and whether only they train.

Two-way bound to the model: widgets write through the model and, when the model changes, are updated
with their signals blocked so nothing echoes back.
"""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox,
                               QHBoxLayout, QLabel, QScrollArea, QSlider, QSpinBox, QToolButton,
                               QVBoxLayout, QWidget)

import core
from core.naming import to_unicode

from ..actions import ActionRegistry
from ..model import MAX_LEARNING_RATE, MIN_LEARNING_RATE, SessionModel
from .number_field import NumberField

MAX_POINTS = 2000
MAX_SEED = 9999
NOISE_STEPS = 100          # slider ticks over [0, the dataset's max noise]
DEFAULT_MINI_BATCH = 32
MAX_REGULARIZATION_RATE = 10.0
BATCH_MODES = (("full", "Full batch"), ("mini", "Mini-batch"), ("one", "One sample"))
REGULARIZATION_TITLES = {None: "None", "l1": "L1 (|w|)", "l2": "L2 (w²)"}
INIT_TITLES = {"xavier": "Xavier", "he": "He", "small": "Small random", "zero": "Zero"}


@contextmanager
def blocked(*widgets):
    for widget in widgets:
        widget.blockSignals(True)
    try:
        yield
    finally:
        for widget in widgets:
            widget.blockSignals(False)


def _form(group: QGroupBox) -> QFormLayout:
    form = QFormLayout(group)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.DontWrapRows)
    form.setContentsMargins(6, 4, 6, 4)
    form.setVerticalSpacing(4)
    return form


def _row(*widgets) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, (QSlider, QComboBox)) else 0)
    return box


def _narrow(widget: QWidget) -> QWidget:
    """Let a combo or spin box shrink to the column instead of widening it to its longest entry."""
    if isinstance(widget, QComboBox):
        widget.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        widget.setMinimumContentsLength(6)
    widget.setMinimumWidth(40)
    return widget


def _wide_row(form: QFormLayout, label: str, field: QWidget, buddy: QWidget | None = None) -> None:
    """A label over a field as wide as the column: a combo's longest entry ("Two classes along x
    (lesson)", "Binary cross-entropy", "Mini-batch") is not cut short beside a long label."""
    title = QLabel(label)
    title.setBuddy(buddy or field)
    form.addRow(title)
    form.addRow(field)


def shape_text(sizes) -> str:
    return " → ".join(str(s) for s in sizes)


class ControlsPanel(QWidget):
    def __init__(self, model: SessionModel, actions: ActionRegistry, parent=None):
        super().__init__(parent)
        self.setObjectName("controls")
        self.setAccessibleName("Training controls")
        self._model = model
        self._actions = actions
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = self._scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        column = QVBoxLayout(inner)
        column.setContentsMargins(6, 4, 6, 4)
        column.setSpacing(6)

        buttons = QHBoxLayout()
        for action_id in ("step", "run", "reset"):
            button = QToolButton()
            button.setDefaultAction(actions.action(action_id))
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            button.setObjectName(f"button-{action_id}")
            button.setFocusPolicy(Qt.StrongFocus)
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)

        column.addWidget(self._training_group())
        column.addWidget(self._data_group())
        column.addWidget(self._network_group())
        column.addWidget(self._surface_group())
        column.addStretch(1)
        for kind in (QComboBox, QDoubleSpinBox, QSpinBox):
            for widget in inner.findChildren(kind):
                _narrow(widget)

        for signal in (model.learningRateChanged, model.lossChanged, model.datasetChanged, model.axesChanged,
                       model.trainOnlyAxesChanged, model.stepsPerTickChanged, model.structureChanged,
                       model.trainingOptionsChanged, model.historyReset):
            signal.connect(self._sync)
        model.stepped.connect(self._sync_epoch)
        self._sync()
        # A key that changes a control brings that control into view (the column scrolls), and says
        # what it changed to in the status bar: the learner sees every key do something.
        revealed = {"lr_up": self.learning_rate, "lr_down": self.learning_rate, "cycle_cost": self.cost,
                    "batch_mode": self.batch_mode, "cycle_dataset": self.dataset, "prev_dataset": self.dataset,
                    "cycle_regularization": self.regularization, "cycle_init": self.init,
                    "reinitialize": self.init, "train_only_axes": self.train_only, "next_axes": self.axis_a,
                    "prev_axes": self.axis_a}
        for action_id, widget in revealed.items():
            actions.action(action_id).triggered.connect(lambda _checked=False, w=widget: self.reveal(w))

    CONTROL_NAMES = {"learning-rate": "Learning rate η", "cost": "Cost", "batch-mode": "Batch",
                     "dataset": "Dataset", "regularization": "Regularization", "init": "Initialization",
                     "train-only-axes": "Train only the surface parameters", "surface-x-axis": "Surface axes"}

    def reveal(self, widget: QWidget) -> None:
        """Scroll `widget` into view and say in the status bar what it shows now."""
        self._scroll.ensureWidgetVisible(widget, 8, 8)
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(f"{self.CONTROL_NAMES.get(widget.objectName(), '')}: "
                                           f"{self.control_text(widget)}", 4000)

    def control_text(self, widget: QWidget) -> str:
        """What a control shows, in words."""
        model = self._model
        if widget is self.learning_rate:
            return f"{model.learning_rate:g}"
        if widget is self.train_only:
            return "on" if widget.isChecked() else "off"
        if widget is self.axis_a:
            return " and ".join(model.axes)
        if widget is self.regularization and model.network.regularization is not None:
            return f"{widget.currentText()}, λ = {model.network.regularization_rate:g}"
        if widget is self.batch_mode and model.batch_size not in (None, 1):
            return f"mini-batches of {model.batch_size}"
        return widget.currentText() if isinstance(widget, QComboBox) else ""

    def is_in_view(self, widget: QWidget) -> bool:
        """True when `widget` lies wholly inside the visible part of the scrolled column."""
        viewport = self._scroll.viewport()
        top_left = widget.mapTo(viewport, widget.rect().topLeft())
        return viewport.rect().contains(widget.rect().translated(top_left))

    # ------------------------------------------------------------------ groups
    def _training_group(self) -> QGroupBox:
        model = self._model
        group = QGroupBox("Training")
        form = _form(group)

        self.learning_rate = NumberField("The learning rate")
        self.learning_rate.clamped.connect(self._model.set_message)
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
        self.cost.setToolTip("The cost J gradient descent minimises; only those that fit the output layer "
                             "are offered (C cycles)")
        self.cost.currentIndexChanged.connect(self._cost_edited)
        _wide_row(form, "&Cost", self.cost)

        self.batch_mode = QComboBox()
        self.batch_mode.setObjectName("batch-mode")
        for key, title in BATCH_MODES:
            self.batch_mode.addItem(title, key)
        self.batch_mode.setToolTip("How many samples each step uses: all of them, a mini-batch, or one (K cycles)")
        self.batch_mode.currentIndexChanged.connect(self._batch_edited)
        self.batch_size = QSpinBox()
        self.batch_size.setObjectName("batch-size")
        self.batch_size.setRange(1, MAX_POINTS)
        self.batch_size.setValue(DEFAULT_MINI_BATCH)
        self.batch_size.setKeyboardTracking(False)
        self.batch_size.setToolTip("Samples per mini-batch step")
        self.batch_size.setMaximumWidth(64)
        self.batch_size.valueChanged.connect(self._batch_edited)
        _wide_row(form, "&Batch", _row(self.batch_mode, self.batch_size), buddy=self.batch_mode)

        self.epoch = QLabel()
        self.epoch.setObjectName("epoch")
        self.epoch.setToolTip("An epoch is one pass over the training points: one full-batch step, or N "
                              "one-sample steps")
        form.addRow("Epoch", self.epoch)

        self.speed = QSpinBox()
        self.speed.setObjectName("steps-per-tick")
        self.speed.setRange(0, 1000)
        self.speed.setSpecialValueText("as fast as it goes")   # 0: the worker steps flat out
        self.speed.setToolTip("How many gradient-descent steps each frame of a run takes (0: as many as "
                              "the machine manages; the pictures follow as fast as they can be drawn)")
        self.speed.valueChanged.connect(model.set_steps_per_tick)
        form.addRow("Steps per fra&me", self.speed)
        return group

    def _data_group(self) -> QGroupBox:
        group = QGroupBox("Data")
        form = _form(group)
        self.dataset = QComboBox()
        self.dataset.setObjectName("dataset")
        for name, title in core.DATASET_TITLES.items():
            self.dataset.addItem(title, name)
        self.dataset.setToolTip("A built-in dataset (D / Shift+D cycle); File ▸ Open CSV for your own")
        self.dataset.currentIndexChanged.connect(self._dataset_chosen)
        _wide_row(form, "&Dataset", self.dataset)

        self.size = QSpinBox()
        self.size.setObjectName("dataset-size")
        self.size.setRange(core.datasets.MIN_POINTS, MAX_POINTS)
        self.size.setKeyboardTracking(False)
        self.size.setToolTip("How many points to generate (training and test together)")
        self.size.valueChanged.connect(self._regenerate)
        form.addRow("Si&ze", self.size)

        self.noise_slider = QSlider(Qt.Horizontal)
        self.noise_slider.setObjectName("noise-slider")
        self.noise_slider.setRange(0, NOISE_STEPS)
        self.noise_slider.setTracking(False)  # new data when the slider is let go, not on every pixel
        self.noise_slider.setToolTip("How much random jitter the points get")
        self.noise_slider.valueChanged.connect(self._noise_slid)
        self.noise = NumberField("The noise")
        self.noise.clamped.connect(self._model.set_message)
        self.noise.setObjectName("noise")
        self.noise.setDecimals(2)
        self.noise.setSingleStep(0.05)
        self.noise.setKeyboardTracking(False)
        self.noise.setToolTip("Noise: the standard deviation of the jitter (of the target, for regression)")
        self.noise.valueChanged.connect(self._regenerate)
        noise_label = QLabel("N&oise")
        noise_label.setBuddy(self.noise_slider)
        form.addRow(noise_label, _row(self.noise_slider, self.noise))

        self.seed = QSpinBox()
        self.seed.setObjectName("dataset-seed")
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("The random seed the points are drawn from: same seed, same points")
        self.seed.valueChanged.connect(self._regenerate)
        form.addRow("Seed", self.seed)

        self.test_fraction = NumberField("The test fraction")
        self.test_fraction.clamped.connect(self._model.set_message)
        self.test_fraction.setObjectName("test-fraction")
        self.test_fraction.setRange(0.0, 0.5)
        self.test_fraction.setDecimals(2)
        self.test_fraction.setSingleStep(0.05)
        self.test_fraction.setKeyboardTracking(False)
        self.test_fraction.setToolTip("The share of points held out as a test set: never trained on, drawn "
                                      "hollow, their cost dashed on the cost curve")
        self.test_fraction.valueChanged.connect(self._split_edited)
        self.split_seed = QSpinBox()
        self.split_seed.setObjectName("split-seed")
        self.split_seed.setRange(0, MAX_SEED)
        self.split_seed.setKeyboardTracking(False)
        self.split_seed.setPrefix("seed ")
        self.split_seed.setToolTip("Which points are held out (another seed, another test set)")
        self.split_seed.setMaximumWidth(84)
        self.split_seed.valueChanged.connect(self._split_edited)
        form.addRow("Held o&ut", _row(self.test_fraction, self.split_seed))
        return group

    def _network_group(self) -> QGroupBox:
        model = self._model
        group = QGroupBox("Network")
        form = _form(group)
        self.shape = QLabel()
        self.shape.setObjectName("network-shape")
        self.shape.setWordWrap(True)
        self.shape.setTextInteractionFlags(Qt.TextSelectableByMouse)
        form.addRow(self.shape)
        hint = QLabel("H adds a layer (Shift+H removes), = / − a neuron, V changes the activation — of "
                      "the selected parameter's layer.")
        hint.setObjectName("network-keys")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5b6478;")
        form.addRow(hint)

        self.regularization = QComboBox()
        self.regularization.setObjectName("regularization")
        for kind in core.network.REGULARIZATIONS:
            self.regularization.addItem(REGULARIZATION_TITLES.get(kind, str(kind)), kind)
        self.regularization.setToolTip("A penalty on large weights added to the cost (G cycles)")
        self.regularization.currentIndexChanged.connect(self._regularization_edited)
        self.regularization_rate = NumberField("The penalty weight λ")
        self.regularization_rate.clamped.connect(self._model.set_message)
        self.regularization_rate.setObjectName("regularization-rate")
        self.regularization_rate.setDecimals(4)
        self.regularization_rate.setRange(0.0, MAX_REGULARIZATION_RATE)
        self.regularization_rate.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.regularization_rate.setKeyboardTracking(False)
        self.regularization_rate.setToolTip("λ, the weight of the penalty in the cost")
        self.regularization_rate.setMaximumWidth(84)
        self.regularization_rate.valueChanged.connect(self._regularization_edited)
        form.addRow("Re&gularize", _row(self.regularization, self.regularization_rate))

        self.init = QComboBox()
        self.init.setObjectName("init")
        for name in core.network.INITIALIZATIONS:
            self.init.addItem(INIT_TITLES.get(name, name), name)
        self.init.setToolTip("How the starting weights are drawn; changing it starts again (I cycles)")
        self.init.currentIndexChanged.connect(
            lambda _i: model.reinitialize(model.network.seed, self.init.currentData()))
        form.addRow("&Init", self.init)
        self.new_start = QToolButton()
        self.new_start.setObjectName("button-reinitialize")
        self.new_start.setDefaultAction(self._actions.action("reinitialize"))
        self.new_start.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.new_start.setFocusPolicy(Qt.StrongFocus)
        form.addRow("", self.new_start)
        return group

    def _surface_group(self) -> QGroupBox:
        model = self._model
        group = QGroupBox("Cost surface")
        form = _form(group)
        self.axis_a, self.axis_b = QComboBox(), QComboBox()
        for combo, label in ((self.axis_a, "Surface &x axis"), (self.axis_b, "Surface &y axis")):
            combo.setObjectName(label.replace("&", "").lower().replace(" ", "-"))
            combo.setToolTip("The parameter along this axis of the cost surface (A / Shift+A cycle the pair)")
            combo.currentIndexChanged.connect(self._axes_edited)
            form.addRow(label.replace("Surface ", ""), combo)
        self.train_only = QCheckBox("Train only these two")
        self.train_only.setObjectName("train-only-axes")
        self.train_only.setToolTip("Holds the others, so the path lies exactly on a fixed surface (T)")
        self.train_only.toggled.connect(model.set_train_only_axes)
        form.addRow(self.train_only)
        return group

    # ------------------------------------------------------------------ widget -> model
    def _cost_edited(self, _index: int) -> None:
        name = self.cost.currentData()
        if name:
            self._model.set_loss(name)
            self._sync()

    def _batch_edited(self, *_args) -> None:
        mode = self.batch_mode.currentData()
        size = {"full": None, "one": 1}.get(mode, self.batch_size.value())
        self._model.set_batch_size(size)
        self._sync()

    def _dataset_chosen(self, _index: int) -> None:
        name = self.dataset.currentData()
        if name and name in core.DATASETS and name != self._model.dataset.name:
            self._model.set_dataset(name)
        self._sync()

    def _noise_slid(self, tick: int) -> None:
        top = self._noise_top()
        with blocked(self.noise):
            self.noise.setValue(top * tick / NOISE_STEPS)
        self._regenerate()

    def _noise_top(self) -> float:
        name = self._model.dataset.name
        default, top = core.DATASET_NOISE.get(name, (0.0, 1.0))
        return max(top, float(self._model.dataset.noise))

    def _regenerate(self, *_args) -> None:
        """Size, noise or seed changed: the same built-in dataset drawn again."""
        name = self._model.dataset.name
        if name not in core.DATASETS:
            return
        self._model.set_dataset(name, n=self.size.value(), noise=self.noise.value(), seed=self.seed.value())
        self._sync()

    def _split_edited(self, *_args) -> None:
        self._model.set_split(self.test_fraction.value(), self.split_seed.value())
        self._sync()

    def _regularization_edited(self, *_args) -> None:
        self._model.set_regularization(self.regularization.currentData(), self.regularization_rate.value())
        self._sync()

    def _axes_edited(self, _index: int) -> None:
        a, b = self.axis_a.currentData(), self.axis_b.currentData()
        if a and b:
            self._model.set_axes(a, b)
            self._sync()  # a refused pair snaps back to the model's

    # ------------------------------------------------------------------ model -> widget
    def _sync_epoch(self, *_args) -> None:
        model = self._model
        self.epoch.setText(f"{model.epoch:.2f} (step {model.step_count})")

    def _sync(self, *_args) -> None:
        model = self._model
        data, net = model.dataset, model.network
        names = model.parameter_names()
        widgets = (self.learning_rate, self.cost, self.dataset, self.axis_a, self.axis_b, self.train_only,
                   self.speed, self.batch_mode, self.batch_size, self.size, self.noise_slider, self.noise,
                   self.seed, self.test_fraction, self.split_seed, self.regularization,
                   self.regularization_rate, self.init)
        with blocked(*widgets):
            self.learning_rate.setValue(model.learning_rate)
            losses = model.compatible_losses()
            if [self.cost.itemData(i) for i in range(self.cost.count())] != losses:
                self.cost.clear()
                for name in losses:
                    self.cost.addItem(core.ALL_LOSSES[name].title, name)
            self.cost.setCurrentIndex(self.cost.findData(model.loss_name))

            generated = data.name in core.DATASETS
            csv_index = self.dataset.findData("csv")
            if generated and csv_index >= 0:
                self.dataset.removeItem(csv_index)
            elif not generated:
                title = f"Your data: {data.title}"
                if csv_index < 0:
                    self.dataset.addItem(title, data.name)
                    csv_index = self.dataset.count() - 1
                self.dataset.setItemText(csv_index, title)
            self.dataset.setCurrentIndex(self.dataset.findData(data.name))
            self.dataset.setToolTip(data.description)
            self.size.setValue(len(data))
            top = self._noise_top()
            self.noise.setRange(0.0, max(top, 10.0))
            self.noise.setValue(data.noise)
            self.noise_slider.setValue(round(NOISE_STEPS * min(data.noise, top) / top) if top else 0)
            self.seed.setValue(data.seed)
            for widget in (self.size, self.noise_slider, self.noise, self.seed):
                widget.setEnabled(generated)

            self.test_fraction.setValue(model.test_fraction)
            self.split_seed.setValue(model.split_seed)
            self.split_seed.setEnabled(model.test_fraction > 0)

            size = model.batch_size
            mode = "full" if size is None else "one" if size == 1 else "mini"
            self.batch_mode.setCurrentIndex(self.batch_mode.findData(mode))
            if mode == "mini":
                self.batch_size.setValue(size)
            self.batch_size.setEnabled(mode == "mini")
            self.batch_size.setVisible(mode == "mini")  # the column is narrow: room for "Full batch"

            self.regularization.setCurrentIndex(self.regularization.findData(net.regularization))
            self.regularization_rate.setValue(net.regularization_rate)
            self.regularization_rate.setEnabled(net.regularization is not None)
            self.init.setCurrentIndex(self.init.findData(net.init))

            for combo, value in ((self.axis_a, model.axes[0]), (self.axis_b, model.axes[1])):
                if [combo.itemData(i) for i in range(combo.count())] != names:
                    combo.clear()
                    for name in names:   # shown as the diagram writes it, kept as the identifier
                        combo.addItem(to_unicode(name), name)
                combo.setCurrentIndex(combo.findData(value))
            self.train_only.setChecked(model.train_only_axes)
            self.speed.setValue(model.steps_per_tick)
        acts = net.activations
        hidden = ", ".join(acts[:-1]) or "none"
        self.shape.setText(f"<b>{shape_text(net.sizes)}</b><br>hidden: {hidden}; output: {acts[-1]}")
        self.shape.setToolTip("Layer sizes from the inputs to the outputs; the first and last follow the data")
        self._sync_epoch()
