"""Session files in the window, by keys on the shown window: Ctrl+S writes, Ctrl+O reopens, Ctrl+Shift+S
saves under a new name, recent files, dropping a session, the title's name and unsaved mark, the
question on close, autosave and its recovery — and each broken file refused with the window unchanged."""
import json
import os

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QMimeData, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

import core
from app.session_state import SessionState
from app.workers import LatestOnlyWorker
from tests.sessions import broken_files, race_state, write_case
from tests.windows import settled, shown


@pytest.fixture
def window(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch)
    win.session_files.clear_recent()
    return win


def press(qtbot, key, modifiers=Qt.NoModifier):
    """A key press where the focus is, as on a real keyboard."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifiers)


def answer_save_dialog(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def answer_open_dialog(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def network_state(model):
    net = model.network
    return dict(sizes=net.sizes, activations=net.activations, theta=net.parameter_vector().tolist(),
                step=model.step_count, dataset=model.dataset.name, points=len(model.dataset), rate=model.learning_rate,
                selected=model.selected, axes=model.axes, curve=model.timeline_curve()[1].tolist())


def save_by_keys(qtbot, win, monkeypatch, path, modifiers=Qt.ControlModifier):
    answer_save_dialog(monkeypatch, path)
    with qtbot.waitSignal(win.session_files.savedTo, timeout=20000):
        press(qtbot, Qt.Key_S, modifiers)


def test_ctrl_s_writes_and_ctrl_o_reopens(window, qtbot, monkeypatch, tmp_path):
    win, model = window, window.model
    assert win.windowTitle() == "Chain Rule Studio[*]" and not win.isWindowModified()
    for key in (Qt.Key_H, Qt.Key_S, Qt.Key_S, Qt.Key_S):      # a hidden layer, three steps
        press(qtbot, key)
    assert win.isWindowModified()
    saved = network_state(model)
    path = tmp_path / "lesson.crstudio"
    save_by_keys(qtbot, win, monkeypatch, path)
    assert path.exists() and not win.isWindowModified()
    assert win.windowTitle() == "lesson.crstudio[*] — Chain Rule Studio"
    on_disk = core.load_session(path)["timeline"].run
    assert on_disk.step_count == 3 and on_disk.net.sizes == model.network.sizes
    assert np.array_equal(on_disk.net.parameter_vector(), model.network.parameter_vector())

    for key in (Qt.Key_S, Qt.Key_S, Qt.Key_H):                  # more work, not saved
        press(qtbot, key)
    assert win.isWindowModified() and network_state(model) != saved
    answer_open_dialog(monkeypatch, path)
    with qtbot.waitSignal(win.session_files.opened, timeout=20000):
        press(qtbot, Qt.Key_O, Qt.ControlModifier)
    assert network_state(model) == saved
    assert not win.isWindowModified()
    assert model.timeline_curve()[0][-1] == 3        # the whole cost curve came back
    press(qtbot, Qt.Key_S)             # training goes on from the reopened step
    assert model.step_count == 4


def test_save_as_recent_files_and_reopening_from_the_menu(window, qtbot, monkeypatch, tmp_path):
    win = window
    press(qtbot, Qt.Key_S)
    first, second = tmp_path / "first.crstudio", tmp_path / "second"
    save_by_keys(qtbot, win, monkeypatch, first)
    press(qtbot, Qt.Key_S)
    save_by_keys(qtbot, win, monkeypatch, second, Qt.ControlModifier | Qt.ShiftModifier)
    assert win.windowTitle().startswith("second.crstudio[*]")     # the suffix is added
    assert win.session_files.recent_files() == [str(tmp_path / "second.crstudio"), str(first)]
    menu = win.session_files.recent_menu
    menu.aboutToShow.emit()
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles[:2] == ["&1 second.crstudio", "&2 first.crstudio"]
    with qtbot.waitSignal(win.session_files.opened, timeout=20000):
        menu.actions()[1].trigger()
    assert win.model.step_count == 1 and win.windowTitle().startswith("first.crstudio")
    assert win.session_files.recent_files()[0] == str(first)
    assert win.registry.duplicate_shortcuts() == {}


def test_dropping_a_session_file_opens_it(window, qtbot, tmp_path):
    path = tmp_path / "race.crstudio"
    core.save_session(path, race_state())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(window.session_files.opened, timeout=20000):
        QApplication.sendEvent(window, QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    model = window.model
    assert model.racing and [e.optimizer for e in model.race_entrants()] == ["sgd", "momentum", "adam", "adagrad"]
    assert model.dataset.name == "blobs" and model.network.sizes == (2, 4, 3)
    assert window.windowTitle().startswith("race.crstudio")


def test_every_broken_file_is_refused_and_changes_nothing(window, qtbot, monkeypatch, tmp_path):
    win, model = window, window.model
    win.session_files.io.synchronous = True
    press(qtbot, Qt.Key_S)
    good = tmp_path / "race.crstudio"
    core.save_session(good, race_state())
    cases = broken_files(json.loads(good.read_text("utf-8")))
    assert len(cases) >= 30
    before = (network_state(model), model.revision, model.dataset, win.windowTitle(), win.isWindowModified())
    for number, (name, content, where) in enumerate(cases):
        path = tmp_path / f"broken{number}.crstudio"
        write_case(path, content)
        answer_open_dialog(monkeypatch, path)
        press(qtbot, Qt.Key_O, Qt.ControlModifier)
        assert win.banner.text().startswith(f"Could not open 'broken{number}.crstudio': {where}"), \
            f"{name}: {win.banner.text()}"
        assert "Nothing was changed" in win.banner.text()
        after = (network_state(model), model.revision, model.dataset, win.windowTitle(), win.isWindowModified())
        assert after == before, name
        os.unlink(path)
    assert win.session_files.recent_files() == []


def test_a_session_state_applies_as_one_transaction_and_is_kept_unchanged(window, qtbot):
    model = window.model
    press(qtbot, Qt.Key_S)
    kept = SessionState.capture(model, window.function_model)
    press(qtbot, Qt.Key_H)
    for _ in range(3):
        press(qtbot, Qt.Key_S)
    heard = []
    for name in ("structureChanged", "datasetChanged", "historyReset", "timelineChanged", "parametersChanged"):
        getattr(model, name).connect(lambda *_a, n=name: heard.append(n))
    kept.apply(model, window.function_model)
    assert sorted(heard) == sorted(set(heard))        # each signal once, after the whole change
    assert model.step_count == 1 and model.network.sizes == (1, 1, 1)
    press(qtbot, Qt.Key_S)                             # training the applied state …
    assert kept.timeline.run.step_count == 1           # … leaves the kept one as it was


# ------------------------------------------------------------------------------ closing and autosave
@pytest.fixture
def guarded(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    monkeypatch.setenv("CHAINRULE_STUDIO_AUTOSAVE_MS", "100")
    win = shown(qtbot, persist_layout=False, guard_session=True)
    win.activateWindow()
    qtbot.waitUntil(win.is_settled, timeout=30000)
    yield win
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.Discard))
    win.close()


def answer_question(monkeypatch, answer):
    asked = []

    def question(*args, **kwargs):
        asked.append(args[2])
        return answer
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_closing_with_unsaved_changes_asks(guarded, qtbot, monkeypatch, tmp_path):
    win = guarded
    press(qtbot, Qt.Key_S)
    asked = answer_question(monkeypatch, QMessageBox.Cancel)
    assert not win.close() and win.isVisible()
    assert asked == ["Save the changes to this session before closing?"]
    answer_save_dialog(monkeypatch, tmp_path / "kept.crstudio")
    answer_question(monkeypatch, QMessageBox.Save)
    assert win.close()
    assert core.load_session(tmp_path / "kept.crstudio")["timeline"].run.step_count == 1
    assert not os.path.exists(win.autosave.path)      # a clean close leaves nothing to recover


def test_closing_a_saved_session_does_not_ask(guarded, qtbot, monkeypatch, tmp_path):
    press(qtbot, Qt.Key_S)
    save_by_keys(qtbot, guarded, monkeypatch, tmp_path / "s.crstudio")
    asked = answer_question(monkeypatch, QMessageBox.Cancel)
    assert guarded.close() and asked == []


def test_a_structural_edit_is_autosaved_and_offered_back(guarded, qtbot, monkeypatch):
    win = guarded
    with qtbot.waitSignal(win.autosave.written, timeout=20000):
        press(qtbot, Qt.Key_H)
    restored = core.load_session(win.autosave.path)
    assert restored["timeline"].run.net.sizes == (1, 1, 1, 1)
    with qtbot.waitSignal(win.autosave.written, timeout=20000):   # a minute (here 0.1 s) of training
        for _ in range(4):
            press(qtbot, Qt.Key_S)
    assert core.load_session(win.autosave.path)["timeline"].run.step_count == 4
    theta = win.model.network.parameter_vector()

    other = shown(qtbot, persist_layout=False, guard_session=True)
    other.autosave.io.synchronous = True
    answer_question(monkeypatch, QMessageBox.Yes)
    assert other.autosave.offer_restore()
    assert other.model.network.sizes == (1, 1, 1, 1) and other.model.step_count == 4
    assert np.array_equal(other.model.network.parameter_vector(), theta)
    assert other.isWindowModified() and "restored" in other.banner.text()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.Discard))
    other.close()
