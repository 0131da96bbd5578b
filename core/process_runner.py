"""Symbolic work — and the views' heavy numeric jobs (app/process_jobs.py) — in a separate,
time-limited, memory-limited worker process. (Outside core.formula, whose package loads sympy:
the window starts its views' workers before its first paint, and imports sympy only after it.)

A thread cannot interrupt sympy (it holds the GIL inside long C-level loops and never checks for
cancellation), and building expressions unevaluated only moves the blow-up to simplify or
lambdify. So the GUI never calls sympy on user input itself: it asks a ``SymbolicRunner``, which
runs a top-level function in one long-lived child process and, when the answer is late, kills the
child and starts a fresh one.

    runner = SymbolicRunner(time_limit=5.0)
    analysis = runner.run(analyze_formula, "log(2 + cos(x))")   # blocks: call it from a worker thread
    runner.close()                                               # or: with SymbolicRunner() as runner:

Behaviour:

- **Process start.** The "forkserver" start method where the platform has it, else "spawn" —
  never "fork": the GUI process has Qt threads, and forking a threaded process copies locks held by
  threads that do not exist in the child. The fork server is a fresh interpreter that imports
  sympy and core.formula once (``PRELOAD``); each worker is forked from *it*, so a restart after a
  timeout takes milliseconds instead of a second of imports. The first start pays for the imports
  (call ``start()`` early, from a background thread, to hide it). Python 3.11's fork server does not
  receive the parent's sys.path, so the preload of core.* works when core is importable from a plain
  interpreter started in the current directory (installed, e.g. ``pip install -e .`` as ``make``
  does, or run from the checkout); otherwise each new worker imports core.formula on its first call
  (about 0.2 s), which is slower but equally correct.
- **Time limit** per call (``time_limit``, overridable per call), measured from sending the request;
  start-up is not counted. Overrun: the child is killed (SIGKILL) and ``FormulaTimeout`` raised; the
  next call starts a fresh child.
- **Memory limit** (``memory_limit``, default 2 GiB of address space, through
  ``resource.setrlimit(RLIMIT_AS)`` in the child where the platform has it): a blow-up raises
  MemoryError inside the child, reported as ``FormulaTooLarge``; the child is then replaced.
- **Errors** raised by the function come back as the same exception type and message (its
  attributes too, e.g. FormulaError.position), with the child's traceback text in
  ``exc.remote_traceback``. An exception that cannot be pickled becomes a ``SymbolicWorkerError``
  naming it; so does a result that cannot be pickled.
- **Crash** of the child (segfault, killed from outside): ``WorkerCrashed``; a fresh child next time.
- **The child dies with the application.** A killed application (SIGKILL, a crash) runs no cleanup,
  and a child busy in sympy reads no pipe, so it would compute on for as long as its task takes.
  The fork server outlives a killed application too. So each child starts a tiny watcher, a
  ``/bin/sh`` loop (``_die_with``), that checks every ``WATCH_INTERVAL`` seconds that the
  application still runs and SIGKILLs the child when it does not, and ends when the child does. A
  process, not a thread: a child deep in a C loop (a huge integer power, say) holds the GIL and
  would never let a watchdog thread run; and a shell, not a fork of the child, whose every later
  write to its memory would copy a page. Where there is no /bin/sh a watchdog thread does what it can.
- **Threads.** ``run`` serialises calls (one at a time; a second thread waits its turn). ``cancel()``
  and ``close()`` may be called from any thread (e.g. the GUI thread) while a call runs: the child
  is killed and the running call raises ``TaskCancelled`` / ``RunnerClosed``.

Every error is a ``SymbolicWorkerError`` (a RuntimeError) with a learner-friendly ``str()``, except
the function's own exceptions, which pass through unchanged.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from multiprocessing.connection import wait

__all__ = ["SymbolicRunner", "SymbolicWorkerError", "FormulaTimeout", "FormulaTooLarge",
           "WorkerCrashed", "TaskCancelled", "RunnerClosed", "DEFAULT_TIME_LIMIT",
           "DEFAULT_MEMORY_LIMIT", "PRELOAD"]

DEFAULT_TIME_LIMIT = 5.0            # seconds per call
DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3  # bytes of address space for the child
START_TIMEOUT = 60.0                # seconds a fresh child may take to report ready (imports)
CLOSE_TIMEOUT = 1.0                 # seconds a child gets to exit politely before it is killed
WATCH_INTERVAL = 0.5                # seconds between the child's checks that the application lives

#: Modules the fork server imports once, so every worker starts with them loaded.
PRELOAD = ["numpy", "sympy", "core.symbolic", "core.formula.functions", "core.formula.parser",
           "core.formula.derive", "core.formula.decompose", "core.formula.graph",
           "core.formula.numeric", "core.formula.analysis"]


class SymbolicWorkerError(RuntimeError):
    """The worker process could not give an answer. ``str(err)`` / ``err.message`` say why, in words
    a learner understands."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FormulaTimeout(SymbolicWorkerError, TimeoutError):
    """The call took longer than the time limit; the worker was stopped and will be replaced."""

    def __init__(self, message: str, time_limit: float | None = None):
        super().__init__(message)
        self.time_limit = time_limit


class FormulaTooLarge(SymbolicWorkerError, MemoryError):
    """The call needed more memory than the worker may use."""


class WorkerCrashed(SymbolicWorkerError):
    """The worker process died (crash, or killed from outside) before answering."""


class TaskCancelled(SymbolicWorkerError):
    """``cancel()`` stopped the call."""


class RunnerClosed(SymbolicWorkerError):
    """The runner was closed (before or during the call)."""


def _seconds(value: float) -> str:
    return f"{value:g} s"


# ----------------------------------------------------------------------------------------- the child

def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    try:
        import resource
    except ImportError:  # not on this platform (Windows)
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        new = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))
    except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS: run without the limit
        pass


def _portable_exception(exc: BaseException, remote_traceback: str) -> BaseException:
    """``exc`` if it survives a pickle round trip, else a SymbolicWorkerError describing it."""
    try:
        pickle.loads(pickle.dumps(exc))
        try:
            exc.remote_traceback = remote_traceback
        except AttributeError:
            pass
        return exc
    except Exception:  # noqa: BLE001 - anything that does not pickle is described instead
        fallback = SymbolicWorkerError(f"{type(exc).__name__}: {exc}")
        fallback.remote_traceback = remote_traceback
        return fallback


def _is_running(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie (a killed process its parent has not
    reaped yet is dead for our purposes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill(pid, 0) said it exists


_WATCHER = ("while kill -0 {app} 2>/dev/null; do kill -0 {worker} 2>/dev/null || exit 0; "
            "sleep {interval}; done; kill -9 {worker} 2>/dev/null")


def _watch(app_pid: int, worker_pid: int) -> None:
    """The watchdog thread's loop (where no shell can be started)."""
    while _is_running(app_pid):
        if not _is_running(worker_pid):
            return
        time.sleep(WATCH_INTERVAL)
    try:
        os.kill(worker_pid, signal.SIGKILL)
    except OSError:
        pass


def _die_with(app_pid: int | None) -> None:
    """End this process when the application ``app_pid`` ends (see the module docs)."""
    if app_pid is None:
        return
    if not _is_running(app_pid):
        os._exit(0)
    worker_pid = os.getpid()
    global _watcher
    try:
        import subprocess

        _watcher = subprocess.Popen(
            ["/bin/sh", "-c", _WATCHER.format(app=app_pid, worker=worker_pid, interval=WATCH_INTERVAL)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:   # no /bin/sh (Windows): a thread, which a C loop holding the GIL would stall
        threading.Thread(target=_watch, args=(app_pid, worker_pid), name="watch-application",
                         daemon=True).start()


_watcher = None   # the child's watcher process, kept referenced so it is not reaped early


def _one_blas_thread() -> None:
    """A worker process runs one job at a time and there are several of them (a lane each): with
    BLAS's own two threads per process on a two-core machine they oversubscribe the cores, and a
    two-thread product waits for whichever of its threads the scheduler parked."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1, user_api="blas")
    except Exception:  # noqa: BLE001 - optional: BLAS keeps its own threading
        pass


def _worker_main(conn, memory_limit: int | None, app_pid: int | None = None) -> None:
    """The child's loop: receive (id, fn, args, kwargs) pickles, answer (id, kind, payload)."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is the parent's business
    except (ValueError, OSError, AttributeError):
        pass
    _die_with(app_pid)
    _limit_memory(memory_limit)
    _one_blas_thread()
    conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the parent went away
        request_id = None
        try:
            request = pickle.loads(data)
            if request is None:
                return
            request_id, fn, args, kwargs = request
            answer = (request_id, "ok", fn(*args, **kwargs))
        except MemoryError:
            answer = (request_id, "memory", traceback.format_exc())
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            answer = (request_id, "error", _portable_exception(exc, traceback.format_exc()))
        start_afresh = answer[1] == "memory"   # after a MemoryError the parent replaces us
        try:
            payload = pickle.dumps(answer)
        except MemoryError:
            payload, start_afresh = pickle.dumps((request_id, "memory", "")), True
        except Exception as exc:  # noqa: BLE001 - an unpicklable result
            problem = SymbolicWorkerError(f"the result could not be sent back ({type(exc).__name__}: {exc})")
            payload = pickle.dumps((request_id, "error", problem))
        answer = None
        try:
            conn.send_bytes(payload)
        except (OSError, ValueError):
            return
        if start_afresh:
            return


# ---------------------------------------------------------------------------------------- the parent

def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)  # only used when the fork server starts (once)
        return context
    return multiprocessing.get_context("spawn")


class SymbolicRunner:
    """Run top-level functions in a time- and memory-limited worker process (see the module docs).

    ``time_limit``: seconds per call (``run(..., time_limit=...)`` overrides it for one call).
    ``memory_limit``: bytes of address space for the child (None: no limit).
    Properties for monitoring and tests: ``pid`` (the current child, or None), ``starts`` (children
    started so far), ``last_start_seconds``.
    """

    def __init__(self, time_limit: float = DEFAULT_TIME_LIMIT,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT):
        if not time_limit or time_limit <= 0:
            raise ValueError("time_limit must be a positive number of seconds")
        self.time_limit = float(time_limit)
        self.memory_limit = memory_limit
        self._call_lock = threading.Lock()    # one call at a time
        self._state_lock = threading.Lock()   # guards the fields below
        self._process = None
        self._conn = None
        self._busy = False
        self._cancelled = False
        self._closed = False
        self._next_id = 0
        self.starts = 0
        self.last_start_seconds: float | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> "SymbolicRunner":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def start(self) -> None:
        """Start the worker now (it starts on first use otherwise). Blocks until it is ready."""
        with self._call_lock:
            self._ensure_started()

    def close(self) -> None:
        """Stop the worker (politely if idle, killed if busy). Idempotent; any thread."""
        with self._state_lock:
            if self._closed:
                return
            self._closed = True
            busy = self._busy
            process, conn = self._process, self._conn
            if not busy:
                self._process = self._conn = None
        if process is None:
            return
        if busy:
            _kill(process)   # the running call notices, cleans up and raises RunnerClosed
            return
        try:
            conn.send_bytes(pickle.dumps(None))
        except (OSError, ValueError):
            pass
        process.join(CLOSE_TIMEOUT)
        _kill(process)
        conn.close()

    def cancel(self) -> bool:
        """Stop the running call, if any (it raises TaskCancelled); True when there was one. Any thread."""
        with self._state_lock:
            if not self._busy or self._process is None:
                return False
            self._cancelled = True
            process = self._process
        _kill(process)
        return True

    # -- calls ---------------------------------------------------------------------------------------
    def run(self, fn, *args, time_limit: float | None = None, **kwargs):
        """``fn(*args, **kwargs)`` in the worker; its result or its exception. ``fn`` must be a
        top-level (importable) function and the arguments and result picklable. Blocks."""
        limit = self.time_limit if time_limit is None else float(time_limit)
        with self._call_lock:
            self._ensure_started()
            with self._state_lock:
                if self._closed:
                    raise RunnerClosed("The symbolic worker has been shut down.")
                self._next_id += 1
                request_id = self._next_id
                self._busy, self._cancelled = True, False
                process, conn = self._process, self._conn
            try:
                return self._call(process, conn, request_id, fn, args, kwargs, limit)
            finally:
                with self._state_lock:
                    self._busy = False
                    if self._closed and self._process is not None:
                        self._discard()

    def _call(self, process, conn, request_id, fn, args, kwargs, limit):
        try:
            request = pickle.dumps((request_id, fn, args, kwargs))
        except Exception as exc:  # noqa: BLE001 - e.g. a lambda
            raise SymbolicWorkerError(f"cannot send {fn!r} to the worker: {exc}") from exc
        answer, timed_out = None, False
        try:
            conn.send_bytes(request)
            ready = wait([conn, process.sentinel], timeout=limit)
            timed_out = not ready
            if conn in ready:
                answer = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError, ValueError):  # the child died (its end of the pipe closed)
            answer = None
        if answer is None:
            self._raise_for_lost_worker(process, limit, timed_out)
        answer_id, kind, payload = answer
        if answer_id != request_id:  # cannot happen with one call at a time; never trust a stray answer
            self._replace()
            raise WorkerCrashed("The symbolic worker answered the wrong question and was restarted.")
        if kind == "ok":
            return payload
        if kind == "memory":
            self._replace()
            limit_text = f" than {self.memory_limit / 1024 ** 3:g} GiB" if self.memory_limit else ""
            error = FormulaTooLarge(f"This needed more memory{limit_text} and was stopped. "
                                    "Try a smaller expression.")
            error.remote_traceback = payload
            raise error
        raise payload

    def _raise_for_lost_worker(self, process, limit, timed_out):
        """No answer: a timeout, a cancel, a close or a crash. Replace the worker and raise."""
        with self._state_lock:
            closed, cancelled = self._closed, self._cancelled
        if not timed_out:
            process.join(CLOSE_TIMEOUT)   # let the exit status arrive (for the message)
        _kill(process)
        code = process.exitcode
        with self._state_lock:
            self._discard()
        if closed:
            raise RunnerClosed("The symbolic worker was shut down before it finished.")
        if cancelled:
            raise TaskCancelled("Stopped: a newer request replaced this one.")
        if timed_out:
            raise FormulaTimeout(f"Deriving this took longer than {_seconds(limit)} and was stopped. "
                                 "Try a smaller expression.", limit)
        how = (f"signal {-code}" if code is not None and code < 0 else f"exit code {code}")
        raise WorkerCrashed(f"The symbolic worker stopped unexpectedly ({how}) and will be restarted. "
                            "Try again, or try a smaller expression.")

    # -- process management (callers hold _call_lock) ------------------------------------------------
    def _ensure_started(self) -> None:
        with self._state_lock:
            if self._closed:
                raise RunnerClosed("The symbolic worker has been shut down.")
            if self._process is not None and self._process.is_alive():
                return
            self._discard()
        began = time.perf_counter()
        context = _context()
        parent_conn, child_conn = context.Pipe(duplex=True)
        process = context.Process(target=_worker_main, args=(child_conn, self.memory_limit, os.getpid()),
                                  name="chainrule-symbolic-worker", daemon=True)
        process.start()
        child_conn.close()
        ready = wait([parent_conn, process.sentinel], timeout=START_TIMEOUT)
        hello = None
        if parent_conn in ready:
            try:
                hello = pickle.loads(parent_conn.recv_bytes())
            except (EOFError, OSError):
                hello = None
        if not hello or hello[0] != "ready":
            _kill(process)
            parent_conn.close()
            raise WorkerCrashed("The symbolic worker could not be started.")
        with self._state_lock:
            self._process, self._conn = process, parent_conn
            self.starts += 1
            self.last_start_seconds = time.perf_counter() - began
            if self._closed:   # closed while starting
                self._discard()
                raise RunnerClosed("The symbolic worker has been shut down.")

    def _replace(self) -> None:
        with self._state_lock:
            self._discard()

    def _discard(self) -> None:
        """Kill and forget the current child (caller holds _state_lock)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None:
            _kill(process)
        if conn is not None:
            conn.close()


def _kill(process) -> None:
    """SIGKILL the child if it still runs, and reap it (no zombie)."""
    try:
        if process.is_alive():
            process.kill()
        process.join(5.0)
    except (OSError, ValueError, AssertionError):
        pass
