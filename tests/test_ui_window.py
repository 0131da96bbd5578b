"""The main window driven like a learner drives it: real keys on a shown window, actions by id."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.naming import to_unicode
import core
from app.format import fmt
from app.workers import LatestOnlyWorker
from tests.windows import shown


def central_difference(model, name, h=1e-6):
    net = model.network
    start = net.get(name)
    try:
        net.set(name, start + h)
        up = net.loss(model.X, model.y)
        net.set(name, start - h)
        down = net.loss(model.X, model.y)
    finally:
        net.set(name, start)
    return (up - down) / (2 * h)


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    win = shown(qtbot)
    win.activateWindow()
    win.panels()["diagram"].setFocus()
    # the first derivation imports sympy (seconds on a cold, loaded machine)
    qtbot.waitUntil(win.is_settled, timeout=30000)
    return win


def test_step_key_trains_and_the_cost_falls(window, qtbot):
    model = window.model
    before = model.cost()
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_S)
    assert model.step_count == 1
    assert model.cost() < before
    assert window.status_labels["step"].text() == "Step 1"
    assert fmt(model.cost(), 5) in window.status_labels["cost"].text()
    curve_x, curve_y = window.panels()["cost"].curve.getData()
    assert list(curve_x) == [0, 1] and curve_y[1] == pytest.approx(model.cost())


def test_selecting_a_parameter_updates_highlight_expression_and_slice(window, qtbot):
    model = window.model
    assert model.selected == "w2"   # the lesson derives dJ/dw2 first
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_N, Qt.ShiftModifier)
    assert model.selected == "b1"
    diagram = window.panels()["diagram"]
    assert "bias:b1" in diagram.highlighted and "edge:w1" not in diagram.highlighted
    assert "edge:w2" in diagram.highlighted  # the chain passes back through w2 (dz2/da1 = w2)
    expression = window.panels()["expression"]
    qtbot.waitUntil(lambda: any(r"\partial b_1" in line for line in expression.latex_lines))
    slice_view = window.panels()["slice"]
    assert slice_view.plot.getPlotItem().getAxis("bottom").labelText == "b₁"
    assert slice_view.slope == pytest.approx(central_difference(model, "b1"), rel=1e-6)
    xs, ys = slice_view.point.getData()
    assert xs[0] == pytest.approx(model.network.get("b1"))


def test_clicking_an_edge_selects_its_weight(window, qtbot):
    diagram = window.panels()["diagram"]
    edge = diagram._edges["w2"]
    center = diagram.mapFromScene(edge.path().pointAtPercent(0.5))
    qtbot.mouseClick(diagram.viewport(), Qt.LeftButton, pos=center)
    assert window.model.selected == "w2"


def test_nudging_moves_the_surface_point_and_changes_the_numbers(window, qtbot):
    model = window.model
    model.select("w1")   # the surface's first axis
    surface, expression = window.panels()["surface"], window.panels()["expression"]
    a0, b0 = surface.point_position
    numbers_before = list(expression.value_texts)
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Up, Qt.ControlModifier)
    assert model.network.get("w1") == pytest.approx(a0 + 0.1)
    a1, b1 = surface.point_position
    assert a1 == pytest.approx(a0 + 0.1) and b1 == pytest.approx(b0)
    qtbot.waitUntil(lambda: expression.value_texts != numbers_before)
    assert fmt(model.gradient("w1")) in expression.value_texts  # the batch gradient
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Down, Qt.ControlModifier | Qt.ShiftModifier)
    assert model.network.get("w1") == pytest.approx(a0 + 0.09)


def test_surface_over_the_held_parameters_matches_the_network(window, qtbot):
    model = window.model
    surface = window.panels()["surface"]
    model.set_parameter("b2", model.network.get("b2") + 0.5)  # off the plotted pair: recompute
    qtbot.waitUntil(surface.is_settled)
    request = surface.result.request
    assert request.snapshot.key == model.snapshot.key == surface.shown_snapshot.key
    assert surface.point_value == pytest.approx(model.cost(), rel=1e-12)  # the point lies on the surface
    a_min, a_max, b_min, b_max = request.extent
    i, j = 17, 90
    probe = model.network.copy()
    probe.set("w1", np.linspace(a_min, a_max, request.resolution)[i])
    probe.set("w2", np.linspace(b_min, b_max, request.resolution)[j])
    assert surface.grid[i, j] == pytest.approx(probe.loss(model.X, model.y), rel=1e-9)


def test_run_then_pause(window, qtbot):
    model = window.model
    window.registry.trigger("run")
    assert model.running and window.registry.action("run").text() == "&Pause"
    qtbot.waitUntil(lambda: model.step_count >= 20, timeout=5000)
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Space)
    assert not model.running and not model.engine.running
    steps = model.step_count
    qtbot.wait(100)  # nothing should happen while paused: a fixed wait is the point here
    assert model.step_count == steps


def test_divergence_pauses_with_a_message_and_reset_recovers(window, qtbot):
    model = window.model
    model.set_dataset("xor")   # η at its top makes the numbers of a wider tanh network explode
    window.panels()["controls"].learning_rate.setValue(1e6)
    assert model.learning_rate == 1000   # the top of the range
    window.registry.trigger("run")
    qtbot.waitUntil(lambda: not model.running, timeout=5000)
    assert window.banner_bar.isVisible()
    assert "diverged" in window.banner.text()
    assert np.all(np.isfinite(model.network.parameter_vector()))
    assert np.abs(model.network.parameter_vector()).max() < core.PARAMETER_LIMIT  # the bad step was not applied
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_R, Qt.ControlModifier)
    assert not window.banner_bar.isVisible() and model.step_count == 0
    assert model.learning_rate == 0.5   # Reset gives back a rate that trains (the built-in data's)
    window.panels()["controls"].learning_rate.setValue(1.0)
    window.registry.trigger("step")
    assert model.step_count == 1 and np.isfinite(model.cost())


def test_train_only_axes_keeps_the_others_fixed(window, qtbot):
    model = window.model
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_T)
    assert model.train_only_axes and window.panels()["controls"].train_only.isChecked()
    held = {n: model.network.get(n) for n in ("b1", "b2")}
    surface = window.panels()["surface"]
    qtbot.waitUntil(surface.is_settled)
    result = surface.result
    for _ in range(5):
        window.registry.trigger("step")
    assert {n: model.network.get(n) for n in held} == held
    assert surface.result is result  # same surface: no recompute ...
    assert surface.shown_snapshot.key == model.snapshot.key  # ... and the point follows at once
    assert surface.point_position == (model.network.get("w1"), model.network.get("w2"))


def test_learning_rate_keys_and_two_way_binding(window, qtbot):
    model, controls = window.model, window.panels()["controls"]
    rate = model.learning_rate
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_L)
    assert model.learning_rate == pytest.approx(2 * rate) and controls.learning_rate.value() == pytest.approx(2 * rate)
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_L, Qt.ShiftModifier)
    assert model.learning_rate == pytest.approx(rate)
    assert f"η = {fmt(rate)}" == window.status_labels["rate"].text()
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_C)
    assert model.loss_name == "binary_cross_entropy" and controls.cost.currentData() == "binary_cross_entropy"
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_D)
    assert controls.dataset.currentData() == model.dataset.name != "lesson"


def test_axes_switch_by_key(window, qtbot):
    model = window.model
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_A)
    assert model.axes != ("w1", "w2")
    surface = window.panels()["surface"]
    qtbot.waitUntil(surface.is_settled)
    assert surface.result.request.axes == model.axes
    assert surface.plot.getPlotItem().getAxis("bottom").labelText == to_unicode(model.axes[0])


def test_sample_keys_change_the_chain_numbers(window, qtbot):
    expression = window.panels()["expression"]
    before = list(expression.value_texts)
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_BracketRight)
    assert window.model.sample == 1
    qtbot.waitUntil(lambda: expression.value_texts != before)


def test_registry_has_unique_shortcuts_menus_and_sheet(window, qtbot):
    registry = window.registry
    assert registry.duplicate_shortcuts() == {}
    menu_actions = {a.objectName() for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
                    for a in menu.actions()}
    for spec in registry.specs():
        # a command that takes a value (a dataset by name …) is reached by the palette, Ctrl+Shift+P
        assert registry.shortcut_text(spec.id) or spec.argument is not None, spec.id
        assert f"action-{spec.id}" in menu_actions, spec.id
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_F1)
    sheet = window._shortcut_sheet
    assert sheet is not None and sheet.isVisible()
    assert sheet.table.rowCount() == len(registry.specs())
    sheet.close()


def test_focus_keys_move_focus_to_panels(window, qtbot):
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_3, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.panels()["surface"].isAncestorOf(QApplication.focusWidget())
                    or QApplication.focusWidget() is window.panels()["surface"])


def test_layout_and_geometry_persist(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    first = shown(qtbot)
    first.resize(700, 520)
    first.docks["cost"].close()
    first.close()
    second = shown(qtbot)
    assert (second.width(), second.height()) == (700, 520)
    assert not second.docks["cost"].isVisible()
    second.registry.trigger("reset_layout")
    assert second.docks["cost"].isVisible()
    second.close()


def test_every_line_of_the_derivation_gets_room(qtbot):
    """The local formulas arrive from a worker after the other lines; their line must get its room."""
    window = shown(qtbot)
    window.model.select("w1")   # the longest chain of the lesson
    qtbot.waitUntil(window.is_settled, timeout=30000)
    expression = window.panels()["expression"]
    # forward x2, cost, Leibniz, 5 factors x (label, formula) + their values as text, numbers, batch,
    # then the backward recursion: delta 2, delta 1 and dJ/dw1 = delta1 x, each with its numbers
    assert len(expression.latex_lines) == 4 + 10 + 2 + 3 and len(expression.value_texts) == 5 + 2 + 3
    assert expression.latex_lines[8] == r"= \sigma\left(z_2\right) \left(1 - \sigma\left(z_2\right)\right)\;\le \tfrac{1}{4}"
    maths = [label for label in expression._cells.values() if not label.isHidden() and not label.pixmap().isNull()]
    assert len(maths) == 19
    qtbot.waitUntil(lambda: all(label.height() >= label.pixmap().deviceIndependentSize().height() > 0
                                for label in maths))


def test_a_restored_layout_does_not_bring_back_an_old_banner(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    first = shown(qtbot)
    first.model.set_message("Something went wrong a moment ago.")
    assert first.banner_bar.isVisible()
    first.close()  # saves the layout with the banner showing
    second = shown(qtbot)
    assert not second.banner_bar.isVisible()
    second.close()


def test_screenshots_leave_the_users_layout_alone(qtbot, monkeypatch):
    from app.main_window import settings
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    settings().setValue("window/state", b"sentinel")
    window = shown(qtbot, persist_layout=False)
    window.close()
    assert settings().value("window/state") == b"sentinel"
    settings().remove("window/state")


def test_readme_key_table_matches_the_registry(window):
    """The README's key table is written by hand; every shortcut in the app must appear in it."""
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme[readme.index("| Key | Network lab"):]
    table = table[:table.index("\n\n")]
    for spec in window.registry.specs():
        key = window.registry.shortcut_text(spec.id)
        if not spec.id.startswith("focus_"):  # those are listed as a range, Ctrl+1 … Ctrl+7
            assert f" {key} " in table, (spec.id, key)


def test_the_function_lab_is_built_when_first_opened(window, qtbot):
    assert window._function_lab is None  # start-up builds only what is on screen
    assert not window.registry.action("graph_step").isEnabled()  # and its keys are off
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_F3)
    assert window.current_lab() is window.function_lab and window.tabs.currentIndex() == 1
    assert not window.registry.action("step").isEnabled()
    # B steps the graph once the lab's function is derived (in its worker process)
    qtbot.waitUntil(window.registry.action("graph_step").isEnabled, timeout=30000)
    assert not window.training_bar.isVisible()
