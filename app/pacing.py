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
"""
from __future__ import annotations

import time
from contextlib import contextmanager

IDLE_SHARE = 1.0       # idle time after each handler, as a share of its own duration
MAX_WAIT = 0.25        # never hold a result back longer than this (seconds)

_ready_at = 0.0        # perf_counter time before which senders hold their results


@contextmanager
def handling():
    """Time a GUI-thread handler of background results and hold the senders for a while after it."""
    global _ready_at
    started = time.perf_counter()
    try:
        yield
    finally:
        ended = time.perf_counter()
        _ready_at = max(_ready_at, ended + min(MAX_WAIT, IDLE_SHARE * (ended - started)))


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
