"""``main.py --self-test`` and ``main.py --screenshot PATH``.

Self-test: show the main window (offscreen when there is no display), let layouts, timers and
first renders settle, grab every panel of ``MainWindow.panels()`` to an image and check that it is
not blank (a single flat colour, or a couple of colours with next to no pixels off the background,
fails). One line per panel; exit code 0 when all pass, 1 otherwise.

Screenshot: the same window at 1400x900, grabbed to a PNG once it has settled.

Settling: after the window is exposed, if MainWindow has an ``is_settled()`` method (optional),
events are processed until it returns True (at most 30 s; then a warning, and the capture goes
ahead); then for ``CHAINRULE_STUDIO_SETTLE_MS`` more milliseconds (default 400) in any case.
"""
import os
import sys

SCREENSHOT_SIZE = (1400, 900)
SETTLE_TIMEOUT_MS = 30000  # how long to wait for MainWindow.is_settled(), when it has one
MIN_COLOURS = 3            # a blank panel has one colour (two with a 1-px frame)
MIN_INK_PIXELS = 16        # and at least this many pixels off the dominant colour ...
MIN_INK_FRACTION = 0.0002  # ... and this fraction of them (a short label in a big panel passes)


def _settle_ms():
    try:
        return max(0, int(os.environ.get("CHAINRULE_STUDIO_SETTLE_MS", "400")))
    except ValueError:
        return 400


def _run_events_for(ms):
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def settle(app, window, out=print, expose_timeout_ms=5000, settle_timeout_ms=SETTLE_TIMEOUT_MS):
    """Show the window, wait until it is exposed and (if it can tell) done computing, then keep
    processing events for a moment. Returns False if the window never said it had settled."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    window.show()
    deadline = QDeadlineTimer(expose_timeout_ms)
    while not deadline.hasExpired():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            break
    settled = True
    is_settled = getattr(window, "is_settled", None)  # optional: panels still computing?
    if callable(is_settled):
        deadline = QDeadlineTimer(settle_timeout_ms)
        while not is_settled():
            if deadline.hasExpired():
                out(f"warning: the window was still computing after {settle_timeout_ms / 1000:g} s")
                settled = False
                break
            _run_events_for(25)
    _run_events_for(_settle_ms())
    app.processEvents()
    return settled


def image_stats(image):
    """(distinct colours, fraction of pixels that differ from the most common colour)."""
    import numpy as np
    from PySide6.QtGui import QImage

    img = image.convertToFormat(QImage.Format.Format_ARGB32)
    width, height = img.width(), img.height()
    if width == 0 or height == 0:
        return 0, 0.0
    stride = img.bytesPerLine() // 4
    pixels = np.frombuffer(img.constBits(), dtype=np.uint32, count=stride * height)
    pixels = pixels.reshape(height, stride)[:, :width].ravel()
    colours, counts = np.unique(pixels, return_counts=True)
    return int(colours.size), float(1.0 - counts.max() / pixels.size)


def blank_reason(image):
    """Why the image counts as blank, or None if it shows something."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return "empty image (zero size)"
    colours, ink = image_stats(image)
    if colours < MIN_COLOURS:
        return f"blank: {colours} colour{'s' if colours != 1 else ''}"
    if ink < MIN_INK_FRACTION or ink * image.width() * image.height() < MIN_INK_PIXELS:
        return f"blank: only {ink:.3%} of the pixels differ from the background"
    return None


def _describe(image):
    colours, ink = image_stats(image)
    return f"{image.width()}x{image.height()}, {colours} colours, {ink:.1%} off-background"


def run_self_test(app, window, out=print):
    from app import crash_report

    errors_before = crash_report.error_count()
    # A window with several labs (tabs) shows each in turn, so every panel renders with its content.
    each_lab = getattr(window, "each_lab", None)
    groups = each_lab() if callable(each_lab) else iter([None])
    failures, checked = [], 0
    for group in groups:
        settle(app, window, out=out)
        panels = window.panels() if group is None else group
        checked += len(panels)
        failures += _check_panels(app, panels, out)
    if not checked:
        failures.append("MainWindow.panels() returned no panels")
    new_errors = crash_report.error_count() - errors_before
    if new_errors:
        failures.append(f"{new_errors} unexpected exception(s) while rendering "
                        f"(see {crash_report.log_path()})")
    window.close()
    if failures:
        print("self-test: FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    out(f"self-test: ok, {checked} panels rendered")
    return 0


def _check_panels(app, panels, out):
    """Grab each panel; the reasons the blank or broken ones failed."""
    failures = []
    for name, widget in panels.items():
        try:
            if widget.width() <= 0 or widget.height() <= 0:
                raise ValueError(f"has no size ({widget.width()}x{widget.height()})")
            image = widget.grab().toImage()
            app.processEvents()
            reason = blank_reason(image)
            if reason:
                raise ValueError(reason)
            out(f"self-test: panel {name!r} ({type(widget).__name__}): ok, {_describe(image)}")
        except Exception as exc:  # one broken panel must not hide the others
            failures.append(f"panel {name!r}: {exc}")
            out(f"self-test: panel {name!r} ({type(widget).__name__}): FAILED, {exc}")
    return failures


def write_screenshot(app, window, path, out=print):
    from app import crash_report

    errors_before = crash_report.error_count()
    window.resize(*SCREENSHOT_SIZE)
    settle(app, window, out=out)
    image = window.grab().toImage()
    reason = blank_reason(image)
    new_errors = crash_report.error_count() - errors_before
    window.close()
    if reason:
        print(f"screenshot: the window rendered {reason}", file=sys.stderr)
        return 1
    if new_errors:
        print(f"screenshot: {new_errors} unexpected exception(s) while rendering", file=sys.stderr)
        return 1
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not image.save(path, "PNG"):
        print(f"screenshot: could not write {path}", file=sys.stderr)
        return 1
    out(f"screenshot: wrote {path} ({image.width()}x{image.height()})")
    return 0
