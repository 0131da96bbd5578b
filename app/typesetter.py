"""Equations typeset without ever freezing the window: cheap ones at once, costly ones in a
time-limited worker process, and a plain-text stand-in with a note when that takes too long.

The learner's formulas reach ziamath through the Function lab's panels, and ziamath's time is
exponential in nesting (app/typeset_job.py). So a panel does not call ``render_latex`` on what the
learner typed; it calls ``show_math(label, latex, size)`` (or ``math_pixmap`` for a widget that
paints), which

* shows a cached image, or lays out a cheap equation (``typeset_job.is_cheap``) right away, as before
  — as long as the GUI thread has spent less than INLINE_BUDGET_S on that since the event loop last
  turned (a derivation tree of forty cheap steps would otherwise add up to seconds);
* otherwise shows the equation as plain text marked "typesetting…" and asks the worker process
  (its own ``SymbolicRunner``, TIME_LIMIT_S per equation) for the SVG; the label gets the typeset
  image when it arrives, if it still shows that equation;
* when the worker gives up (time limit, or nesting beyond HOPELESS_DEPTH, which would take minutes),
  shows the plain text for good, with a note that says so. An equation nested as deeply as one
  that ran out of time is not tried again (``reset`` forgets that).

Requests are served in the order asked (a panel's equations top to bottom); those nobody waits for
any more (the label moved on to another equation or is gone) are skipped, so a new formula does not
queue behind an old one.
"""
from __future__ import annotations

import atexit
import threading
import time
from typing import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel

from . import math_render
from .math_fallback import fallback_image, latex_as_text
from .typeset_job import is_cheap, latex_svg, nesting_depth

TIME_LIMIT_S = 3.0
#: Deeper than this, typesetting would take far longer than TIME_LIMIT_S (every level about
#: doubles the time; ten levels take one to three seconds): the plain text is shown without trying.
HOPELESS_DEPTH = 10
#: The GUI thread lays out cheap equations for at most this long per turn of the event loop; then
#: the worker does.
INLINE_BUDGET_S = 0.3
DEFAULT_COLOR = "#1d2433"
PENDING_NOTE = "typesetting…"
HOPELESS_NOTE = "too deeply nested to typeset — shown as plain text"
FAILED_NOTE = "could not be typeset — shown as plain text"

Key = tuple  # (latex, size, color, ratio)


class Typesetter(QObject):
    """One per application (``typesetter()``); lives on the GUI thread, works on one thread of its own."""

    finished = Signal(object, object)   # key, note (None when the typeset image is in the cache)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._notes: dict[Key, str] = {}           # equations shown as plain text for good
        self._wanted: dict[int, set] = {}          # owner id -> keys it shows
        self._callbacks: dict[int, Callable] = {}  # owner id -> what to call when one arrives
        self._queue: list[Key] = []                # pending requests, in the order asked
        self._cond = threading.Condition()
        self._runner = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._spent = None   # seconds of inline layout in this turn of the event loop (None: none yet)
        self._too_deep = HOPELESS_DEPTH + 1   # the shallowest nesting the worker ran out of time on
        self.finished.connect(self._on_finished)

    # -- GUI thread ------------------------------------------------------------------------------
    def image(self, latex: str, size: float, color: str = DEFAULT_COLOR) -> tuple[QImage, bool]:
        """(image, final): the typeset image or its plain-text stand-in; ``final`` False when the
        worker has to typeset it — ``want`` asks it to."""
        ratio = math_render.screen_ratio()
        key = (latex, float(size), color, ratio)
        image = math_render.cached_image(*key)
        if image is not None:
            return image, True
        depth = nesting_depth(latex)
        if key in self._notes or depth > HOPELESS_DEPTH:
            note = self._notes.setdefault(key, HOPELESS_NOTE)
            return fallback_image(latex, size, note, ratio, color), True
        if is_cheap(latex) and self._within_budget():
            began = time.perf_counter()
            try:
                return math_render.render_image(*key), True
            except ValueError:
                self._notes[key] = FAILED_NOTE
                return self.image(latex, size, color)
            finally:
                self._spent += time.perf_counter() - began
        return fallback_image(latex, size, PENDING_NOTE, ratio, color), False

    def _within_budget(self) -> bool:
        if self._spent is None:   # the first inline layout of this turn: the budget renews next turn
            self._spent = 0.0
            QTimer.singleShot(0, self, self._renew_budget)
        return self._spent < INLINE_BUDGET_S

    def _renew_budget(self) -> None:
        """A new turn of the event loop: cheap equations that waited for the budget are typeset
        here now, a budget's worth per turn (quicker than the worker, and the window stays live)."""
        self._spent = None
        with self._cond:
            waiting = [key for key in self._queue if is_cheap(key[0])]
        for key in waiting:
            if not self._within_budget():
                return
            with self._cond:
                if key not in self._queue:   # the worker took it meanwhile
                    continue
                self._queue.remove(key)
            began = time.perf_counter()
            try:
                math_render.render_image(*key)
                note = None
            except ValueError:
                note = FAILED_NOTE
            self._spent += time.perf_counter() - began
            self._on_finished(key, note)

    def want(self, owner: object, keys, on_ready: Callable[[], None]) -> None:
        """``owner`` shows ``keys`` (replacing what it showed), which the worker typesets, and is
        told by ``on_ready()`` when one of them is ready; no keys: nothing pending for it any more."""
        if keys:
            self._wanted[id(owner)] = set(keys)   # wanted first: the worker skips what nobody wants
            self._callbacks[id(owner)] = on_ready
            for key in keys:
                self._enqueue(key)
        else:
            self.forget(owner)

    def forget(self, owner: object) -> None:
        self.forget_id(id(owner))

    def forget_id(self, owner_id: int) -> None:
        self._wanted.pop(owner_id, None)
        self._callbacks.pop(owner_id, None)

    def note(self, latex: str, size: float, color: str = DEFAULT_COLOR) -> str | None:
        """Why the equation is shown as plain text (None when it is typeset or still on its way)."""
        return self._notes.get((latex, float(size), color, math_render.screen_ratio()))

    def warm_up(self) -> None:
        """Start the worker process and load ziamath in it now (from the worker thread), so the
        first equation it is asked for does not wait for that."""
        with self._cond:
            self._warm = True
            self._start_thread()
            self._cond.notify()

    _warm = False

    def reset(self) -> None:
        """Forget which equations were too slow (they are tried again): after a change of the time
        limit, and between tests."""
        self._notes.clear()
        self._too_deep = HOPELESS_DEPTH + 1

    def _on_finished(self, key: Key, note) -> None:
        if note is not None:
            self._notes[key] = note
        for owner_id, keys in list(self._wanted.items()):
            if key in keys:
                callback = self._callbacks.get(owner_id)
                try:
                    if callback is not None:
                        callback()
                except RuntimeError:   # its widget is gone (deleted before it said so)
                    self.forget_id(owner_id)

    def _enqueue(self, key: Key) -> None:
        with self._cond:
            if key not in self._queue:
                self._queue.append(key)
            self._start_thread()
            self._cond.notify()

    def _start_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="typesetter", daemon=True)
            self._thread.start()

    def _is_wanted(self, key: Key) -> bool:
        return any(key in keys for keys in list(self._wanted.values()))

    # -- worker thread ---------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed and not self._warm:
                    self._cond.wait()
                if self._closed:
                    return
                self._warm = False
                key = self._queue.pop(0) if self._queue else None
            if key is None:   # warm_up: a worker with ziamath loaded, before anything is asked
                try:
                    self._shared_runner().run(latex_svg, "x", 12.0, DEFAULT_COLOR)
                except Exception:  # noqa: BLE001 - warming up is a courtesy; real calls report
                    pass
            elif math_render.cached_image(*key) is not None or key in self._notes:
                self.finished.emit(key, self._notes.get(key))   # done meanwhile (asked twice)
            elif self._is_wanted(key):
                self._typeset(key)

    def _typeset(self, key: Key) -> None:
        from core.process_runner import FormulaTimeout, RunnerClosed

        latex, size, color, ratio = key
        timeout_note = f"too deeply nested to typeset within {TIME_LIMIT_S:g} s — shown as plain text"
        depth = nesting_depth(latex)
        if depth >= self._too_deep:   # as deep as one that ran out of time: do not wait for it again
            self.finished.emit(key, timeout_note)
            return
        try:
            svg = self._shared_runner().run(latex_svg, latex, size, color, time_limit=TIME_LIMIT_S)
            math_render.store_image(math_render.svg_image(svg, ratio), *key)
            note = None
        except FormulaTimeout:
            self._too_deep = min(self._too_deep, depth)
            note = timeout_note
        except RunnerClosed:
            return
        except Exception:  # noqa: BLE001 - ziamath's own errors, a crashed worker: shown as text
            note = FAILED_NOTE
        if not self._closed:
            self.finished.emit(key, note)

    def _shared_runner(self):
        if self._runner is None:
            from core.process_runner import SymbolicRunner

            self._runner = SymbolicRunner(time_limit=TIME_LIMIT_S)
        return self._runner

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._queue.clear()
            self._cond.notify_all()
        if self._runner is not None:
            self._runner.close()


_instance: Typesetter | None = None


def typesetter() -> Typesetter:
    global _instance
    if _instance is None:
        _instance = Typesetter()
        atexit.register(_instance.close)
    return _instance


def math_pixmap(owner: QObject, equations: list[tuple[str, float]], on_ready: Callable[[], None]
                ) -> list[QPixmap]:
    """Pixmaps of ``equations`` ((latex, size) pairs) for ``owner``, which is called back through
    ``on_ready`` when a pending one is typeset (it then asks again)."""
    setter = typesetter()
    _forget_when_destroyed(owner)
    pixmaps, keys = [], []
    ratio = math_render.screen_ratio()
    for latex, size in equations:
        image, final = setter.image(latex, size)
        pixmaps.append(QPixmap.fromImage(image))
        if not final:
            keys.append((latex, float(size), DEFAULT_COLOR, ratio))
    setter.want(owner, keys, on_ready)
    return pixmaps


def _forget_when_destroyed(owner: QObject) -> None:
    if not owner.property("math_tracked"):
        owner.setProperty("math_tracked", True)
        owner_id = id(owner)
        owner.destroyed.connect(lambda *_: typesetter().forget_id(owner_id))


def show_math(label: QLabel, latex: str, size: float) -> None:
    """Show the equation on ``label``: typeset, or as plain text until (or if never) it can be.
    The label's accessible description says which: "" when typeset, else the plain text and why."""
    label.setProperty("math_latex", latex)

    def again() -> None:
        if shiboken6.isValid(label) and label.property("math_latex") == latex:
            show_math(label, latex, size)

    _forget_when_destroyed(label)
    setter = typesetter()
    image, final = setter.image(latex, size)
    key = (latex, float(size), DEFAULT_COLOR, math_render.screen_ratio())
    setter.want(label, [] if final else [key], again)
    label.setPixmap(QPixmap.fromImage(image))
    note = PENDING_NOTE if not final else setter.note(latex, size)
    label.setAccessibleDescription(f"{latex_as_text(latex)} ({note})" if note else "")


def clear_math(label: QLabel) -> None:
    label.setProperty("math_latex", "")
    typesetter().forget(label)
    label.clear()
    label.setAccessibleDescription("")
