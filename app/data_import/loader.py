"""Reading a learner's CSV file off the GUI thread, with progress, and only the newest load delivered.

`CsvLoader.load(path)` checks the path first (a folder, a named pipe or a device is refused by what it
is, without opening it; a file over `core.MAX_BYTES` before a single byte is read), then a job on a
thread pool streams it through `core.load_csv` in chunks (memory bounded: the table keeps summaries,
not the text), reporting progress after each. The result comes back by a signal on the GUI thread.
Opening another file makes the previous load stale: it is stopped at its next chunk and whatever it
produces is dropped.
"""
from __future__ import annotations

import atexit
import os
import threading
import weakref

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

import core
from core.csv_reading import check_regular_file

CHUNK_BYTES = 1 << 20  # read 1 MiB at a time, reporting progress after each chunk

_LIVE_LOADERS: "weakref.WeakSet[CsvLoader]" = weakref.WeakSet()


@atexit.register
def _drain_all_loaders() -> None:
    """A job still running Python while the interpreter tears down crashes it: stop and wait."""
    for loader in list(_LIVE_LOADERS):
        loader.shutdown()


def max_bytes() -> int:
    """The size limit in force (read at call time, so tests can lower `core.MAX_BYTES`)."""
    return int(core.MAX_BYTES)


def _megabytes(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def too_large_reason(size: int, limit: int) -> str:
    return (f"the file is too large ({_megabytes(size)}); the limit is {_megabytes(limit)}, "
            "so take a sample of the rows and save that as CSV")


def describe_error(exc: BaseException) -> str:
    """A sentence for the learner from whatever reading or parsing raised."""
    if isinstance(exc, core.DataError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "there is not enough memory to read it"
    if isinstance(exc, UnicodeError):
        return f"its text can't be decoded ({exc.reason if hasattr(exc, 'reason') else exc})"
    if isinstance(exc, OSError):
        return f"it can't be read ({exc.strerror or exc})"
    return f"it can't be read ({type(exc).__name__}: {exc})"


class _Relay(QObject):
    """Carries a job's progress and result back to the GUI thread (queued signals across threads)."""

    progress = Signal(int, object, object)
    done = Signal(int, object, str)


class _Cancelled(Exception):
    """Raised from the progress callback to stop a stale load between chunks."""


class _ReadJob(QRunnable):
    def __init__(self, generation: int, path: str, limit: int, chunk: int, relay: _Relay):
        super().__init__()
        self.setAutoDelete(True)
        self.generation, self.path, self.limit, self.chunk = generation, path, limit, chunk
        self.relay = relay
        self.cancelled = threading.Event()

    def run(self) -> None:
        try:
            table, error = self._read_and_parse(), ""
        except _Cancelled:
            table, error = None, ""
        except BaseException as exc:  # delivered as a message, never lost silently
            table, error = None, describe_error(exc)
        if table is None and not error:
            error = "the load was cancelled"
        self.relay.done.emit(self.generation, table, error)

    def _read_and_parse(self):
        def progress(done, total):
            if self.cancelled.is_set():
                raise _Cancelled()
            if done > self.limit:  # the file grew after its size was checked
                raise core.DataError(too_large_reason(done, self.limit))
            self.relay.progress.emit(self.generation, done, max(total, done))

        table = core.load_csv(self.path, progress=progress, chunk_bytes=self.chunk)
        return None if self.cancelled.is_set() else table


class CsvLoader(QObject):
    """Loads CSV files into `core.Table`s off the GUI thread; the newest request wins.

    Signals (all on the GUI thread, for the newest request only):
    `started(path)`, `progress(path, bytes_read, bytes_total)`, `loaded(path, table)`,
    `failed(path, reason)` (reason is a sentence for the learner, without a final full stop),
    `busyChanged(bool)`.
    """

    started = Signal(str)
    progress = Signal(str, object, object)
    loaded = Signal(str, object)
    failed = Signal(str, str)
    busyChanged = Signal(bool)

    def __init__(self, parent=None, chunk_bytes: int | None = None):
        super().__init__(parent)
        self.chunk_bytes = chunk_bytes or CHUNK_BYTES
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)  # a new load starts while a stale one is still stopping
        self._relay = _Relay()
        self._relay.progress.connect(self._on_progress)
        self._relay.done.connect(self._on_done)
        self._generation = 0
        self._current: _ReadJob | None = None
        self._path = ""
        _LIVE_LOADERS.add(self)

    @property
    def busy(self) -> bool:
        return self._current is not None

    @property
    def path(self) -> str:
        """The file being loaded (or last loaded)."""
        return self._path

    def load(self, path) -> int:
        """Start loading `path`; any load still running becomes stale. Returns the request number.

        A file over the size limit, or one that can't be looked at, fails at once (before reading)."""
        path = os.fspath(path)
        self._cancel_current()
        self._generation += 1
        self._path = path
        limit = max_bytes()
        try:
            size = check_regular_file(path).st_size
        except core.DataError as exc:
            self._fail_now(path, describe_error(exc))
            return self._generation
        if size > limit:
            self._fail_now(path, too_large_reason(size, limit))
            return self._generation
        job = _ReadJob(self._generation, path, limit, self.chunk_bytes, self._relay)
        was_busy = self.busy
        self._current = job
        self.started.emit(path)
        if not was_busy:
            self.busyChanged.emit(True)
        self._pool.start(job)
        return self._generation

    def cancel(self) -> None:
        """Stop the current load; nothing will be delivered for it."""
        self._cancel_current()
        self._generation += 1
        if self._current is None:
            return
        self._current = None
        self.busyChanged.emit(False)

    def _cancel_current(self) -> None:
        if self._current is not None:
            self._current.cancelled.set()

    def _fail_now(self, path: str, reason: str) -> None:
        if self._current is not None:
            self._current = None
            self.busyChanged.emit(False)
        self.failed.emit(path, reason.rstrip("."))

    @Slot(int, object, object)
    def _on_progress(self, generation: int, done, total) -> None:
        if generation == self._generation:
            self.progress.emit(self._path, done, total)

    @Slot(int, object, str)
    def _on_done(self, generation: int, table, error: str) -> None:
        if generation != self._generation:
            return  # stale: the learner opened another file since
        self._current = None
        self.busyChanged.emit(False)
        if error:
            self.failed.emit(self._path, error.rstrip("."))
        else:
            self.loaded.emit(self._path, table)

    def wait_idle(self, msecs: int = 10000) -> bool:
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 30000) -> None:
        """Stop whatever runs and wait for it (at quit, before teardown)."""
        self._cancel_current()
        self._generation += 1
        try:
            self._pool.waitForDone(msecs)
        except RuntimeError:
            pass  # the C++ pool is already gone
