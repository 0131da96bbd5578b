"""Two live plots: the cost curve J against step, and the data with the network's current prediction."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

import core

from ..format import fmt
from ..model import SessionModel
from .plot_style import CLASS_COLORS, CURVE_COLOR, POINT_COLOR, PlotPanel

PREDICTION_SAMPLES = 300


class CostCurveView(PlotPanel):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "cost-curve", "Cost curve", x_label="step", y_label="J", parent=parent)
        self.curve = self.plot.getPlotItem().plot([], [], pen=pg.mkPen(CURVE_COLOR, width=2))
        self.last = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(POINT_COLOR), pen=pg.mkPen("w"))
        self.plot.getPlotItem().addItem(self.last)
        model.parametersChanged.connect(self.refresh)
        model.historyReset.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        history = self._model.history
        steps, costs = history.steps, history.costs
        self.curve.setData(steps, costs)
        if len(steps):
            self.last.setData([steps[-1]], [costs[-1]])
            if steps[-1] < 10:  # one point autoscales to nonsense: show the first steps to come
                self.plot.getPlotItem().setRange(xRange=(0, 10), yRange=(0, 1.1 * max(costs.max(), 1e-9)),
                                                 padding=0)
            else:
                self.plot.getPlotItem().enableAutoRange()
            first = costs[0]
            change = "" if len(steps) < 2 or first == 0 else \
                f", {100 * (costs[-1] - first) / first:+.1f}% since step {steps[0]}"
            self.caption.setText(f"Step {self._model.step_count}: J = {fmt(costs[-1])}{change}. "
                                 f"{len(steps)} points kept (older steps thinned on long runs).")


class DataView(PlotPanel):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(model, "data-view", "Data and prediction", x_label="x", y_label="y, ŷ", parent=parent)
        item = self.plot.getPlotItem()
        self.points = pg.ScatterPlotItem(size=8)
        self.chosen = pg.ScatterPlotItem(size=18, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen(POINT_COLOR, width=2.5))
        self.prediction = item.plot([], [], pen=pg.mkPen(CURVE_COLOR, width=2.5))
        self.threshold = pg.InfiniteLine(angle=0, pos=0.5, pen=pg.mkPen("#9aa3b5", style=Qt.DotLine))
        item.addItem(self.points)
        item.addItem(self.chosen)
        item.addItem(self.threshold)
        model.datasetChanged.connect(self._on_dataset)
        model.parametersChanged.connect(self.refresh)
        model.sampleChanged.connect(self.refresh)
        self._on_dataset()

    def _on_dataset(self) -> None:
        data = self._model.dataset
        x, y = data.X[:, 0], data.y[:, 0]
        if data.task == "classification":
            brushes = [pg.mkBrush(CLASS_COLORS[int(label) % len(CLASS_COLORS)]) for label in y]
        else:
            brushes = pg.mkBrush(CLASS_COLORS[1])
        self.points.setData(x, y, brush=brushes, pen=pg.mkPen("w", width=0.5))
        self.threshold.setVisible(data.task == "classification")
        span = float(x.max() - x.min()) or 1.0
        self._grid = np.linspace(x.min() - 0.1 * span, x.max() + 0.1 * span, PREDICTION_SAMPLES)
        self.refresh()

    def refresh(self, *_args) -> None:
        model = self._model
        prediction = model.network.predict(self._grid[:, None])[:, 0]
        self.prediction.setData(self._grid, prediction)
        n = model.sample
        self.chosen.setData([model.X[n, 0]], [model.y[n, 0]])
        data = model.dataset
        if data.task == "classification":
            accuracy = core.accuracy(model.network.predict(model.X), model.y)
            detail = (f"blue: class 0, orange: class 1; curve: ŷ, the predicted probability of class 1. "
                      f"Accuracy {100 * accuracy:.0f}% (ŷ ≥ 0.5 predicts class 1)")
        else:
            detail = "curve: the prediction ŷ, which should follow the points"
        self.caption.setText(f"{data.title}, {len(model.X)} points; {detail}. Ring: sample {n + 1}, "
                             f"the one the chain rule panel uses.")
