"""Two live plots: the cost curve J against step (training and test), and the data with the network's
current prediction — a curve over one input, a decision-field image over two.

The data view is also where a learner edits the data with the mouse (see ``DataView``).
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QCheckBox

import core

from .. import process_jobs
from ..format import fmt
from ..model import SessionModel
from ..workers import LatestOnlyWorker
from .throttle import Throttle
from .boundary import (PALETTE, FieldRequest, FieldResult, class_color, class_color_name, regression_lut,
                       value_colors)
from .plot_style import CURVE_COLOR, POINT_COLOR, RUN_CURVE_COLORS, PlotPanel, clear_line, set_line_pen, steady_range
from .point_layers import MAX_DRAWN, VALUE_BANDS, PointLayer, thinned, value_bands

PREDICTION_SAMPLES = 300
TEST_COLOR = "#e8871e"
FAINT_CURVE_PEN = pg.mkPen((46, 111, 186, 70), width=1)   # 1 px: plot_style.set_line_pen says why
FIELD_FINE = 96
FIELD_COARSE = 24
FIELD_INTERVAL_MS = 100     # while training, the field is redrawn at most ~10 times a second
REMOVE_RADIUS_PX = 10       # a right-click removes the nearest point within this many pixels
EXTENT_MARGIN = 0.12        # room around the data, as a fraction of its span
REGRESSION_2D_DEFAULT = 0.5  # a clicked 2-D regression point's target when no neighbour exists

def _dot(color: str) -> str:
    return f'<span style="color:{color}">●</span>'


# ============================================================================ cost curve

class CostCurveView(PlotPanel):
    """Training cost (solid blue) and, when points are held out, test cost (dashed orange) per step,
    up to the shown step; the other branches of the timeline faint behind."""

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "cost-curve", "Cost curve", x_label="step", y_label="J", parent=parent)
        item = self.plot.getPlotItem()
        self.legend = item.addLegend(offset=(-8, 8), labelTextSize="8pt")
        self.traces = [item.plot([], [], pen=FAINT_CURVE_PEN)
                       for _ in range(max(core.timeline.MAX_BRANCHES, core.race.MAX_ENTRANTS))]
        self.curve = set_line_pen(item.plot([], [], name="training"), pg.mkPen(CURVE_COLOR, width=2))
        self.test_curve = item.plot([], [], pen=pg.mkPen(TEST_COLOR, width=2, style=Qt.DashLine))
        self.test_curve.setVisible(False)
        self._test_in_legend = False
        self._legend_names = []
        # a one-point PlotDataItem (not a ScatterPlotItem), so it follows the log scale too
        self.last = item.plot([], [], pen=None, symbol="o", symbolSize=9, symbolBrush=pg.mkBrush(POINT_COLOR),
                              symbolPen=pg.mkPen("w"))
        self.log_scale = QCheckBox("Logarithmic J axis")
        self.log_scale.setObjectName("cost-log-scale")
        self.log_scale.setToolTip("Plot J on a log scale: late, small improvements stay visible")
        self.log_scale.toggled.connect(self._on_log)
        self.layout().addWidget(self.log_scale)
        self.shown_snapshot = None
        self._x_max = self._y_range = None
        model.snapshotChanged.connect(self.refresh)
        model.historyReset.connect(self._forget_range)
        self.refresh()

    def _on_log(self, on: bool) -> None:
        self.plot.getPlotItem().setLogMode(y=on)
        self.plot.getPlotItem().enableAutoRange()
        self._forget_range()

    def _forget_range(self) -> None:
        self._x_max = self._y_range = None
        if self.shown_snapshot is self._model.snapshot:
            self.refresh()
        # else the model shows a new snapshot: its snapshotChanged redraws (once, not twice a point)

    def _show_test(self, show: bool) -> None:
        self.test_curve.setVisible(show)
        if show and not self._test_in_legend:
            self.legend.addItem(self.test_curve, "test")
        elif not show and self._test_in_legend:
            self.legend.removeItem(self.test_curve)
        self._test_in_legend = show

    def _draw_others(self, snap) -> None:
        """The other runs' cost curves: a race's in their colours and named, other branches faint."""
        for k, item in enumerate(self.traces):
            trace = snap.others[k] if k < len(snap.others) else None
            if trace is None:
                clear_line(item)
                continue
            pen = pg.mkPen(RUN_CURVE_COLORS[trace.branch % len(RUN_CURVE_COLORS)], width=1.5) \
                if snap.racing else FAINT_CURVE_PEN
            set_line_pen(item, pen).setData(trace.curve_steps, trace.curve_costs)
        colour = RUN_CURVE_COLORS[snap.branch % len(RUN_CURVE_COLORS)] if snap.racing else CURVE_COLOR
        set_line_pen(self.curve, pg.mkPen(colour, width=2))
        names = [(snap.branch, snap.label)] + [(t.branch, t.label) for t in snap.others] if snap.racing else []
        if names != self._legend_names:
            self._legend_names = names
            self.legend.clear()
            self._test_in_legend = False
            if names:
                items = {snap.branch: self.curve, **{t.branch: self.traces[k] for k, t in enumerate(snap.others)}}
                for branch, label in sorted(names):
                    self.legend.addItem(items[branch], label)
            else:
                self.legend.addItem(self.curve, "training")

    def refresh(self, *_args) -> None:
        model = self._model
        snap = self.shown_snapshot = model.snapshot
        self._draw_others(snap)
        steps, costs, tests = snap.curve_steps, snap.curve_costs, snap.curve_test_costs
        has_test = snap.test_cost is not None and bool(np.isfinite(tests).any())
        self.curve.setData(steps, costs)
        if has_test:
            self.test_curve.setData(steps, tests)
        else:
            clear_line(self.test_curve)
        self._show_test(has_test)
        if not len(steps):
            self.caption.setText("No steps yet.")
            return
        self.last.setData([steps[-1]], [costs[-1]])
        item = self.plot.getPlotItem()
        if self.log_scale.isChecked():
            item.enableAutoRange()
        else:
            # ranges that change only when the curve leaves them (each change redraws the axes):
            # the steps in doublings from 10, J from 0 to a rounded top
            top = max(float(np.nanmax(costs)), float(np.nanmax(tests)) if has_test else 0.0, 1e-9)
            longest = max([int(steps[-1])] + [int(t.xData[-1]) for t in self.traces
                                               if t.xData is not None and len(t.xData)])
            x_max = 10.0
            while x_max < longest:
                x_max *= 2
            y_range = steady_range(self._y_range, 0.0, top, pad=0.05)
            y_range = (0.0, y_range[1])
            if (x_max, y_range) != (self._x_max, self._y_range):
                self._x_max, self._y_range = x_max, y_range
                item.setRange(xRange=(0, x_max), yRange=y_range, padding=0)
        first = costs[0]
        change = "" if len(steps) < 2 or first == 0 else \
            f" ({100 * (costs[-1] - first) / first:+.1f}% since step {steps[0]})"
        where = "" if snap.live else f" (rewound: the run goes on to step {model.live_step})"
        parts = [f"Step {snap.step}{where}, epoch {fmt(snap.epoch, 3)}: training J = {fmt(costs[-1])}{change}"]
        if has_test:
            parts.append(f"test J = {fmt(tests[-1])} (dashed, {len(model.test_indices)} held-out points "
                         "never trained on)")
        if snap.train_accuracy is not None:
            accuracy = f"accuracy {100 * snap.train_accuracy:.0f}% training"
            if snap.test_accuracy is not None:
                accuracy += f", {100 * snap.test_accuracy:.0f}% test"
            parts.append(accuracy)
        thinned = " Long runs are drawn with every k-th step." if len(steps) < snap.step + 1 else ""
        others = "" if not snap.others else (" One curve per optimizer of the race." if snap.racing
                                             else " Faint: the other runs of the timeline.")
        self.caption.setText("; ".join(parts) + "." + thinned + others)

    @property
    def has_test_curve(self) -> bool:
        return self.test_curve.isVisible()


# ============================================================================ data view

class DataView(PlotPanel):
    """The data and what the network makes of it.

    One input: points (x, y) with the prediction curve ŷ(x) (multiclass: one probability curve per
    class). Two inputs: points coloured by class (regression: by value) over the decision field, the
    network's class at every spot of the plane, paler where it is unsure. Training points are
    filled, test points hollow. The ring marks the sample the chain-rule panel uses.

    Mouse: click adds a point (class 0; Shift+click class 1; Ctrl+click class 2; Ctrl+Shift+click
    class 3). For one input and regression the point goes where you click (its y is the target); for
    two inputs and regression it takes the target of its nearest neighbour (0.5 in an empty plot).
    Right-click, or Alt+click, removes the point nearest the cursor (within a few pixels).
    """

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "data-view", "Data and prediction", x_label="x", y_label="y, ŷ", parent=parent)
        item = self.plot.getPlotItem()
        self.viewbox = item.getViewBox()
        self.field = pg.ImageItem()
        self.field.setZValue(-20)
        item.addItem(self.field)
        # ŷ = 0.5, computed with the field in its worker (contourpy), drawn as one dashed line
        self.boundary = pg.PlotDataItem(pen=pg.mkPen("#1d2433", width=1.5, style=Qt.DashLine), connect="finite")
        self.boundary.setZValue(self.field.zValue() + 1)
        self.plot.getPlotItem().addItem(self.boundary)
        self.curves = [set_line_pen(item.plot([], []), pg.mkPen(CURVE_COLOR, width=2.5)) for _ in PALETTE]
        self.prediction = self.curves[0]
        self.threshold = pg.InfiniteLine(angle=0, pos=0.5, pen=pg.mkPen("#9aa3b5", style=Qt.DotLine))
        item.addItem(self.threshold)
        # points: one scatter item per class (a single brush each), thinned beyond MAX_DRAWN
        self.train_points = PointLayer(item, size=8, z=1)
        self.test_points = PointLayer(item, size=9, z=1)
        self.chosen = pg.ScatterPlotItem(size=18, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen(POINT_COLOR, width=2.5))
        self._ring = ()   # ([x], [y]) of the ring drawn around the chain-rule panel's sample
        # the keyboard's stand-in for the mouse: arrows move it, Enter adds, Backspace removes
        self.cursor = pg.ScatterPlotItem(size=20, symbol="+", pen=pg.mkPen(POINT_COLOR, width=2))
        self.cursor.setVisible(False)
        for extra in (self.chosen, self.cursor):
            extra.setZValue(2)
            item.addItem(extra)
        self.plot.setToolTip("Click: add a point of class 0 (Shift: class 1, Ctrl: class 2, Ctrl+Shift: "
                             "class 3). Right-click or Alt+click: remove the nearest point.\n"
                             "Keyboard: arrows move a cross, Enter adds there (with the same modifiers), "
                             "Backspace removes the nearest point.")

        regression_lut()  # loaded now, not in the middle of a frame: the points' colours use it here
        self._worker = LatestOnlyWorker(self, keep_up=True)
        self._worker.finished.connect(self._show_field)
        self._worker.failed.connect(lambda text: model.set_message(f"Decision field failed: {text}"))
        self._throttle = Throttle(self._request_field, FIELD_INTERVAL_MS / 1000, self)
        self._requested_key = None
        self.field_result: FieldResult | None = None
        self._extent_key = None
        self._plotted = np.empty((0, 2))   # every dataset row where it is drawn (for right-click)
        self._drawn_rows = np.empty(0, dtype=np.int64)
        self._drawn_data = None   # the dataset whose points are drawn
        self._axis_labels = None
        self._refreshed = None   # what the last refresh drew: one edit emits several signals

        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.viewbox.sigRangeChanged.connect(lambda *_: self._schedule_field())
        model.datasetChanged.connect(self._on_dataset)
        model.structureChanged.connect(self._on_dataset)
        model.parametersChanged.connect(self.refresh)
        model.sampleChanged.connect(self._update_chosen)
        model.historyReset.connect(self.refresh)
        self._on_dataset()

    # ------------------------------------------------------------------ layout of the data
    @property
    def two_d(self) -> bool:
        return self._model.dataset.n_inputs == 2

    def _plot_y(self, data) -> np.ndarray:
        """Where each row is drawn vertically in the 1-D plot: its target (multiclass: at 1, the
        probability its own class's curve should reach)."""
        if data.task == "multiclass":
            return np.ones(len(data))
        return data.y[:, 0]

    def _point_groups(self, data, rows) -> tuple[np.ndarray, list[str]]:
        """Each row's drawing group and the groups' colours: a class each, or a band of the
        target's value for a 2-D regression, one colour for a 1-D regression."""
        if data.task == "regression":
            if self.two_d:
                bands = value_bands(data.y[rows, 0], self._levels)
                centres = self._levels[0] + (np.arange(VALUE_BANDS) + 0.5) / VALUE_BANDS * \
                    (self._levels[1] - self._levels[0])
                return bands, [pg.mkColor(*c) for c in value_colors(centres, self._levels)]
            return np.zeros(len(rows), dtype=np.int64), [class_color(0)]
        return np.asarray(data.labels[rows], dtype=np.int64), [class_color(c) for c in range(data.n_classes)]

    def drawn_rows(self) -> np.ndarray:
        """The dataset rows drawn now (all of them up to MAX_DRAWN per set; a thinned selection beyond)."""
        return self._drawn_rows

    def _fit_extent(self, data) -> None:
        """Set the view to the data (with a margin) when the data is new, or has grown past it."""
        X = data.X
        key = (data.name, data.seed, data.noise, data.size, data.n_inputs, data.title)
        x0, x1 = float(X[:, 0].min()), float(X[:, 0].max())
        if self.two_d:
            y0, y1 = float(X[:, 1].min()), float(X[:, 1].max())
        elif data.task == "regression":
            y0, y1 = float(data.y.min()), float(data.y.max())
        else:
            y0, y1 = 0.0, 1.0
        (vx0, vx1), (vy0, vy1) = self.viewbox.viewRange()
        inside = vx0 <= x0 and x1 <= vx1 and vy0 <= y0 and y1 <= vy1
        if key == self._extent_key and inside:
            return
        self._extent_key = key
        mx, my = EXTENT_MARGIN * ((x1 - x0) or 1.0), EXTENT_MARGIN * ((y1 - y0) or 1.0)
        self.viewbox.setAspectLocked(self.two_d, ratio=1.0)
        self.viewbox.setRange(xRange=(x0 - mx, x1 + mx), yRange=(y0 - my, y1 + my), padding=0)

    def _on_dataset(self, *_args) -> None:
        if self._update_points_in_place():
            self.refresh()
            return
        model, data = self._model, self._model.dataset
        item = self.plot.getPlotItem()
        features = data.feature_names
        if self.two_d:
            labels = (features[0], features[1])
        else:
            labels = (features[0], f"{data.target_name}, ŷ" if data.task == "regression" else
                      ("probability" if data.task == "multiclass" else f"class ({data.target_name}), ŷ"))
        if labels != self._axis_labels:   # an added point changes no label: no relayout per point
            self._axis_labels = labels
            item.setLabel("bottom", labels[0])
            item.setLabel("left", labels[1])
        self._levels = (float(data.y.min()), float(data.y.max())) if data.task == "regression" else (0.0, 1.0)
        if self._levels[1] <= self._levels[0]:
            self._levels = (self._levels[0] - 0.5, self._levels[0] + 0.5)
        if self.two_d:
            plotted = data.X[:, :2]
        else:
            plotted = np.column_stack([data.X[:, 0], self._plot_y(data)])
        self._plotted = plotted
        newest = len(data) - 1
        drawn = []
        for points, rows, hollow in ((self.train_points, model.train_indices, False),
                                     (self.test_points, model.test_indices, True)):
            rows = thinned(rows, MAX_DRAWN, newest)
            groups, colours = self._point_groups(data, rows)
            points.show(plotted[rows, 0], plotted[rows, 1], groups, colours, hollow)
            drawn.append(rows)
        self._drawn_rows = np.concatenate(drawn).astype(np.int64)
        self._drawn_data = data
        self.threshold.setVisible(not self.two_d and data.task == "classification")
        self._follow_extent(data)
        self.field.setVisible(self.two_d)
        if self.two_d and self.field_result is not None and \
                self.field_result.request.task != data.task:
            self.field_result = None
        self.refresh()

    def _follow_extent(self, data) -> None:
        """The view's range and the prediction curve's x grid, for the data now."""
        self._fit_extent(data)
        if not self.two_d:
            span = float(data.X[:, 0].max() - data.X[:, 0].min()) or 1.0
            self._grid = np.linspace(data.X[:, 0].min() - 0.3 * span, data.X[:, 0].max() + 0.3 * span,
                                     PREDICTION_SAMPLES)
        self._requested_key = None
        self._refreshed = None

    def _update_points_in_place(self) -> bool:
        """A point the learner added or removed, drawn or taken away alone: the other points' items
        stay as they are (redrawing every point cost most of a key press on big data). Only when
        the drawn data are the edit's ``before`` and nothing else about the points changes: no test
        split (a split is drawn anew: the rows are split again), the same colours (a 2-D regression's
        bands follow the target's range), and a thinned picture not grown past its bound."""
        model, data, edit = self._model, self._model.dataset, self._model.point_edit
        if edit is None or edit.data is not data or edit.before is not self._drawn_data:
            return False
        if len(model.test_indices) or len(self._plotted) != len(edit.before):
            return False
        levels = (float(data.y.min()), float(data.y.max())) if data.task == "regression" else (0.0, 1.0)
        if self.two_d and data.task == "regression" and levels != self._levels:
            return False
        if edit.kind == "add":
            row = len(data) - 1
            if len(self._drawn_rows) >= MAX_DRAWN + MAX_DRAWN // 10:
                return False   # thinned and grown: thin it anew
            point = data.X[row, :2] if self.two_d else np.array([data.X[row, 0], self._plot_y(data)[row]])
            groups, colours = self._point_groups(data, np.array([row]))
            self.train_points.add(float(point[0]), float(point[1]), int(groups[0]), colours[int(groups[0])], False)
            self._plotted = np.vstack([self._plotted, point[None, :]])
            self._drawn_rows = np.append(self._drawn_rows, row)
        else:
            row = edit.row
            drawn = self._drawn_rows == row
            if drawn.any():
                groups, _colours = self._point_groups(edit.before, np.array([row]))
                x, y = self._plotted[row]
                if not self.train_points.remove(float(x), float(y), int(groups[0])):
                    return False
            rows = self._drawn_rows[~drawn]
            self._drawn_rows = rows - (rows > row)
            self._plotted = np.delete(self._plotted, row, axis=0)
        self._drawn_data = data
        self._follow_extent(data)
        return True

    # ------------------------------------------------------------------ redraw
    def refresh(self, *_args) -> None:
        model, data = self._model, self._model.dataset
        if model.network.sizes[0] != data.n_inputs:
            return  # mid-change: the network follows the data in a moment
        drawn = (id(data), model.snapshot.key, model.network.parameter_vector().tobytes(),
                 model.sample, len(model.train_indices), model.running)
        if drawn == self._refreshed:
            return   # the data, parameters and split it drew are unchanged (another signal of one edit)
        self._refreshed = drawn
        if self.two_d:
            for curve in self.curves:
                clear_line(curve)
            self._schedule_field()
        else:
            outputs = core.prediction_curve(model.network, self._grid).values
            multi = data.task == "multiclass"
            for k, curve in enumerate(self.curves):
                if k < outputs.shape[1]:
                    curve.setData(self._grid, outputs[:, k])
                    set_line_pen(curve, pg.mkPen(class_color(k) if multi else CURVE_COLOR, width=2.5))
                else:
                    clear_line(curve)
        self._update_chosen()
        self._update_caption()
        self._show_field_lag()

    def _update_chosen(self, *_args) -> None:
        model = self._model
        if not len(model.train_indices) or len(self._plotted) != len(model.dataset):
            ring = ()   # no points, or new data whose points are drawn in a moment
        else:
            row = model.train_indices[min(model.sample, len(model.train_indices) - 1)]
            ring = ([float(self._plotted[row, 0])], [float(self._plotted[row, 1])])
        if ring != self._ring:   # set again, the ring would repaint the plot on every snapshot
            self._ring = ring
            self.chosen.setData(*(ring or ([], [])))

    def _update_caption(self) -> None:
        model, data = self._model, self._model.dataset
        n_train, n_test = len(model.train_indices), len(model.test_indices)
        counts = f"{n_train} training points (filled)"
        if n_test:
            counts += f", {n_test} test points (hollow)"
        if len(self._drawn_rows) < n_train + n_test:
            counts += f"; {len(self._drawn_rows):,} of them drawn, evenly spread through the rows"
        task = "regression (predict a number)" if data.task == "regression" else \
            f"classification, {data.n_classes} classes"
        lines = [f"<b>{html.escape(data.title)}</b>: {task}; {counts}."]
        if data.task != "regression":
            mapping = ", ".join(f"{_dot(class_color(i))} class {i}"
                                + ("" if name == str(i) else f" = {html.escape(name)}")
                                + f" ({class_color_name(i)})" for i, name in enumerate(data.classes))
            accuracy = f"Accuracy {100 * model.accuracy('train'):.0f}% training"
            if n_test:
                accuracy += f", {100 * model.accuracy('test'):.0f}% test"
            lines.append(f"{mapping}. {accuracy}.")
            if self.two_d:
                lines.append("Background: the predicted class, pale where the network is unsure"
                             + ("; dashed: ŷ = 0.5." if data.task == "classification" else "."))
            elif data.task == "classification":
                lines.append("Curve: ŷ, the probability of class 1 (≥ 0.5 predicts class 1).")
            else:
                lines.append("Curves: each class's predicted probability.")
        else:
            lines.append("Colour: the target and, behind, the network's prediction (viridis, "
                         f"{fmt(self._levels[0], 3)} to {fmt(self._levels[1], 3)})." if self.two_d else
                         "Curve: the prediction ŷ, which should follow the points.")
        if data.standardized:
            what = "Features and target are" if data.task == "regression" else "Features are"
            lines.append(f"{what} standardized: 0 is a column's mean, ±1 one standard deviation.")
        lines.append(f"Ring: sample {model.sample + 1} (chain-rule panel). "
                     + self._gesture_text(data) + "; right-click removes (keys: arrows, Enter, Backspace).")
        self.caption.setText("<br>".join(lines))

    def _gesture_text(self, data) -> str:
        if data.task == "regression":
            return "Click adds a point" + (" (its nearest neighbour's value)" if self.two_d else "")
        keys = ["Shift: 1", "Ctrl: 2", "Ctrl+Shift: 3"][:min(data.n_classes, 4) - 1]
        return f"Click adds class 0 ({', '.join(keys)})"

    # ------------------------------------------------------------------ decision field (2 inputs)
    def _schedule_field(self) -> None:
        if not self.two_d:
            return
        # training: at most one picture per FIELD_INTERVAL_MS
        self._throttle.request(immediate=not self._model.running)

    def _request_field(self) -> None:
        model = self._model
        if not self.two_d or model.network.sizes[0] != 2:
            return
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        xlim, ylim = (float(x0), float(x1)), (float(y0), float(y1))
        key = (model.network.parameter_vector().tobytes(), model.network.sizes, model.network.activations,
               xlim, ylim, model.dataset.task, self._levels)
        if key == self._requested_key:
            return
        self._requested_key = key
        net, snapshot_key = model.network, model.snapshot.key   # the snapshot's network: never changed
        task = model.dataset.task
        if self.field_result is None or self.field_result.request.task != task:
            self._show_field(FieldRequest(net, task, xlim, ylim, FIELD_COARSE, self._levels, snapshot_key).compute())
        self._worker.submit_to_lane(process_jobs.DATA_FIELD, FieldRequest.compute,
                                    FieldRequest(net, task, xlim, ylim, FIELD_FINE, self._levels, snapshot_key))

    def _show_field_lag(self) -> None:
        """The field may be a snapshot behind (it comes from a worker): say which step it shows."""
        shown = self.field_result.request.snapshot_key if self.field_result is not None else ()
        behind = self.two_d and bool(shown) and shown != self._model.snapshot.key
        self.show_lag(shown[2] if shown else None, behind)

    def _show_field(self, result: FieldResult) -> None:
        if not self.two_d or result.request.task != self._model.dataset.task:
            return
        request = result.request
        (x0, x1), (y0, y1) = request.xlim, request.ylim
        self.field.setImage(result.image, autoLevels=False, levels=(0, 255))
        self.field.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        if request.task == "classification":
            line = result.boundary
            if line is not None:
                self.boundary.setData(line.x, line.y, connect="finite")
            self.boundary.setVisible(line is not None)
        else:
            self.boundary.setVisible(False)
        self.field_result = result
        self._show_field_lag()

    def is_settled(self) -> bool:
        if not self.two_d:
            return True
        return (not self._worker.busy and not self._throttle.pending and self.field_result is not None
                and self.field_result.request.resolution == FIELD_FINE)

    # ------------------------------------------------------------------ mouse editing
    # ------------------------------------------------------------------ keyboard editing
    CURSOR_STEPS = 40   # an arrow key moves the cross by 1/40 of the visible range

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        arrows = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, 1), Qt.Key_Down: (0, -1)}
        if key in arrows and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.move_cursor(*arrows[key], fine=bool(event.modifiers() & Qt.ShiftModifier))
        elif key in (Qt.Key_Return, Qt.Key_Enter):
            self.add_at_cursor(self._class_for(event.modifiers()))
        elif key == Qt.Key_Backspace:
            self.remove_at_cursor()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def add_at_cursor(self, label: int = 0) -> None:
        """Enter: a point of class ``label`` where the keyboard cross is."""
        x, y = self.cursor_position()
        self.cursor.setVisible(True)
        self.add_at(x, y, label)

    def remove_at_cursor(self) -> bool:
        """Backspace: remove the point nearest the cross, or say there is none near it."""
        x, y = self.cursor_position()
        if not self.remove_at(x, y, radius_px=3 * REMOVE_RADIUS_PX, along_x=not self.two_d):
            self._model.set_message("No point near the cross to remove: move it onto one with the arrows.")
            return False
        return True

    def cursor_position(self) -> tuple[float, float]:
        """Where the keyboard cross is (the middle of the view until it is first moved)."""
        if self.cursor.isVisible() and len(self.cursor.getData()[0]):
            xs, ys = self.cursor.getData()
            return float(xs[0]), float(ys[0])
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        return (x0 + x1) / 2, (y0 + y1) / 2

    def move_cursor(self, dx: int, dy: int, fine: bool = False) -> None:
        """Move the cross by arrow steps. With one input and classes, its height means nothing
        (Enter's class comes from the modifiers), so it stays on the ŷ = 0.5 line."""
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        x, y = self.cursor_position()
        if not self.two_d and self._model.dataset.task != "regression":
            dy, y = 0, 0.5
        steps = self.CURSOR_STEPS * (4 if fine else 1)
        x = min(max(x + dx * (x1 - x0) / steps, x0), x1)
        y = min(max(y + dy * (y1 - y0) / steps, y0), y1)
        self.cursor.setData([x], [y])
        self.cursor.setVisible(True)

    def _class_for(self, modifiers) -> int:
        shift = bool(modifiers & Qt.ShiftModifier)
        ctrl = bool(modifiers & (Qt.ControlModifier | Qt.MetaModifier))
        return (2 if ctrl else 0) + (1 if shift else 0)

    def _on_click(self, event) -> None:
        if event.double():
            return
        scene_pos = event.scenePos()
        if not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return  # on an axis or the title
        point = self.viewbox.mapSceneToView(scene_pos)
        modifiers = event.modifiers()
        if event.button() == Qt.RightButton or (event.button() == Qt.LeftButton and modifiers & Qt.AltModifier):
            self.remove_at(point.x(), point.y())
            event.accept()
        elif event.button() == Qt.LeftButton:
            self.add_at(point.x(), point.y(), self._class_for(modifiers))
            event.accept()

    def add_at(self, x: float, y: float, label: int = 0) -> None:
        """Add the point a click at view coordinates (x, y) with class ``label`` means."""
        model, data = self._model, self._model.dataset
        if data.task == "regression":
            if self.two_d:
                near = core.nearest_point(data, [x, y])
                target = float(data.y[near, 0]) if near is not None else REGRESSION_2D_DEFAULT
            else:
                target = y
            model.add_point([x, y] if self.two_d else [x], target)
            return
        if label >= data.n_classes:
            model.set_message(f"This data has {data.n_classes} classes (0 to {data.n_classes - 1}): "
                              "click for class 0, Shift+click for class 1"
                              + (", Ctrl+click for class 2" if data.n_classes > 2 else "") + ".")
            return
        model.add_point([x, y] if self.two_d else [x], label)

    def remove_at(self, x: float, y: float, radius_px: float = REMOVE_RADIUS_PX, along_x: bool = False) -> bool:
        """Remove the point drawn nearest view coordinates (x, y), if within ``radius_px``
        (``along_x``: as ``point_near``)."""
        self._model.settle()   # a point still being added (big data) is drawn first: it may be the one
        index = self.point_near(x, y, radius_px, along_x)
        if index is None:
            return False
        self._model.remove_point(index)
        return True

    def point_near(self, x: float, y: float, radius_px: float = REMOVE_RADIUS_PX,
                   along_x: bool = False) -> int | None:
        """The dataset row of the drawn point nearest (x, y) within ``radius_px`` pixels, or None.
        ``along_x``: only the horizontal distance counts (the keyboard cross with one input marks
        an x; a point's height is its target or class, which the keys do not aim at); among points
        equally near in x the one nearest in y wins."""
        rows = self._drawn_rows
        if not len(rows) or len(self._plotted) != len(self._model.dataset):
            return None
        px, py = self.viewbox.viewPixelSize()
        plotted = self._plotted[rows]
        dx = (plotted[:, 0] - x) / (px or 1.0)
        dy = (plotted[:, 1] - y) / (py or 1.0)
        if along_x:
            k = int(np.lexsort((np.abs(dy), np.abs(dx)))[0])
            return int(rows[k]) if abs(dx[k]) <= radius_px else None
        distance = np.hypot(dx, dy)
        k = int(np.argmin(distance))
        return int(rows[k]) if distance[k] <= radius_px else None

    def view_to_widget(self, x: float, y: float):
        """The viewport pixel where view coordinates (x, y) are drawn (for tests and tours)."""
        scene = self.viewbox.mapViewToScene(QPointF(x, y))
        return self.plot.mapFromScene(scene)
