"""Session files (``.crstudio``): the whole studio state as versioned JSON, written atomically and
checked field by field on load.

``save_session(path, state)`` and ``load_session(path) -> state`` take and give a plain dict:

* ``dataset``: a core.Dataset (a built-in set is stored by name and parameters while its points are
  the generator's; otherwise, and for a CSV, the points themselves with their column names);
* ``test_fraction``, ``split_seed``: the held-out split;
* ``timeline``: a core.Timeline — every branch's run with its network (by value), update rule and
  hyper-parameters, schedule, settings and **whole trajectory** (dense columns, keyframes with rule
  state, events, drawn path), the current branch, the cursor and a race;
* ``view``: ``selected``, ``axes`` (the surface plane), ``sample``, ``train_only_axes``, ``steps_per_tick``;
* ``function_lab``: ``formula``, ``x0``, ``history``.

Why so careful: a session file is opened by double-click, from anyone. A crash mid-write must never
leave half a file under the real name (temporary file in the same folder, flush, fsync, rename); a
file too big or nested too deep is refused before it is parsed (size first, then a bounded scan of
the bracket depth), every number is checked finite and in range and every array against the shape
its network gives, and any refusal is a ``SessionError`` naming the JSON path of the bad field. The
state is only built once everything has been checked, so a bad file changes nothing.

Versions: ``version`` counts format changes. An older file is brought up to date by a chain of
per-version functions (``MIGRATIONS[v]`` turns version v into v + 1); a newer one is refused with a
message saying to update the studio.
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from .session_codec import decode_state, encode_state
from .session_reader import Field, NonFinite, SessionError

__all__ = ["save_session", "load_session", "read_session_document", "migrate", "SessionError", "FORMAT",
           "VERSION", "SUFFIX", "MAX_FILE_BYTES", "MAX_DEPTH", "MIGRATIONS"]

FORMAT = "chainrule-studio-session"
VERSION = 2
SUFFIX = ".crstudio"
# The largest legitimate session (six branches of 100,000 steps of the biggest network) is well
# below this; a bigger file is refused before a byte of it is parsed.
MAX_FILE_BYTES = 256 * 2 ** 20
# The format nests about ten levels deep (runs[i].trajectory.keyframes[j].rule_state.exp_avg[k]).
MAX_DEPTH = 32
_SCAN_CHUNK = 4 * 2 ** 20


# ====================================================================== versions
def _from_version_1(doc: dict) -> dict:
    """Version 1 kept the Function lab's formula and x0 at the top (no history), and each run's
    optimizer as a name with its hyper-parameters beside it: ``"optimizer": "adam", "hyper": {…}``."""
    doc = dict(doc)
    doc["function_lab"] = {"formula": doc.pop("formula", ""), "x0": doc.pop("x0", 1.0), "history": []}
    runs = []
    for run in doc.get("runs", []):
        if isinstance(run, dict) and isinstance(run.get("optimizer"), str):
            run = dict(run)
            hyper = run.pop("hyper", {})
            run["optimizer"] = {"name": run["optimizer"], **(hyper if isinstance(hyper, dict) else {})}
        runs.append(run)
    doc["runs"] = runs
    return doc


MIGRATIONS = {1: _from_version_1}


def migrate(doc: dict) -> dict:
    """Bring a parsed document of any known version up to VERSION (the chain of MIGRATIONS)."""
    root = Field(doc)
    if not isinstance(doc, dict):
        raise root.fail("a session (a JSON object)")
    if doc.get("format") != FORMAT:
        raise root.key("format").fail(f"{FORMAT!r} (this is not a Chain Rule Studio session)") \
            if "format" in doc else SessionError(f"format: missing (this is not a Chain Rule Studio session)")
    version = root.key("version").integer(1, 2 ** 31)
    if version > VERSION:
        raise SessionError(f"version: this session was saved by a newer Chain Rule Studio (format version "
                           f"{version}; this one reads up to {VERSION}). Update the studio to open it.")
    while version < VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
        doc["version"] = version
    return doc


# ====================================================================== reading
def _max_depth(raw: bytes) -> int:
    """The deepest nesting of [ and { outside strings, scanned in chunks with numpy (bounded memory,
    about a second for 256 MB), so a file of a million brackets never reaches the recursive parser."""
    depth = peak = 0
    in_string = False
    backslashes = 0      # the run of backslashes that ended the previous chunk
    for start in range(0, len(raw), _SCAN_CHUNK):
        chunk = np.frombuffer(raw, dtype=np.uint8, count=min(_SCAN_CHUNK, len(raw) - start), offset=start)
        quotes = np.flatnonzero(chunk == 34)
        if quotes.size:
            slash = chunk == 92
            # length of the run of backslashes ending just before each quote: odd means escaped
            index = np.arange(chunk.size)
            last_other = np.maximum.accumulate(np.where(slash, -1, index))
            before = quotes - 1
            runs = np.where(before >= 0, before - last_other[np.maximum(before, 0)], 0)
            runs = np.where((before >= 0) & (last_other[np.maximum(before, 0)] == -1),
                            runs + backslashes, runs)
            runs = np.where(before < 0, backslashes, runs)
            real = quotes[runs % 2 == 0]
        else:
            real = quotes
        toggles = np.zeros(chunk.size, dtype=np.int8)
        toggles[real] = 1
        inside = (np.cumsum(toggles, dtype=np.int64) + in_string) % 2 == 1
        step = np.zeros(chunk.size, dtype=np.int8)
        step[(chunk == 91) | (chunk == 123)] = 1
        step[(chunk == 93) | (chunk == 125)] = -1
        step[inside] = 0
        levels = np.cumsum(step, dtype=np.int64) + depth
        if levels.size:
            peak = max(peak, int(levels.max()))
            depth = int(levels[-1])
        in_string = bool((real.size + in_string) % 2)
        tail = chunk[::-1]
        not_slash = np.flatnonzero(tail != 92)
        backslashes = (int(not_slash[0]) if not_slash.size else backslashes + chunk.size)
    return peak


def read_session_document(path) -> dict:
    """The parsed, migrated JSON document of a session file (size, depth and JSON checked)."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise SessionError(f"the file cannot be read: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise SessionError(f"the file: {size / 2 ** 20:,.0f} MB is more than a session holds "
                           f"(at most {MAX_FILE_BYTES // 2 ** 20} MB)")
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SessionError(f"the file cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SessionError(f"the file: more than {MAX_FILE_BYTES // 2 ** 20} MB")
    depth = _max_depth(raw)
    if depth > MAX_DEPTH:
        raise SessionError(f"the file: nested {depth:,} levels deep, a session at most {MAX_DEPTH}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionError(f"the file: not UTF-8 text (byte {exc.start:,} is not), so not a session") from None
    del raw
    try:
        doc = json.loads(text, parse_constant=NonFinite)
    except json.JSONDecodeError as exc:
        raise SessionError(f"the file: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                           "it may be truncated") from None
    except RecursionError:
        raise SessionError(f"the file: nested too deep (a session at most {MAX_DEPTH})") from None
    return migrate(doc)


def load_session(path) -> dict:
    """The session state saved in ``path`` (see the module docstring); SessionError naming the bad
    field when the file is not a valid session. Nothing is shared with any live object."""
    doc = read_session_document(path)
    return decode_state(Field(doc))


# ====================================================================== writing
def _umask() -> int:
    """The process's umask, read without changing it (Linux); the common 022 elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def save_session(path, state: dict) -> None:
    """Write ``state`` to ``path`` atomically: a temporary file in the same folder, flushed and
    fsynced, then renamed over ``path`` (the old file, if any, stays whole until that instant)."""
    path = os.fspath(path)
    doc = {"format": FORMAT, "version": VERSION, **encode_state(state)}
    try:
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        raise SessionError(f"the session holds a value that is not a finite number: {exc}") from None
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".", suffix=".crstudio-part", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # keep the permissions the learner gave the file; a new one gets the usual ones (mkstemp's are private)
        os.chmod(temporary, os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    try:   # the rename itself reaches the disk with the folder's entry
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
    except OSError:
        pass
