"""The command palette (Ctrl+Shift+P) and the registry's enabled-when conditions, driven by real key
presses on the shown window: a command found by typing, run with Enter; a value taken in a second
stage; a command that cannot run shown greyed with its reason, and not run — in the palette, the
menus, the keys and the F1 sheet alike."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

import core
from app.network_conditions import AT_LIVE, NO_RACE
from tests.windows import settled


@pytest.fixture
def window(qtbot, monkeypatch):
    return settled(qtbot, monkeypatch, focus=True)


def press(qtbot, key, modifiers=Qt.NoModifier):
    """A key press where the focus is, as on a real keyboard."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifiers)


def type_text(qtbot, text):
    qtbot.keyClicks(QApplication.focusWidget(), text)


def open_palette(window, qtbot):
    press(qtbot, Qt.Key_P, Qt.ControlModifier | Qt.ShiftModifier)
    palette = window.command_palette
    qtbot.waitUntil(lambda: palette.isVisible() and palette.search.hasFocus())
    return palette


def menu_action(window, menu_title, action_id):
    """The registry's action as it sits in the menu bar's `menu_title` menu."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == menu_title)
    action = window.registry.action(action_id)
    assert action in menu.actions()
    return action


# ---------------------------------------------------------------------------------------- the palette
def test_a_dataset_chosen_by_name_in_the_palette(window, qtbot):
    diagram = window.panels()["diagram"]
    palette = open_palette(window, qtbot)
    type_text(qtbot, "dataset")
    assert palette.entries()[0].target == "choose_dataset"
    press(qtbot, Qt.Key_Return)
    assert palette.isVisible() and "Dataset" in palette.prompt.text()   # the second stage
    labels = [entry.title for entry in palette.entries()]
    assert labels == list(core.DATASET_TITLES.values())
    type_text(qtbot, "spiral")
    assert palette.entries()[0].title == core.DATASET_TITLES["spiral"]
    press(qtbot, Qt.Key_Return)
    assert window.model.dataset.name == "spiral"
    assert not palette.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is diagram)   # the keys are the lab's again
    press(qtbot, Qt.Key_S)
    assert window.model.step_count == 1


def test_each_entry_shows_its_key_and_up_down_choose(window, qtbot):
    palette = open_palette(window, qtbot)
    type_text(qtbot, "dataset")
    keys = {entry.title: entry.key for entry in palette.entries()}
    assert keys["Next dataset"] == "D" and keys["Previous dataset"] == "Shift+D"
    rows = [entry.target for entry in palette.entries()]
    press(qtbot, Qt.Key_Down)
    assert palette.current_row() == 1
    previous = window.model.dataset.name
    press(qtbot, Qt.Key_Return)   # the second row runs: a command chosen with the arrows
    if rows[1] == "cycle_dataset":
        assert window.model.dataset.name == list(core.DATASETS)[list(core.DATASETS).index(previous) + 1]
    else:
        assert rows[1] == "prev_dataset" and window.model.dataset.name == list(core.DATASETS)[-1]
    assert not palette.isVisible()


def test_a_command_that_cannot_run_is_greyed_with_its_reason_and_does_not_run(window, qtbot):
    model = window.model
    palette = open_palette(window, qtbot)
    type_text(qtbot, "end the race")
    entry = palette.entries()[0]
    assert (entry.title, entry.key, entry.can_run, entry.note) == ("End the race", "Shift+R", False, NO_RACE)
    disabled = palette.palette().color(QPalette.Disabled, QPalette.Text)
    assert palette.list.topLevelItem(0).foreground(0).color() == disabled
    assert palette.list.topLevelItem(0).text(2) == NO_RACE   # the reason beside it
    press(qtbot, Qt.Key_Return)
    assert palette.isVisible() and palette.detail_text() == f"Not now: {NO_RACE}"
    assert model.message == "" and not model.racing   # end_race did not run (it would say NO_RACE)


def test_another_labs_command_says_where_it_works_and_does_not_run(window, qtbot):
    graph_step = window.function_model.graph_step
    palette = open_palette(window, qtbot)
    type_text(qtbot, "step the graph")
    entry = next(e for e in palette.entries() if e.target == "graph_step")
    assert not entry.can_run and entry.note == "Works in the Function lab only: F3 opens it."
    while palette.entries()[palette.current_row()].target != "graph_step":
        press(qtbot, Qt.Key_Down)
    press(qtbot, Qt.Key_Return)
    assert palette.isVisible() and window.function_model.graph_step == graph_step


def test_the_learning_rate_is_typed_and_parsed_never_evaluated(window, qtbot):
    model = window.model
    rate = model.learning_rate
    palette = open_palette(window, qtbot)
    type_text(qtbot, "learning rate")
    assert palette.entries()[0].target == "set_learning_rate"
    press(qtbot, Qt.Key_Return)
    for text, says in (("__import__('os')", "is not a number"), ("2**9", "is not a number"),
                       ("nan", "is not a number"), ("1e9", "Choose a number from 0.0001 to 1000")):
        palette.search.clear()
        type_text(qtbot, text)
        press(qtbot, Qt.Key_Return)
        assert palette.isVisible() and says in palette.detail_text(), text
        assert model.learning_rate == rate
    palette.search.clear()
    type_text(qtbot, "0,05")   # a decimal comma is a decimal point
    assert palette.entries()[0].title == "Set to 0.05"
    press(qtbot, Qt.Key_Return)
    assert model.learning_rate == 0.05 and not palette.isVisible()


def test_the_race_entrants_are_ticked_in_the_palette(window, qtbot):
    model = window.model
    palette = open_palette(window, qtbot)
    type_text(qtbot, "race these")
    press(qtbot, Qt.Key_Return)
    ticked = {e.target.name for e in palette.entries() if e.note == "✓ ticked"}
    assert ticked == {"sgd", "momentum", "adam"}   # as the race dialog (R) starts
    type_text(qtbot, "momentum")
    assert palette.entries()[0].target.name == "momentum"
    press(qtbot, Qt.Key_Space)   # unticks it
    palette.search.clear()
    type_text(qtbot, "rmsprop")
    press(qtbot, Qt.Key_Space)   # ticks it
    press(qtbot, Qt.Key_Return)
    assert model.racing and not palette.isVisible()
    rates = {e.optimizer: e.learning_rate for e in core.default_entrants(model.learning_rate, tuple(core.RULES))}
    assert [(e.optimizer, e.learning_rate) for e in model.race_entrants()] == [
        (name, rates[name]) for name in ("sgd", "rmsprop", "adam")]


def test_escape_closes_the_palette_and_its_letters_never_run_commands(window, qtbot):
    model = window.model
    diagram = window.panels()["diagram"]
    palette = open_palette(window, qtbot)
    type_text(qtbot, "s l")   # S would step, L double η: here they are only typed
    assert palette.search.text() == "s l" and model.step_count == 0 and model.learning_rate == 2.0
    press(qtbot, Qt.Key_R, Qt.ControlModifier)   # nor does a Ctrl key reach the window behind it
    assert model.step_count == 0
    press(qtbot, Qt.Key_Escape)
    assert not palette.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is diagram)
    press(qtbot, Qt.Key_S)
    assert model.step_count == 1


def test_a_value_command_from_the_menu_asks_in_the_palette(window, qtbot):
    action = menu_action(window, "Data", "choose_dataset")
    action.trigger()
    palette = window.command_palette
    qtbot.waitUntil(lambda: palette.isVisible() and palette.search.hasFocus())
    type_text(qtbot, "moons")
    press(qtbot, Qt.Key_Return)
    assert window.model.dataset.name == "moons"


# ---------------------------------------------------------------------------------------- enabled-when
def test_menus_grey_what_cannot_run_and_say_why(window, qtbot):
    model, registry = window.model, window.registry
    end_race = menu_action(window, "Race", "end_race")
    assert not end_race.isEnabled() and NO_RACE in end_race.toolTip() and NO_RACE in end_race.statusTip()
    forward = menu_action(window, "Timeline", "timeline_forward")
    back = menu_action(window, "Timeline", "timeline_back")
    assert not forward.isEnabled() and AT_LIVE in forward.toolTip() and not back.isEnabled()
    press(qtbot, Qt.Key_S)
    press(qtbot, Qt.Key_S)
    assert back.isEnabled() and not forward.isEnabled()   # a step: there is one before it now
    press(qtbot, Qt.Key_Comma)
    qtbot.waitUntil(lambda: model.step_count == 1)   # the worker replays the step
    assert not model.live and forward.isEnabled()    # rewound: forward can run
    press(qtbot, Qt.Key_Period)
    qtbot.waitUntil(lambda: model.step_count == 2)
    assert model.live and not forward.isEnabled()
    remove_layer = menu_action(window, "Network", "remove_layer")
    assert remove_layer.isEnabled()
    press(qtbot, Qt.Key_H, Qt.ShiftModifier)   # the lesson's one hidden layer goes
    assert model.hidden_layers() == []
    assert not remove_layer.isEnabled() and "no hidden layer" in remove_layer.toolTip()
    assert not registry.action("cycle_activation").isEnabled()
    press(qtbot, Qt.Key_H)
    assert remove_layer.isEnabled() and registry.action("cycle_activation").isEnabled()


def test_a_key_whose_command_cannot_run_says_why(window, qtbot):
    model = window.model
    press(qtbot, Qt.Key_R, Qt.ShiftModifier)   # end the race: there is none
    assert window.banner.text() == NO_RACE
    assert window.statusBar().currentMessage() == f"End the race (Shift+R): not now. {NO_RACE}"
    model.set_message("")
    press(qtbot, Qt.Key_B)   # the Function lab's key: where it works, in the status bar only
    assert window.statusBar().currentMessage() == ("Step the graph (B): not now. "
                                                   "Works in the Function lab only: F3 opens it.")
    assert window.banner.text() == ""
    assert model.start_race(core.default_entrants(model.learning_rate))
    end_race = window.registry.action("end_race")
    assert end_race.isEnabled() and window.registry.action("race_start_left").isEnabled()
    press(qtbot, Qt.Key_R, Qt.ShiftModifier)
    assert not model.racing and not end_race.isEnabled()


def test_a_toggle_shows_the_sessions_state(window, qtbot):
    model, action = window.model, window.registry.action("train_only_axes")
    model.set_train_only_axes(True)   # changed elsewhere (the controls panel): the menu follows
    assert action.isChecked()
    palette = open_palette(window, qtbot)
    type_text(qtbot, "train only")
    assert palette.entries()[0].note == "on"
    press(qtbot, Qt.Key_Return)
    assert not model.train_only_axes and not action.isChecked()


def test_the_f1_sheet_greys_what_cannot_run(window, qtbot):
    press(qtbot, Qt.Key_F1)
    sheet = window.shortcut_sheet
    qtbot.waitUntil(lambda: sheet is not None and sheet.isVisible())
    greyed = sheet.unavailable()
    assert greyed["End the race"] == f"Not now: {NO_RACE}"
    assert "Step the graph" in greyed and "Step" not in greyed
    sheet.close()
