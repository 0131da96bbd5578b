"""Install (and uninstall) Chain Rule Studio in the user's desktop: ``--install-desktop``.

Standard library only: no Qt is needed to install the launcher.

Written under ``$XDG_DATA_HOME`` (default ``~/.local/share``), and removed again by
``--uninstall-desktop``:

- entry: ``applications/chainrule-studio.desktop``, made from ``resources/chainrule-studio.desktop.in``;
  it opens session files (``application/x-chainrule-session``) and CSV files (``Exec=... %f``);
- icon:  ``icons/hicolor/scalable/apps/chainrule-studio.svg``;
- MIME type: ``mime/packages/chainrule-studio.xml`` (``*.crstudio``), then the MIME database and
  the desktop database are rebuilt (app.desktop_caches).

``Exec=`` runs the command that ran the install: the ``chainrule-studio`` console script when it
was that (pip or pipx install: its absolute path, so the menu does not depend on ``$PATH``),
otherwise the interpreter (``sys.executable``, e.g. the checkout's ``.venv/bin/python``) on the
absolute path of main.py. Arguments are quoted as the Desktop Entry Specification asks
(https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html).
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from app import desktop_caches, resources

APP_ID = resources.APP_ID
SESSION_MIME_TYPE = "application/x-chainrule-session"  # declared in resources/chainrule-studio-mime.xml

# Characters that force an Exec argument into double quotes (spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
# Inside double quotes these must be backslash-escaped.
_ESCAPE_IN_QUOTES = set('"`$\\')


def quote_exec_arg(arg):
    """Quote one argument for an Exec= line (before the key-file string escaping)."""
    arg = str(arg).replace("%", "%%")  # a literal % is written %% (field codes start with %)
    if arg and not any(ch in _RESERVED for ch in arg):
        return arg
    return '"' + "".join("\\" + ch if ch in _ESCAPE_IN_QUOTES else ch for ch in arg) + '"'


def escape_value(value):
    """Escape a value of type string for a desktop file (spec, "Possible value types")."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n")
            .replace("\t", "\\t").replace("\r", "\\r"))


def exec_line(argv):
    """The value of Exec= for a command line given as a list of arguments."""
    return escape_value(" ".join(quote_exec_arg(arg) for arg in argv))


def data_home():
    base = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(base):  # relative or empty -> ignored, as the XDG spec says
        base = os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base)


def render_entry(template, argv, icon_name=APP_ID, try_exec=None):
    """Fill in the template's @EXEC@, @TRYEXEC@ and @ICON@ placeholders."""
    return (template.replace("@EXEC@", exec_line(argv))
            .replace("@TRYEXEC@", escape_value(try_exec or argv[0]))
            .replace("@ICON@", escape_value(icon_name)))


def _write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def installed_files(target=None):
    """Where install writes each file, by role: entry, icon, mime_package."""
    target = Path(target) if target else data_home()
    return {
        "entry": target / "applications" / f"{APP_ID}.desktop",
        "icon": target / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        "mime_package": target / "mime" / "packages" / f"{APP_ID}.xml",
    }


def console_script(argv0):
    """The absolute path of the ``chainrule-studio`` command this process was started as, or None.

    Not resolved: pipx links ``~/.local/bin/chainrule-studio`` to its venv, and the link is what
    survives ``pipx upgrade`` and ``pipx reinstall``."""
    if not argv0 or os.path.basename(argv0) != APP_ID:
        return None
    path = argv0 if os.sep in argv0 else shutil.which(argv0)
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return os.path.abspath(path)
    return None


def launch_command(main_script, interpreter=None, argv0=None):
    """The command line (a list) the entry's Exec= runs, before the %f for a file."""
    script = console_script(argv0)
    if script:
        return [script]
    # not resolved: a venv's bin/python must stay the venv's
    return [os.path.abspath(interpreter or sys.executable), os.path.abspath(main_script)]


def install(main_script, interpreter=None, target=None, out=print, argv0=None):
    """Install the entry, the icon and the MIME type; return a process exit code (0 = installed)."""
    command = launch_command(main_script, interpreter, argv0)
    files = installed_files(target)
    try:
        template = resources.desktop_template_path().read_text(encoding="utf-8")
        contents = {
            "icon": resources.icon_path().read_bytes(),
            "mime_package": resources.mime_package_path().read_bytes(),
            "entry": render_entry(template, command, icon_name=APP_ID,
                                  try_exec=command[0]).encode("utf-8"),
        }
        for role in ("icon", "mime_package", "entry"):  # the entry last: it refers to the others
            _write_atomically(files[role], contents[role])
    except OSError as err:
        print(f"{APP_ID}: could not install the desktop entry: {err}", file=sys.stderr)
        return 1
    out(f"Installed desktop entry: {files['entry']}")
    out(f"    Exec={exec_line(command)} %f")
    out(f"Installed icon: {files['icon']}")
    out(f"Installed MIME type {SESSION_MIME_TYPE} (*.crstudio): {files['mime_package']}")
    desktop_caches.update_mime_database(files["mime_package"].parent.parent, out)
    desktop_caches.update_desktop_database(files["entry"].parent, out)
    return 0


def _remove_with_empty_parents(path, stop):
    """Remove ``path``, then each parent folder it leaves empty, up to (not including) ``stop``."""
    path.unlink()
    for parent in path.parents:
        if parent == stop or stop not in parent.parents:
            break
        try:
            parent.rmdir()
        except OSError:
            break  # not empty: other files live there


def uninstall(target=None, out=print):
    """Remove what install wrote and bring the databases up to date; return an exit code."""
    target = Path(target) if target else data_home()
    files = installed_files(target)
    removed = []
    try:
        for role in ("entry", "mime_package", "icon"):  # the entry first: it refers to the others
            if files[role].is_file():
                _remove_with_empty_parents(files[role], target)
                removed.append(files[role])
    except OSError as err:
        print(f"{APP_ID}: could not uninstall the desktop entry: {err}", file=sys.stderr)
        return 1
    for path in removed:
        out(f"Removed {path}")
    if not removed:
        out(f"Nothing to remove: no Chain Rule Studio desktop entry is installed in {target}")
        return 0
    desktop_caches.forget_mime_package(files["mime_package"].parent.parent, [SESSION_MIME_TYPE], out)
    desktop_caches.forget_desktop_entry(files["entry"].parent, out)
    return 0
