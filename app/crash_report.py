"""Unexpected exceptions become a log entry, a line on stderr and (when someone can see it) a dialog.

A double-clicked application has no terminal, so every unexpected exception is appended to
``$XDG_STATE_HOME/chainrule-studio/chainrule-studio.log`` (default ``~/.local/state/...``).

Two entry points:
- ``install_excepthook()``: exceptions escaping a slot, a timer or a Qt virtual method while the
  application runs. PySide6 hands those to ``sys.excepthook`` and carries on; we log them and ask
  the user whether to continue or quit.
- ``report_startup_failure(exc)``: start-up failed (maybe before any window exists, maybe because
  PySide6 itself cannot be imported). Logged, printed to stderr, shown in a dialog if Qt works.

Headless runs (offscreen/minimal Qt platform, pytest, ``CHAINRULE_STUDIO_NO_DIALOGS=1``) never open
a modal dialog: the error goes to stderr and the log, and the application's event loop (the one
app.application runs; never an event loop someone else runs, e.g. pytest-qt's) is ended with
exit code 70, so a headless run fails loudly instead of hanging.

This module imports only the standard library, and on the start-up path only the cheapest of it:
what is needed to write a report (and Qt, for a dialog) is imported when there is one.
"""
import os
import sys
import threading

APP_ID = "chainrule-studio"
EXIT_SOFTWARE = 70          # BSD sysexits EX_SOFTWARE: internal software error
MAX_LOG_BYTES = 512 * 1024  # then the log is rotated once to chainrule-studio.log.1
MAX_DIALOGS = 3             # after that, errors are logged only (no dialog storm)

_HEADLESS_PLATFORMS = {"offscreen", "minimal", "minimalegl", "vnc"}
_state = {"version": "", "errors": 0, "dialogs": 0, "in_dialog": False,
          "loop_running": False, "exit_requested": None}
_lock = threading.Lock()


def configure(version=""):
    _state["version"] = version


def error_count():
    """How many unexpected exceptions were reported in this process."""
    return _state["errors"]


def set_event_loop_running(running):
    """app.application tells us when QApplication.exec() runs: only then may we end it.
    (QCoreApplication.exit() outside exec() is not harmless: it makes every later QEventLoop
    return at once.)"""
    _state["loop_running"] = bool(running)


def exit_requested():
    """The exit code asked for by an error before the event loop started, or None."""
    return _state["exit_requested"]


def _request_exit(app, code):
    _state["exit_requested"] = code
    if _state["loop_running"]:
        app.exit(code)


def state_dir():
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):  # the spec says: relative or empty -> ignore
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, APP_ID)


def log_path():
    return os.path.join(state_dir(), f"{APP_ID}.log")


def _context_lines():
    import platform

    lines = [
        f"{APP_ID} {_state['version'] or '?'}",
        f"python {platform.python_version()} ({sys.executable})",
        f"system {platform.platform()}",
        f"argv {sys.argv!r}",
    ]
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:
        try:
            lines.append(f"Qt {qtcore.qVersion()}, PySide6 {sys.modules['PySide6'].__version__}")
            app = qtcore.QCoreApplication.instance()
            if app is not None and hasattr(app, "platformName"):
                lines.append(f"Qt platform {app.platformName()}")
        except Exception:  # never fail while reporting a failure
            pass
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        if var in os.environ:
            lines.append(f"{var}={os.environ[var]}")
    return lines


def write_log(title, exc_type, exc, tb):
    """Append one report to the log file; return its path, or None if it could not be written."""
    import datetime
    import traceback

    path = log_path()
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    entry = "\n".join([f"==== {stamp} {title}", *_context_lines(), text.rstrip(), "", ""])
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            if os.path.getsize(path) > MAX_LOG_BYTES:
                os.replace(path, path + ".1")
        except OSError:
            pass
        with _lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(entry)
        return path
    except OSError as err:
        print(f"{APP_ID}: could not write the log file {path}: {err}", file=sys.stderr)
        return None


def dialogs_enabled():
    """False when nobody could answer a modal dialog (headless Qt, tests, explicit opt-out)."""
    if os.environ.get("CHAINRULE_STUDIO_NO_DIALOGS") or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in _HEADLESS_PLATFORMS:
        return False
    qtgui = sys.modules.get("PySide6.QtGui")
    if qtgui is not None:
        app = qtgui.QGuiApplication.instance()
        if app is not None and app.platformName() in _HEADLESS_PLATFORMS:
            return False
    return True


_DEPENDENCIES = {"PySide6", "shiboken6", "pyqtgraph", "numpy", "sympy", "ziamath", "ziafont"}


def _summary(exc):
    name = type(exc).__name__
    message = str(exc).strip()
    text = f"{name}: {message}" if message else name
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    if missing and missing.split(".")[0] in _DEPENDENCIES:
        text += (f"\n{missing.split('.')[0]} is not available to {sys.executable}. From the "
                 "checkout, `make run` sets up .venv with every dependency (and main.py then "
                 "uses it), or install the project: pip install -e .")
    elif isinstance(exc, ImportError) and "cannot open shared object file" in message:
        text += ("\nA system library that Qt needs is missing. On Debian/Ubuntu, `make run` "
                 "installs them when run as root; otherwise: sudo apt-get install libegl1 libgl1 "
                 "libx11-6 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3")
    return text


def _report(title, exc_type, exc, tb):
    import traceback

    _state["errors"] += 1
    path = write_log(title, exc_type, exc, tb)
    where = f" (details in {path})" if path else ""
    print(f"{APP_ID}: {title}: {_summary(exc)}{where}", file=sys.stderr)
    if not getattr(exc, "user_facing", False):  # a message written for users needs no traceback
        traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
    return path


def _excepthook(exc_type, exc, tb):
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    path = _report("unexpected error", exc_type, exc, tb)
    try:
        from PySide6.QtCore import QCoreApplication
    except Exception:
        return
    app = QCoreApplication.instance()
    if app is None:
        return
    if not dialogs_enabled():
        _request_exit(app, EXIT_SOFTWARE)  # headless: nobody can decide, so fail the run
        return
    if _state["in_dialog"] or _state["dialogs"] >= MAX_DIALOGS:
        return
    _state["in_dialog"] = True
    _state["dialogs"] += 1
    try:
        import traceback

        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Critical, "Chain Rule Studio",
                          "Something went wrong, sorry. The studio may not behave as expected now.")
        box.setInformativeText(
            f"{_summary(exc)}\n\nThe details were saved to\n{path or '(the log could not be written)'}")
        box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
        keep = box.addButton("Continue", QMessageBox.AcceptRole)
        box.addButton("Quit", QMessageBox.DestructiveRole)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is not keep:
            _request_exit(app, EXIT_SOFTWARE)
    except Exception:
        pass  # the report is already in the log and on stderr
    finally:
        _state["in_dialog"] = False


def install_excepthook():
    sys.excepthook = _excepthook
    threading.excepthook = lambda args: _report(
        f"unexpected error in thread {getattr(args.thread, 'name', '?')}",
        args.exc_type, args.exc_value, args.exc_traceback)


def report_startup_failure(exc):
    """Log a start-up failure, print it, show it if a dialog can be shown; return the exit code."""
    path = _report("start-up failed", type(exc), exc, exc.__traceback__)
    if dialogs_enabled():
        _startup_dialog(exc, path)
    return EXIT_SOFTWARE


def _startup_dialog(exc, path):
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox
    except Exception:
        return  # PySide6 missing or broken: the log and stderr are all we have
    try:
        app = QApplication.instance()
        if app is None:
            if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
                from app.display_check import display_problem

                if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or display_problem():
                    return  # Qt would abort the process trying to open a display
            app = QApplication([APP_ID])
        QMessageBox.critical(
            None, "Chain Rule Studio",
            f"Chain Rule Studio could not start.\n\n{_summary(exc)}\n\n"
            f"The details were saved to\n{path or '(the log could not be written)'}")
    except Exception:
        pass
