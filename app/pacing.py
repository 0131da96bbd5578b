"""How much the GUI thread may be fed: background threads (the training worker, the views' workers)
hold their next result until the GUI thread has had as much idle time as it spent on the last one.

Why: the training worker can publish a snapshot every frame and each view's worker a result per
snapshot. If every result is posted as soon as it is ready, the GUI thread handles one after the
other with no pause: input waits, QTimers starve (measured: a 5 ms timer fired twice in 50 s), and
the window looks frozen while it is in fact drawing flat out. Pacing in the GUI thread with a QTimer
cannot help, because that timer starves too. So the *senders* wait, in their own threads, on a
clock the GUI thread sets: after handling a result that took t seconds, nothing new arrives for
``IDLE_SHARE`` x t (bounded), whoever sends it. Each result is still the newest the sender has, so
pictures stay current; they just come at the rate the GUI can draw.

``handling()`` wraps a GUI-thread handler; ``wait_for_gui()`` is called by a sender before posting.
Both are cheap (a perf_counter and a float), and the waiting is a sleep outside any lock.

Turns: while the GUI thread handles a result *and paints what it changed*, background threads keep
off the interpreter lock (``gui_drawing()``, ``wait_while_drawing()``): the training worker pauses
between two steps, a view's worker waits before it starts its job. Why: PySide gives the lock away
around each call into Qt, and getting it back from a thread that runs Python waits for the switch
interval, every time — measured on the 16x3 network, a snapshot's handlers took 8 ms of the GUI
thread's CPU time and 47 ms of wall time, and the GUI thread ran 14% of the time while it stalled
300 ms at a time. The turn ends once the event loop has turned twice after the handler (its paint
events come first); a background thread waits for it MAX_PAUSE at most (the training worker less:
app/engine.py), so no one waits long on a GUI that is slow or gone.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from PySide6.QtCore import QTimer

IDLE_SHARE = 1.0       # idle time after each handler, as a share of its own duration
MAX_WAIT = 0.25        # never hold a result back longer than this (seconds)

MAX_PAUSE = 0.1        # the longest a background thread waits for the GUI thread's turn (seconds)

_ready_at = 0.0        # perf_counter time before which senders hold their results
_idle = threading.Event()   # set: the GUI thread is not handling or painting a result
_idle.set()
_turn = 0              # the GUI thread's turns so far: only the newest one's end sets _idle


@contextmanager
def handling():
    """Time a GUI-thread handler of background results and hold the senders for a while after it."""
    global _ready_at, _turn
    started = time.perf_counter()
    _turn += 1
    turn = _turn
    _idle.clear()
    try:
        yield
    finally:
        ended = time.perf_counter()
        _ready_at = max(_ready_at, ended + min(MAX_WAIT, IDLE_SHARE * (ended - started)))
        # the paint events this handler caused come before the second turn of the event loop
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: _end_turn(turn)))


def _end_turn(turn: int) -> None:
    if turn == _turn:
        _idle.set()


def gui_drawing() -> bool:
    """True while the GUI thread handles a result or paints it (a background thread then keeps off
    the interpreter lock: ``wait_while_drawing``)."""
    return not _idle.is_set()


def wait_while_drawing(limit: float = MAX_PAUSE) -> None:
    """Sleep (in a background thread, holding no lock) until the GUI thread's turn is over, at most
    ``limit`` seconds."""
    _idle.wait(limit)


def gui_ready() -> bool:
    """True once the GUI thread has had its idle time (a sender that can do something useful
    meanwhile, like the training worker, asks instead of waiting)."""
    return time.perf_counter() >= _ready_at


def wait_for_gui() -> None:
    """Sleep (in a background thread) until the GUI thread has had its idle time."""
    while True:
        rest = _ready_at - time.perf_counter()
        if rest <= 0:
            return
        time.sleep(min(rest, MAX_WAIT))
