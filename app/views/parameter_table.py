"""The parameter table: every parameter with its value and dJ/dθ two ways — by backpropagation and by
central finite differences — their relative error and whether they agree (a gradient check).

* Values and backprop gradients are the shown snapshot's; the finite differences, a pass per
  parameter, run off the GUI thread in a LatestOnlyWorker for that snapshot and, while training, at
  most every FD_INTERVAL_S, or less often for a check so long that it would take more than
  FD_CPU_SHARE of a core (on two cores, the 16x3 network's checks twice a second took a quarter of
  one while every picture wanted it). A check of another step is never shown beside this step's
  backprop: its cells say "…" and the summary names the step it was made at.
* Sortable: click a header, or choose the column in "Sort by" (Tab reaches it) and flip the order.
* Selecting a row selects that parameter everywhere, and selecting one elsewhere selects its row.
* Enter (or double-click) on a row edits the value, through the same parser as the diagram.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import (QAbstractTableModel, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QStyledItemDelegate, QTableView, QVBoxLayout, QWidget)

import core
from core.naming import to_unicode

from .. import process_jobs
from ..format import fmt
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .caption import FrameCaption
from .throttle import Throttle
from .value_editor import commit_value, editable_text

NAME, VALUE, BACKPROP, FINITE, RELATIVE, AGREES = range(6)
HEADERS = ("Parameter", "Value", "∂J/∂θ\nbackprop", "∂J/∂θ\nfinite diff.", "Relative\nerror", "Agree")
SORT_TITLES = ("parameter (network order)", "value", "∂J/∂θ by backprop", "∂J/∂θ by finite differences",
               "relative error", "agrees (✗ first)", "|∂J/∂θ|: the cost's sensitivity")
BY_MAGNITUDE = len(SORT_TITLES) - 1   # the Sort-by entry that orders the backprop column by size
DIGITS = 4
HEADER_TIPS = (
    "The parameter's name: w with subscripts layer, from, to for a weight (w₂,₁,₃), b with layer, "
    "neuron for a bias (b₂,₃); a layer with one weight or one neuron drops them (w₁, b₁)",
    "Its current value (Enter or double-click to type a new one)",
    "The gradient by backpropagation, over the whole training batch (updates at once)",
    "The gradient by central finite differences, (J(θ+ε) − J(θ−ε)) / 2ε, computed in the background",
    "|backprop − finite difference| / max(|backprop|, |finite difference|)",
    "✓ when the two agree within the check's tolerance, ✗ when they do not",
)
SORT_ROLE = Qt.UserRole
ABS_ROLE = Qt.UserRole + 1
PLAIN_NAME_ROLE = Qt.UserRole + 2   # the parameter's identifier (w2.1.3), for code; the view shows w₂,₁,₃
FD_INTERVAL_S = 0.5   # while training, a new finite-difference check at most this often
FD_CPU_SHARE = 0.1    # ... and no more often than keeps the checks to this share of a core
VALUES_INTERVAL_S = 0.1  # while training, values and backprop at most ~10 times a second (~4 past 200 rows)
GOOD = QColor("#2f7d32")
BAD = QColor("#c62828")


@dataclass(frozen=True)
class CheckRequest:
    """A gradient check of one snapshot."""

    snapshot: core.Snapshot
    in_process: bool = False   # compute here, not in the worker process (workers run synchronously)

    def compute(self):
        snap = self.snapshot
        return self, process_jobs.run(process_jobs.GRADIENT_CHECK, core.gradient_check, snap.network, snap.X, snap.y,
                                      in_process=self.in_process)   # app/process_jobs.py says why


class ParameterTableModel(QAbstractTableModel):
    """Rows: the network's parameters in canonical order. Reads numbers from the session model."""

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self._model = model
        self.names: list[str] = []
        self.values = np.zeros(0)
        self.backprop = np.zeros(0)
        self.check = None          # the newest core.GradientCheck for these names
        self.check_key = None      # the key of the snapshot it was made for
        self.check_step = 0
        self.reload()

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        """New parameter names (a structural change): rows replaced, the old check dropped."""
        self.beginResetModel()
        self.names = self._model.parameter_names()
        self.check = None
        self.check_key = None
        self._read_values()
        self.endResetModel()

    def _read_values(self) -> None:
        net, model = self._model.network, self._model
        self.values = net.parameter_vector()
        self.backprop = model.gradient_vector()

    def update_values(self) -> None:
        """Values and backprop gradients as of now (cheap: one backward pass)."""
        if self._model.parameter_names() != self.names:
            self.reload()
            return
        self._read_values()
        if self.names:
            self.dataChanged.emit(self.index(0, VALUE), self.index(len(self.names) - 1, BACKPROP))

    def set_check(self, check, key: tuple, step: int) -> None:
        if [row.name for row in check.rows] != self.names:
            return  # made for another shape: stale
        self.check, self.check_key, self.check_step = check, key, step
        if self.names:
            self.dataChanged.emit(self.index(0, FINITE), self.index(len(self.names) - 1, AGREES))

    @property
    def check_is_current(self) -> bool:
        """The check was made for the shown snapshot: its numbers may stand beside its backprop."""
        return self.check_key is not None and self.check_key == self._model.snapshot.key

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return HEADERS[section]
        if role == Qt.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def flags(self, index):
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        return base | Qt.ItemIsEditable if index.column() == VALUE else base

    def number(self, row: int, column: int) -> float:
        """The number a cell shows (NaN while the finite differences are not in yet)."""
        if column == NAME:
            return float(row)
        if column == VALUE:
            return float(self.values[row])
        if column == BACKPROP:
            return float(self.backprop[row])
        if self.check is None or not self.check_is_current:
            return math.nan   # another step's numbers never stand beside this step's backprop
        check_row = self.check.rows[row]
        if column == FINITE:
            return check_row.finite_difference
        if column == RELATIVE:
            return check_row.relative_error
        return 1.0 if check_row.agrees else 0.0

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.DisplayRole:
            if column == NAME:
                return to_unicode(self.names[row])
            value = self.number(row, column)
            if math.isnan(value):
                return "…"
            if column == AGREES:
                return "✓" if value else "✗"
            if column == RELATIVE:
                return f"{value:.1e}" if value else "0"
            return fmt(value, DIGITS)
        if role == PLAIN_NAME_ROLE and column == NAME:
            return self.names[row]
        if role == Qt.EditRole and column == VALUE:
            return editable_text(float(self.values[row]))
        if role in (SORT_ROLE, ABS_ROLE):
            value = self.number(row, column)
            if role == ABS_ROLE and column != NAME:
                value = abs(value)
            return math.inf if math.isnan(value) else value
        if role == Qt.TextAlignmentRole:
            if column == AGREES:
                return int(Qt.AlignCenter)
            return int(Qt.AlignRight | Qt.AlignVCenter) if column != NAME else int(Qt.AlignLeft | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and column == AGREES and self.check is not None and self.check_is_current:
            return QBrush(GOOD if self.check.rows[row].agrees else BAD)
        if role == Qt.ToolTipRole:
            return self._tooltip(row)
        return None

    def _tooltip(self, row: int) -> str:
        name = to_unicode(self.names[row])
        text = (f"{name} = {fmt(self.values[row], 6)}\n"
                f"∂J/∂{name} by backprop: {fmt(self.backprop[row], 6)}")
        if self.check is not None and self.check_is_current:
            r = self.check.rows[row]
            text += (f"\nby finite differences (ε = {self.check.eps:g}): {fmt(r.finite_difference, 6)}"
                     f"\nrelative error {r.relative_error:.2e}: {'agree' if r.agrees else 'DISAGREE'}")
            if r.at_kink:
                text += "\n(the L1 penalty's kink lies within ±ε of this weight: the difference straddles it)"
        return text + "\nEnter or double-click: type a new value"

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802
        if role != Qt.EditRole or index.column() != VALUE:
            return False
        return commit_value(self._model, self.names[index.row()], str(value))


class _ValueDelegate(QStyledItemDelegate):
    """A plain line edit for the value; what it commits goes through commit_value (model.setData)."""

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QLineEdit(parent)
        editor.setObjectName("parameter-table-editor")
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setText(index.data(Qt.EditRole))
        editor.selectAll()

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.text(), Qt.EditRole)


class ParameterTableView(QTableView):
    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.state() != QAbstractItemView.EditingState:
            current = self.currentIndex()
            if current.isValid():
                self.edit(current.siblingAtColumn(VALUE))
                return
        super().keyPressEvent(event)


class ParameterTablePanel(QWidget):
    """The gradient-check table, observing the session model."""

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.setObjectName("parameter-table")
        self.setAccessibleName("Parameters")
        self._model = model
        self.table_model = ParameterTableModel(model, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setDynamicSortFilter(True)

        self.summary = FrameCaption()
        self.summary.setObjectName("parameter-table-summary")
        self.sort_column = QComboBox()
        self.sort_column.setObjectName("parameter-table-sort")
        self.sort_column.setAccessibleName("Sort the parameters by")
        for title in SORT_TITLES:
            self.sort_column.addItem(title)
        self.sort_descending = QCheckBox("l&argest first")
        self.sort_descending.setObjectName("parameter-table-order")
        sort_label = QLabel("So&rt by")  # Alt+R: Alt+B is the Batch box of the controls
        sort_label.setBuddy(self.sort_column)

        self.view = ParameterTableView()
        self.view.setObjectName("parameter-table-view")
        self.view.setModel(self.proxy)
        self.view.setItemDelegateForColumn(VALUE, _ValueDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        header.setMinimumSectionSize(36)
        for column in range(len(HEADERS)):  # numbers share the room; names and ticks take what they need
            # (sized once per shape: ResizeToContents would measure every row on every update)
            mode = QHeaderView.Interactive if column in (NAME, AGREES) else QHeaderView.Stretch
            header.setSectionResizeMode(column, mode)
        self._size_columns()
        self.view.sortByColumn(NAME, Qt.AscendingOrder)
        self.setFocusProxy(self.view)

        row = QHBoxLayout()
        row.addWidget(sort_label)
        row.addWidget(self.sort_column, 1)
        row.addWidget(self.sort_descending)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        self.hint = QLabel("Gradient check: each parameter θ is nudged by ±ε and the cost recomputed, "
                           "(J(θ+ε) − J(θ−ε)) / 2ε. When that agrees with backpropagation's ∂J/∂θ, "
                           "backpropagation is right. Enter or double-click a row to type a value.")
        self.hint.setObjectName("parameter-table-hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5b6478;")
        layout.addWidget(self.hint)

        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._on_check)
        self._worker.failed.connect(lambda text: self._model.set_message(f"Gradient check failed: {text}"))
        self._worker.busyChanged.connect(lambda _busy: self._update_summary())
        self._fd_throttle = Throttle(self._submit_check, FD_INTERVAL_S, self)
        self._sorting = False
        self._values_throttle = Throttle(self._update_values, VALUES_INTERVAL_S, self)
        self._stale = False   # parameters changed while the panel was hidden (a background tab)
        self._started = False

        header.sortIndicatorChanged.connect(self._on_header_sort)
        self.sort_column.currentIndexChanged.connect(self._on_sort_controls)
        self.sort_descending.toggled.connect(self._on_sort_controls)
        self.view.selectionModel().currentRowChanged.connect(self._on_row)
        model.parametersChanged.connect(self._on_parameters)
        model.structureChanged.connect(self._on_structure)
        model.datasetChanged.connect(self._on_parameters)
        model.selectionChanged.connect(self._show_selected)
        self._show_selected(model.selected)
        self._update_summary()
        if LatestOnlyWorker.synchronous_default:
            self.start()  # tests: everything at once

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """The first check waits for the window's first paint, so start-up stays light."""
        if not self._started:
            self._started = True
            self._submit_check()

    def is_settled(self) -> bool:
        return not self._started or (not self._worker.busy and not self._fd_throttle.pending
                                     and not self._values_throttle.pending)

    # ------------------------------------------------------------------ updates
    def _size_columns(self) -> None:
        self.view.resizeColumnToContents(NAME)
        self.view.horizontalHeader().resizeSection(AGREES, self.view.horizontalHeader().sectionSizeHint(AGREES))

    def _on_structure(self) -> None:
        self.table_model.reload()
        self._size_columns()
        self._show_selected(self._model.selected)
        self._request_check()
        self._update_summary()

    def _on_parameters(self) -> None:
        if not self.isVisible():
            self._stale = True  # a hidden tab costs nothing; it catches up when shown
            return
        # re-sorting a thousand rows 30 times a second would slow training down: throttle
        self._values_throttle.interval = (VALUES_INTERVAL_S if len(self.table_model.names) <= 200
                                          else 2.5 * VALUES_INTERVAL_S)
        self._values_throttle.request(immediate=not self._model.running)

    def _update_values(self) -> None:
        self._stale = False
        self.table_model.update_values()
        self._request_check()
        self._update_summary()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._update_values()

    def _request_check(self) -> None:
        if not self._started or not self.isVisible():
            self._stale = self._stale or self._started
            return
        self._fd_throttle.request(immediate=not self._model.running)

    def _submit_check(self) -> None:
        snapshot = self._model.snapshot
        if self.table_model.check_key != snapshot.key:
            self._worker.submit(CheckRequest(snapshot, in_process=self._worker.synchronous).compute)

    def _on_check(self, result) -> None:
        request, check = result
        self._fd_throttle.interval = max(FD_INTERVAL_S, check.seconds / FD_CPU_SHARE)
        self.table_model.set_check(check, request.snapshot.key, request.snapshot.step)
        self._update_summary()

    def _update_summary(self) -> None:
        table = self.table_model
        count = len(table.names)
        text = f"{count} parameter{'s' if count != 1 else ''}. "
        check = table.check
        if check is None:
            text += "Finite differences: computing…" if self._started else "Finite differences: waiting…"
        else:
            bad = len(check.disagreeing)
            verdict = ("backprop and finite differences agree on every parameter ✓" if not bad else
                       f"{bad} parameter{'s' if bad != 1 else ''} disagree ✗ (sort by Agrees)")
            text += f"{verdict}; largest relative error {check.max_relative_error:.1e}"
            if not table.check_is_current:
                text += (f" (finite differences made at step {table.check_step}; refreshing for step "
                         f"{self._model.step_count}, so their cells wait)")
            text += "."
        self.summary.setText(text)

    # ------------------------------------------------------------------ selection both ways
    def _row_of(self, name: str) -> int:
        try:
            source_row = self.table_model.names.index(name)
        except ValueError:
            return -1
        return self.proxy.mapFromSource(self.table_model.index(source_row, NAME)).row()

    def _show_selected(self, name: str) -> None:
        row = self._row_of(name)
        if row < 0:
            return
        index = self.proxy.index(row, NAME)
        selection = self.view.selectionModel()
        if selection.currentIndex().row() == row and selection.isRowSelected(row):
            return
        selection.blockSignals(True)
        selection.setCurrentIndex(index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        selection.blockSignals(False)
        self.view.viewport().update()
        self.view.scrollTo(index)

    def _on_row(self, current, _previous) -> None:
        if not current.isValid():
            return
        source = self.proxy.mapToSource(current)
        name = self.table_model.names[source.row()]
        if name != self._model.selected:
            self._model.select(name)

    # ------------------------------------------------------------------ sorting
    def sort_by(self, column: int, descending: bool = False, magnitude: bool = False) -> None:
        """Sort the rows by `column` (by |value| when `magnitude`); the header and the box follow."""
        self._sorting = True
        try:
            self.proxy.setSortRole(ABS_ROLE if magnitude else SORT_ROLE)
            self.view.sortByColumn(column, Qt.DescendingOrder if descending else Qt.AscendingOrder)
            self.proxy.invalidate()
        finally:
            self._sorting = False
        self._sync_sort_controls(BY_MAGNITUDE if magnitude else column, descending)

    def _on_header_sort(self, column: int, order) -> None:
        if self._sorting:
            return
        if self.proxy.sortRole() != SORT_ROLE:  # a header click sorts by the signed numbers
            self.proxy.setSortRole(SORT_ROLE)
            self.proxy.invalidate()
        self._sync_sort_controls(column, order == Qt.DescendingOrder)

    def _sync_sort_controls(self, entry: int, descending: bool) -> None:
        for widget in (self.sort_column, self.sort_descending):
            widget.blockSignals(True)
        self.sort_column.setCurrentIndex(entry)
        self.sort_descending.setChecked(descending)
        for widget in (self.sort_column, self.sort_descending):
            widget.blockSignals(False)
        self._show_selected(self._model.selected)

    def _on_sort_controls(self, *_args) -> None:
        entry = self.sort_column.currentIndex()
        if entry == BY_MAGNITUDE:
            self.sort_by(BACKPROP, self.sort_descending.isChecked(), magnitude=True)
        else:
            self.sort_by(entry, self.sort_descending.isChecked())

    # ------------------------------------------------------------------ for tests and tools
    def column_values(self, column: int) -> list[float]:
        """The numbers of a column in the order shown."""
        return [self.proxy.index(row, column).data(SORT_ROLE) for row in range(self.proxy.rowCount())]

    def shown_names(self) -> list[str]:
        """The parameters' identifiers (plain names, as the model knows them) in the order shown."""
        return [self.proxy.index(row, NAME).data(PLAIN_NAME_ROLE) for row in range(self.proxy.rowCount())]

    def shown_texts(self) -> list[str]:
        """The Parameter column's text as the learner reads it (w₂,₁,₃), in the order shown."""
        return [self.proxy.index(row, NAME).data() for row in range(self.proxy.rowCount())]
