"""Opening the learner's CSV: Ctrl+O / the File menu / drag and drop -> a load off the GUI thread with
progress -> the import dialog driven by keys -> the session model trains on the chosen columns."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QWidget

import core
from app.actions import key_sequence
from app.data_import import CsvImporter, CsvLoader, ImportDialog, importer_for
from app.data_import import loader as loader_module
from app.workers import LatestOnlyWorker
from tests.windows import shown

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "csv"
REALISTIC = FIXTURES / "realistic.csv"


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    win = shown(qtbot, persist_layout=False)
    win.activateWindow()
    yield win
    importer = win.findChild(CsvImporter, "csv-importer")
    if importer is not None:
        importer.loader.shutdown()


def choose_file(monkeypatch, path) -> list:
    """QFileDialog.getOpenFileName answers `path` (no real dialog); returns the calls made."""
    calls = []

    def fake(*args, **kwargs):
        calls.append((args, kwargs))
        return (str(path) if path else "", "CSV files (*.csv *.tsv *.txt)")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))
    return calls


def open_dialog(window, qtbot, monkeypatch, path=REALISTIC) -> ImportDialog:
    """Ctrl+O on `path`, waiting for the load off the GUI thread; the import dialog it opens."""
    choose_file(monkeypatch, path)
    importer = importer_for(window)
    with qtbot.waitSignal(importer.dialogOpened, timeout=10000) as blocker:
        window.registry.action("open_csv").trigger()
    dialog = blocker.args[0]
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    return dialog


def press(qtbot, widget, *keys) -> None:
    for key in keys:
        qtbot.keyClick(widget, key)


def go_to_column(dialog, qtbot, name) -> None:
    """Move to column `name` with the arrow keys, as a learner would."""
    view = dialog.table_view
    view.setFocus()
    target = dialog.table.columns.index(name)
    while view.currentIndex().column() > target:
        qtbot.keyClick(view, Qt.Key_Left)
    while view.currentIndex().column() < target:
        qtbot.keyClick(view, Qt.Key_Right)
    assert dialog.current_column() == name


def choose_penguins(dialog, qtbot) -> None:
    """Two bill measurements as features and the species (3 classes) as the target, by keys."""
    go_to_column(dialog, qtbot, "bill_length_mm")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    go_to_column(dialog, qtbot, "flipper_length_mm")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    go_to_column(dialog, qtbot, "species")
    qtbot.keyClick(dialog.table_view, Qt.Key_T)


# ------------------------------------------------------------------------------------- the action

def test_open_csv_action_uses_the_standard_open_key_in_the_file_menu(window):
    action = window.registry.action("open_csv")
    assert action.shortcut() == key_sequence(QKeySequence.Open)
    assert not action.shortcut().isEmpty()
    spec = next(s for s in window.registry.specs() if s.id == "open_csv")
    assert spec.menu == "File" and spec.help
    assert window.registry.duplicate_shortcuts() == {}


def test_cancelling_the_file_dialog_changes_nothing(window, monkeypatch):
    before = window.model.dataset
    calls = choose_file(monkeypatch, "")
    window.registry.action("open_csv").trigger()
    assert len(calls) == 1
    assert window.model.dataset is before
    assert window.model.message == ""


# ------------------------------------------------------------------------------------- the dialog

def test_realistic_file_opens_a_dialog_with_preview_problems_and_defaults(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    assert dialog.isVisible()
    assert dialog.table.columns[0] == "species"
    model = dialog.table_view.model()
    assert model.rowCount() == 15 and model.columnCount() == 8
    header = model.headerData(0, Qt.Horizontal)
    assert "species" in header and "text" in header
    assert "numbers" in model.headerData(2, Qt.Horizontal)
    assert model.headerData(0, Qt.Vertical) == "2"   # rows counted as in the file
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert any("bill_length_mm" in p and "row 5" in p for p in problems)
    assert dialog.drop_missing.isChecked() and dialog.standardize.isChecked()
    assert dialog.test_fraction.value() == pytest.approx(0.2) and dialog.split_seed.value() == 0
    assert "Choose" in dialog.summary()


def test_keys_choose_roles_refuse_text_and_a_third_feature(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    view = dialog.table_view
    go_to_column(dialog, qtbot, "island")
    qtbot.keyClick(view, Qt.Key_F)
    assert dialog.features == []
    assert "text" in dialog.feedback_label.text() and "island" in dialog.feedback_label.text()
    choose_penguins(dialog, qtbot)
    assert dialog.features == ["bill_length_mm", "flipper_length_mm"]
    assert dialog.target == "species"
    assert "[target]" in view.model().headerData(0, Qt.Horizontal)
    assert "[feature 1]" in view.model().headerData(2, Qt.Horizontal)
    go_to_column(dialog, qtbot, "body_mass_g")
    qtbot.keyClick(view, Qt.Key_F)
    assert dialog.features == ["bill_length_mm", "flipper_length_mm"]
    assert "1 or 2" in dialog.feedback_label.text()
    go_to_column(dialog, qtbot, "flipper_length_mm")
    qtbot.keyClick(view, Qt.Key_F)   # F again takes it out
    assert dialog.features == ["bill_length_mm"]
    go_to_column(dialog, qtbot, "bill_depth_mm")
    qtbot.keyClick(view, Qt.Key_F)
    assert dialog.features == ["bill_length_mm", "bill_depth_mm"]
    summary = dialog.summary()
    assert "3 classes" in summary and "Adelie → 0" in summary and "Gentoo → 2" in summary
    assert "dropped" in summary and "row 5" in summary


def test_summary_follows_the_options_live(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    go_to_column(dialog, qtbot, "bill_length_mm")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    go_to_column(dialog, qtbot, "body_mass_g")
    qtbot.keyClick(dialog.table_view, Qt.Key_T)
    assert "regression" in dialog.summary()
    assert "14 rows used, 1 dropped" in dialog.summary()
    dialog.fill_missing.setChecked(True)   # the target is still missing in row 5: still dropped
    assert "1 dropped" in dialog.summary()
    dialog.test_fraction.setValue(0)
    assert "No test set" in dialog.summary()
    dialog.test_fraction.setValue(0.5)
    assert "testing on 7" in dialog.summary()


def test_enter_builds_the_data_set_and_the_model_takes_it(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    before = window.model.dataset
    choose_penguins(dialog, qtbot)
    dialog.split_seed.setValue(3)
    importer = importer_for(window)
    with qtbot.waitSignal(importer.imported, timeout=5000) as blocker:
        qtbot.keyClick(dialog.table_view, Qt.Key_Return)
    choice = blocker.args[0]
    assert not dialog.isVisible()
    assert choice.dataset.task == "multiclass" and choice.split_seed == 3
    assert choice.test_fraction == pytest.approx(0.2)
    data = window.model.dataset
    assert data is not before
    assert data.X.shape == (13, 2)   # rows 5 and 11 miss a feature
    assert data.task == "multiclass"
    assert data.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert window.model.message == ""


def test_a_choice_that_cannot_make_a_data_set_keeps_the_dialog_open(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    before = window.model.dataset
    go_to_column(dialog, qtbot, "bill_length_mm")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    qtbot.keyClick(dialog.table_view, Qt.Key_Return)   # no target yet
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "target" in dialog.error_label.text()
    # a DataError from core (here forced) is shown the same way, the choices kept
    go_to_column(dialog, qtbot, "species")
    qtbot.keyClick(dialog.table_view, Qt.Key_T)

    def broken(*args, **kwargs):
        raise core.DataError("no rows are left once rows with missing values are left out")
    monkeypatch.setattr(dialog.table, "to_dataset", broken)
    dialog._preview = None
    qtbot.keyClick(dialog.table_view, Qt.Key_Return)
    assert dialog.isVisible()
    assert "no rows are left" in dialog.error_label.text()
    assert dialog.features == ["bill_length_mm"] and dialog.target == "species"
    assert window.model.dataset is before


def test_escape_closes_the_dialog_and_keeps_the_data(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    before = window.model.dataset
    choose_penguins(dialog, qtbot)
    qtbot.keyClick(dialog.table_view, Qt.Key_Escape)
    assert not dialog.isVisible()
    assert window.model.dataset is before


def test_every_control_has_a_tooltip_and_the_options_have_mnemonics(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    for widget in (dialog.table_view, dialog.problems, dialog.drop_missing, dialog.fill_missing,
                   dialog.standardize, dialog.test_fraction, dialog.split_seed, dialog.feature_button,
                   dialog.target_button):
        assert widget.toolTip(), widget
    mnemonics = []
    for widget in dialog.findChildren(QWidget):
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
        if widget.isVisible() and "&" in text.replace("&&", ""):
            mnemonics.append(text[text.index("&") + 1].lower())
    for button in (dialog.drop_missing, dialog.fill_missing, dialog.standardize, dialog.feature_button,
                   dialog.target_button, dialog.buttons.button(QDialogButtonBox.Ok)):
        assert "&" in button.text(), button.text()
    assert len(mnemonics) == len(set(mnemonics)), sorted(mnemonics)
    assert {"c", "p", "e", "i"} <= set(mnemonics)   # labels of the table, problems, fraction, seed


def test_alt_mnemonic_reaches_an_option(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    dialog.activateWindow()
    qtbot.keyClick(dialog.table_view, Qt.Key_M, Qt.AltModifier)   # Alt+M: fill missing features
    qtbot.waitUntil(dialog.fill_missing.isChecked, timeout=2000)


def test_t_on_a_feature_makes_it_the_target_and_a_problem_line_shows_its_column(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    go_to_column(dialog, qtbot, "body_mass_g")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    qtbot.keyClick(dialog.table_view, Qt.Key_T)
    assert dialog.features == [] and dialog.target == "body_mass_g"
    qtbot.keyClick(dialog.table_view, Qt.Key_T)   # T again: no target
    assert dialog.target is None
    row = next(i for i in range(dialog.problems.count())
               if dialog.problems.item(i).data(Qt.UserRole) == "flipper_length_mm")
    dialog.problems.setFocus()
    dialog.problems.setCurrentRow(row)
    dialog.problems.itemActivated.emit(dialog.problems.item(row))
    assert dialog.current_column() == "flipper_length_mm"


def test_the_model_refusing_the_data_keeps_the_dialog_open(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    before = window.model.dataset
    go_to_column(dialog, qtbot, "bill_length_mm")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    go_to_column(dialog, qtbot, "body_mass_g")
    qtbot.keyClick(dialog.table_view, Qt.Key_T)

    def refuse(*args, **kwargs):
        raise ValueError("the network can't take this")
    monkeypatch.setattr(window.model, "load_tabular", refuse)
    qtbot.keyClick(dialog.table_view, Qt.Key_Return)
    assert dialog.isVisible() and "the network can't take this" in dialog.error_label.text()
    assert window.model.dataset is before


# ------------------------------------------------------------------------------------- broken files

@pytest.mark.parametrize("name, words", [
    ("empty.csv", "empty"),
    ("binary.csv", "not a text file"),
    ("header_only.csv", "no rows"),
    ("blank.csv", "empty"),
])
def test_a_broken_file_says_why_and_keeps_the_data(window, qtbot, monkeypatch, name, words):
    before = window.model.dataset
    choose_file(monkeypatch, FIXTURES / name)
    loader = importer_for(window).loader
    with qtbot.waitSignal(loader.failed, timeout=10000):
        window.registry.action("open_csv").trigger()
    message = window.model.message
    assert message.startswith(f"Could not open '{name}': ")
    assert words in message and message.endswith("The data you had is unchanged.")
    assert ".. The data" not in message
    assert window.model.dataset is before
    assert importer_for(window).dialog is None
    assert window.banner.text() == message


def test_a_missing_file_says_why(window, qtbot, monkeypatch, tmp_path):
    before = window.model.dataset
    choose_file(monkeypatch, tmp_path / "gone.csv")
    window.registry.action("open_csv").trigger()
    assert window.model.message.startswith("Could not open 'gone.csv': ")
    assert window.model.dataset is before


def test_ragged_and_infinite_files_open_with_their_problems_listed(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch, FIXTURES / "ragged.csv")
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert any("row 4" in p and "skipped" in p for p in problems)
    dialog.close()
    dialog = open_dialog(window, qtbot, monkeypatch, FIXTURES / "infinities.csv")
    go_to_column(dialog, qtbot, "a")
    qtbot.keyClick(dialog.table_view, Qt.Key_F)
    go_to_column(dialog, qtbot, "t")
    qtbot.keyClick(dialog.table_view, Qt.Key_T)
    assert "infinite" in dialog.summary()
    with qtbot.waitSignal(importer_for(window).imported, timeout=5000):
        qtbot.keyClick(dialog.table_view, Qt.Key_Enter)
    assert window.model.dataset.X.shape == (3, 1)   # row 3 (a = inf) and row 5 (t = 1e999) left out
    assert np.all(np.isfinite(window.model.dataset.X))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(window, qtbot, monkeypatch):
    monkeypatch.setattr(core, "MAX_BYTES", 100)
    opened = []
    monkeypatch.setattr(loader_module, "open", lambda *a, **k: opened.append(a), raising=False)
    before = window.model.dataset
    choose_file(monkeypatch, REALISTIC)
    window.registry.action("open_csv").trigger()
    message = window.model.message
    assert message.startswith("Could not open 'realistic.csv': the file is too large")
    assert "limit is 100 bytes" in message
    assert opened == []
    assert window.model.dataset is before


# ------------------------------------------------------------------------------------- the loader

def test_loader_reports_progress_for_every_chunk(qtbot):
    loader = CsvLoader(chunk_bytes=100)
    size = REALISTIC.stat().st_size
    seen = []
    loader.progress.connect(lambda path, done, total: seen.append((done, total)))
    with qtbot.waitSignal(loader.loaded, timeout=10000) as blocker:
        loader.load(REALISTIC)
    path, table = blocker.args
    assert path == str(REALISTIC) and table.rows == 15
    assert len(seen) >= size // 100 + 1
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert not loader.busy
    loader.shutdown()


def test_the_status_bar_shows_progress_while_a_file_is_read(window, qtbot, monkeypatch):
    importer = importer_for(window)
    importer.loader.chunk_bytes = 100   # realistic.csv is 744 bytes: 8 chunks
    values = []
    importer.progress_bar.valueChanged.connect(values.append)
    shown = []
    importer.loader.busyChanged.connect(lambda busy: shown.append(importer.progress_bar.isVisible()))
    open_dialog(window, qtbot, monkeypatch)
    assert len(values) >= 7 and values == sorted(values) and values[-1] == 1000
    assert shown == [True, False]
    assert not importer.progress_bar.isVisible()


def test_a_newer_load_makes_the_older_one_stale(qtbot, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20000)))
    loader = CsvLoader(chunk_bytes=64)   # many chunks: the first load is still reading
    loaded, failed = [], []
    loader.loaded.connect(lambda path, table: loaded.append((path, table.rows)))
    loader.failed.connect(lambda path, reason: failed.append(path))
    loader.load(big)
    with qtbot.waitSignal(loader.loaded, timeout=10000):
        loader.load(REALISTIC)
    assert loader.wait_idle(10000)
    QApplication.processEvents()
    assert loaded == [(str(REALISTIC), 15)]
    assert failed == []
    loader.shutdown()


def test_a_stale_failure_is_dropped_too(qtbot, tmp_path):
    loader = CsvLoader()
    failed = []
    loader.failed.connect(lambda path, reason: failed.append(path))
    loader.load(FIXTURES / "binary.csv")
    with qtbot.waitSignal(loader.loaded, timeout=10000):
        loader.load(REALISTIC)
    assert loader.wait_idle(10000)
    QApplication.processEvents()
    assert failed == []
    loader.shutdown()


# ------------------------------------------------------------------------------------- drag and drop

def drag_events(window, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    return mime, enter, drop


def test_dropping_a_csv_file_opens_it(window, qtbot):
    assert window.acceptDrops()
    mime, enter, drop = drag_events(window, [REALISTIC])
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    importer = importer_for(window)
    with qtbot.waitSignal(importer.dialogOpened, timeout=10000) as blocker:
        QApplication.sendEvent(window, drop)
    dialog = blocker.args[0]
    qtbot.addWidget(dialog)
    assert drop.isAccepted()
    assert dialog.path == str(REALISTIC)


def test_dropping_other_files_is_refused(window, qtbot, tmp_path):
    image = tmp_path / "picture.png"
    image.write_bytes(b"\x89PNG")
    mime, enter, drop = drag_events(window, [image])
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()
    assert window.findChild(CsvImporter, "csv-importer") is None


# ------------------------------------------------------------------------------------- end to end

def test_realistic_csv_trains_a_three_class_network_better_than_chance(window, qtbot, monkeypatch):
    dialog = open_dialog(window, qtbot, monkeypatch)
    choose_penguins(dialog, qtbot)
    dialog.test_fraction.setValue(0)   # 13 rows: train on all of them
    with qtbot.waitSignal(importer_for(window).imported, timeout=5000):
        qtbot.keyClick(dialog.table_view, Qt.Key_Return)
    model = window.model
    assert model.dataset.task == "multiclass" and model.dataset.X.shape == (13, 2)
    start = model.cost()

    def accuracy():
        predicted = model.network.predict(model.X).argmax(axis=1)
        return float(np.mean(predicted == model.y.argmax(axis=1)))
    for _ in range(200):
        assert model.step(10), model.message
        if model.cost() < 0.5 * start and accuracy() >= 0.9:
            break
    assert model.cost() < start
    assert accuracy() > 1 / 3 + 0.2   # three classes: chance is about 1/3


def test_from_file_to_a_running_classifier_and_its_boundary(window, qtbot, monkeypatch):
    """The learner's path: Ctrl+O, pick columns by keys, Enter, Space to run, and the data view's
    boundary shows the classes the trained network predicts at the data points."""
    from app.views.boundary import grid_axes, nearest_class_of_color

    dialog = open_dialog(window, qtbot, monkeypatch)
    choose_penguins(dialog, qtbot)
    dialog.test_fraction.setValue(0)
    with qtbot.waitSignal(importer_for(window).imported, timeout=5000):
        qtbot.keyClick(dialog.table_view, Qt.Key_Return)
    model = window.model
    model.set_learning_rate(0.5)
    start = model.cost()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.activateWindow()
    diagram = window.panels()["diagram"]
    diagram.setFocus()
    qtbot.waitUntil(diagram.hasFocus)
    qtbot.keyClick(diagram, Qt.Key_Space)
    qtbot.waitUntil(lambda: model.step_count >= 300, timeout=30000)
    qtbot.keyClick(diagram, Qt.Key_Space)
    assert not model.running and model.cost() < 0.5 * start
    view = window.panels()["data"]
    qtbot.waitUntil(view.is_settled, timeout=10000)
    request = view.field_result.request
    assert request.xlim[0] <= model.X[:, 0].min() and model.X[:, 0].max() <= request.xlim[1]
    xs, ys = grid_axes(request.xlim, request.ylim, request.resolution)
    predicted = model.network.predict(model.X).argmax(axis=1)
    agree = 0
    for (x, y), cls in zip(model.X, predicted):
        i, j = int(np.argmin(np.abs(xs - x))), int(np.argmin(np.abs(ys - y)))
        agree += nearest_class_of_color(view.field.image[i, j]) == cls
    assert agree >= len(model.X) - 1   # a point right on a boundary may fall in the next cell
    assert len(set(predicted)) >= 2
