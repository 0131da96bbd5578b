"""`main.py --install-desktop`: a valid desktop entry whose Exec really starts the app, and the icon."""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import desktop_entry

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"
APP_ID = "chainrule-studio"

needs_validator = pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (Debian package desktop-file-utils; "
           "`make test` as root installs it)")


# -- a reader that follows the Desktop Entry Specification, independent of the writer --------

def read_entry(path):
    """Keys of the [Desktop Entry] group, values unescaped (string escapes only)."""
    keys, group = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line.strip()
            continue
        if group == "[Desktop Entry]":
            key, _, value = line.partition("=")
            keys[key.strip()] = unescape_string(value.strip())
    return keys


def unescape_string(value):
    out, i = [], 0
    table = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in table:
            out.append(table[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def split_exec(value):
    """Exec value (already string-unescaped) -> argv, per the spec's quoting rules."""
    args, i = [], 0
    while i < len(value):
        if value[i] == " ":
            i += 1
            continue
        buf = []
        if value[i] == '"':
            i += 1
            while value[i] != '"':
                if value[i] == "\\" and value[i + 1] in '"`$\\':
                    i += 1
                buf.append(value[i])
                i += 1
            i += 1
        else:
            while i < len(value) and value[i] != " ":
                buf.append(value[i])
                i += 1
        args.append("".join(buf).replace("%%", "%"))
    return args


def _validate(path):
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if "error:" in line or "warning:" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


# -- the real command --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    data_home = tmp_path_factory.mktemp("xdg-data")
    env = dict(os.environ, XDG_DATA_HOME=str(data_home))
    result = subprocess.run([sys.executable, str(MAIN), "--install-desktop"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return data_home, result


def test_install_reports_what_it_installed(installed):
    data_home, result = installed
    assert str(data_home / "applications" / f"{APP_ID}.desktop") in result.stdout
    assert str(data_home / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg") in result.stdout


@needs_validator
def test_installed_entry_is_valid(installed):
    data_home, _ = installed
    _validate(data_home / "applications" / f"{APP_ID}.desktop")


def test_exec_runs_this_interpreter_on_this_main_py(installed):
    data_home, _ = installed
    keys = read_entry(data_home / "applications" / f"{APP_ID}.desktop")
    argv = split_exec(keys["Exec"])
    assert len(argv) == 2, argv
    interpreter, script = argv
    assert os.path.isabs(interpreter) and os.access(interpreter, os.X_OK), interpreter
    assert interpreter == sys.executable  # as run, not resolved: a venv stays a venv
    assert os.path.isabs(script) and Path(script).samefile(MAIN)
    assert keys["TryExec"] == interpreter


def test_entry_metadata(installed):
    data_home, _ = installed
    keys = read_entry(data_home / "applications" / f"{APP_ID}.desktop")
    assert keys["Type"] == "Application"
    assert keys["Name"] == "Chain Rule Studio"
    assert keys["Categories"] == "Education;Science;Math;"
    assert keys["Terminal"] == "false"
    assert keys["StartupWMClass"] == APP_ID       # = QCoreApplication.applicationName()
    assert keys["StartupNotify"] == "true"
    assert keys["Icon"] == APP_ID


def test_icon_is_installed_and_is_svg(installed):
    data_home, _ = installed
    icon = data_home / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg"
    assert icon.is_file()
    assert ET.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert icon.read_bytes() == (ROOT / "resources" / f"{APP_ID}.svg").read_bytes()


def test_install_needs_no_qt(tmp_path):
    """--install-desktop is standard library only: it works even where PySide6 is broken."""
    fake = tmp_path / "fake" / "PySide6"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('PySide6 must not be imported')\n")
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(tmp_path / "fake"))
    result = subprocess.run([sys.executable, str(MAIN), "--install-desktop"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "data" / "applications" / f"{APP_ID}.desktop").is_file()


# -- quoting, with hostile paths -------------------------------------------------------------

AWKWARD = [
    "/opt/plain/python",
    "/home/ann smith/venv/bin/python",
    '/tmp/q"uote/$HOME/`x`/back\\slash/100%/main.py',
    "/tmp/semi;colon & pipe|(paren)/it's/main.py",
    "/tmp/tab\there/~tilde/*?#/main.py",
]


@pytest.mark.parametrize("arg", AWKWARD)
def test_exec_quoting_round_trips(arg):
    line = desktop_entry.exec_line([arg, "/plain/main.py"])
    assert split_exec(unescape_string(line)) == [arg, "/plain/main.py"]


@needs_validator
def test_awkward_paths_still_give_a_valid_entry(tmp_path):
    interpreter = tmp_path / "dir with spaces & $ and \"quotes\"" / "python"
    interpreter.parent.mkdir()
    interpreter.symlink_to(sys.executable)
    script = tmp_path / "50% back\\slash" / "main.py"
    assert desktop_entry.install(main_script=script, interpreter=interpreter,
                                 target=tmp_path / "data", out=lambda *_: None) == 0
    entry = tmp_path / "data" / "applications" / f"{APP_ID}.desktop"
    _validate(entry)
    keys = read_entry(entry)
    assert split_exec(keys["Exec"]) == [str(interpreter), str(script)]
    assert keys["TryExec"] == str(interpreter)


def test_xdg_data_home_must_be_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"
