"""The import dialog: preview a loaded CSV table, pick 1 or 2 feature columns and a target by keys,
set how missing values, scaling and the test split are handled, and see live what data set that makes.

Keys (the preview table has the focus): Left/Right move between columns, F toggles the current column
as a feature (at most 2: the Network lab plots 1 or 2 inputs), T makes it the target (T again clears
it), Enter builds the data set (errors are shown in the dialog, which stays open), Esc cancels.
Every other control has a mnemonic (Alt+letter) and a tooltip.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QRadioButton, QSpinBox, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

import core

from ..workers import LatestOnlyWorker

PREVIEW_ROWS = 200
MAX_FEATURES = 2
KIND_NAMES = {"numeric": "numbers", "categorical": "text", "empty": "empty"}
FEATURE_COLOUR = QColor("#dbeafe")   # light blue
TARGET_COLOUR = QColor("#fde68a")    # light amber
UNUSABLE_COLOUR = QColor("#f1f1f1")  # grey: can't be a feature
SHOWN_REASONS = 3
STANDARDIZE_HELP = ("Shifts and scales each feature to mean 0 and standard deviation 1, so both inputs "
                    "train at the same pace and the network's starting weights suit them.")
STANDARDIZE_LINE = ("Each feature (and a number target) becomes mean 0, spread 1: values in grams and in mm "
                    "train alike.")


@dataclass(frozen=True)
class ImportChoice:
    """What the dialog produced: the data set and how to split it."""

    dataset: "core.TabularDataset"
    title: str
    test_fraction: float
    split_seed: int
    path: str = ""


def split_sizes(tab: "core.TabularDataset", test_fraction: float, seed: int) -> tuple[int, int]:
    """(training rows, test rows) as the session model will split `tab` (core.train_test_split)."""
    try:
        train, test = core.train_test_split(tab.X, tab.y, tab.task, test_fraction, seed)
    except core.DataError:
        return len(tab), 0
    return len(train), len(test)


def task_text(tab: "core.TabularDataset") -> str:
    if tab.task == "regression":
        return f"regression: predict the number in {tab.target!r}"
    mapping = ", ".join(f"{label} → {index}" for label, index in tab.classes.items())
    return f"{len(tab.classes)} classes ({mapping})"


def summary_text(tab: "core.TabularDataset", test_fraction: float, seed: int) -> str:
    """One paragraph saying what training on `tab` would be: task, rows kept and dropped, the split."""
    lines = [f"Task: {task_text(tab)}."]
    used = f"{len(tab)} row{'s' if len(tab) != 1 else ''} used"
    if tab.dropped:
        shown = "; ".join(tab.drop_reasons[:SHOWN_REASONS])
        more = f"; … {tab.dropped - SHOWN_REASONS} more" if tab.dropped > SHOWN_REASONS else ""
        used += f", {tab.dropped} dropped ({shown}{more})"
    if tab.filled:
        used += f"; {tab.filled} missing value{'s' if tab.filled != 1 else ''} filled with the column mean"
    lines.append(used + ".")
    train, test = split_sizes(tab, test_fraction, seed)
    if test:
        lines.append(f"Training on {train} rows, testing on {test} (split seed {seed}).")
    elif test_fraction > 0:
        lines.append(f"Too few rows for a test set: all {train} rows train.")
    else:
        lines.append(f"No test set: all {train} rows train.")
    return "\n".join(lines)


def problem_text(problem: "core.Problem") -> str:
    """A problem's line: its message, which already names its column and row."""
    return str(problem)


class PreviewModel(QAbstractTableModel):
    """The first `PREVIEW_ROWS` rows of a table; headers show each column's name, kind and role."""

    def __init__(self, table: "core.Table", parent=None):
        super().__init__(parent)
        self.table = table
        self._rows = min(table.rows, PREVIEW_ROWS)
        self._cells = [table.head(name)[:self._rows] for name in table.columns]
        self._kinds = [table.kind(name) for name in table.columns]
        self._unusable = [table.feature_problem(name) for name in table.columns]
        self._descriptions: dict[str, str] = {}
        self.roles: dict[str, str] = {}

    def description(self, name: str) -> str:
        """`column_description`, worked out once per column (it scans the whole column)."""
        if name not in self._descriptions:
            self._descriptions[name] = column_description(self.table, name)
        return self._descriptions[name]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table.columns)

    def set_roles(self, roles: dict[str, str]) -> None:
        self.roles = dict(roles)
        if self.table.columns:
            self.headerDataChanged.emit(Qt.Horizontal, 0, len(self.table.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), self.index(max(self._rows - 1, 0),
                                                               len(self.table.columns) - 1),
                                  [Qt.BackgroundRole])

    def _colour(self, column: int):
        role = self.roles.get(self.table.columns[column], "")
        if role.startswith("feature"):
            return FEATURE_COLOUR
        if role == "target":
            return TARGET_COLOUR
        if self._unusable[column]:
            return UNUSABLE_COLOUR
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.DisplayRole:
            return self._cells[index.column()][index.row()]
        if role == Qt.BackgroundRole:
            colour = self._colour(index.column())
            return QBrush(colour) if colour is not None else None
        if role == Qt.TextAlignmentRole and self._kinds[index.column()] == "numeric":
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Vertical:
            if role == Qt.DisplayRole and 0 <= section < self._rows:
                return str(self.table.row_number(section))
            if role == Qt.ToolTipRole:
                return "Row number in the file (the header is row 1)"
            return None
        if not 0 <= section < len(self.table.columns):
            return None
        name = self.table.columns[section]
        if role == Qt.DisplayRole:
            text = f"{name}\n{KIND_NAMES.get(self._kinds[section], self._kinds[section])}"
            chosen = self.roles.get(name)
            return f"{text}\n[{chosen}]" if chosen else text
        if role == Qt.BackgroundRole:
            colour = self._colour(section)
            return QBrush(colour) if colour is not None else None
        if role == Qt.FontRole and name in self.roles:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ToolTipRole:
            return self.description(name)
        return None


def column_description(table: "core.Table", name: str) -> str:
    """One or two sentences about a column: kind, range, distinct values, missing, examples, and why it
    can't be a feature or the target."""
    info = table.info(name)
    parts = [f"{name!r}: {KIND_NAMES.get(info.kind, info.kind)}"]
    if info.kind == "numeric" and info.minimum is not None:
        parts.append(f"from {info.minimum:g} to {info.maximum:g}")
    if info.more_distinct:
        parts.append(f"over {info.distinct:,} distinct values")
    else:
        parts.append(f"{info.distinct} distinct value{'s' if info.distinct != 1 else ''}")
    parts.append(f"{info.missing} missing")
    text = ", ".join(parts)
    if info.examples:
        text += "; e.g. " + ", ".join(info.examples)
    if info.feature_problem:
        text += f"\nNot a feature: {info.feature_problem}."
    if info.target_problem:
        text += f"\nNot a target: {info.target_problem}."
    return text


class ColumnTable(QTableView):
    """The preview table, where F and T choose roles for the current column (arrows move)."""

    featureKey = Signal()
    targetKey = Signal()

    def keyPressEvent(self, event) -> None:
        modifiers = event.modifiers() & ~Qt.KeypadModifier
        if modifiers in (Qt.NoModifier, Qt.ShiftModifier):
            if event.key() == Qt.Key_F:
                self.featureKey.emit()
                event.accept()
                return
            if event.key() == Qt.Key_T:
                self.targetKey.emit()
                event.accept()
                return
        super().keyPressEvent(event)   # arrows move; other letters would jump by keyboard search

    def keyboardSearch(self, search: str) -> None:
        """Typing doesn't jump around the preview: letters are commands here."""


class ImportDialog(QDialog):
    """Choose features, target and options for a loaded `core.Table`; `chosen(ImportChoice)` on OK.

    Open it with `.open()` (window-modal, not blocking); it closes itself on success and stays open
    with the reason shown when the choice can't make a data set."""

    chosen = Signal(object)

    def __init__(self, table: "core.Table", path: str = "", parent=None, apply=None):
        """`apply(choice)`, when given, is called on OK before the dialog closes; a ValueError (a
        `core.DataError` included) it raises is shown in the dialog, which stays open."""
        super().__init__(parent)
        self.apply = apply
        self.table = table
        self.path = path
        self.file_name = os.path.basename(path) if path else "data"
        self.features: list[str] = []
        self.target: str | None = None
        self.choice: ImportChoice | None = None
        self._preview: tuple | None = None   # (key, dataset or None, error)
        self.setObjectName("csv-import-dialog")
        self.setWindowTitle(f"Open {self.file_name} — Chain Rule Studio")
        self._summary_worker = LatestOnlyWorker(self)
        self._summary_worker.finished.connect(self._on_summary)
        self._summary_worker.failed.connect(lambda error: self._show_summary(error.splitlines()[0], error=True))
        self._build()
        self._update_roles()
        self.table_view.setFocus(Qt.OtherFocusReason)
        self.resize(980, 700)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        t = self.table
        layout = QVBoxLayout(self)
        encoding = "" if t.encoding == "text" else f", {t.encoding}"
        delimiter = {",": "comma", ";": "semicolon", "\t": "tab"}.get(t.delimiter, repr(t.delimiter))
        self.info_label = QLabel(
            f"{t.rows} row{'s' if t.rows != 1 else ''} × {len(t.columns)} column{'s' if len(t.columns) != 1 else ''}"
            f" ({delimiter}-separated{encoding}{'' if t.has_header else ', no header row'})"
            + (f"; the first {PREVIEW_ROWS} rows are shown" if t.rows > PREVIEW_ROWS else ""))
        layout.addWidget(self.info_label)

        columns_label = QLabel("&Columns: ←/→ move, F toggles a feature (1 or 2), T makes the target")
        layout.addWidget(columns_label)
        self.model = PreviewModel(t, self)
        self.table_view = ColumnTable()
        self.table_view.setObjectName("csv-preview")
        self.table_view.setModel(self.model)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectColumns)
        self.table_view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table_view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table_view.setTabKeyNavigation(False)   # Tab leaves the table for the next control
        self.table_view.setToolTip("Left/Right: choose a column. F: use it as a feature (at most 2). "
                                   "T: use it as the target. Enter: use this data.")
        self.table_view.setAccessibleName("Preview of the file's columns")
        self.table_view.featureKey.connect(self.toggle_current_feature)
        self.table_view.targetKey.connect(self.set_current_target)
        self.table_view.selectionModel().currentColumnChanged.connect(self._on_current_column)
        columns_label.setBuddy(self.table_view)

        buttons = QHBoxLayout()
        self.feature_button = QPushButton("Use as &feature (F)")
        self.feature_button.setToolTip("Add the current column to the features, or take it out (F)")
        self.feature_button.setAutoDefault(False)
        self.feature_button.clicked.connect(self.toggle_current_feature)
        self.target_button = QPushButton("Use as &target (T)")
        self.target_button.setToolTip("Make the current column the target the network learns to predict (T)")
        self.target_button.setAutoDefault(False)
        self.target_button.clicked.connect(self.set_current_target)
        self.column_label = QLabel()
        self.column_label.setObjectName("csv-column-info")
        self.column_label.setWordWrap(True)
        buttons.addWidget(self.feature_button)
        buttons.addWidget(self.target_button)
        buttons.addWidget(self.column_label, 1)
        self.roles_label = QLabel()
        self.roles_label.setObjectName("csv-roles")
        self.roles_label.setWordWrap(True)
        self.feedback_label = QLabel()
        self.feedback_label.setObjectName("csv-feedback")
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setStyleSheet("QLabel { color: #8a1c1c; }")

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table_view, 1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.roles_label)
        top_layout.addWidget(self.feedback_label)

        bottom = QWidget()
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        problems_box = QVBoxLayout()
        problems_label = QLabel(f"&Problems found in the file ({len(t.problems)})")
        self.problems = QListWidget()
        self.problems.setObjectName("csv-problems")
        self.problems.setToolTip("What looked odd in the file. Enter on a line shows its column.")
        self.problems.setWordWrap(True)
        for problem in t.problems:
            item = QListWidgetItem(problem_text(problem))
            item.setToolTip(problem_text(problem))
            item.setData(Qt.UserRole, problem.column)
            self.problems.addItem(item)
        if not t.problems:
            item = QListWidgetItem("No problems: every row and column looks fine.")
            item.setFlags(Qt.NoItemFlags)
            self.problems.addItem(item)
        self.problems.itemActivated.connect(self._on_problem_activated)
        problems_label.setBuddy(self.problems)
        problems_box.addWidget(problems_label)
        problems_box.addWidget(self.problems)
        bottom_layout.addLayout(problems_box, 3)

        options = QGroupBox("Options")
        form = QFormLayout(options)
        self.drop_missing = QRadioButton("&Drop rows with a missing value")
        self.drop_missing.setToolTip("Leave out every row where a chosen feature is missing")
        self.fill_missing = QRadioButton("Fill &missing features with the column mean")
        self.fill_missing.setToolTip("Keep those rows and put the column's mean in each empty feature cell "
                                     "(rows with a missing target are always left out)")
        self.drop_missing.setChecked(True)
        self.missing_group = QButtonGroup(self)
        self.missing_group.addButton(self.drop_missing)
        self.missing_group.addButton(self.fill_missing)
        form.addRow(self.drop_missing)
        form.addRow(self.fill_missing)
        self.standardize = QCheckBox("&Standardize features")
        self.standardize.setChecked(True)
        self.standardize.setToolTip(STANDARDIZE_HELP)
        standardize_help = QLabel(STANDARDIZE_LINE)
        standardize_help.setToolTip(STANDARDIZE_HELP)
        standardize_help.setWordWrap(True)
        standardize_help.setMinimumHeight(2 * standardize_help.fontMetrics().lineSpacing() + 4)
        standardize_help.setStyleSheet("QLabel { color: palette(mid); }")
        form.addRow(self.standardize)
        form.addRow(standardize_help)
        self.test_fraction = QDoubleSpinBox()
        self.test_fraction.setObjectName("csv-test-fraction")
        self.test_fraction.setRange(0.0, 0.9)
        self.test_fraction.setDecimals(2)
        self.test_fraction.setSingleStep(0.05)
        self.test_fraction.setValue(0.2)
        self.test_fraction.setSpecialValueText("0 (no test set)")
        self.test_fraction.setToolTip("The share of rows kept aside to test the trained network on data it "
                                      "never saw; 0 trains on every row")
        fraction_label = QLabel("T&est fraction")
        fraction_label.setBuddy(self.test_fraction)
        form.addRow(fraction_label, self.test_fraction)
        self.split_seed = QSpinBox()
        self.split_seed.setObjectName("csv-split-seed")
        self.split_seed.setRange(0, 2**31 - 1)
        self.split_seed.setValue(0)
        self.split_seed.setToolTip("Which rows go to the test set: the same seed always picks the same rows")
        seed_label = QLabel("Spl&it seed")
        seed_label.setBuddy(self.split_seed)
        form.addRow(seed_label, self.split_seed)
        bottom_layout.addWidget(options, 2)

        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("csv-summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary_label.setToolTip("What the network would learn from, updated as you choose")
        layout.addWidget(self.summary_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("csv-error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel { color: #8a1c1c; font-weight: 600; }")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        ok = self.buttons.button(QDialogButtonBox.Ok)
        ok.setText("&Use this data")
        ok.setToolTip("Load the chosen columns into the Network lab (Enter)")
        ok.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.Cancel)
        cancel.setToolTip("Close without changing the data the lab has (Esc)")
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for widget in (self.drop_missing, self.standardize):
            widget.toggled.connect(self._request_summary)
        self.test_fraction.valueChanged.connect(self._request_summary)
        self.split_seed.valueChanged.connect(self._request_summary)
        self.table_view.resizeColumnsToContents()   # at most PREVIEW_ROWS rows: cheap
        if t.rows and t.columns:
            self.table_view.setCurrentIndex(self.model.index(0, 0))

    # ------------------------------------------------------------------ roles
    def current_column(self) -> str | None:
        index = self.table_view.currentIndex()
        if index.isValid():
            return self.table.columns[index.column()]
        column = self.table_view.horizontalHeader().logicalIndexAt(0)
        return self.table.columns[column] if self.table.columns and column >= 0 else None

    def select_column(self, name: str) -> None:
        column = self.table.columns.index(name)
        row = max(self.table_view.currentIndex().row(), 0)
        self.table_view.setCurrentIndex(self.model.index(row, column))
        self.table_view.scrollTo(self.model.index(row, column))

    def toggle_current_feature(self) -> None:
        name = self.current_column()
        if name is not None:
            self.toggle_feature(name)

    def set_current_target(self) -> None:
        name = self.current_column()
        if name is not None:
            self.set_target(name)

    def toggle_feature(self, name: str) -> bool:
        """Add `name` to the features, or take it out; False (and the reason shown) when refused."""
        if name in self.features:
            self.features.remove(name)
            self._say(f"{name!r} is no longer a feature.", problem=False)
            self._update_roles()
            return True
        why = self.table.feature_problem(name)
        if why:
            self._say(f"Can't use {name!r} as a feature: {why}.")
            return False
        if len(self.features) >= MAX_FEATURES:
            self._say(f"At most {MAX_FEATURES} features: the Network lab plots 1 or 2 inputs. Press F on "
                      f"{self.features[0]!r} or {self.features[1]!r} to take it out first.")
            return False
        note = ""
        if name == self.target:
            self.target = None
            note = " (it was the target; choose another with T)"
        self.features.append(name)
        self._say(f"{name!r} is feature {len(self.features)}{note}.", problem=bool(note))
        self._update_roles()
        return True

    def set_target(self, name: str) -> bool:
        """Make `name` the target (again on the target: no target); False when refused."""
        if name == self.target:
            self.target = None
            self._say(f"{name!r} is no longer the target.", problem=False)
            self._update_roles()
            return True
        why = self.table.target_problem(name)
        if why:
            self._say(f"Can't use {name!r} as the target: {why}.")
            return False
        note = ""
        if name in self.features:
            self.features.remove(name)
            note = " (it was a feature)"
        self.target = name
        self._say(f"{name!r} is the target{note}.", problem=bool(note))
        self._update_roles()
        return True

    def roles(self) -> dict[str, str]:
        roles = {name: f"feature {i + 1}" for i, name in enumerate(self.features)}
        if self.target:
            roles[self.target] = "target"
        return roles

    def _say(self, text: str, problem: bool = True) -> None:
        self.feedback_label.setText(text)
        self.feedback_label.setStyleSheet("QLabel { color: %s; }" % ("#8a1c1c" if problem else "palette(text)"))

    def _update_roles(self) -> None:
        self.model.set_roles(self.roles())
        features = ", ".join(repr(f) for f in self.features) or "none yet (F)"
        self.roles_label.setText(f"Features: {features}.   Target: "
                                 f"{repr(self.target) if self.target else 'none yet (T)'}.")
        self._on_current_column()
        self._request_summary()

    def _on_current_column(self, *_args) -> None:
        name = self.current_column()
        if name is None:
            self.column_label.setText("")
            return
        self.column_label.setText(self.model.description(name))
        self.feature_button.setText("Not a &feature (F)" if name in self.features else "Use as &feature (F)")
        self.feature_button.setEnabled(name in self.features or not self.table.feature_problem(name))
        self.feature_button.setToolTip(self.table.feature_problem(name) or
                                       "Add the current column to the features, or take it out (F)")
        self.target_button.setText("Not the &target (T)" if name == self.target else "Use as &target (T)")

    def _on_problem_activated(self, item: QListWidgetItem) -> None:
        column = item.data(Qt.UserRole)
        if column in self.table.columns:
            self.select_column(column)
            self.table_view.setFocus(Qt.OtherFocusReason)

    # ------------------------------------------------------------------ options and summary
    def options(self) -> dict:
        return {"features": list(self.features), "target": self.target,
                "missing": "drop" if self.drop_missing.isChecked() else "fill",
                "standardize": self.standardize.isChecked()}

    def _key(self) -> tuple:
        o = self.options()
        return (tuple(o["features"]), o["target"], o["missing"], o["standardize"])

    def _request_summary(self, *_args) -> None:
        self.error_label.hide()
        if not self.features or not self.target:
            missing = []
            if not self.features:
                missing.append("1 or 2 feature columns (F)")
            if not self.target:
                missing.append("a target column (T)")
            self._show_summary("Choose " + " and ".join(missing) + ".")
            return
        key = self._key()
        if self._preview is not None and self._preview[0] == key:
            self._on_summary(self._preview)
            return
        table, options = self.table, self.options()

        def build():
            try:
                return key, table.to_dataset(**options), ""
            except core.DataError as exc:
                return key, None, str(exc)
        self._show_summary("Working out the data set …")
        self._summary_worker.submit(build)

    def _on_summary(self, result) -> None:
        key, tab, error = result
        self._preview = result
        if key != self._key():
            return
        if error:
            self._show_summary(f"This choice can't make a data set: {error}.", error=True)
        else:
            self._show_summary(summary_text(tab, self.test_fraction.value(), self.split_seed.value()))

    def _show_summary(self, text: str, error: bool = False) -> None:
        self.summary_label.setText(text)
        self.summary_label.setStyleSheet("QLabel { color: #8a1c1c; }" if error else "")

    def summary(self) -> str:
        return self.summary_label.text()

    # ------------------------------------------------------------------ OK
    def build_choice(self) -> ImportChoice:
        """The data set for the current choice; `core.DataError` (a sentence) when it can't be made."""
        if not self.features:
            raise core.DataError("choose 1 or 2 feature columns first (F on a column)")
        if not self.target:
            raise core.DataError("choose the target column first (T on a column)")
        key = self._key()
        if self._preview is not None and self._preview[0] == key and self._preview[1] is not None:
            tab = self._preview[1]
        else:
            tab = self.table.to_dataset(**self.options())
        fraction = float(self.test_fraction.value())
        return ImportChoice(tab, self.file_name, fraction, int(self.split_seed.value()), self.path)

    def accept(self) -> None:
        """Enter / OK: build the data set; on a DataError say why and stay open (nothing is lost)."""
        try:
            choice = self.build_choice()
            if self.apply is not None:
                self.apply(choice)
        except ValueError as exc:   # core.DataError is a ValueError
            self.error_label.setText(f"Can't use this choice: {str(exc).rstrip('.')}.")
            self.error_label.show()
            return
        self.error_label.hide()
        self.choice = choice
        self.chosen.emit(choice)
        super().accept()
