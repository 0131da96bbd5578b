"""Reading untrusted JSON values with the path of every field, so a refusal says what and where.

A session file comes from anywhere (a colleague, a truncated download, a hand edit). ``Field`` wraps
one parsed JSON value with its path in the document (``runs[1].optimizer.betas``); each accessor
checks the type, range and size it expects and raises ``SessionError`` naming that path, so nothing
half-checked reaches the studio's objects. Arrays are converted with numpy in one go (fast for a
trajectory of a million numbers) and refused when any element is not a finite number.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["SessionError", "Field", "NonFinite"]


class SessionError(ValueError):
    """A session file that cannot be read or saved; the message names the field (its JSON path)."""


class NonFinite:
    """What the parser makes of the non-standard JSON constants NaN, Infinity and -Infinity, so the
    check of the field they sit in refuses them with its path."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


def _describe(value) -> str:
    if isinstance(value, NonFinite):
        return value.name
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value[:40] + ("…" if len(value) > 40 else ""))
    if isinstance(value, list):
        if len(value) <= 4 and not any(isinstance(v, (list, dict)) for v in value):
            return "[" + ", ".join(_describe(v) for v in value) + "]"
        return f"a list of {len(value):,}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Field:
    """One JSON value and its path; accessors check and convert it (or raise SessionError)."""

    def __init__(self, value, path: str = ""):
        self.value = value
        self.path = path

    def fail(self, expected: str) -> SessionError:
        where = self.path or "the file"
        return SessionError(f"{where}: expected {expected}, got {_describe(self.value)}")

    def error(self, text: str) -> SessionError:
        return SessionError(f"{self.path or 'the file'}: {text}")

    # ------------------------------------------------------------------ containers
    def key(self, name: str) -> "Field":
        """The member ``name`` of an object (missing members are refused)."""
        if not isinstance(self.value, dict):
            raise self.fail("an object")
        if name not in self.value:
            raise SessionError(f"{self._join(name)}: missing")
        return Field(self.value[name], self._join(name))

    def optional(self, name: str, default=None) -> "Field":
        if not isinstance(self.value, dict):
            raise self.fail("an object")
        return Field(self.value.get(name, default), self._join(name))

    def _join(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def items(self, max_count: int, min_count: int = 0) -> list["Field"]:
        """The elements of a list of ``min_count`` to ``max_count`` elements."""
        if not isinstance(self.value, list):
            raise self.fail("a list")
        if not min_count <= len(self.value) <= max_count:
            raise self.fail(f"a list of {min_count} to {max_count:,} elements")
        return [Field(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def members(self, max_count: int) -> dict[str, "Field"]:
        if not isinstance(self.value, dict):
            raise self.fail("an object")
        if len(self.value) > max_count:
            raise self.fail(f"an object of at most {max_count} members")
        return {k: Field(v, self._join(k)) for k, v in self.value.items()}

    # ------------------------------------------------------------------ scalars
    def number(self, low: float = -math.inf, high: float = math.inf, *, low_open: bool = False,
               high_open: bool = False, null: bool = False) -> float | None:
        """A finite number in the range (``null``: None is allowed too)."""
        value = self.value
        if value is None and null:
            return None
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        wanted = "a finite number" + ("" if (low, high) == (-math.inf, math.inf)
                                      else f" in {lo}{low:g}, {high:g}{hi}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(wanted)
        if value < low or value > high or (low_open and value == low) or (high_open and value == high):
            raise self.fail(wanted)
        return float(value)

    def integer(self, low: int = 0, high: int = 2 ** 53, null: bool = False) -> int | None:
        value = self.value
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"a whole number from {low:,} to {high:,}")
        return int(value)

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("true or false")
        return self.value

    def text(self, max_length: int = 1000, choices=None, null: bool = False) -> str | None:
        value = self.value
        if value is None and null:
            return None
        if choices is not None and value not in choices:
            raise self.fail("one of " + ", ".join(repr(c) for c in choices))
        if not isinstance(value, str) or len(value) > max_length:
            raise self.fail(f"a text of at most {max_length:,} characters")
        return value

    def texts(self, max_count: int, max_length: int = 200, null: bool = False) -> tuple | None:
        if self.value is None and null:
            return None
        return tuple(item.text(max_length) for item in self.items(max_count))

    # ------------------------------------------------------------------ arrays
    def array(self, shape: tuple, null_is_nan: bool = False) -> np.ndarray:
        """A float64 array of exactly ``shape`` (nested lists of finite numbers; with ``null_is_nan``
        a null stands for "not a number", e.g. the test cost of a run without a test set)."""
        value = self.value
        wanted = "a list of " + " × ".join(f"{n:,}" for n in shape) + " finite numbers"
        if len(shape) == 2:
            wanted = f"{shape[0]:,} rows of {shape[1]:,} finite numbers"
        if not isinstance(value, list) or len(value) != shape[0]:
            raise self.fail(wanted)
        if len(shape) == 2:
            for i, row in enumerate(value):
                if not isinstance(row, list) or len(row) != shape[1]:
                    raise Field(row, f"{self.path}[{i}]").fail(f"a list of {shape[1]:,} finite numbers")
        nulls = None
        if null_is_nan and len(shape) == 1:
            nulls = np.fromiter((v is None for v in value), dtype=bool, count=len(value))
            if nulls.any():
                value = [math.nan if v is None else v for v in value]
        try:
            array = np.array(value) if value else np.empty(shape)
        except (ValueError, TypeError, OverflowError):
            array = None
        if array is None or array.shape != tuple(shape) or array.dtype.kind not in "if":
            self._first_bad(shape, wanted, nulls)
        array = array.astype(np.float64, copy=False)
        bad = ~np.isfinite(array)
        if nulls is not None:
            bad &= ~nulls
        if bad.any():
            self._first_bad(shape, wanted, nulls)
        return array

    def _at(self, index):
        value = self.value
        for i in index:
            value = value[i]
        return value

    def _first_bad(self, shape, wanted, nulls=None):
        """Raise naming the first element that is not a finite number (or the whole, if none is)."""
        for index in np.ndindex(*shape):
            v = self._at(index)
            if v is None and nulls is not None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise Field(v, self.path + "".join(f"[{i}]" for i in index)).fail("a finite number")
        raise self.fail(wanted)

    def integers(self, length: int, low: int = 0, high: int = 2 ** 53) -> np.ndarray:
        """A list of ``length`` whole numbers in [low, high] as int64."""
        value = self.value
        if not isinstance(value, list) or len(value) != length:
            raise self.fail(f"a list of {length:,} whole numbers")
        try:
            array = np.array(value) if value else np.empty(0, dtype=np.int64)
        except (ValueError, TypeError, OverflowError):
            array = np.array(value, dtype=object)
        if array.ndim != 1 or array.dtype.kind != "i" or (array.size and (array.min() < low or array.max() > high)):
            for i, v in enumerate(value):
                Field(v, f"{self.path}[{i}]").integer(low, high)
        return array.astype(np.int64)
