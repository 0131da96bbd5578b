"""The timeline bar under the Network lab's plots: the current run's cost over its steps as a
sparkline, a cursor at the shown step that the learner drags (or moves with the keys) to rewind,
and the runs (branches) a change made in the past has forked.

Everything the bar draws is cached in its slots (the model's snapshotChanged, timelineChanged,
historyReset and runningChanged); paintEvent reads only those caches, never a model method that
takes the engine's lock. While live, the curve comes with each snapshot (cheap); while rewound it
is the whole run's curve, fetched once per (problem revision, run, newest step).
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph.functions as fn
from PySide6.QtCore import QEvent, QPointF, QRectF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QToolTip,
                               QVBoxLayout, QWidget)

from ..format import fmt
from .plot_style import CURVE_COLOR, POINT_COLOR
from .throttle import Throttle

BAR_HEIGHT = 64
SIDE_WIDTH = 330
SPARKLINE_MIN_HEIGHT = 40
DRAG_INTERVAL = 0.016          # while dragging, goto at most once per frame (the release always goes)
SETTLE_MS = 1000               # after a release, the cursor stays put this long for the snapshot to come
ENVELOPE_PX = 3               # a long curve keeps its low and high per this many pixels
FUTURE_OPACITY = 0.32         # the curve after a rewound cursor
CURVE_INTERVAL_S = 0.1        # while training, the curve is redrawn at most ~10 times a second
LOG_SPAN = 100.0               # costs spanning more than two decades are drawn on a log scale
REWOUND_NOTE = "(a change branches from here)"
REWOUND_TEXT = f"rewound {REWOUND_NOTE}"
KEYS_HELP = ("Timeline. Left / Right: a step back / forward (Shift: 10 steps); Home: the start; "
             "End: live. Click or drag the curve to show a step; a change made there starts a new run.")

_BACKGROUND = QColor("#f7f9fc")
_BORDER = QColor("#d5dae3")
_FOCUS = QColor(CURVE_COLOR)
_TEXT = QColor("#5b6478")


def _faded(color: str, alpha: int) -> QColor:
    out = QColor(color)
    out.setAlpha(alpha)
    return out


class Sparkline(QWidget):
    """The cost curve of the current run, its step axis from 0 to the newest step, with the cursor.

    It only draws what the bar hands it (``set_curve``, ``set_cursor``) and reports the step under
    the mouse (``scrubbed``: step, and True on release)."""

    scrubbed = Signal(int, bool)

    MARGIN_X = 6.0       # room for the cursor's handle at both ends
    MARGIN_TOP = 8.0     # room for the handle above the curve
    MARGIN_BOTTOM = 3.0

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("timeline-sparkline")
        self.setAccessibleName("Cost over the run's steps")
        self.setMinimumHeight(SPARKLINE_MIN_HEIGHT)
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setFocusPolicy(Qt.NoFocus)     # the bar holds the focus and the keys
        self.setCursor(Qt.PointingHandCursor)
        self._steps = np.empty(0)
        self._costs = np.empty(0)
        self._norm = np.empty(0)            # costs mapped to 0 (lowest) .. 1 (highest), log or linear
        self._log = False
        self._curve_version = 0
        self._layer = None                  # (key, pixmap): the curve drawn per size, end and curve
        self._end = 0
        self._cursor = 0
        self._live = True
        self._focused = False
        self._dragging = False

    # ------------------------------------------------------------------ state from the bar
    def set_curve(self, steps, costs) -> None:
        steps = np.asarray(steps, dtype=np.float64)
        costs = np.asarray(costs, dtype=np.float64)
        keep = np.isfinite(costs) & np.isfinite(steps)
        steps, costs = steps[keep], costs[keep]
        self._steps, self._costs = steps, costs
        self._log = False
        if costs.size:
            positive = costs[costs > 0]
            hi = float(costs.max())
            if positive.size and hi / float(positive.min()) > LOG_SPAN:
                self._log = True
                values = np.log10(np.maximum(costs, positive.min()))
            else:
                values = costs
            lo, hi = float(values.min()), float(values.max())
            self._norm = (values - lo) / (hi - lo) if hi > lo else np.full(values.shape, 0.5)
        else:
            self._norm = np.empty(0)
        self._curve_version += 1
        self.update()

    def set_cursor(self, step: int, end: int, live: bool, focused: bool) -> None:
        state = (int(step), int(end), bool(live), bool(focused))
        if state != (self._cursor, self._end, self._live, self._focused):
            self._cursor, self._end, self._live, self._focused = state
            self.update()

    @property
    def log_scale(self) -> bool:
        """True when the cost is drawn on a log scale (it spans more than two decades)."""
        return self._log

    # ------------------------------------------------------------------ geometry
    def plot_rect(self) -> QRectF:
        return QRectF(self.MARGIN_X, self.MARGIN_TOP, max(1.0, self.width() - 2 * self.MARGIN_X),
                      max(1.0, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM))

    def curve_rect(self) -> QRectF:
        """Where the curve's lowest and highest costs go: clear of the frame and the handle."""
        return self.plot_rect().adjusted(0, 2, 0, -3)

    def x_of(self, step: int) -> float:
        """The x pixel (in this widget) of ``step``."""
        rect = self.plot_rect()
        if self._end <= 0:
            return rect.left()
        return rect.left() + rect.width() * min(max(step, 0), self._end) / self._end

    def step_at(self, x: float) -> int:
        """The step under the x pixel ``x`` (clamped to 0 .. the newest step)."""
        rect = self.plot_rect()
        fraction = min(max((x - rect.left()) / rect.width(), 0.0), 1.0)
        return int(round(fraction * self._end))

    def cost_at(self, step: int) -> tuple[int, float] | None:
        """(the nearest drawn step, its cost), or None when nothing is drawn."""
        steps = self._steps
        if not steps.size:
            return None
        i = int(np.searchsorted(steps, step))
        if i >= steps.size or (i > 0 and step - steps[i - 1] <= steps[i] - step):
            i -= 1
        return int(steps[i]), float(self._costs[i])

    def _norm_at(self, step: int) -> float | None:
        if not self._steps.size:
            return None
        return float(np.interp(step, self._steps, self._norm))

    def tooltip_text(self, x: float) -> str:
        step = self.step_at(x)
        found = self.cost_at(step)
        if found is None:
            return f"Step {step:,}: no cost recorded yet"
        at, cost = found
        sign = "=" if at == step else "≈"
        return f"Step {step:,} · J {sign} {fmt(cost, 4)}"

    # ------------------------------------------------------------------ drawing
    def _curve_points(self, rect: QRectF) -> QPolygonF:
        """The curve in pixels, at most about one point per ENVELOPE_PX / 2 pixels: where there are
        more points than that, each ENVELOPE_PX-wide column keeps its highest and lowest cost (in
        the order the curve passes them), so spikes stay and the antialiased line stays cheap."""
        end = max(self._end, 1)
        xs = rect.left() + rect.width() * np.clip(self._steps, 0, end) / end
        inner = self.curve_rect()
        ys = inner.top() + inner.height() * (1.0 - self._norm)
        columns = np.floor((xs - rect.left()) / ENVELOPE_PX).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
        if 2 * starts.size < xs.size:
            stops = np.r_[starts[1:], xs.size] - 1
            lows, highs = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
            falling = ys[stops] >= ys[starts]          # going down the screen: low y first
            first = np.where(falling, lows, highs)
            second = np.where(falling, highs, lows)
            xs = np.column_stack([xs[starts], xs[stops]]).ravel()
            ys = np.column_stack([first, second]).ravel()
        polygon = fn.create_qpolygonf(xs.size)   # filled in place: no Python object per point
        points = fn.ndarray_from_qpolygonf(polygon)
        points[:, 0], points[:, 1] = xs, ys
        return polygon

    def _curve_layer(self, rect: QRectF) -> QPixmap:
        """The curve and the fill under it, drawn once per curve, size and newest step."""
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, self._end, self._curve_version)
        if self._layer is not None and self._layer[0] == key:
            return self._layer[1]
        line = self._curve_points(rect)
        fill = QPolygonF(line)
        fill.append(QPointF(line.last().x(), rect.bottom()))
        fill.append(QPointF(line.first().x(), rect.bottom()))
        pixmap = QPixmap(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setPen(Qt.NoPen)      # the fill's edge is under the line: no antialiasing needed
        painter.setBrush(_faded(CURVE_COLOR, 40))
        painter.drawPolygon(fill)
        # a 1-pixel antialiased line has Qt's fast path (a 1.5-pixel one costs 15 times as much)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(QColor(CURVE_COLOR), 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawPolyline(line)
        painter.end()
        self._layer = (key, pixmap)
        return pixmap

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(_FOCUS if self._focused else _BORDER, 1.5 if self._focused else 1.0))
        painter.setBrush(_BACKGROUND)
        painter.drawRoundedRect(frame, 4, 4)
        rect = self.plot_rect()
        font = QFont(self.font())
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        painter.setFont(font)
        if self._steps.size >= 2:
            layer = self._curve_layer(rect)
            if self._live:
                painter.drawPixmap(0, 0, layer)
            else:
                cursor_x = self.x_of(self._cursor)
                painter.save()
                painter.setClipRect(QRectF(0, 0, cursor_x, self.height()))
                painter.drawPixmap(0, 0, layer)
                # the future a change would branch away from: faded
                painter.setClipRect(QRectF(cursor_x, 0, self.width() - cursor_x, self.height()))
                painter.setOpacity(FUTURE_OPACITY)
                painter.drawPixmap(0, 0, layer)
                painter.restore()
            if self._log:
                painter.setPen(_TEXT)
                painter.drawText(rect.adjusted(2, 0, -10, 0), Qt.AlignRight | Qt.AlignTop, "log J")
        else:
            painter.setPen(_TEXT)
            painter.drawText(rect, Qt.AlignCenter, "No steps yet: train (S, Space) to draw the cost here")
        self._draw_cursor(painter, rect)
        painter.end()

    def _draw_cursor(self, painter: QPainter, rect: QRectF) -> None:
        x = self.x_of(self._cursor)
        color = QColor(POINT_COLOR)
        painter.setPen(QPen(color, 1.5))
        painter.drawLine(QPointF(x, rect.top() - 1), QPointF(x, rect.bottom()))
        handle = QPainterPath()
        handle.moveTo(x - 5.5, 1.0)
        handle.lineTo(x + 5.5, 1.0)
        handle.lineTo(x, rect.top())
        handle.closeSubpath()
        painter.setPen(Qt.NoPen)
        painter.setBrush(color)
        painter.drawPath(handle)
        norm = self._norm_at(self._cursor) if self._steps.size >= 2 else None
        if norm is not None:
            inner = self.curve_rect()
            painter.setPen(QPen(QColor("white"), 1.2))
            painter.drawEllipse(QPointF(x, inner.top() + inner.height() * (1.0 - norm)), 3.2, 3.2)

    # ------------------------------------------------------------------ mouse
    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            QToolTip.showText(event.globalPos(), self.tooltip_text(event.pos().x()), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton:
            super().mousePressEvent(event)
            return
        self._dragging = True
        self.scrubbed.emit(self.step_at(event.position().x()), False)
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if not (self._dragging and event.buttons() & Qt.LeftButton):
            super().mouseMoveEvent(event)
            return
        self.scrubbed.emit(self.step_at(event.position().x()), False)
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() != Qt.LeftButton or not self._dragging:
            super().mouseReleaseEvent(event)
            return
        self._dragging = False
        self.scrubbed.emit(self.step_at(event.position().x()), True)
        event.accept()


class TimelineBar(QWidget):
    """Rewind and branch training: the sparkline with its cursor, a label saying which step of which
    run is shown, the runs to choose from and a button to forget one.

    Public: ``cursor_step``, ``label_text()``, ``step_at(x)`` / ``x_of(step)`` (sparkline pixels),
    ``sparkline``, ``branch_combo``, ``delete_button``, ``refresh()``."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self._model = model
        self.setObjectName("timeline-bar")
        self.setAccessibleName("Timeline")
        self.setToolTip(KEYS_HELP)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setFixedHeight(BAR_HEIGHT)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

        self.sparkline = Sparkline(self)
        self.sparkline.scrubbed.connect(self._on_scrub)
        self.label = QLabel()
        self.label.setObjectName("timeline-label")
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #1d2433;")
        # a fixed size: its text changes every frame, and a label whose size may change re-lays out
        # every parent up to the main window (all docks), every frame
        self.label.setFixedSize(SIDE_WIDTH, 2 * self.label.fontMetrics().lineSpacing() + 2)
        self.branch_combo = QComboBox()
        self.branch_combo.setObjectName("timeline-runs")
        self.branch_combo.setAccessibleName("Run shown")
        self.branch_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.branch_combo.setMinimumContentsLength(16)
        self.branch_combo.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.branch_combo.currentIndexChanged.connect(self._on_combo)
        self.delete_button = QToolButton()
        self.delete_button.setObjectName("timeline-delete-run")
        self.delete_button.setText("Delete run")
        self.delete_button.setAccessibleName("Delete run")
        self.delete_button.clicked.connect(self._on_delete)

        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(2)
        side.addWidget(self.label, 1)
        runs = QHBoxLayout()
        runs.setContentsMargins(0, 0, 0, 0)
        runs.setSpacing(4)
        runs.addWidget(self.branch_combo, 1)
        runs.addWidget(self.delete_button)
        side.addLayout(runs)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(SIDE_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(8)
        layout.addWidget(self.sparkline, 1)
        layout.addWidget(side_widget)

        # cached state: paintEvent and label_text read only these
        self._label_text = ""
        self._shown_step = 0          # the shown snapshot's step
        self._end = 0                 # the run's newest step
        self._curve_end = 0           # the newest step of the drawn curve (the sparkline's right edge)
        self._curve_due = 0.0         # while training: when the curve may be redrawn next
        self._live = True
        self._running = False
        self._branches: list[tuple[int, str, int]] = []
        self._branch_id = 0
        self._curve_key = None        # (revision, branch, newest step) of the cached curve
        self._drag_step: int | None = None    # the step under the mouse while dragging
        self._settle_step: int | None = None  # after a release, until its snapshot is shown
        self._pending_goto: int | None = None
        self._throttle = Throttle(self._send_goto, DRAG_INTERVAL, self)
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SETTLE_MS)
        self._settle_timer.timeout.connect(self._end_settle)

        model.snapshotChanged.connect(self._on_snapshot)
        model.timelineChanged.connect(self._on_timeline)
        model.historyReset.connect(self._on_history_reset)
        model.runningChanged.connect(self._on_running)
        self.refresh()

    # ------------------------------------------------------------------ public
    @property
    def cursor_step(self) -> int:
        """The step under the drawn cursor (the mouse's while dragging, else the shown step)."""
        if self._drag_step is not None:
            return self._drag_step
        if self._settle_step is not None:
            return self._settle_step
        return self._shown_step

    @property
    def end_step(self) -> int:
        """The newest step of the shown run: the sparkline's right edge."""
        return self._end

    def label_text(self) -> str:
        """What the label says (with plain spaces)."""
        return self._label_text

    def step_at(self, x: float) -> int:
        """The step for the x pixel ``x`` of ``sparkline``."""
        return self.sparkline.step_at(x)

    def x_of(self, step: int) -> float:
        """The x pixel of ``sparkline`` where ``step`` is drawn (the inverse of ``step_at``)."""
        return self.sparkline.x_of(step)

    def refresh(self) -> None:
        """Read everything from the model again (the signals do this piece by piece)."""
        model = self._model
        self._running = model.running
        self._shown_step = model.step_count
        self._on_timeline()

    # ------------------------------------------------------------------ model -> bar
    def _on_snapshot(self, snapshot) -> None:
        model = self._model
        self._shown_step = snapshot.step
        if self._settle_step is not None and snapshot.step == self._settle_step:
            self._end_settle()
        if snapshot.live and model.live and snapshot.branch == model.branch_id \
                and snapshot.revision == model.revision:
            self._end = snapshot.step
            self._live = True
            # while training the curve's shape changes little from one frame to the next, and redrawing
            # it was a third of the bar's time on the GUI thread: a few times a second is enough
            if not self._running or time.perf_counter() >= self._curve_due:
                self._curve_due = time.perf_counter() + CURVE_INTERVAL_S
                self._set_curve(snapshot.curve_steps, snapshot.curve_costs,
                                (snapshot.revision, snapshot.branch, snapshot.step))
        self._render()

    def _on_timeline(self) -> None:
        """Branches, the current branch or the cursor changed (a slot: it may take the lock)."""
        model = self._model
        snapshot = model.snapshot
        self._live = model.live
        branch = model.branch_id
        usable = snapshot.live and snapshot.branch == branch and snapshot.revision == model.revision
        if self._live and usable:
            self._end = snapshot.step
            self._set_curve(snapshot.curve_steps, snapshot.curve_costs,
                            (snapshot.revision, branch, snapshot.step))
        else:
            self._end = model.live_step
            key = (model.revision, branch, self._end)
            if key != self._curve_key:
                steps, costs = model.timeline_curve()
                self._set_curve(steps, costs, key)
        self._update_branches(model.branches(), branch)
        self._render()

    def _on_history_reset(self) -> None:
        self._drag_step = None
        self._end_settle()
        self._curve_key = None
        self.refresh()

    def _on_running(self, running: bool) -> None:
        self._running = running
        self._render()   # stopping also changes the timeline: _on_timeline draws the whole curve

    def _set_curve(self, steps, costs, key) -> None:
        self._curve_key, self._curve_end = key, self._end
        self.sparkline.set_curve(steps, costs)

    def _update_branches(self, branches, current: int) -> None:
        changed = branches != self._branches or current != self._branch_id
        self._branches, self._branch_id = list(branches), current
        if not changed and self.branch_combo.count() == len(branches):
            return
        combo = self.branch_combo
        with QSignalBlocker(combo):
            combo.clear()
            for index, (branch_id, label, newest) in enumerate(branches):
                combo.addItem(label, branch_id)
                combo.setItemData(index, f"{label}: {newest:,} steps", Qt.ToolTipRole)
            ids = [b[0] for b in branches]
            if current in ids:
                combo.setCurrentIndex(ids.index(current))
        several = len(branches) > 1
        combo.setEnabled(several)
        combo.setToolTip("The run shown; the others are drawn faintly in the plots" if several else
                         "One run so far: go back in the timeline and change something (step, run, η, "
                         "a value) to start another")
        self.delete_button.setEnabled(several)
        self.delete_button.setToolTip("Forget the shown run (its plots go with it)" if several else
                                      "The only run cannot be deleted; Reset starts it again")
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)

    # ------------------------------------------------------------------ drawing the state
    def _shows_live(self) -> bool:
        if self._drag_step is not None or self._settle_step is not None:
            return self.cursor_step >= self._end
        return self._live

    def _render(self) -> None:
        step, live = self.cursor_step, self._shows_live()
        parts = []
        if len(self._branches) > 1:
            parts.append(self._run_text())
        parts.append(f"Step {step:,} of {self._end:,}")
        parts.append(("live, training" if self._running else "live") if live else REWOUND_TEXT)
        text = " · ".join(parts)
        if text != self._label_text:
            self._label_text = text
            # the explanation wraps as one piece, never "(a change" / "branches from here)"
            self.label.setText(text.replace(REWOUND_NOTE, REWOUND_NOTE.replace(" ", "\u00a0")))
            self.setAccessibleDescription(text)
        self.sparkline.set_cursor(step, self._curve_end, live, self.hasFocus())

    def _run_text(self) -> str:
        ids = [b[0] for b in self._branches]
        count = len(ids)
        if self._branch_id not in ids:
            return f"{count} runs"
        position = ids.index(self._branch_id) + 1
        name = self._branches[position - 1][1].split(" (")[0]
        if name == f"Run {position}":
            return f"Run {position} of {count}"
        return f"{name} ({position} of {count})"      # after a deletion: "Run 3 (2 of 2)"

    # ------------------------------------------------------------------ bar -> model
    def _on_scrub(self, step: int, final: bool) -> None:
        if not self.hasFocus():
            self.setFocus(Qt.MouseFocusReason)
        self._pending_goto = step
        if final:
            self._drag_step = None
            self._settle_step = step
            self._settle_timer.start()
            self._throttle.request(immediate=True)
        else:
            self._drag_step = step
            self._throttle.request()
        self._render()

    def _send_goto(self) -> None:
        step, self._pending_goto = self._pending_goto, None
        if step is not None:
            self._model.goto(step)

    def _end_settle(self) -> None:
        self._settle_timer.stop()
        if self._settle_step is not None:
            self._settle_step = None
            self._render()

    def _on_combo(self, index: int) -> None:
        branch_id = self.branch_combo.itemData(index)
        if branch_id is not None and branch_id != self._model.branch_id:
            self._model.switch_branch(branch_id)

    def _on_delete(self) -> None:
        self._model.delete_branch()

    # ------------------------------------------------------------------ keys and focus
    def keyPressEvent(self, event) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeypadModifier
        if modifiers not in (Qt.NoModifier, Qt.ShiftModifier):
            super().keyPressEvent(event)
            return
        count = 10 if modifiers == Qt.ShiftModifier else 1
        model = self._model
        if key == Qt.Key_Left:
            action = lambda: model.step_back(count)   # noqa: E731
        elif key == Qt.Key_Right:
            action = lambda: model.step_forward(count)   # noqa: E731
        elif key == Qt.Key_Home and modifiers == Qt.NoModifier:
            action = model.to_start
        elif key == Qt.Key_End and modifiers == Qt.NoModifier:
            action = model.to_live
        else:
            super().keyPressEvent(event)
            return
        self._drag_step = None
        self._end_settle()
        action()
        event.accept()

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self._render()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self._render()
