"""The views' heavy numeric jobs in worker processes, so they never hold this process's interpreter lock.

A view's worker thread (app/workers.py) used to run its job — a cost slice, a cost surface, a
gradient check — right there. numpy gives the interpreter lock away only inside its larger
operations; the rest of such a job is Python that holds it. Measured while the 16x3 network
trained on a loaded two-core machine, the GUI thread ran only a seventh of the time and spent the
rest waiting for the lock (a preempted lock holder blocks every other thread of the process). Here
a job's pure part — a top-level core function of the snapshot's network and data — runs in a
worker process instead, one per *lane* (a view), so a slow surface never queues a slice behind it;
the thread only waits on a pipe.

``run(lane, fn, *args, in_process=False)``: ``fn(*args)`` in the lane's process (a
core.process_runner.SymbolicRunner: forked from a preloaded server, replaced if it crashes), or
right here with ``in_process`` (tests that run workers synchronously). Blocks: call it from a
worker thread. The function's own exceptions come back as they were raised.

The worker processes run at a lower scheduling priority (``NICENESS``): on two cores they would
otherwise take the CPU from the GUI thread as they took the interpreter lock before; a picture a
frame late is better than a window that stalls. At +4 (each worker weighing 40% of the GUI thread
with Linux's scheduler), the busy workers of a 16x3 network trained flat out together left the GUI
thread about half the CPU time it asked for: its paint passes took 3.5 ms of wall time for 1.8 ms of
CPU, the cost curve drew 19 frames a second and the event loop stalled 96 ms (p95). At +12 (11%
each): 28 frames a second and 61 ms; but the surface, the slowest of them and the studio's main
picture, then followed 2 times a second instead of 3.5, so its lane is at +7 (``LANE_NICENESS``).
"""
from __future__ import annotations

import atexit
import os
import threading

TIME_LIMIT_S = 120.0    # a fine surface of the largest network takes about half a second
NICENESS = 12           # added to the worker processes' nice value (lower priority than the GUI)

# the lanes: one worker process each
SURFACE, SLICE, GRADIENT_CHECK, CHAIN_FORMULAS = "surface", "slice", "gradient check", "chain formulas"
DATA_FIELD, NEURON_PICTURES = "data field", "neuron pictures"
VIEW_LANES = (SURFACE, SLICE, GRADIENT_CHECK, CHAIN_FORMULAS, DATA_FIELD, NEURON_PICTURES)
# Training (app/training_process.py) has lanes of its own (a race's runs are shared between two),
# at the window's priority: the steps are what every view shows. (At niceness 1, the four views'
# lanes at 4 together outweighed it: measured, it got 15% of a core while they had 40%.)
TRAINING, TRAINING_2 = "training", "training 2"
TRAINING_LANES = (TRAINING, TRAINING_2)
LANE_NICENESS = {TRAINING: 0, TRAINING_2: 0, SURFACE: 7}

_runners: dict = {}
_niced: set[int] = set()   # the worker processes already given their lower priority
_lock = threading.Lock()


def lower_priority(runner, niceness: int = NICENESS) -> None:
    """Start ``runner``'s worker process if needed and give it the lower priority (once per process)."""
    if runner.pid is None:
        runner.start()   # (not while a call runs: start() would wait for it to finish)
    pid = runner.pid
    if pid is None or pid in _niced:
        return
    _niced.add(pid)
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, pid) + niceness))
    except (AttributeError, OSError):   # no such call (Windows) or not allowed: normal priority
        pass


def lane_runner(lane: str, time_limit: float = TIME_LIMIT_S, niceness: int = NICENESS, memory_limit=None):
    """The worker process of ``lane`` (made on first use, again after a crash), started and given its
    lower priority. The views' lanes have no address-space limit: numpy's thread buffers reserve far
    more than they use."""
    with _lock:
        runner = _runners.get(lane)
        if runner is None or runner.closed:
            from core.process_runner import SymbolicRunner

            runner = _runners[lane] = SymbolicRunner(time_limit=time_limit, memory_limit=memory_limit)
    lower_priority(runner, LANE_NICENESS.get(lane, niceness))
    return runner


def run(lane: str, fn, *args, in_process: bool = False):
    """``fn(*args)`` in the worker process of ``lane`` (or here, ``in_process``)."""
    if in_process:
        return fn(*args)
    return lane_runner(lane).run(fn, *args)


def warm_up(lanes) -> threading.Thread:
    """Start the worker processes of ``lanes`` in a background thread, so a view's first job does
    not wait for the fork server's imports and a process start (a second or two)."""
    def start_all() -> None:
        for lane in lanes:
            try:
                lane_runner(lane)
            except Exception:  # noqa: BLE001 - a courtesy: the first job starts it otherwise
                return

    thread = threading.Thread(target=start_all, name="warm-up worker processes", daemon=True)
    thread.start()
    return thread


def worker_pid(lane: str) -> int | None:
    """The lane's worker process id (None before its first job): tests, monitoring."""
    runner = _runners.get(lane)
    return None if runner is None else runner.pid


@atexit.register
def close_all() -> None:
    with _lock:
        runners = list(_runners.values())
        _runners.clear()
    for runner in runners:
        runner.close()
