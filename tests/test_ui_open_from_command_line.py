"""`chainrule-studio FILE`, what a file manager runs on a double-click or "Open with" (Exec=... %f):
the command line keeps FILE apart from Qt's options, and the shown window opens it — a CSV in the
network lab's import dialog, anything else refused in the banner with nothing changed."""
from pathlib import Path

import pytest

import main
from app.application import open_from_command_line
from app.data_import import CsvImporter, importer_for
from app.workers import LatestOnlyWorker
from tests.windows import shown

REALISTIC = Path(__file__).resolve().parent / "fixtures" / "csv" / "realistic.csv"


@pytest.mark.parametrize("argv, file, qt", [
    (["data.csv"], "data.csv", []),
    (["-platform", "offscreen", "data.csv"], "data.csv", ["-platform", "offscreen"]),
    (["data.csv", "-style", "fusion", "--lab", "network"], "data.csv", ["-style", "fusion"]),
    (["-platform", "offscreen"], None, ["-platform", "offscreen"]),  # the value is not FILE
    (["-reverse", "/home/ann/my session.crstudio"], "/home/ann/my session.crstudio", ["-reverse"]),
    (["--", "-style"], "-style", []),  # after --, even a Qt option's name is a file name
])
def test_file_is_kept_apart_from_qt_options(argv, file, qt):
    args, qt_args = main.parse_args(argv)
    assert args.file == file
    assert qt_args == qt


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    win = shown(qtbot, persist_layout=False)
    win.open_lab("function")  # the CSV must bring the network lab forward by itself
    yield win
    importer = win.findChild(CsvImporter, "csv-importer")
    if importer is not None:
        importer.loader.shutdown()


def test_a_csv_opens_in_the_import_dialog_of_the_network_lab(window, qtbot, monkeypatch):
    monkeypatch.chdir(REALISTIC.parent)  # a relative FILE is relative to where the command ran
    importer = importer_for(window)
    with qtbot.waitSignal(importer.dialogOpened, timeout=10000) as blocker:
        open_from_command_line(window, REALISTIC.name)
    dialog = blocker.args[0]
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Open realistic.csv — Chain Rule Studio"
    assert window.current_lab() is window.network_lab


def test_a_missing_csv_is_refused_in_the_banner(window, qtbot, tmp_path):
    before = window.model.dataset
    open_from_command_line(window, tmp_path / "gone.csv")
    qtbot.waitUntil(lambda: window.banner.text().startswith("Could not open 'gone.csv': "))
    assert window.model.dataset is before
    assert importer_for(window).dialog is None


def test_another_kind_of_file_is_refused_in_the_banner(window, qtbot, tmp_path):
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    before = window.model.dataset
    open_from_command_line(window, picture)
    qtbot.waitUntil(lambda: window.banner.text().startswith("Could not open 'photo.png': "))
    assert "only sessions (.crstudio) and CSV files (.csv, .tsv, .txt) can be opened" in window.banner.text()
    assert window.model.dataset is before
