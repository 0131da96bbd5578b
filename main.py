#!/usr/bin/env python3
"""Chain Rule Studio: start the application.

Thin on purpose: parse the command line, then hand over to app/ (app.application builds the
QApplication and the main window, app.crash_report turns an unexpected exception into a dialog
and a log file). Only the standard library is imported here, so a missing or broken PySide6 is
still reported properly.
"""
import argparse
import os
import sys

__version__ = "0.1.0"

HERE = os.path.dirname(os.path.abspath(__file__))


def _reexec_in_local_venv(argv):
    """A double-clicked main.py may run under the system python, which lacks PySide6.
    If a .venv made by `make` sits beside this file, run again with its interpreter."""
    if os.environ.get("CHAINRULE_STUDIO_NO_REEXEC"):
        return  # already re-executed once (or asked not to): never loop
    import importlib.util

    if importlib.util.find_spec("PySide6") is not None:
        return
    venv = os.path.join(HERE, ".venv")
    python = os.path.join(venv, "bin", "python")
    if not os.access(python, os.X_OK):
        return
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return  # this *is* that venv: nothing better to try
    os.environ["CHAINRULE_STUDIO_NO_REEXEC"] = "1"
    os.execv(python, [python, os.path.abspath(__file__), *argv])


# Qt's own command-line options that take a value as the next argument (QGuiApplication and
# QApplication docs). They are set aside before parsing, so the value is not taken for FILE.
QT_OPTIONS_WITH_VALUE = frozenset((
    "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qwindowgeometry",
    "-qwindowicon", "-qwindowtitle", "-display", "-geometry", "-style", "-stylesheet",
    "-session", "-name", "-title", "-visual", "-ncols", "-cmap",
))


def split_qt_options(argv):
    """(our arguments, Qt's valued options with their values) from the command line."""
    ours, qt = [], []
    args = iter(argv)
    for arg in args:
        if arg == "--":  # the rest are ours, whatever they look like
            ours.append(arg)
            ours.extend(args)
        elif arg in QT_OPTIONS_WITH_VALUE:
            qt.append(arg)
            value = next(args, None)
            if value is not None:
                qt.append(value)
        else:
            ours.append(arg)
    return ours, qt


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="chainrule-studio",
        description="Chain Rule Studio: the chain rule and backpropagation, step by step.",
        epilog="Unknown options (e.g. -platform offscreen) are passed on to Qt.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="open this session (.crstudio) or CSV file")
    parser.add_argument("--save-session", metavar="PATH",
                        help="after the other options have run, save the session to PATH and exit (headless)")
    parser.add_argument("--lab", choices=("network", "function"), default=None,
                        help="open on this lab (default: the one used last)")
    parser.add_argument("--steps", type=int, default=0, metavar="N",
                        help="start with N gradient-descent steps already taken (e.g. for a screenshot)")
    parser.add_argument("--dataset", metavar="NAME",
                        help="start on this built-in dataset (lesson, regression, circle, xor, gaussians, "
                             "spiral, moons, blobs, regression2d)")
    parser.add_argument("--hidden", metavar="SIZES",
                        help="start with these hidden layer sizes, e.g. 5,5 (tanh units)")
    parser.add_argument("--lesson", metavar="NAME|PATH",
                        help="open a lesson: a shipped one by name (chain-rule) or a lesson file")
    parser.add_argument("--step", metavar="K",
                        help="with --lesson: start at step K (a number from 1, or the step's name)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--self-test", action="store_true",
                      help="build the main window, render every panel once, check none is blank, exit")
    mode.add_argument("--screenshot", metavar="PATH",
                      help="write a PNG of the main window to PATH and exit")
    mode.add_argument("--install-desktop", action="store_true",
                      help="add Chain Rule Studio to the desktop's menu for the current user (entry, "
                           "icon, the .crstudio file type; CSV files get 'Open with') and exit")
    mode.add_argument("--uninstall-desktop", action="store_true",
                      help="remove what --install-desktop installed and exit")
    ours, qt_options = split_qt_options(argv)
    args, qt_args = parser.parse_known_args(ours)
    return args, qt_options + qt_args


def main(argv=None):
    """Entry point of `python main.py` and of the `chainrule-studio` gui-script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    _reexec_in_local_venv(argv)
    args, qt_args = parse_args(argv)

    if args.install_desktop:  # standard library only, no Qt needed
        from app.desktop_entry import install
        return install(main_script=os.path.abspath(__file__), argv0=sys.argv[0])
    if args.uninstall_desktop:
        from app.desktop_entry import uninstall
        return uninstall()

    from app import crash_report

    crash_report.configure(version=__version__)
    crash_report.install_excepthook()
    try:
        from app.application import run

        return run(args, qt_args, version=__version__)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # anything else during start-up (incl. a missing PySide6)
        return crash_report.report_startup_failure(exc)


if __name__ == "__main__":
    sys.exit(main())
