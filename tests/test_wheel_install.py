"""Installed like an application: a wheel built from this checkout, installed into a fresh venv, gives a
`chainrule-studio` command that passes its self-test with its own resources (not the checkout's) and
installs a desktop entry that runs that command and validates.

No network: the wheel is built with --no-deps --no-build-isolation --no-index, and the fresh venv
(made --without-pip) gets the dependencies through a .pth file naming the site-packages of the
interpreter running the tests; only the wheel itself is installed into it (`pip --python`). That is
what `pip install .` and `pipx install .` do, minus downloading the dependencies.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.test_desktop_entry import (SESSION_TYPE, declared_mime_types, globs_in_database,
                                      read_entry, split_exec, tree, validate)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "chainrule-studio"
TIMEOUT = 300  # a cold start on a busy 2-core machine is slow; a hang is not
# Not part of a source tree: left out of the copy the wheel is built from (a stale build/ would
# otherwise leak old files into the wheel, and the copy keeps the checkout free of build output).
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info",
                                    "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")

needs_validator = pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (Debian package desktop-file-utils)")


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


class Installation:
    """The built wheel, the source it was built from and the venv it is installed in."""

    def __init__(self, base):
        self.base = base
        self.source = base / "source"
        self.venv = base / "venv"
        self.command = self.venv / "bin" / APP_ID
        self.python = self.venv / "bin" / "python"

    def build_and_install(self):
        shutil.copytree(ROOT, self.source, ignore=NOT_SOURCE)
        dist = self.base / "dist"
        _run([sys.executable, "-m", "pip", "wheel", str(self.source), "--no-deps",
              "--no-build-isolation", "--no-index", "--disable-pip-version-check", "-q",
              "-w", str(dist)], cwd=self.base)
        (self.wheel,) = dist.glob("chainrule_studio-*.whl")
        _run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)])
        _run([sys.executable, "-m", "pip", "--python", str(self.python), "install", "--no-deps",
              "--no-index", "--disable-pip-version-check", "-q", str(self.wheel)], cwd=self.base)
        # Dependencies (PySide6, numpy, ...) from the test interpreter's site-packages; added after
        # the install, so pip never saw that environment's own (editable) chainrule-studio.
        site = _run([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
        deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        Path(site.stdout.strip(), "test-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
        return self

    def env(self, home):
        """A user's environment: a home of their own, headless, nothing pointing at the checkout."""
        values = {key: value for key, value in os.environ.items()
                  if not key.startswith(("CHAINRULE_STUDIO_", "XDG_", "PYTHON"))
                  and key not in ("DISPLAY", "WAYLAND_DISPLAY", "VIRTUAL_ENV")}
        values.update(HOME=str(home), QT_QPA_PLATFORM="offscreen",
                      XDG_DATA_HOME=str(home / ".local" / "share"),
                      XDG_CONFIG_HOME=str(home / ".config"),
                      XDG_STATE_HOME=str(home / ".local" / "state"),
                      XDG_CACHE_HOME=str(home / ".cache"))
        return values

    def home(self, name):
        home = self.base / "homes" / name
        home.mkdir(parents=True)
        return home


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return Installation(tmp_path_factory.mktemp("wheel")).build_and_install()


def test_wheel_carries_the_resources_inside_the_app_package(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for resource in (f"{APP_ID}.svg", f"{APP_ID}.desktop.in", f"{APP_ID}-mime.xml"):
        assert f"app/packaged_resources/{resource}" in names, sorted(names)
    for lesson in (installed.source / "resources" / "lessons").glob("*.lesson"):
        assert f"app/packaged_resources/lessons/{lesson.name}" in names, lesson.name
    assert not any(name.endswith(".png") for name in names)  # README screenshots stay out
    assert not any(name.startswith("resources/") for name in names)  # no top-level 'resources'


def test_wheel_carries_every_module_of_app_and_core(installed):
    """pyproject.toml lists the packages by hand: a new subpackage missing there fails here."""
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for top in ("app", "core"):
        for module in (installed.source / top).rglob("*.py"):
            assert module.relative_to(installed.source).as_posix() in names
    assert "main.py" in names


def test_installed_code_and_resources_come_from_the_venv_not_the_checkout(installed, tmp_path):
    probe = (
        "import json, app, core, main\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "from app import resources\n"
        "from app.application import create_application\n"
        "qapp = create_application([], main.__version__)\n"
        "print(json.dumps({'app': app.__file__, 'core': core.__file__, 'main': main.__file__,\n"
        "                  'resources': str(resources.resources_dir()),\n"
        "                  'icon_sizes': len(QGuiApplication.windowIcon().availableSizes()),\n"
        "                  'icon_null': QGuiApplication.windowIcon().isNull()}))\n")
    result = _run([str(installed.python), "-c", probe], cwd=tmp_path,
                  env=installed.env(installed.home("probe")))
    found = json.loads(result.stdout.strip().splitlines()[-1])
    site = installed.venv.resolve()
    for key in ("app", "core", "main", "resources"):
        assert site in Path(found[key]).resolve().parents, (key, found[key])
    assert Path(found["resources"]).name == "packaged_resources"
    assert not found["icon_null"], "the window icon was not found in the installed package"


def test_installed_command_passes_its_self_test(installed, tmp_path):
    result = _run([str(installed.command), "--self-test"], cwd=tmp_path,
                  env=installed.env(installed.home("self-test")))
    assert "self-test: ok" in result.stdout, result.stdout


def test_installed_command_opens_a_shipped_lesson_from_its_own_resources(installed, tmp_path):
    shot = tmp_path / "lesson.png"
    _run([str(installed.command), "--lesson", "gradient-descent", "--step", "2", "--screenshot", str(shot)],
         cwd=tmp_path, env=installed.env(installed.home("lesson")))
    assert shot.stat().st_size > 10000


def _install_desktop(installed, home, command, path_first=None):
    """Run ``command --install-desktop`` as the user whose home is ``home``; their data home."""
    env = installed.env(home)
    if path_first:
        env["PATH"] = os.pathsep.join([str(path_first), env.get("PATH", "")])
    _run([*command, "--install-desktop"], cwd=home, env=env)
    return Path(env["XDG_DATA_HOME"])


@needs_validator
def test_installed_command_installs_a_valid_entry_that_runs_it(installed):
    data_home = _install_desktop(installed, installed.home("desktop"), [str(installed.command)])
    entry = data_home / "applications" / f"{APP_ID}.desktop"
    validate(entry)
    keys = read_entry(entry)
    assert split_exec(keys["Exec"]) == [str(installed.command), "%f"]
    assert keys["TryExec"] == str(installed.command)
    assert SESSION_TYPE in keys["MimeType"].split(";") and "text/csv" in keys["MimeType"].split(";")
    package = data_home / "mime" / "packages" / f"{APP_ID}.xml"
    assert declared_mime_types(package) == {SESSION_TYPE: ["*.crstudio"]}
    if shutil.which("update-mime-database"):
        assert (SESSION_TYPE, "*.crstudio") in globs_in_database(data_home / "mime")


def test_pipx_link_on_path_is_what_the_entry_runs(installed):
    """pipx links ~/.local/bin/chainrule-studio to its venv; the entry keeps the link, which
    survives `pipx upgrade`, and a bare `chainrule-studio` typed in a shell is found on PATH."""
    home = installed.home("pipx")
    link = home / ".local" / "bin" / APP_ID
    link.parent.mkdir(parents=True)
    link.symlink_to(installed.command)
    data_home = _install_desktop(installed, home, [APP_ID], path_first=link.parent)  # as typed
    keys = read_entry(data_home / "applications" / f"{APP_ID}.desktop")
    assert split_exec(keys["Exec"]) == [str(link), "%f"]


def test_installed_command_uninstalls_what_it_installed(installed):
    home = installed.home("uninstall")
    data_home = _install_desktop(installed, home, [str(installed.command)])
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()
    _run([str(installed.command), "--uninstall-desktop"], cwd=home, env=installed.env(home))
    assert tree(data_home) == []
