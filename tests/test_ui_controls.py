"""The controls panel is bound both ways: a widget changes the model, a model change moves the widget."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QSlider, QWidget

import core
from app import network_lab
from app.actions import ActionRegistry
from app.model import SessionModel
from app.views.controls import ControlsPanel
from app.workers import LatestOnlyWorker


@pytest.fixture
def panel(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    host = QWidget()
    qtbot.addWidget(host)
    model = SessionModel()
    registry = ActionRegistry(host)
    registry.add_all(network_lab.action_specs(model, registry))
    controls = ControlsPanel(model, registry, parent=host)
    host.resize(270, 900)
    controls.resize(270, 900)
    host.show()
    qtbot.waitExposed(host)
    return controls


def test_dataset_combo_lists_every_builtin_and_switches(panel):
    model = panel._model
    assert [panel.dataset.itemData(i) for i in range(panel.dataset.count())] == list(core.DATASETS)
    assert [panel.dataset.itemText(i) for i in range(panel.dataset.count())] == list(core.DATASET_TITLES.values())
    panel.dataset.setCurrentIndex(panel.dataset.findData("spiral"))
    assert model.dataset.name == "spiral"
    assert panel.size.value() == len(model.dataset) and panel.noise.value() == pytest.approx(model.dataset.noise)
    assert panel.shape.text().startswith("<b>2 → ")
    model.set_dataset("blobs")
    assert panel.dataset.currentData() == "blobs"
    assert "→ 3</b>" in panel.shape.text()
    assert [panel.cost.itemData(i) for i in range(panel.cost.count())] == model.compatible_losses()
    assert panel.cost.currentData() == model.loss_name == "cross_entropy"


def test_size_noise_and_seed_regenerate_the_data(panel):
    model = panel._model
    model.set_dataset("moons")
    panel.size.setValue(120)
    assert len(model.dataset) == 120 and model.dataset.name == "moons"
    panel.noise.setValue(0.4)
    assert model.dataset.noise == pytest.approx(0.4)
    top = core.DATASET_NOISE["moons"][1]
    assert panel.noise_slider.value() == round(100 * 0.4 / top)
    panel.noise_slider.setValue(50)
    assert model.dataset.noise == pytest.approx(top / 2) and panel.noise.value() == pytest.approx(top / 2)
    panel.seed.setValue(7)
    assert model.dataset.seed == 7 and len(model.dataset) == 120
    model.set_dataset("moons", n=80, noise=0.1, seed=3)
    assert (panel.size.value(), panel.noise.value(), panel.seed.value()) == (80, pytest.approx(0.1), 3)


def test_test_split_two_ways(panel):
    model = panel._model
    model.set_dataset("circle")
    panel.test_fraction.setValue(0.25)
    assert model.test_fraction == pytest.approx(0.25) and len(model.test_indices) == 50
    panel.split_seed.setValue(4)
    assert model.split_seed == 4
    model.set_split(0.1, 2)
    assert panel.test_fraction.value() == pytest.approx(0.1) and panel.split_seed.value() == 2
    assert panel.test_fraction.maximum() == pytest.approx(0.5)


def test_batch_mode_two_ways_and_the_epoch_counter(panel):
    model = panel._model
    panel.batch_mode.setCurrentIndex(panel.batch_mode.findData("mini"))
    assert model.batch_size == panel.batch_size.value() and panel.batch_size.isEnabled()
    panel.batch_size.setValue(10)
    assert model.batch_size == 10
    panel.batch_mode.setCurrentIndex(panel.batch_mode.findData("one"))
    assert model.batch_size == 1 and not panel.batch_size.isEnabled()
    model.set_batch_size(None)
    assert panel.batch_mode.currentData() == "full"
    model.step(3)
    assert panel.epoch.text().startswith(f"{model.epoch:.2f}")
    model.cycle_batch_mode()
    assert panel.batch_mode.currentData() == "mini" and panel.batch_size.value() == model.batch_size


def test_regularization_init_and_new_start(panel):
    model = panel._model
    panel.regularization.setCurrentIndex(panel.regularization.findData("l2"))
    assert model.network.regularization == "l2" and panel.regularization_rate.isEnabled()
    panel.regularization_rate.setValue(0.05)
    assert model.network.regularization_rate == pytest.approx(0.05)
    model.set_regularization("l1", 0.2)
    assert panel.regularization.currentData() == "l1" and panel.regularization_rate.value() == pytest.approx(0.2)
    model.set_dataset("circle")    # a random start, not the lesson's
    panel.init.setCurrentIndex(panel.init.findData("he"))
    assert model.network.init == "he"
    model.cycle_init()
    assert panel.init.currentData() == model.network.init != "he"
    before = model.network.parameter_vector()
    panel.new_start.click()
    assert (model.network.parameter_vector() != before).any()


def test_model_changes_reach_learning_rate_cost_and_shape(panel):
    model = panel._model
    model.set_learning_rate(0.125)
    assert panel.learning_rate.value() == pytest.approx(0.125)
    panel.learning_rate.setValue(0.5)
    assert model.learning_rate == pytest.approx(0.5)
    panel.cost.setCurrentIndex(panel.cost.findData("binary_cross_entropy"))
    assert model.loss_name == "binary_cross_entropy"
    model.set_dataset("xor")
    model.add_layer()
    assert panel.shape.text().startswith("<b>" + " → ".join(map(str, model.network.sizes)) + "</b>")


def test_every_control_is_reachable_by_tab_and_explained(panel):
    controls = [w for kind in (QComboBox, QAbstractSpinBox, QSlider, QAbstractButton)
                for w in panel.findChildren(kind) if w.isVisibleTo(panel)]
    assert len(controls) >= 18
    for widget in controls:
        assert widget.focusPolicy() & Qt.TabFocus, widget.objectName()
        has_mnemonic = any(isinstance(label, QLabel) and label.buddy() is widget and "&" in label.text()
                           for label in panel.findChildren(QLabel))
        assert widget.toolTip() or has_mnemonic or getattr(widget, "defaultAction", lambda: None)(), \
            widget.objectName()
    # walking the Tab chain from the first control visits every enabled one
    first = panel.findChild(QAbstractButton, "button-step")
    first.setFocus()
    seen, widget = [], first
    for _ in range(80):
        seen.append(widget)
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.TabFocus and widget.isEnabled() and widget.isVisibleTo(panel)):
            widget = widget.nextInFocusChain()
        if widget is first:
            break
    enabled = [w for w in controls if w.isEnabled()]
    missing = [w.objectName() for w in enabled if w not in seen and not isinstance(w.parent(), QAbstractSpinBox)]
    assert not missing


def test_csv_data_disables_the_generator_controls(panel):
    model = panel._model
    import numpy as np
    X = np.linspace(-1, 1, 20)[:, None]
    model.set_data(core.Dataset("csv", "my table", X, (X > 0).astype(float), "classification", "mine"))
    assert panel.dataset.currentText() == "Your data: my table"
    assert not panel.size.isEnabled() and not panel.noise.isEnabled() and not panel.seed.isEnabled()
    panel.dataset.setCurrentIndex(panel.dataset.findData("xor"))
    assert model.dataset.name == "xor" and panel.dataset.findData("csv") == -1 and panel.size.isEnabled()


def test_speed_zero_means_as_fast_as_it_goes(panel):
    model = panel._model
    speed = panel.speed
    speed.setValue(0)
    assert speed.text() == "as fast as it goes"
    assert speed.value() == 0 and model.steps_per_tick == 0 and model.engine.steps_per_frame == 0
    speed.setValue(7)
    assert model.steps_per_tick == 7 and model.engine.steps_per_frame == 7
