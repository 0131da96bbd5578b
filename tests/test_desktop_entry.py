"""`main.py --install-desktop`: a valid desktop entry whose Exec really starts the app (with %f for a
file), the icon, the .crstudio MIME type in the user's MIME database, and `--uninstall-desktop`
taking exactly that away again. (The installed wheel's command: tests/test_wheel_install.py.)"""
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


def validate(path):
    """desktop-file-validate says nothing at all: no error, no warning, not even a hint."""
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if "error:" in line or "warning:" in line or "hint:" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
SESSION_TYPE = "application/x-chainrule-session"


def declared_mime_types(xml_path):
    """{MIME type: [glob patterns]} of a shared-mime-info package file."""
    root = ET.parse(xml_path).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    return {node.get("type"): [glob.get("pattern") for glob in node.findall(f"{MIME_NS}glob")]
            for node in root.findall(f"{MIME_NS}mime-type")}


def globs_in_database(mime_dir):
    """(type, pattern) pairs of the built MIME database's globs2 file (weight:type:pattern lines)."""
    pairs = set()
    for line in (Path(mime_dir) / "globs2").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            _weight, mime_type, pattern = line.split(":")[:3]
            pairs.add((mime_type, pattern))
    return pairs


def tree(folder):
    """Every file and folder under `folder`, as relative paths (a snapshot to compare)."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


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
    validate(data_home / "applications" / f"{APP_ID}.desktop")


def test_exec_runs_this_interpreter_on_this_main_py(installed):
    data_home, _ = installed
    keys = read_entry(data_home / "applications" / f"{APP_ID}.desktop")
    argv = split_exec(keys["Exec"])
    assert len(argv) == 3 and argv[2] == "%f", argv  # %f: the file a file manager opens with it
    interpreter, script, _file = argv
    assert os.path.isabs(interpreter) and os.access(interpreter, os.X_OK), interpreter
    assert interpreter == sys.executable  # as run, not resolved: a venv stays a venv
    assert os.path.isabs(script) and Path(script).samefile(MAIN)
    assert keys["TryExec"] == interpreter


def test_entry_metadata(installed):
    data_home, _ = installed
    keys = read_entry(data_home / "applications" / f"{APP_ID}.desktop")
    assert keys["Type"] == "Application"
    assert keys["Name"] == "Chain Rule Studio"
    assert keys["Categories"] == "Education;Math;"  # one main category: listed once in menus
    assert keys["Terminal"] == "false"
    assert keys["StartupWMClass"] == APP_ID       # = QCoreApplication.applicationName()
    assert keys["StartupNotify"] == "true"
    assert keys["Icon"] == APP_ID
    assert keys["MimeType"].split(";") == [SESSION_TYPE, "text/csv", "text/tab-separated-values", ""]


def test_session_file_type_is_installed_and_known_to_the_database(installed):
    data_home, result = installed
    package = data_home / "mime" / "packages" / f"{APP_ID}.xml"
    assert str(package) in result.stdout
    assert declared_mime_types(package) == {SESSION_TYPE: ["*.crstudio"]}
    if shutil.which("update-mime-database") is None:
        pytest.skip("update-mime-database is not installed (Debian package shared-mime-info)")
    assert (SESSION_TYPE, "*.crstudio") in globs_in_database(data_home / "mime")
    assert "Updated the MIME database" in result.stdout


def test_desktop_database_maps_the_types_to_the_entry(installed):
    data_home, _ = installed
    if shutil.which("update-desktop-database") is None:
        pytest.skip("update-desktop-database is not installed (Debian package desktop-file-utils)")
    cache = (data_home / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
    for mime_type in (SESSION_TYPE, "text/csv"):
        assert f"{mime_type}={APP_ID}.desktop;" in cache.splitlines()


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
    validate(entry)
    keys = read_entry(entry)
    assert split_exec(keys["Exec"]) == [str(interpreter), str(script), "%f"]
    assert keys["TryExec"] == str(interpreter)


def test_xdg_data_home_must_be_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"


# -- which command the entry runs --------------------------------------------------------------

def _executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_started_as_the_console_script_the_entry_runs_that_script(tmp_path):
    script = _executable(tmp_path / "venv" / "bin" / APP_ID)
    link = tmp_path / "home" / ".local" / "bin" / APP_ID   # what pipx puts on PATH
    link.parent.mkdir(parents=True)
    link.symlink_to(script)
    assert desktop_entry.launch_command(MAIN, argv0=str(script)) == [str(script)]
    assert desktop_entry.launch_command(MAIN, argv0=str(link)) == [str(link)]  # not resolved


def test_a_bare_command_name_is_found_on_path(tmp_path, monkeypatch):
    script = _executable(tmp_path / "bin" / APP_ID)
    monkeypatch.setenv("PATH", str(script.parent))
    assert desktop_entry.launch_command(MAIN, argv0=APP_ID) == [str(script)]


def test_started_from_main_py_the_entry_runs_the_interpreter_on_it(tmp_path):
    expected = [sys.executable, str(MAIN)]
    assert desktop_entry.launch_command(MAIN, argv0=str(MAIN)) == expected
    assert desktop_entry.launch_command(MAIN, argv0=None) == expected
    missing = tmp_path / "gone" / APP_ID  # named like the command but not there: not trusted
    assert desktop_entry.launch_command(MAIN, argv0=str(missing)) == expected


# -- uninstall ---------------------------------------------------------------------------------

def run_main(*args, data_home, path=None):
    env = dict(os.environ, XDG_DATA_HOME=str(data_home))
    if path is not None:
        env["PATH"] = path
    result = subprocess.run([sys.executable, str(MAIN), *args], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_uninstall_leaves_an_empty_data_home_empty(tmp_path):
    data_home = tmp_path / "data"
    data_home.mkdir()
    run_main("--install-desktop", data_home=data_home)
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()
    result = run_main("--uninstall-desktop", data_home=data_home)
    assert tree(data_home) == [], result.stdout
    assert f"Removed {data_home / 'applications' / f'{APP_ID}.desktop'}" in result.stdout


def _other_apps_files(data_home):
    """Another application's entry, icon and MIME type, installed the same way."""
    (data_home / "applications").mkdir(parents=True)
    (data_home / "applications" / "other.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Other\nExec=other %f\n"
        "MimeType=application/x-other;\n")
    icon = data_home / "icons" / "hicolor" / "scalable" / "apps" / "other.svg"
    icon.parent.mkdir(parents=True)
    icon.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    package = data_home / "mime" / "packages" / "other.xml"
    package.parent.mkdir(parents=True)
    package.write_text(
        '<?xml version="1.0"?>\n<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">'
        '<mime-type type="application/x-other"><glob pattern="*.other"/></mime-type></mime-info>\n')


def test_uninstall_keeps_everything_else_and_the_databases_forget_only_us(tmp_path):
    data_home = tmp_path / "data"
    _other_apps_files(data_home)
    sources_before = {p: p.read_bytes() for p in data_home.rglob("*") if p.is_file()}
    run_main("--install-desktop", data_home=data_home)
    run_main("--uninstall-desktop", data_home=data_home)
    for path, data in sources_before.items():
        assert path.read_bytes() == data, path
    for path in desktop_entry.installed_files(data_home).values():
        assert not path.exists(), path
    if shutil.which("update-mime-database"):
        globs = globs_in_database(data_home / "mime")
        assert ("application/x-other", "*.other") in globs
        assert not any(mime_type == SESSION_TYPE for mime_type, _ in globs)
    if shutil.which("update-desktop-database"):
        cache = (data_home / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert "application/x-other=other.desktop;" in cache
        assert APP_ID not in cache


def test_uninstall_when_nothing_is_installed_says_so(tmp_path):
    result = run_main("--uninstall-desktop", data_home=tmp_path / "data")
    assert "Nothing to remove" in result.stdout
    assert not (tmp_path / "data").exists()


def test_without_the_database_tools_install_says_what_is_missing(tmp_path):
    data_home = tmp_path / "data"
    empty_path = tmp_path / "no-tools"
    empty_path.mkdir()
    result = run_main("--install-desktop", data_home=data_home, path=str(empty_path))
    assert "update-mime-database was not found" in result.stdout
    assert "update-desktop-database was not found" in result.stdout
    assert (data_home / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    assert not (data_home / "mime" / "mime.cache").exists()
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()
