"""Your own data: read a CSV file a learner brings and turn chosen columns into a training set.

Pure Python (``csv`` from the standard library) + numpy, never Qt. Everything odd about a file is
either a :class:`Problem` (the file loads, the oddity is listed with its column and row) or a
:class:`DataError` (the file or the request cannot be used; the message says why, in plain words).

Decisions, so views and learners can rely on them:

* **Rows are counted like a spreadsheet shows them**: 1-based, the header (if any) is row 1, so the
  first data row of a file with a header is row 2. Blank lines are skipped but still counted.
* **Delimiter**: comma, semicolon or tab, sniffed from the first lines (the one that splits lines
  into the same number (> 1) of fields most often; among equally regular ones a semicolon or tab
  split with decimal commas in it wins, then the one giving more fields, then tab, semicolon, comma).
  A file with a single column is read with a comma, or with a semicolon when its numbers have
  decimal commas and a comma split would be irregular (so "3,5" stays one number).
* **Decimal comma** ("3,5") is accepted when the delimiter is not a comma.
* **Encoding**: UTF-8 (with or without BOM), UTF-16 (with a BOM, or mostly-ASCII text without
  one), otherwise Windows-1252 (Latin-1 plus the euro sign and curly quotes Excel writes),
  otherwise Latin-1.
* **Header**: detected (the first row holds no numbers, and either some column below it holds
  numbers or no first-row value repeats in its column); ``header=True/False`` overrides.
  Without a header the columns are named "column 1", "column 2", ...
* **Missing values**: an empty field, ``NA``, ``N/A``, ``nan``, ``?``, ``null`` (any case).
* **Blank lines** (or rows whose every field is blank, like ",,,") are skipped without a problem.
* **Ragged rows**: a row with *too few* fields is padded with missing values (a problem is noted;
  ``to_dataset`` then drops or fills those cells like any missing value); a row with *too many*
  fields is skipped at load time (its values can't be matched to columns), with a problem noted.
  The first ``MAX_ROW_PROBLEMS`` such rows are listed one by one, the rest in one summary problem.
  Two regular shapes are not ragged: a delimiter at the end of every line (or of the header only)
  adds no column, and data rows with exactly one field more than the header (R's ``write.csv``)
  get a first column called "row names" (noted as a problem).
* **Thousands separators** ("1.234,5", "1 234") are read in decimal-comma files only.
* **Infinities** ("inf", "1e999") are noted as problems and always drop their row in
  ``to_dataset`` (filling an infinity with a mean would hide a broken measurement).
* **Text columns** can be targets (labels) but are refused as features, with the reason.
* **Constant columns** are noted and refused as features (they can't help predict anything); a
  feature that becomes constant only after rows are dropped is standardized with std 1, never by 0.
* **Tasks**: a text target is "binary" (2 classes) or "multiclass"; a numeric target is
  "regression", except a column of only 0 and 1, which is a yes/no label ("binary").
  ``task="regression"`` / ``"classification"`` overrides.
* **Missing targets** always drop the row, also with ``missing="fill"``: a made-up label teaches
  the network something false. ``missing="fill"`` fills numeric features with the column mean.
  A dropped row is listed once, with its first reason; past ``MAX_REASONS`` a last line sums up.
* **Classes** are ordered by sorted label (numerically when every label is a number), so the same
  file always gives the same class indices.
* **Limits**: files over ``MAX_BYTES`` (200 MB), more than ``MAX_ROWS`` data rows or more than
  ``MAX_COLUMNS`` columns are refused, the limit named in the message.
"""
from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "DataError", "Problem", "Table", "TabularDataset", "load_csv", "parse_csv", "split_dataset",
    "ColumnInfo", "MAX_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MISSING_MARKERS",
]

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 1_000
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "?", "null"})
_DELIMITERS = ("\t", ";", ",")  # tie-break order
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SNIFF_LINES = 50
_MAX_PROBLEMS_PER_COLUMN = 20
MAX_REASONS = 1_000       # drop_reasons listed one by one; the rest summed up in a last line
MAX_ROW_PROBLEMS = 100    # ragged rows listed one by one; the rest summed up in one problem
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
_GROUPED_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}([. \u00a0]\d{3})+(,\d*)?")
# Control characters that never appear in a text file (tab, newlines and form feed are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class DataError(ValueError):
    """A file or a request that can't be used; the message is written for the learner."""


@dataclass(frozen=True)
class Problem:
    """Something odd in the file: ``column`` (name, or None for a whole row), 1-based ``row``
    (as a spreadsheet counts, header included; None for the whole column) and a ``message``."""

    column: str | None
    row: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_MARKERS


def _to_number(cell: str, decimal_comma: bool) -> float | None:
    """The float in ``cell`` or None when it is not a number (missing markers are not numbers)."""
    s = cell.strip()
    if s.lower() in MISSING_MARKERS:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    if decimal_comma and _DECIMAL_COMMA.fullmatch(s):
        return float(s.replace(",", "."))
    if decimal_comma and _GROUPED_DECIMAL_COMMA.fullmatch(s):   # 1.234,5 or 1 234,5
        return float(s.replace(".", "").replace(" ", "").replace("\u00a0", "").replace(",", "."))
    return None


def _quote(value: str, limit: int = 30) -> str:
    value = value.strip()
    return repr(value if len(value) <= limit else value[:limit] + "...")


# --------------------------------------------------------------------------------------- the table

class Table:
    """A CSV file read as text columns. Use :func:`load_csv` or :func:`parse_csv` to make one.

    ``columns`` (names in file order), ``rows`` (number of data rows), ``kind(name)``,
    ``problems`` (list of :class:`Problem`), ``values(name)`` (the raw text cells),
    ``row_numbers`` (each data row's 1-based row in the file), ``delimiter``, ``encoding``,
    ``has_header``, ``decimal_comma``, and :meth:`to_dataset`.
    """

    def __init__(self, columns, cells, row_numbers, *, delimiter, encoding, has_header,
                 decimal_comma, problems):
        self.columns: list[str] = list(columns)
        self._cells: dict[str, list[str]] = cells
        self.row_numbers: list[int] = list(row_numbers)
        self.delimiter = delimiter
        self.encoding = encoding
        self.has_header = has_header
        self.decimal_comma = decimal_comma
        self.problems: list[Problem] = list(problems)
        self._kinds: dict[str, str] = {}
        self._numbers: dict[str, np.ndarray] = {}
        for name in self.columns:
            self._classify(name)

    @property
    def rows(self) -> int:
        return len(self.row_numbers)

    def __len__(self) -> int:
        return self.rows

    def __repr__(self) -> str:
        return f"<Table {self.rows} rows x {len(self.columns)} columns {self.columns!r}>"

    def values(self, name: str) -> list[str]:
        return list(self._cells[self._check(name)])

    def kind(self, name: str) -> str:
        """"numeric", "categorical" (text) or "empty" (every value missing)."""
        return self._kinds[self._check(name)]

    def numbers(self, name: str) -> np.ndarray:
        """A numeric column as float64 (NaN where missing). DataError for other kinds."""
        self._check(name)
        if self._kinds[name] != "numeric":
            raise DataError(f"column {name!r} does not hold numbers")
        return self._numbers[name].copy()

    def labels(self, name: str) -> list[str]:
        """The distinct non-missing values of a column, in class order."""
        return _class_order([c.strip() for c in self._cells[self._check(name)] if not _is_missing(c)])

    def _check(self, name: str) -> str:
        if name not in self._cells:
            raise DataError(f"there is no column {name!r}; the columns are "
                            + ", ".join(repr(c) for c in self.columns))
        return name

    def _note(self, column, row, message):
        self.problems.append(Problem(column, row, message))

    def _classify(self, name: str) -> None:
        cells = self._cells[name]
        numbers = np.full(len(cells), np.nan)
        text_rows = []
        present = 0
        for i, cell in enumerate(cells):
            if _is_missing(cell):
                continue
            present += 1
            value = _to_number(cell, self.decimal_comma)
            if value is None:
                text_rows.append(i)
            else:
                numbers[i] = value
        if present == 0:
            self._kinds[name] = "empty"
            self._note(name, None, f"column {name!r} is empty: every value is missing")
            return
        if text_rows:
            self._kinds[name] = "categorical"
            if len(text_rows) * 2 < present:   # mostly numbers: the text is probably a typo
                for i in text_rows[:_MAX_PROBLEMS_PER_COLUMN]:
                    self._note(name, self.row_numbers[i],
                               f"column {name!r} row {self.row_numbers[i]}: {_quote(cells[i])} is not "
                               "a number although most of the column is, so the column is read as text")
                if len(text_rows) > _MAX_PROBLEMS_PER_COLUMN:
                    i = text_rows[_MAX_PROBLEMS_PER_COLUMN]
                    self._note(name, self.row_numbers[i],
                               f"column {name!r}: {len(text_rows) - _MAX_PROBLEMS_PER_COLUMN} more values "
                               f"(from row {self.row_numbers[i]}) are not numbers")
        else:
            self._kinds[name] = "numeric"
            self._numbers[name] = numbers
            infinite = np.flatnonzero(np.isinf(numbers))
            for i in infinite[:_MAX_PROBLEMS_PER_COLUMN]:
                self._note(name, self.row_numbers[i],
                           f"column {name!r} row {self.row_numbers[i]}: the value {_quote(cells[i])} is "
                           "infinite; that row will be left out of the data set")
            if len(infinite) > _MAX_PROBLEMS_PER_COLUMN:
                i = infinite[_MAX_PROBLEMS_PER_COLUMN]
                self._note(name, self.row_numbers[i],
                           f"column {name!r}: {len(infinite) - _MAX_PROBLEMS_PER_COLUMN} more values (from "
                           f"row {self.row_numbers[i]}) are infinite")
        distinct = {c.strip() for c in cells if not _is_missing(c)}
        if self._kinds[name] == "numeric":
            finite = numbers[np.isfinite(numbers)]
            distinct = set(finite.tolist())
        if len(distinct) == 1 and self.rows > 1:
            (value,) = distinct
            shown = f"{value:g}" if isinstance(value, float) else _quote(value)
            self._note(name, None, f"column {name!r} has the same value ({shown}) in every row, so it "
                                   "can't help predict anything")
        missing = sum(1 for c in cells if _is_missing(c))
        if missing:
            first = next(self.row_numbers[i] for i, c in enumerate(cells) if _is_missing(c))
            self._note(name, first, f"column {name!r} has {missing} missing "
                                    f"value{'s' if missing != 1 else ''} (the first in row {first})")

    # ---------------------------------------------------------------------------- to a dataset

    def to_dataset(self, features, target, missing: str = "drop", standardize: bool = True,
                   task: str | None = None) -> "TabularDataset":
        """Arrays ready for training from the chosen ``features`` (numeric columns) and ``target``.

        ``missing``: "drop" leaves out every row with a missing feature; "fill" puts the column
        mean in its place. Rows with a missing target or an infinite value are always left out.
        ``standardize``: features shifted and scaled to mean 0, std 1 (constant ones: std 1), and a
        regression target too (``target_mean``/``target_std`` say how).
        ``task``: None picks it from the target (numbers: "regression", but a column of only 0
        and 1 is "binary"; text: "binary" or "multiclass" by the number of classes);
        "classification" reads a numeric target as labels, "regression" insists on numbers.
        """
        if missing not in ("drop", "fill"):
            raise DataError(f"missing must be 'drop' or 'fill', not {missing!r}")
        if task not in (None, "regression", "classification"):
            raise DataError(f"task must be None, 'regression' or 'classification', not {task!r}")
        if isinstance(features, str):
            features = [features]
        features = list(features)
        if not features:
            raise DataError("choose at least one feature column")
        for name in features + [target]:
            self._check(name)
        if len(set(features)) != len(features):
            twice = next(f for f in features if features.count(f) > 1)
            raise DataError(f"column {twice!r} is chosen twice as a feature")
        if target in features:
            raise DataError(f"column {target!r} can't be both a feature and the target")
        for name in features:
            why = self.feature_problem(name)
            if why:
                raise DataError(why)
        target_kind = self._kinds[target]
        if target_kind == "empty":
            raise DataError(f"column {target!r} is empty (every value is missing), so it can't be the target")
        if task is None:
            task = "classification"
            if target_kind == "numeric":
                values = set(self._numbers[target][~np.isnan(self._numbers[target])].tolist())
                if values != {0.0, 1.0}:   # a 0/1 column is a yes/no label
                    task = "regression"
        if task == "regression" and target_kind != "numeric":
            raise DataError(f"column {target!r} holds text, so it can't be a regression target")

        n = self.rows
        keep = np.ones(n, dtype=bool)
        reasons: list[str] = []
        dropped = [0]

        def drop(i, why):
            if keep[i]:
                keep[i] = False
                dropped[0] += 1
                if len(reasons) < MAX_REASONS:
                    reasons.append(f"row {self.row_numbers[i]}: {why}")

        target_cells = self._cells[target]
        for i in range(n):
            if _is_missing(target_cells[i]):
                drop(i, f"the target {target!r} is missing")
            elif target_kind == "numeric" and math.isinf(self._numbers[target][i]):
                drop(i, f"the target {target!r} is infinite ({target_cells[i].strip()})")
        X = np.column_stack([self._numbers[name] for name in features]) if n else np.empty((0, len(features)))
        for j, name in enumerate(features):
            column = X[:, j]
            for i in np.flatnonzero(np.isinf(column)):
                drop(i, f"column {name!r} is infinite ({self._cells[name][i].strip()})")
            if missing == "drop":
                for i in np.flatnonzero(np.isnan(column)):
                    drop(i, f"column {name!r} is missing ({_quote(self._cells[name][i])})")
        filled = 0
        X = X[keep]
        if missing == "fill":
            for j, name in enumerate(features):
                holes = np.isnan(X[:, j])
                if holes.any():
                    mean = X[~holes, j].mean() if (~holes).any() else 0.0
                    X[holes, j] = mean
                    filled += int(holes.sum())
        kept_rows = [r for r, k in zip(self.row_numbers, keep) if k]
        if dropped[0] > len(reasons):
            reasons.append(f"... and {dropped[0] - len(reasons)} more rows")
        if not kept_rows:
            raise DataError("no rows are left once rows with missing or infinite values are left out"
                            + (f" (for example {reasons[0]})" if reasons else ""))

        labels = [c.strip() for c, k in zip(target_cells, keep) if k]
        if task == "regression":
            y = self._numbers[target][keep].reshape(-1, 1)
            classes: dict[str, int] = {}
            task_name = "regression"
        else:
            if target_kind == "numeric":   # "1.0" and "1" are one class: label by number
                labels = [_number_label(v) for v in self._numbers[target][keep]]
            order = _class_order(labels)
            if len(order) < 2:
                raise DataError(f"column {target!r} has only one class ({order[0]!r}) in the rows "
                                "left, so there is nothing to tell apart")
            classes = {label: k for k, label in enumerate(order)}
            index = np.array([classes[label] for label in labels])
            if len(order) == 2:
                task_name = "binary"
                y = index.astype(np.float64).reshape(-1, 1)
            else:
                task_name = "multiclass"
                y = np.eye(len(order))[index]

        if standardize:
            means = X.mean(axis=0)
            stds = X.std(axis=0)
            stds[~(stds > 0)] = 1.0
            X = (X - means) / stds
        else:
            means = np.zeros(len(features))
            stds = np.ones(len(features))
        target_mean, target_std = 0.0, 1.0
        if standardize and task_name == "regression":
            # a target in grams (thousands) would need an output bias in the thousands: scaled like
            # the features, any target trains with the same learning rates as the built-in sets
            target_mean, target_std = float(y.mean()), float(y.std()) or 1.0
            y = (y - target_mean) / target_std
        return TabularDataset(
            X=np.ascontiguousarray(X, dtype=np.float64), y=np.ascontiguousarray(y, dtype=np.float64),
            task=task_name, classes=classes, features=tuple(features), target=target,
            dropped=dropped[0], drop_reasons=reasons, filled=filled, means=means, stds=stds,
            rows=np.array(kept_rows, dtype=np.int64), standardized=bool(standardize),
            target_mean=target_mean, target_std=target_std)

    def feature_problem(self, name: str) -> str | None:
        """Why column ``name`` can't be a feature (a sentence for a tooltip), or None if it can."""
        kind = self._kinds[self._check(name)]
        if kind == "empty":
            return f"column {name!r} is empty (every value is missing), so it can't be a feature"
        if kind == "categorical":
            cells = self._cells[name]
            i = next(i for i, c in enumerate(cells)
                     if not _is_missing(c) and _to_number(c, self.decimal_comma) is None)
            return (f"column {name!r} holds text (for example {_quote(cells[i])} in row "
                    f"{self.row_numbers[i]}), so it can't be a feature: a network needs numbers. "
                    "It can be the target, or leave it out")
        finite = self._numbers[name][np.isfinite(self._numbers[name])]
        if finite.size and np.all(finite == finite[0]) and self.rows > 1:
            return (f"column {name!r} has the same value ({finite[0]:g}) in every row, so it "
                    "can't help predict anything; leave it out of the features")
        return None

    def target_problem(self, name: str) -> str | None:
        """Why column ``name`` can't be the target, or None if it can."""
        if self._kinds[self._check(name)] == "empty":
            return f"column {name!r} is empty (every value is missing), so it can't be the target"
        if len(self.labels(name)) < 2:
            return (f"column {name!r} has the same value in every row, so there is nothing to "
                    "predict")
        return None

    def info(self, name: str) -> "ColumnInfo":
        """A summary of one column for a column picker."""
        cells = self._cells[self._check(name)]
        kind = self._kinds[name]
        missing = sum(1 for c in cells if _is_missing(c))
        lo = hi = None
        if kind == "numeric":
            finite = self._numbers[name][np.isfinite(self._numbers[name])]
            if finite.size:
                lo, hi = float(finite.min()), float(finite.max())
        examples = []
        for c in cells:
            c = c.strip()
            if c.lower() not in MISSING_MARKERS and c not in examples:
                examples.append(c)
                if len(examples) == 3:
                    break
        return ColumnInfo(name=name, kind=kind, missing=missing, distinct=len(self.labels(name)),
                          minimum=lo, maximum=hi, examples=tuple(examples),
                          feature_problem=self.feature_problem(name),
                          target_problem=self.target_problem(name))


@dataclass(frozen=True)
class ColumnInfo:
    """``Table.info(name)``: kind, missing count, distinct values, numeric range, up to three
    example values, and why the column can't be a feature / the target (None when it can)."""

    name: str
    kind: str
    missing: int
    distinct: int
    minimum: float | None
    maximum: float | None
    examples: tuple
    feature_problem: str | None
    target_problem: str | None


def _number_label(value: float) -> str:
    """A class label for a number: "3" for 3.0, the shortest exact repr otherwise."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _class_order(labels) -> list[str]:
    distinct = set(labels)
    numbers = {}
    for label in distinct:
        try:
            numbers[label] = float(label)
        except ValueError:
            return sorted(distinct)
    return sorted(distinct, key=lambda s: (numbers[s], s))


@dataclass(eq=False)
class TabularDataset:
    """Training arrays from a :class:`Table`.

    ``X`` (N, n_features) float64, standardized with ``means``/``stds`` when asked; ``y``: (N, 1)
    numbers for "regression", (N, 1) of 0/1 for "binary", one-hot (N, k) for "multiclass";
    ``classes`` maps each label to its class index (empty for regression); ``dropped`` rows left
    out, each with a reason in ``drop_reasons``; ``filled`` cells filled with a column mean;
    ``rows`` the 1-based file row of each sample.
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    classes: dict
    features: tuple
    target: str
    dropped: int
    drop_reasons: list
    filled: int
    means: np.ndarray
    stds: np.ndarray
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    standardized: bool = False
    target_mean: float = 0.0   # a standardized regression target: y = (value - target_mean) / target_std
    target_std: float = 1.0

    def __len__(self) -> int:
        return self.X.shape[0]

    def transform(self, X) -> np.ndarray:
        """New raw feature rows scaled the same way as ``X`` was."""
        return (np.asarray(X, dtype=np.float64) - self.means) / self.stds


# ------------------------------------------------------------------------------------- reading

def load_csv(path, header: bool | None = None) -> Table:
    """Read a CSV file into a :class:`Table`. DataError when it can't be read as a table."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise DataError(f"can't open {os.path.basename(path)!r}: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise DataError(f"the file is too large ({size / 2**20:.0f} MB); the limit is "
                        f"{MAX_BYTES // 2**20} MB")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(f"can't read {os.path.basename(path)!r}: {exc.strerror or exc}") from None
    return parse_csv(raw, header=header)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DataError("not a text file: it starts like UTF-16 text but can't be decoded") from None
    head = raw[:4096]
    for zeros, other, codec in ((head[1::2], head[0::2], "utf-16-le"), (head[0::2], head[1::2], "utf-16-be")):
        # UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, and none between
        if len(head) >= 4 and len(raw) % 2 == 0 and not zeros.strip(b"\x00") and b"\x00" not in other:
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError:
                break
    if b"\x00" in raw:
        raise DataError("not a text file: it contains NUL bytes, so it is probably a binary file "
                        "(a spreadsheet, an image, ...) renamed to .csv; export it as CSV first")
    try:
        return raw.decode("utf-8-sig"), ("utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(2, len(text[:65536]) // 1000):
        raise DataError("not a text file: it holds control characters that don't belong in text, "
                        "so it is probably a binary file renamed to .csv; export it as CSV first")
    return text, encoding


def parse_csv(data, header: bool | None = None) -> Table:
    """A :class:`Table` from CSV text (str) or file contents (bytes)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise DataError(f"the file is too large; the limit is {MAX_BYTES // 2**20} MB")
        text, encoding = _decode(data)
    else:
        text, encoding = data.lstrip("\ufeff"), "text"
        if "\x00" in text:
            raise DataError("not a text file: it contains NUL characters")
    if not text.strip():
        raise DataError("the file is empty")

    delimiter = _sniff(text)
    problems: list[Problem] = []
    records: list[tuple[int, list[str]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        for number, fields in enumerate(reader, start=1):
            if not fields or all(not f.strip() for f in fields):
                continue   # blank line
            records.append((number, fields))
            if len(records) > MAX_ROWS + 1:
                raise DataError(f"the file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DataError(f"the file can't be read as CSV: a field that starts before row "
                            f"{len(records) + 1} runs on for more than {csv.field_size_limit():,} "
                            "characters; probably a quote (\") that is never closed") from None
        raise DataError(f"the file can't be read as CSV near row {len(records) + 1}: {exc}") from None
    if not records:
        raise DataError("the file is empty")

    width = Counter(len(f) for _, f in records).most_common(1)[0][0]
    first_number, first = records[0]
    decimal_comma = delimiter != ","
    if header is None:
        header = _looks_like_header(first, records[1:], decimal_comma)
    if header:
        body = records[1:]
        first = list(first)
        body_width = Counter(len(f) for _, f in body).most_common(1)[0][0] if body else len(first)
        if (len(first) > 1 and not first[-1].strip() and body_width == len(first)
                and all(len(f) < len(first) or not f[-1].strip() for _, f in body)):
            # a delimiter at the end of every line: no column, just an empty last field
            first.pop()
            body = [(n, f[:-1] if len(f) == body_width else f) for n, f in body]
            body_width -= 1
        while len(first) > max(body_width, 1) and not first[-1].strip():
            first.pop()   # a delimiter at the end of the header line only
        if body_width == len(first) + 1:
            if all(not f[-1].strip() for _, f in body if len(f) == body_width):
                # a delimiter at the end of every data line: drop the empty last field
                body = [(n, f[:-1] if len(f) == body_width else f) for n, f in body]
            else:   # R's write.csv: row names without a header name
                first.insert(0, "row names")
                problems.append(Problem("row names", first_number,
                                        "the rows have one field more than the header, so the first "
                                        "column (probably row names) is called 'row names'"))
        width = len(first)   # the header says how many columns there are
        names = _column_names(first, problems, first_number)
    else:
        names = [f"column {j + 1}" for j in range(width)]
        body = records
    if len(names) > MAX_COLUMNS:
        raise DataError(f"the file has {len(names):,} columns; the limit is {MAX_COLUMNS:,}")
    if len(body) > MAX_ROWS:
        raise DataError(f"the file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")

    cells = {name: [] for name in names}
    row_numbers = []
    ragged = []
    for number, fields in body:
        if len(fields) > width:
            ragged.append(number)
            if len(ragged) <= MAX_ROW_PROBLEMS:
                problems.append(Problem(None, number, f"row {number} has {len(fields)} fields but the "
                                                      f"table has {width} columns, so the row is skipped"))
            continue
        if len(fields) < width:
            missing = names[len(fields):]
            ragged.append(number)
            if len(ragged) <= MAX_ROW_PROBLEMS:
                problems.append(Problem(missing[0], number,
                                        f"row {number} has {len(fields)} fields but the table has "
                                        f"{width} columns: column{'s' if len(missing) > 1 else ''} "
                                        + ", ".join(repr(m) for m in missing) + " counted as missing"))
            fields = fields + [""] * (width - len(fields))
        for name, value in zip(names, fields):
            cells[name].append(value)
        row_numbers.append(number)
    if len(ragged) > MAX_ROW_PROBLEMS:
        problems.append(Problem(None, ragged[MAX_ROW_PROBLEMS],
                                f"{len(ragged) - MAX_ROW_PROBLEMS} more rows (from row "
                                f"{ragged[MAX_ROW_PROBLEMS]}) have too few or too many fields"))
    if not row_numbers:
        raise DataError("the file has a header but no rows of data" if header else "the file is empty")
    return Table(names, cells, row_numbers, delimiter=delimiter, encoding=encoding, has_header=header,
                 decimal_comma=decimal_comma, problems=problems)


def _sniff(text: str) -> str:
    sample = []
    for line in io.StringIO(text[:200_000], newline=None):
        if line.strip():
            sample.append(line)
        if len(sample) >= _SNIFF_LINES:
            break
    scores = {}
    for delimiter in _DELIMITERS:
        split = [fields for fields in csv.reader(sample, delimiter=delimiter, strict=False) if fields]
        if not split:
            continue
        mode, hits = Counter(len(f) for f in split).most_common(1)[0]
        if mode < 2:
            continue
        decimal = delimiter != "," and any(_DECIMAL_COMMA.fullmatch(c.strip()) for f in split for c in f)
        scores[delimiter] = (hits / len(split), decimal, mode)
    top = max((score[0] for score in scores.values()), default=0.0)
    if top < 1 and all(_DECIMAL_COMMA.fullmatch(line.strip()) or not any(d in line for d in _DELIMITERS)
                       for line in sample) \
            and any(_DECIMAL_COMMA.fullmatch(line.strip()) for line in sample):
        # One column of decimal commas ("x", "3,5", "4,25"): nothing to separate, so read it as
        # semicolon-separated, which makes "3,5" a number.
        return ";"
    if not scores:
        return ","
    tied = [d for d in _DELIMITERS if d in scores and scores[d][0] == top]
    # Equally regular: a semicolon/tab split showing decimal commas ("3,5") wins; otherwise the
    # split into more fields; otherwise tab, then semicolon, then comma.
    return max(tied, key=lambda d: (scores[d][1], scores[d][2], -_DELIMITERS.index(d)))


def _looks_like_header(first, rest, decimal_comma) -> bool:
    if any(_to_number(c, decimal_comma) is not None for c in first):
        return False
    if any(_is_missing(c) for c in first) and not rest:
        return False
    if not rest:
        return True
    for j, name in enumerate(first):
        below = [f[j] for _, f in rest[:200] if j < len(f) and not _is_missing(f[j])]
        if below and sum(_to_number(c, decimal_comma) is not None for c in below) * 2 > len(below):
            return True   # text above a column of numbers
    # All text: a header when no first-row value appears again in its column.
    return all(name.strip() not in {f[j].strip() for _, f in rest if j < len(f)}
               for j, name in enumerate(first))


def _column_names(first, problems, row) -> list[str]:
    names, seen = [], set()
    for j, raw in enumerate(first):
        name = raw.strip()
        if not name:
            name = f"column {j + 1}"
            problems.append(Problem(name, row, f"column {j + 1} has no name in the header; "
                                               f"it is called {name!r}"))
        if name in seen:
            k = 2
            while f"{name} ({k})" in seen:
                k += 1
            problems.append(Problem(name, row, f"the header names column {name!r} twice; the "
                                               f"second one is called '{name} ({k})'"))
            name = f"{name} ({k})"
        seen.add(name)
        names.append(name)
    return names


# ------------------------------------------------------------------------------------- splitting

def split_dataset(X, y=None, test_fraction: float = 0.2, seed: int = 0,
                  stratify: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices (sorted int arrays), shuffled deterministically from ``seed``.

    At least one sample on each side. ``stratify=True`` splits each class of ``y`` (0/1 column or
    one-hot rows) separately, so both sides keep the class proportions; a class with a single
    sample goes to the training side. DataError for fewer than 2 samples or a fraction outside (0, 1).
    """
    n = len(X)
    if y is not None and len(y) != n:
        raise DataError(f"X has {n} rows but y has {len(y)}")
    if not 0.0 < float(test_fraction) < 1.0:
        raise DataError(f"the test fraction must be between 0 and 1 (exclusive), not {test_fraction}")
    if n < 2:
        raise DataError(f"splitting needs at least 2 samples, there {'is' if n == 1 else 'are'} {n}")
    rng = np.random.default_rng(seed)
    if not stratify:
        n_test = min(max(int(round(n * float(test_fraction))), 1), n - 1)
        order = rng.permutation(n)
        return np.sort(order[n_test:]), np.sort(order[:n_test])
    if y is None:
        raise DataError("a stratified split needs the targets y")
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(n)
    test = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        if len(members) > 1:
            k = min(max(int(round(len(members) * float(test_fraction))), 1), len(members) - 1)
            test.append(members[:k])
    test = np.sort(np.concatenate(test)) if test else np.empty(0, dtype=np.int64)
    if test.size == 0:   # every class has one sample: fall back to a plain split
        return split_dataset(X, None, test_fraction, seed)
    train = np.setdiff1d(np.arange(n), test)
    return train, test
