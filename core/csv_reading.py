"""Reading CSV text as a stream of records in bounded memory, from a file or from data in memory.

``core.tabular`` reads a learner's file twice: once to look at every column (kinds, problems, a
preview) and again, later, for the few columns chosen for training. Neither pass holds the whole
file: bytes are read and decoded 1 MiB at a time, split into lines, and handed to the ``csv``
module record by record. This module does that reading; it knows nothing of columns.

* :class:`TextSource` is where the text comes from (a path, re-checked unchanged at every pass, or
  bytes / str in memory) and decides the encoding (see ``core.tabular`` for the rules).
* :func:`records` yields ``(record number, fields)`` for one pass, reporting progress and refusing,
  with a :class:`DataError`, a line longer than ``MAX_LINE_CHARS``, NUL bytes, or a broken quote.
* :func:`sniff_delimiter` picks comma, semicolon or tab from the first lines.

Opening never blocks: a path that is not a regular file (a named pipe, a device such as
``/dev/zero``, a socket, a folder, or a link to one) is refused by what it is, before it is opened,
and the file is opened non-blocking and checked again.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from collections import Counter
from typing import Callable, Iterator

__all__ = ["DataError", "TextSource", "records", "sniff_delimiter", "DECIMAL_COMMA", "MAX_LINE_CHARS",
           "file_kind", "check_regular_file"]

CHUNK_BYTES = 1 << 20        # read and decode 1 MiB at a time
HEAD_BYTES = 1 << 16         # looked at to choose the encoding
SNIFF_CHARS = 200_000        # decoded text the delimiter is sniffed from
SNIFF_LINES = 50
MAX_LINE_CHARS = 1 << 20     # a line of a usable table (at most 1,000 columns) is far shorter
DELIMITERS = ("\t", ";", ",")  # tie-break order
DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
# Control characters that never appear in a text file (tab, newlines and form feed are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LINE_END = re.compile(r"\r\n|\r|\n")


class DataError(ValueError):
    """A file or a request that can't be used; the message is written for the learner."""


class WrongEncoding(Exception):
    """The text stopped decoding part-way through: read it again with the next candidate encoding."""


# ------------------------------------------------------------------------------------ the file

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device (like /dev/zero)"), (stat.S_ISBLK, "a block device (a disk)"),
          (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def check_regular_file(path: str) -> os.stat_result:
    """The ``os.stat`` of ``path`` when it is a regular file; a DataError saying what it is otherwise.

    Nothing is opened, so a named pipe with no writer or a device cannot block the caller."""
    name = os.path.basename(path) or path
    try:
        info = os.stat(path)   # follows links: a link to /dev/zero is judged by /dev/zero
    except OSError as exc:
        raise DataError(f"can't open {name!r}: {exc.strerror or exc}") from None
    kind = file_kind(info.st_mode)
    if kind is not None:
        link = ""
        if os.path.islink(path):
            link = f"a link to {os.path.realpath(path)}, which is "
        raise DataError(f"{name!r} is {link}{kind}, not a file of data; open a CSV file saved on disk")
    return info


class TextSource:
    """Where CSV text comes from, readable as many times as needed.

    ``TextSource.from_path(path)`` remembers the file's size and modification time and refuses to
    read it again once they changed (the columns chosen in the dialog must be those it showed);
    ``TextSource.from_data(bytes or str)`` keeps the data it is given (the caller had it anyway).
    """

    def __init__(self, *, path: str | None = None, data=None, signature=None, size: int = 0):
        self.path, self.data, self.signature, self.size = path, data, signature, size
        self.encoding: str | None = None   # decided on the first pass ("text" for str data)
        self.chunk_bytes = CHUNK_BYTES

    @classmethod
    def from_path(cls, path: str) -> "TextSource":
        info = check_regular_file(path)
        return cls(path=path, signature=(info.st_size, info.st_mtime_ns), size=info.st_size)

    @classmethod
    def from_data(cls, data) -> "TextSource":
        if isinstance(data, str):
            data = data.lstrip("\ufeff")
            if "\x00" in data:
                raise DataError("not a text file: it contains NUL characters")
            source = cls(data=data, size=len(data))
            source.encoding = "text"
            return source
        return cls(data=bytes(data), size=len(data))

    @property
    def name(self) -> str:
        return os.path.basename(self.path) if self.path else "the data"

    def _open(self):
        if self.path is None:
            return io.BytesIO(self.data)
        fd = None
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            info = os.fstat(fd)
            kind = file_kind(info.st_mode)
            if kind is not None:
                raise DataError(f"{self.name!r} is {kind}, not a file of data")
            if self.signature is not None and (info.st_size, info.st_mtime_ns) != self.signature:
                raise DataError(f"{self.name!r} changed on disk since it was opened; open it again")
            f = os.fdopen(fd, "rb")
            fd = None
            return f
        except OSError as exc:
            raise DataError(f"can't read {self.name!r}: {exc.strerror or exc}") from None
        finally:
            if fd is not None:
                os.close(fd)

    def head(self) -> bytes:
        with self._open() as f:
            return f.read(HEAD_BYTES)

    def candidate_encodings(self) -> list[str]:
        """The encodings to try in order (the one found on the first pass once it is known)."""
        if self.encoding is not None:
            return [self.encoding]
        raw = self.head()
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return ["utf-16"]
        for zeros, other, codec in ((raw[1::2], raw[0::2], "utf-16-le"), (raw[0::2], raw[1::2], "utf-16-be")):
            # UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, and none between
            if len(raw) >= 4 and self.size % 2 == 0 and not zeros.strip(b"\x00") and b"\x00" not in other:
                return [codec]
        if b"\x00" in raw:
            raise _nul_error()
        return ["utf-8-sig", "windows-1252", "latin-1"]

    def chunks(self, encoding: str, progress: Callable[[int, int], None] | None = None) -> Iterator[str]:
        """The decoded text, about CHUNK_BYTES at a time; WrongEncoding when it stops decoding."""
        if encoding == "text":
            text = self.data
            step = self.chunk_bytes
            for start in range(0, len(text), step):
                if progress:
                    progress(min(start + step, len(text)), len(text))
                yield text[start:start + step]
            return
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        single_byte = not encoding.startswith("utf-16")
        done, checked = 0, 0
        with self._open() as f:
            while True:
                raw = f.read(self.chunk_bytes)
                final = not raw
                if single_byte and b"\x00" in raw:
                    raise _nul_error()
                try:
                    text = decoder.decode(raw, final=final)
                except UnicodeDecodeError:
                    if encoding.startswith("utf-16"):
                        raise DataError("not a text file: it starts like UTF-16 text but can't be "
                                        "decoded") from None
                    raise WrongEncoding(encoding) from None
                if encoding in ("windows-1252", "latin-1") and checked < 65536:
                    sample = text[:65536 - checked]
                    checked += len(sample)
                    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 1000):
                        raise DataError("not a text file: it holds control characters that don't belong "
                                        "in text, so it is probably a binary file renamed to .csv; export "
                                        "it as CSV first")
                done += len(raw)
                if self.path is not None and done > self.size:
                    raise DataError(f"{self.name!r} grew while it was being read; open it again once "
                                    "it is complete")
                if progress and raw:
                    progress(done, max(self.size, done))
                if text:
                    yield text
                if final:
                    return


def _nul_error() -> DataError:
    return DataError("not a text file: it contains NUL bytes, so it is probably a binary file "
                     "(a spreadsheet, an image, ...) renamed to .csv; export it as CSV first")


def encoding_name(encoding: str, first_chunk: bytes | None) -> str:
    """The name a table reports: "utf-8" for UTF-8 without a BOM."""
    if encoding == "utf-8-sig" and not (first_chunk or b"").startswith(codecs.BOM_UTF8):
        return "utf-8"
    return encoding


# ------------------------------------------------------------------------------------- lines

def lines(chunks: Iterator[str], max_line: int, delimiter_hint: str | None = None,
          max_columns: int | None = None) -> Iterator[str]:
    """Lines with their endings (\\r\\n, \\r or \\n, like ``newline=""``) from text chunks.

    A line longer than ``max_line`` characters is refused with a DataError before it is kept whole
    (a file with no line breaks would otherwise be one 200 MB line); when its start already holds
    more than ``max_columns`` delimiters, the message says the row has too many columns."""
    carry = ""
    number = 0
    for chunk in chunks:
        text = carry + chunk if carry else chunk
        start = 0
        for match in _LINE_END.finditer(text):
            end = match.end()
            if end == len(text) and match.group() == "\r":
                break   # "\r\n" may be split between two chunks
            number += 1
            yield text[start:end]
            start = end
        carry = text[start:]
        if len(carry) > max_line:
            raise _long_line(number + 1, carry, max_line, delimiter_hint, max_columns)
    if carry:
        yield carry


def _long_line(number, text, max_line, delimiter, max_columns) -> DataError:
    if delimiter and max_columns and text.count(delimiter, 0, max_line) >= max_columns:
        return DataError(f"line {number} has more than {max_columns:,} columns; the limit is {max_columns:,}")
    return DataError(f"line {number} is longer than {max_line:,} characters, too long for a row of a "
                     "table; is this really a CSV file?")


def records(source: TextSource, encoding: str, delimiter: str, *, max_columns: int,
            progress=None) -> Iterator[tuple[int, list[str]]]:
    """``(record number, fields)`` for every non-blank record, numbered from 1 like a spreadsheet
    (blank lines are skipped but counted); DataError for a broken file, WrongEncoding to retry."""
    reader = csv.reader(lines(source.chunks(encoding, progress), MAX_LINE_CHARS, delimiter, max_columns),
                        delimiter=delimiter, strict=False)
    number = 0
    try:
        for number, fields in enumerate(reader, start=1):
            if not fields or all(not f.strip() for f in fields):
                continue   # blank line
            yield number, fields
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DataError(f"the file can't be read as CSV: a field that starts before row "
                            f"{number + 1} runs on for more than {csv.field_size_limit():,} "
                            "characters; probably a quote (\") that is never closed") from None
        raise DataError(f"the file can't be read as CSV near row {number + 1}: {exc}") from None


def head_text(source: TextSource, encoding: str) -> str:
    """The first SNIFF_CHARS characters (for the delimiter); WrongEncoding as ``chunks``."""
    parts, size = [], 0
    for chunk in source.chunks(encoding):
        parts.append(chunk)
        size += len(chunk)
        if size >= SNIFF_CHARS:
            break
    return "".join(parts)[:SNIFF_CHARS]


# ------------------------------------------------------------------------------- delimiter

def _split_sample(sample, delimiter):
    try:
        return [fields for fields in csv.reader(sample, delimiter=delimiter, strict=False) if fields]
    except csv.Error:   # an over-long field in this split: it is not the delimiter
        return []


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the first lines most regularly (see core.tabular)."""
    sample = []
    for line in io.StringIO(text, newline=None):
        if line.strip():
            sample.append(line)
        if len(sample) >= SNIFF_LINES:
            break
    scores = {}
    for delimiter in DELIMITERS:
        split = _split_sample(sample, delimiter)
        if not split:
            continue
        mode, hits = Counter(len(f) for f in split).most_common(1)[0]
        if mode < 2:
            continue
        decimal = delimiter != "," and any(DECIMAL_COMMA.fullmatch(c.strip()) for f in split for c in f)
        scores[delimiter] = (hits / len(split), decimal, mode)
    top = max((score[0] for score in scores.values()), default=0.0)
    if top < 1 and all(DECIMAL_COMMA.fullmatch(line.strip()) or not any(d in line for d in DELIMITERS)
                       for line in sample) \
            and any(DECIMAL_COMMA.fullmatch(line.strip()) for line in sample):
        # One column of decimal commas ("x", "3,5", "4,25"): nothing to separate, so read it as
        # semicolon-separated, which makes "3,5" a number.
        return ";"
    if not scores:
        return ","
    tied = [d for d in DELIMITERS if d in scores and scores[d][0] == top]
    # Equally regular: a semicolon/tab split showing decimal commas ("3,5") wins; otherwise the
    # split into more fields; otherwise tab, then semicolon, then comma.
    return max(tied, key=lambda d: (scores[d][1], scores[d][2], -DELIMITERS.index(d)))
