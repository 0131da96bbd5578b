"""Every key works whatever has focus, and the studio starts where the lesson starts — driven by real
key presses on the shown window, where the learner's focus is."""
import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import core
from tests.windows import press, settled, shown


@pytest.fixture
def window(qtbot, monkeypatch):
    return settled(qtbot, monkeypatch)


def focus(qtbot, widget):
    widget.setFocus(Qt.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget or widget.isAncestorOf(QApplication.focusWidget()))


def start_state(model):
    """Everything the lesson's start is made of, as plain values."""
    net = model.network
    return dict(dataset=model.dataset.name, X=model.dataset.X.copy(), y=model.dataset.y.copy(),
                sizes=net.sizes, activations=net.activations, parameters=net.parameter_vector().copy(),
                loss=net.loss, regularization=(net.regularization, net.regularization_rate), init=net.init,
                rate=model.learning_rate, batch=model.batch_size, selected=model.selected, axes=model.axes,
                split=(model.test_fraction, model.split_seed), sample=model.sample,
                train_only=model.train_only_axes, step=model.step_count)


def assert_same_state(now, start):
    for key, value in start.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(now[key], value), key
        else:
            assert now[key] == value, key


# ---------------------------------------------------------------------------------------- §1 focus
def test_the_studio_opens_with_the_focus_where_single_keys_work(window, qtbot):
    assert QApplication.focusWidget() is window.panels()["diagram"]
    press(qtbot, Qt.Key_S)
    assert window.model.step_count == 1


def test_command_letters_pass_through_a_number_field(window, qtbot):
    model, controls = window.model, window.panels()["controls"]
    focus(qtbot, controls.learning_rate)
    press(qtbot, Qt.Key_G)   # regularization: none -> L1
    assert model.network.regularization == "l1"
    press(qtbot, Qt.Key_S)
    assert model.step_count == 1
    rate = model.learning_rate
    press(qtbot, Qt.Key_L)
    assert model.learning_rate == pytest.approx(2 * rate)
    # the field still takes what it edits with: digits, the decimal point, Enter
    focus(qtbot, controls.learning_rate)
    controls.learning_rate.lineEdit().selectAll()
    qtbot.keyClicks(QApplication.focusWidget(), "0.25")
    press(qtbot, Qt.Key_Return)
    assert model.learning_rate == pytest.approx(0.25)


def test_the_seed_box_passes_on_space_and_letters(window, qtbot):
    model, controls = window.model, window.panels()["controls"]
    focus(qtbot, controls.seed)   # as a mouse wheel over it would
    press(qtbot, Qt.Key_N)
    assert model.selected == "b2"
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: model.running)
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not model.running)
    assert controls.seed.value() == model.dataset.seed == 0


def test_escape_leaves_a_field_for_the_labs_main_panel(window, qtbot):
    controls = window.panels()["controls"]
    for field in (controls.seed, controls.learning_rate, controls.cost, controls.regularization):
        focus(qtbot, field)
        press(qtbot, Qt.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.panels()["diagram"])
    press(qtbot, Qt.Key_N)
    assert window.model.selected == "b2"


def test_a_combo_box_passes_on_command_letters(window, qtbot):
    model, controls = window.model, window.panels()["controls"]
    focus(qtbot, controls.cost)
    press(qtbot, Qt.Key_K)   # batch mode: full -> mini-batches of 32
    assert model.batch_size == 32
    press(qtbot, Qt.Key_D)   # the next dataset, not a combo entry starting with d
    assert model.dataset.name == "regression"


# ---------------------------------------------------------------------------------------- §1 function lab
@pytest.fixture
def function_lab(qtbot):
    win = shown(qtbot, focus=True, persist_layout=False)
    press(qtbot, Qt.Key_F3)
    qtbot.waitUntil(lambda: win.function_model.analysis is not None and win.is_settled(), timeout=60000)
    return win


def test_the_function_lab_opens_where_its_keys_work(function_lab, qtbot):
    win, model = function_lab, function_lab.function_model
    lab = win.function_lab
    assert QApplication.focusWidget() is lab.panels["graph"].view
    assert lab.formula.field.text() == model.text
    step = model.graph_step
    press(qtbot, Qt.Key_B)
    assert model.graph_step == step + 1
    press(qtbot, Qt.Key_M)
    assert model.forward_mode
    assert lab.formula.field.text() == model.text   # nothing typed into the formula


def test_ctrl_keys_work_from_the_formula_field_and_enter_leaves_it(function_lab, qtbot):
    win, model = function_lab, function_lab.function_model
    field = win.function_lab.formula.field
    press(qtbot, Qt.Key_L, Qt.ControlModifier)
    assert field.hasFocus()
    text, x0 = field.text(), model.x0
    field.setCursorPosition(0)
    press(qtbot, Qt.Key_Right, Qt.ControlModifier)
    assert model.x0 == pytest.approx(x0 + 0.1)
    assert field.cursorPosition() == 0 and field.text() == text   # the text cursor did not move
    press(qtbot, Qt.Key_B, Qt.ControlModifier)   # complete the passes, not a character
    assert field.text() == text and model.graph_step == model.graph_step_count()
    qtbot.keyClicks(field, "b")   # a single letter in the field is typed
    assert field.text().startswith("b")
    field.setText(text)
    press(qtbot, Qt.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.function_lab.panels["graph"].view)
    step = model.graph_step
    press(qtbot, Qt.Key_Escape)   # harmless outside a field
    press(qtbot, Qt.Key_B, Qt.ShiftModifier)
    assert model.graph_step == step - 1


def test_ctrl_e_opens_the_examples_from_the_formula_field(function_lab, qtbot):
    win = function_lab
    press(qtbot, Qt.Key_L, Qt.ControlModifier)
    press(qtbot, Qt.Key_E, Qt.ControlModifier)
    menu = win.function_lab.formula.examples_menu
    qtbot.waitUntil(menu.isVisible)
    menu.close()


def test_escape_leaves_the_formula_field(function_lab, qtbot):
    win, model = function_lab, function_lab.function_model
    press(qtbot, Qt.Key_L, Qt.ControlModifier)
    assert win.function_lab.formula.field.hasFocus()
    press(qtbot, Qt.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.function_lab.panels["graph"].view)
    step = model.graph_step
    press(qtbot, Qt.Key_B)
    assert model.graph_step == step + 1


# ---------------------------------------------------------------------------------------- §1 diagram keys
def test_shift_f10_opens_the_neuron_menu_of_registry_commands(window, qtbot):
    diagram = window.panels()["diagram"]
    assert QApplication.focusWidget() is diagram
    press(qtbot, Qt.Key_F10, Qt.ShiftModifier)
    menu = diagram.menu
    qtbot.waitUntil(lambda: menu is not None and menu.isVisible())
    registry = window.registry
    for command in ("add_neuron", "remove_neuron", "add_layer", "remove_layer", "cycle_activation"):
        assert registry.action(command) in menu.actions(), command
    shown_keys = {a.shortcut().toString() for a in menu.actions()}
    assert {"=", "-", "H", "Shift+H", "V"} <= shown_keys   # the keys come from the registry
    assert window.model.selected == "w2"   # opening the menu from the keyboard keeps the selection
    menu.close()


def test_f2_switches_labs_only_and_enter_edits(window, qtbot):
    diagram = window.panels()["diagram"]
    press(qtbot, Qt.Key_F2)
    assert diagram.editor is None and window.current_lab() is window.network_lab
    press(qtbot, Qt.Key_Return)
    assert diagram.editor is not None and diagram.editor.parameter == "w2"
    qtbot.keyClicks(diagram.editor, "a")   # the value editor keeps its keys: letters are typed
    assert diagram.editor.text().endswith("a")
    press(qtbot, Qt.Key_Escape)
    assert diagram.editor is None and QApplication.focusWidget() is diagram


def test_no_key_has_two_meanings(window):
    assert window.registry.duplicate_shortcuts() == {}


# ---------------------------------------------------------------------------------------- §1 the F1 sheet
def test_the_f1_sheet_lists_every_command_and_panel_key(window, qtbot):
    press(qtbot, Qt.Key_F1)
    sheet = window._shortcut_sheet
    qtbot.waitUntil(lambda: sheet is not None and sheet.isVisible())
    rows = sheet.rows()
    assert len(rows) == len(window.registry.specs())
    keys = {(where, key) for where, _menu, _title, key, _help in rows}
    assert ("Network lab ▸ Network diagram or Parameters", "Enter") in keys
    assert ("Network lab ▸ Network diagram", "Shift+F10") in keys
    assert {("Network lab ▸ Data and prediction", key) for key in ("Arrows", "Enter", "Backspace")} <= keys
    assert ("In a text or number field", "Escape") in keys
    assert ("Everywhere", "F2") in keys and ("Everywhere", "F3") in keys
    titles = [title for _where, _menu, title, _key, _help in rows]
    assert "Network lab" in titles and "Function lab" in titles
    assert not any(title.startswith("Lab ") for title in titles)
    sheet.close()


def test_the_data_panels_keys_from_the_registry(window, qtbot):
    model = window.model
    model.set_dataset("xor")   # two inputs: the point goes exactly where the cross is
    count = len(model.dataset)
    window.registry.trigger("add_point_at_cross")
    assert len(model.dataset) == count + 1
    window.registry.trigger("remove_point_at_cross")
    assert len(model.dataset) == count


# ---------------------------------------------------------------------------------------- §2 the lesson
def test_the_studio_opens_on_w2_with_its_chain_rule_product_in_view(window, qtbot):
    model, expression = window.model, window.panels()["expression"]
    assert model.selected == "w2"
    chain = model.chain("w2")
    qtbot.waitUntil(lambda: expression.value_texts and "·" in expression.value_texts[0])
    numbers = " · ".join(f"{f.value:.3g}" for f in chain.factors)
    assert numbers in expression.value_texts[0] and expression.value_texts[0].endswith(f"{chain.product:.3g}")
    assert [f.value for f in chain.factors][:1] and len(chain.factors) == 3
    # the product with its numbers is visible without scrolling, at the default size and at 1280x720
    qtbot.waitUntil(expression.product_line_visible)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    qtbot.waitUntil(expression.product_line_visible)


def test_the_lesson_comes_back_exactly_as_it_started(window, qtbot):
    model = window.model
    start = start_state(model)
    press(qtbot, Qt.Key_S)
    press(qtbot, Qt.Key_C)
    for _ in range(len(core.DATASETS)):   # round the datasets back to the lesson's data
        press(qtbot, Qt.Key_D)
    press(qtbot, Qt.Key_K)
    press(qtbot, Qt.Key_G)
    press(qtbot, Qt.Key_T)
    model.set_split(0.2, 3)
    assert model.dataset.name == "lesson" and model.network.sizes != (1, 1, 1)
    press(qtbot, Qt.Key_R, Qt.ControlModifier | Qt.ShiftModifier)
    assert_same_state(start_state(model), start)
    controls = window.panels()["controls"]
    assert controls.test_fraction.value() == 0 and controls.learning_rate.value() == start["rate"]
    assert controls.regularization.currentData() is None and not controls.train_only.isChecked()


def test_a_csv_test_split_does_not_carry_over_to_built_in_data(window, qtbot):
    model = window.model
    lesson = model.dataset
    csv = dataclasses.replace(lesson, name="csv", title="marks.csv")
    model.set_data(csv, test_fraction=0.2, split_seed=1)
    assert len(model.X_test) > 0
    press(qtbot, Qt.Key_D)
    assert model.test_fraction == 0 and len(model.X_test) == 0
    assert "does not carry over" in window.banner.text() and window.banner_bar.isVisible()
    assert window.panels()["controls"].test_fraction.value() == 0


# ---------------------------------------------------------------------------------------- §6 feedback
def test_a_key_brings_the_control_it_changes_into_view_and_says_what_it_is(window, qtbot):
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    controls = window.panels()["controls"]
    qtbot.waitUntil(lambda: controls.is_in_view(controls.learning_rate))
    assert not controls.is_in_view(controls.regularization)   # below the fold at this size
    press(qtbot, Qt.Key_G)
    qtbot.waitUntil(lambda: controls.is_in_view(controls.regularization))
    assert window.statusBar().currentMessage() == "Regularization: L1 (|w|), λ = " + \
        f"{window.model.network.regularization_rate:g}"
    press(qtbot, Qt.Key_L, Qt.ShiftModifier)
    qtbot.waitUntil(lambda: controls.is_in_view(controls.learning_rate))
    assert window.statusBar().currentMessage() == f"Learning rate η: {window.model.learning_rate:g}"


def test_a_cut_path_bar_shows_its_whole_route_as_a_tooltip(window, qtbot):
    model, expression = window.model, window.panels()["expression"]
    model.set_dataset("xor")
    model.select("w1.1.1")
    bars = expression.path_bars
    qtbot.waitUntil(lambda: bars.isVisibleTo(expression) and len(bars.rows) > 0)
    first = bars.rows[0]
    tip = bars.row_tooltip(3 + 1)
    assert tip.startswith(first.label) and first.detail in tip


def test_the_diagrams_captions_stay_legible_for_a_big_network(window, qtbot):
    model, diagram = window.model, window.panels()["diagram"]
    model.set_dataset("blobs")
    model.set_hidden_layers([8, 12, 4])
    qtbot.waitUntil(lambda: model.network.sizes == (2, 8, 12, 4, 3) and not diagram.detailed)
    heights = diagram.text_heights()
    assert len(heights) == 5 + 3   # five column captions, the two legends, J's value
    assert min(heights.values()) >= 12, heights   # a line of 12 px: letters of about 9 px at least


def test_the_diagrams_captions_stay_legible_for_a_big_network_at_1280x720(window, qtbot):
    """At 1280x720 a column of the 8-12-4 network is too narrow for its caption at a legible size:
    alternate captions stand higher, so each may be as wide as two columns, and none overlaps."""
    model, diagram = window.model, window.panels()["diagram"]
    window.resize(1280, 720)
    model.set_dataset("blobs")
    model.set_hidden_layers([8, 12, 4])
    qtbot.waitUntil(lambda: window.width() == 1280 and model.network.sizes == (2, 8, 12, 4, 3)
                    and not diagram.detailed)
    qtbot.waitUntil(lambda: min(diagram.text_heights().values()) >= 12, timeout=3000)
    boxes = diagram.caption_rects()
    for left, right in zip(boxes, boxes[1:]):
        assert not left.intersects(right), (left, right)


def test_combo_boxes_show_their_whole_entry_at_1280x720(window, qtbot):
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    press(qtbot, Qt.Key_C)   # Binary cross-entropy
    press(qtbot, Qt.Key_K)   # Mini-batch
    controls = window.panels()["controls"]
    assert controls.cost.currentText() == "Binary cross-entropy" and controls.batch_mode.currentText() == "Mini-batch"
    for combo in (controls.cost, controls.batch_mode, controls.dataset):
        text = combo.fontMetrics().horizontalAdvance(combo.currentText())
        qtbot.waitUntil(lambda: combo.width() >= text + 24)   # the text, the frame and the arrow
