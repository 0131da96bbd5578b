"""Install a freedesktop.org desktop entry and icon for the current user (``main.py --install-desktop``).

Standard library only: no Qt is needed to install the launcher.

- entry: ``$XDG_DATA_HOME/applications/chainrule-studio.desktop`` (default ``~/.local/share``),
  made from ``resources/chainrule-studio.desktop.in``;
- icon:  ``$XDG_DATA_HOME/icons/hicolor/scalable/apps/chainrule-studio.svg``.

``Exec=`` runs the interpreter that ran the install (``sys.executable``, e.g. the checkout's
``.venv/bin/python``) on the absolute path of main.py, quoted as the Desktop Entry Specification
asks (https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html).
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from app import resources

APP_ID = resources.APP_ID

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


def install(main_script, interpreter=None, target=None, out=print):
    """Install the entry and the icon; return a process exit code (0 = installed)."""
    interpreter = os.path.abspath(interpreter or sys.executable)  # not resolved: keep the venv
    main_script = os.path.abspath(main_script)
    target = Path(target) if target else data_home()
    entry_path = target / "applications" / f"{APP_ID}.desktop"
    icon_target = target / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    try:
        template = resources.desktop_template_path().read_text(encoding="utf-8")
        icon_data = resources.icon_path().read_bytes()
        entry = render_entry(template, [interpreter, main_script], icon_name=APP_ID,
                             try_exec=interpreter)
        _write_atomically(icon_target, icon_data)
        _write_atomically(entry_path, entry.encode("utf-8"))
    except OSError as err:
        print(f"{APP_ID}: could not install the desktop entry: {err}", file=sys.stderr)
        return 1
    out(f"Installed desktop entry: {entry_path}")
    out(f"    Exec={exec_line([interpreter, main_script])}")
    out(f"Installed icon: {icon_target}")
    tool = shutil.which("update-desktop-database")
    if tool:
        try:
            subprocess.run([tool, "-q", str(entry_path.parent)], check=True, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            out(f"Updated the desktop database in {entry_path.parent}")
        except (OSError, subprocess.SubprocessError) as err:
            out(f"(update-desktop-database failed, harmless: {err})")
    return 0
