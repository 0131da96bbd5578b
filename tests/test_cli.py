"""The command line of main.py, run as a user would run it (in a subprocess, headless)."""
import json
import os
import re
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"
TIMEOUT = 180  # a cold first start on a busy 2-core machine can be slow; a hang is not


@pytest.fixture
def env(tmp_path):
    """A headless environment whose state/config/data dirs are private to the test."""
    values = dict(os.environ)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "CHAINRULE_STUDIO_CRASH_TEST",
                "CHAINRULE_STUDIO_EXIT_AFTER_PAINT", "CHAINRULE_STUDIO_NO_REEXEC"):
        values.pop(var, None)
    values["QT_QPA_PLATFORM"] = "offscreen"
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        values[var] = str(tmp_path / var.lower())
    return values


def run_main(*args, env, python=(sys.executable,), script=MAIN, cwd=None):
    return subprocess.run([*python, str(script), *args], env=env, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT)


def log_file(env):
    return Path(env["XDG_STATE_HOME"]) / "chainrule-studio" / "chainrule-studio.log"


def png_size(path):
    data = Path(path).read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def test_main_py_is_an_executable_script():
    assert MAIN.read_text().startswith("#!/usr/bin/env python3\n")
    assert MAIN.stat().st_mode & stat.S_IXUSR


def test_version(env):
    result = run_main("--version", env=env)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"chainrule-studio \d+\.\d+\.\d+\S*\n", result.stdout)


def test_help_lists_the_options(env):
    result = run_main("--help", env=env)
    assert result.returncode == 0
    for option in ("--self-test", "--screenshot", "--install-desktop", "--version"):
        assert option in result.stdout


def test_self_test_passes(env):
    result = run_main("--self-test", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    panel_lines = [line for line in result.stdout.splitlines()
                   if line.startswith("self-test: panel ")]
    assert panel_lines and all(": ok, " in line for line in panel_lines), result.stdout
    assert "self-test: ok" in result.stdout


def test_self_test_without_display_needs_no_platform_setting(env):
    del env["QT_QPA_PLATFORM"]  # no DISPLAY either: main.py must pick offscreen by itself
    result = run_main("--self-test", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_screenshot(env, tmp_path, qapp):
    from PySide6.QtGui import QImage

    from app import selftest

    target = tmp_path / "shots" / "window.png"
    result = run_main("--screenshot", str(target), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert png_size(target) == selftest.SCREENSHOT_SIZE
    assert selftest.blank_reason(QImage(str(target))) is None


def test_dataset_and_hidden_layers_from_the_command_line(qapp):
    from app.application import configure_session
    from app.model import SessionModel

    model = SessionModel()
    assert configure_session(model, "blobs", "6,3") == ""
    assert model.network.sizes == (2, 6, 3, 3) and model.dataset.name == "blobs"
    assert model.network.activations == ("tanh", "tanh", "softmax")
    assert "unknown dataset 'blob'" in configure_session(model, "blob", None)
    assert "like 5,5" in configure_session(model, None, "5;5")
    assert "1 to 6 layer sizes of 1 to 16" in configure_session(model, None, "5,17")
    assert model.network.sizes == (2, 6, 3, 3)   # nothing changed by the refusals


def test_a_wrong_dataset_option_exits_with_a_message(env):
    result = run_main("--dataset", "circl", "--self-test", env=env)
    assert result.returncode == 2 and "unknown dataset 'circl'" in result.stderr


def test_start_up_crash_is_logged_and_fails(env):
    env["CHAINRULE_STUDIO_CRASH_TEST"] = "startup"
    result = run_main(env=env)  # would block on a modal dialog if it opened one
    assert result.returncode == 70, result.stdout + result.stderr
    log = log_file(env)
    assert log.is_file()
    text = log.read_text()
    assert "start-up failed" in text and "deliberate crash (startup)" in text
    assert "Traceback" in text
    assert str(log) in result.stderr


def test_crash_inside_the_event_loop_is_logged_and_fails(env):
    env["CHAINRULE_STUDIO_CRASH_TEST"] = "event"
    result = run_main(env=env)
    assert result.returncode == 70, result.stdout + result.stderr
    assert "deliberate crash (event)" in log_file(env).read_text()


def test_missing_pyside6_is_logged_and_explained(env, tmp_path):
    fake = tmp_path / "fake" / "PySide6"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'PySide6'\", name='PySide6')\n")
    env["PYTHONPATH"] = str(tmp_path / "fake")
    result = run_main(env=env)
    assert result.returncode == 70
    assert "PySide6 is not available" in result.stderr
    assert "No module named 'PySide6'" in log_file(env).read_text()


def test_no_display_is_a_clear_error_not_an_abort(env):
    del env["QT_QPA_PLATFORM"]
    result = run_main(env=env)
    assert result.returncode == 70, result.stdout + result.stderr
    assert "No display found" in result.stderr
    assert "No display found" in log_file(env).read_text()


def test_reexec_with_the_venv_beside_main_py(env, tmp_path):
    """Under an interpreter without PySide6 (here: python -S), main.py hands over to .venv."""
    (tmp_path / "main.py").write_bytes(MAIN.read_bytes())
    fake_python = tmp_path / ".venv" / "bin" / "python"
    fake_python.parent.mkdir(parents=True)
    fake_python.write_text('#!/bin/sh\necho "re-executed: $CHAINRULE_STUDIO_NO_REEXEC $*"\n')
    fake_python.chmod(0o755)
    result = run_main("--version", env=env, python=(sys.executable, "-S"),
                      script=tmp_path / "main.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"re-executed: 1 {tmp_path / 'main.py'} --version\n"


def test_first_paint_hook_and_light_start_up(env):
    """The window paints, and nothing heavy (sympy, ziamath...) is imported before it does."""
    env["CHAINRULE_STUDIO_EXIT_AFTER_PAINT"] = "1"
    result = run_main(env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines()
             if line.startswith("CHAINRULE_STUDIO_FIRST_PAINT ")]
    assert len(lines) == 1, result.stdout
    record = json.loads(lines[0].split(" ", 1)[1])
    assert isinstance(record["t"], float)
    assert record["heavy_modules"] == [], (
        "imported before the first paint (load them lazily): " + ", ".join(record["heavy_modules"]))


# -- in-process pieces ---------------------------------------------------------------------------

def test_blank_detection(qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from app import selftest

    flat = QImage(300, 200, QImage.Format.Format_ARGB32)
    flat.fill(QColor("#efefef"))
    assert "1 colour" in selftest.blank_reason(flat)

    framed = QImage(flat)
    painter = QPainter(framed)
    painter.setPen(QColor("#202020"))
    painter.drawRect(0, 0, 299, 199)
    painter.end()
    assert "2 colours" in selftest.blank_reason(framed)

    drawn = QImage(flat)
    painter = QPainter(drawn)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#204080"))
    painter.drawEllipse(50, 40, 120, 90)
    painter.drawText(drawn.rect(), Qt.AlignmentFlag.AlignCenter, "dz/dx")
    painter.end()
    assert selftest.blank_reason(drawn) is None

    assert selftest.blank_reason(QImage()) is not None


def test_excepthook_logs_without_a_dialog(monkeypatch, tmp_path, qapp):
    from app import crash_report

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setitem(crash_report._state, "exit_requested", None)  # restored afterwards
    before = crash_report.error_count()
    try:
        raise ValueError("boom from a slot")
    except ValueError:
        crash_report._excepthook(*sys.exc_info())  # must return at once (no modal dialog)
    assert crash_report.error_count() == before + 1
    # It must not have called QCoreApplication.exit() on a loop it does not run: that would
    # make every later QEventLoop (qtbot.waitSignal, waitUntil ...) return at once.
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    loop, clock = QEventLoop(), QElapsedTimer()
    QTimer.singleShot(100, loop.quit)
    clock.start()
    loop.exec()
    assert clock.elapsed() >= 80
    text = (tmp_path / "state" / "chainrule-studio" / "chainrule-studio.log").read_text()
    assert "ValueError: boom from a slot" in text and "unexpected error" in text


def test_log_path_follows_xdg_state_home(monkeypatch, tmp_path):
    from app import crash_report

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert crash_report.log_path() == str(tmp_path / "chainrule-studio" / "chainrule-studio.log")
    monkeypatch.setenv("XDG_STATE_HOME", "not/absolute")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert crash_report.log_path() == str(
        tmp_path / ".local" / "state" / "chainrule-studio" / "chainrule-studio.log")


def test_a_display_with_no_x_server_is_a_clear_error_not_an_abort(env):
    """DISPLAY=:99 with nothing listening: Qt would abort (exit 134) with a misleading message."""
    del env["QT_QPA_PLATFORM"]
    number = next(n for n in range(99, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())  # :99 if free
    env["DISPLAY"] = f":{number}"
    result = run_main(env=env)
    assert result.returncode == 70, result.stdout + result.stderr
    assert f"no X server is running on display :{number}" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert f"no X server is running on display :{number}" in log_file(env).read_text()


def test_display_check_accepts_a_listening_x_socket(tmp_path, monkeypatch):
    import socket

    from app import display_check

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "wayland-test"))
    server.listen(1)
    try:
        assert display_check.wayland_reachable("wayland-test")
        assert not display_check.wayland_reachable("wayland-missing")
        assert "not a display name" in display_check.x_display_problem("nonsense")
        assert "does not answer" in display_check.x_display_problem("127.0.0.1:59")
    finally:
        server.close()
