"""Build the QApplication and run the studio (called by main.py).

Start-up stays light: only QtCore/QtGui/QtWidgets are imported here, then app.main_window; sympy,
ziamath and friends must not be imported before the first painted window (tests/test_cli.py checks).

Hooks (environment variables; all off unless set):
- CHAINRULE_STUDIO_EXIT_AFTER_PAINT=1: once the main window has painted for the first time, print
  one line ``CHAINRULE_STUDIO_FIRST_PAINT {"t": <time.monotonic()>, "heavy_modules": [...]}`` to
  stdout and quit (used by tests/benchmarks/bench_startup.py and by the tests).
- CHAINRULE_STUDIO_CRASH_TEST=startup (or 1): raise during start-up, after the QApplication exists
  and before the main window does. =event: raise from inside the running event loop instead.
- CHAINRULE_STUDIO_NO_DIALOGS=1: never open the crash dialog (see app.crash_report).
- CHAINRULE_STUDIO_AUTOSAVE_MS, CHAINRULE_STUDIO_RESTORE=yes|no: crash recovery (see app.autosave).
- CHAINRULE_STUDIO_TRAIN_ON_START=1: start training once the window is shown (the crash-recovery test
  kills the process mid-training).
"""
import os
import sys
import time

APP_ID = "chainrule-studio"          # desktop-file id, Wayland app id, X11 WM_CLASS, QSettings path
APP_DISPLAY_NAME = "Chain Rule Studio"
FIRST_PAINT_MARKER = "CHAINRULE_STUDIO_FIRST_PAINT"
# Modules that must not load before the first paint (the start-up path stays light).
HEAVY_MODULES = ("sympy", "ziamath", "ziafont", "latex2mathml", "mpmath", "scipy", "matplotlib")


class StartupError(RuntimeError):
    """A start-up problem with a message meant for the user (reported without a traceback)."""

    user_facing = True


def _is_linux():
    return sys.platform.startswith("linux")


def _has_display():
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def use_offscreen_if_headless():
    """For --self-test / --screenshot: no display and no platform chosen -> render offscreen."""
    if _is_linux() and not os.environ.get("QT_QPA_PLATFORM") and not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def check_platform_prerequisites():
    """Qt aborts the whole process (no exception) when it cannot open a display or load the X11
    plugin; catch the common cases first so they reach the log and the user as a clear message."""
    if not _is_linux() or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not _has_display():
        raise StartupError(
            "No display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run Chain Rule Studio "
            "from a desktop session, or set QT_QPA_PLATFORM=offscreen for a headless run.")
    from app.display_check import display_problem

    why = display_problem()
    if why:
        raise StartupError(
            f"Cannot open the display: {why}. Start Chain Rule Studio from a desktop session (or fix "
            "DISPLAY), or set QT_QPA_PLATFORM=offscreen for a headless run.")
    if os.environ.get("WAYLAND_DISPLAY"):
        return  # Qt prefers its Wayland plugin there
    import ctypes

    missing = []
    for lib, package in (("libxcb-cursor.so.0", "libxcb-cursor0"),
                         ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0")):
        try:
            ctypes.CDLL(lib)
        except OSError:
            missing.append(package)
    if missing:
        raise StartupError(
            "Qt's X11 plugin needs system libraries that are missing: install them with\n"
            f"    sudo apt-get install {' '.join(missing)}")


def create_application(argv=None, version=""):
    """The QApplication with the studio's names and icon (existing instance is reused)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Names first: QSettings paths and the X11 WM_CLASS are derived from them.
        # argv[0] = APP_ID makes the WM_CLASS instance name match the desktop entry too.
        QCoreApplication.setOrganizationName(APP_ID)
        QCoreApplication.setApplicationName(APP_ID)
        QCoreApplication.setApplicationVersion(version)
        QGuiApplication.setDesktopFileName(APP_ID)
        app = QApplication([APP_ID, *(argv or [])])
    QGuiApplication.setApplicationDisplayName(APP_DISPLAY_NAME)
    from app import resources

    icon = resources.app_icon()
    if icon is not None:
        QGuiApplication.setWindowIcon(icon)
    return app


def _crash_test(stage):
    wanted = os.environ.get("CHAINRULE_STUDIO_CRASH_TEST", "")
    if wanted == stage or (wanted == "1" and stage == "startup"):
        raise RuntimeError(f"CHAINRULE_STUDIO_CRASH_TEST={wanted}: deliberate crash ({stage})")


def heavy_modules_loaded():
    return sorted(name for name in HEAVY_MODULES if name in sys.modules)


def watch_first_paint(window, on_painted):
    """Call ``on_painted()`` once, right after the window's first paint pass has completed.

    An application-wide event filter waits for the first QEvent.Paint delivered to the window or
    to any widget inside it (the window itself may never get one: an opaque central widget covers
    it), then a zero-timer fires once that whole backing-store paint pass is finished and control
    is back in the event loop. Returns the filter object (keep a reference while it runs)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    app = QCoreApplication.instance()

    class _FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if (not self.seen and event.type() == QEvent.Type.Paint
                    and isinstance(obj, QWidget) and obj.window() is window):
                self.seen = True
                app.removeEventFilter(self)
                QTimer.singleShot(0, on_painted)
            return False

    watcher = _FirstPaint()
    app.installEventFilter(watcher)
    return watcher


def _report_first_paint_and_quit():
    import json

    from PySide6.QtCore import QCoreApplication

    record = {"t": time.monotonic(), "heavy_modules": heavy_modules_loaded()}
    print(FIRST_PAINT_MARKER, json.dumps(record), flush=True)
    QCoreApplication.quit()


def configure_session(model, dataset: str | None, hidden: str | None) -> str:
    """Apply --dataset and --hidden; return what is wrong with them ("" when nothing is)."""
    import core

    if dataset:
        if dataset not in core.DATASETS:
            return f"unknown dataset {dataset!r}; choose from {', '.join(core.DATASETS)}"
        model.set_dataset(dataset)
    if hidden:
        try:
            sizes = [int(part) for part in hidden.split(",")]
        except ValueError:
            return f"--hidden takes layer sizes separated by commas, like 5,5 (not {hidden!r})"
        from app.model import MAX_HIDDEN_LAYERS, MAX_NEURONS

        if not 1 <= len(sizes) <= MAX_HIDDEN_LAYERS or not all(1 <= n <= MAX_NEURONS for n in sizes):
            return (f"--hidden takes 1 to {MAX_HIDDEN_LAYERS} layer sizes of 1 to {MAX_NEURONS} "
                    f"neurons, not {hidden!r}")
        model.set_hidden_layers(sizes)
    return ""


def open_from_command_line(window, path) -> None:
    """Open FILE of ``chainrule-studio FILE`` (a file manager's double-click or "Open with").

    A session (.crstudio) opens off the GUI thread as Ctrl+O would; a CSV (.csv, .tsv, .txt) goes
    to the network lab's import dialog, loaded off the GUI thread as if it had been dropped on the
    window; a file that cannot be read, or of another kind, is refused in the window's banner and
    changes nothing."""
    from app import network_lab
    from app.data_import import importer_for
    from app.data_import.importer import CSV_SUFFIXES, could_not_open

    from app.session_files import is_session_path

    path = os.path.abspath(os.fspath(path))
    if is_session_path(path):
        window.session_files.open_path(path)
    elif path.lower().endswith(CSV_SUFFIXES):
        window.open_lab(network_lab.NAME)
        importer_for(window, window.model).open_path(path)
    else:
        window.model.set_message(could_not_open(
            path, "only sessions (.crstudio) and CSV files (.csv, .tsv, .txt) can be opened"))


def open_file_argument(window, path: str, interactive: bool) -> str:
    """Open FILE from the command line. With a window (a double-click in a file manager) it opens
    once the window shows, as Ctrl+O would: a session off the GUI thread, a CSV in the import dialog,
    and a problem is said in the window (there is no terminal). Headless, a session opens at once
    and a problem is returned ("" when there is none)."""
    if interactive:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: open_from_command_line(window, path))
        return ""
    from app.session_files import is_session_path

    if not os.path.exists(path):
        return f"{path}: no such file"
    if not is_session_path(path):
        return f"{path}: a CSV file opens in the import dialog (choose its columns there), not headless"
    return window.session_files.open_session_now(path)


def save_session_and_exit(window, path: str) -> int:
    """--save-session: write the state and close without questions; the exit code says if it worked."""
    files = window.session_files
    ok = files.save_to(path, wait=True)
    message = window.model.message
    if window.autosave is not None:
        window.autosave.discard()
    window.model.set_running(False)
    window.model.engine.shutdown()
    window.function_model.close()
    if not ok:
        print(f"chainrule-studio: {message or 'the session could not be saved'}", file=sys.stderr)
        return 1
    return 0


def run(args, qt_args=(), version=""):
    """Run the studio in the mode the command line asked for; return the exit code."""
    save_to = getattr(args, "save_session", None)
    headless = bool(args.self_test or args.screenshot or save_to)
    if headless:
        use_offscreen_if_headless()
    check_platform_prerequisites()
    app = create_application(list(qt_args), version)
    _crash_test("startup")

    from app.main_window import MainWindow

    window = MainWindow(persist_layout=not headless, guard_session=not (args.self_test or args.screenshot))
    file_argument = getattr(args, "file", None)
    if window.autosave is not None and not file_argument:
        window.autosave.offer_restore(synchronous=True)
    if file_argument:
        problem = open_file_argument(window, file_argument, interactive=not headless)
        if problem:
            print(f"chainrule-studio: {problem}", file=sys.stderr)
            return 2
    problem = configure_session(window.model, getattr(args, "dataset", None), getattr(args, "hidden", None))
    if problem:
        print(f"chainrule-studio: {problem}", file=sys.stderr)
        return 2
    if getattr(args, "steps", 0) > 0:
        window.model.step(args.steps)
    if save_to:
        return save_session_and_exit(window, save_to)
    if getattr(args, "lab", None):
        window.open_lab(args.lab)
    if getattr(args, "lesson", None):
        if not window.lessons.open(args.lesson, getattr(args, "step", None)) and headless:
            for line in window.lessons.runner.problems:
                print(f"chainrule-studio: {line}", file=sys.stderr)
            return 2
    elif getattr(args, "step", None):
        print("chainrule-studio: --step needs --lesson", file=sys.stderr)
        return 2
    if args.self_test or args.screenshot:
        from app import selftest

        if args.self_test:
            return selftest.run_self_test(app, window)
        return selftest.write_screenshot(app, window, args.screenshot)

    watcher = None  # kept referenced while the event loop runs
    if os.environ.get("CHAINRULE_STUDIO_EXIT_AFTER_PAINT"):
        watcher = watch_first_paint(window, _report_first_paint_and_quit)
    if os.environ.get("CHAINRULE_STUDIO_CRASH_TEST") == "event":
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: _crash_test("event"))
    window.show()
    if os.environ.get("CHAINRULE_STUDIO_TRAIN_ON_START"):
        window.model.set_running(True)
    from app import crash_report

    code = crash_report.exit_requested()  # an error while showing, and "Quit" (or headless)
    if code is not None:
        return code
    crash_report.set_event_loop_running(True)
    try:
        code = app.exec()
    finally:
        crash_report.set_event_loop_running(False)
    del watcher
    return code
