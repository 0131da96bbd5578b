"""The data view's points, drawn cheaply however many there are.

pyqtgraph draws a scatter fastest when every point of an item shares one brush and one pen: it
renders the symbol once. A brush per point makes it render (and cache) one symbol per point, which
froze the window for 21 s on 100,000 rows. So the points are split into *groups* (one per class,
or per band of the target's value for a 2-D regression), each drawn by one ScatterPlotItem with a
single brush, created once and updated in place. Beyond ``MAX_DRAWN`` points a set is *thinned*:
an evenly spaced selection of its rows (deterministic, so the picture does not flicker), always
with the newest row, so a point just added shows; the caption says how many are drawn.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

MAX_DRAWN = 5_000       # points drawn per set (training, test); beyond: an evenly spaced selection
VALUE_BANDS = 12        # colour bands of a 2-D regression target


def thinned(rows: np.ndarray, limit: int = MAX_DRAWN, newest: int | None = None) -> np.ndarray:
    """At most ``limit`` of ``rows``, evenly spaced through them, keeping ``newest`` if present."""
    rows = np.asarray(rows)
    if len(rows) <= limit:
        return rows
    picked = rows[np.linspace(0, len(rows) - 1, limit).round().astype(np.int64)]
    if newest is not None and newest in rows and newest not in picked:
        picked = np.append(picked[:-1], newest)
    return picked


def value_bands(values: np.ndarray, levels: tuple[float, float], bands: int = VALUE_BANDS) -> np.ndarray:
    """The band (0 .. bands-1) of each value within ``levels``."""
    low, high = levels
    scaled = (np.asarray(values, dtype=np.float64) - low) / ((high - low) or 1.0)
    return np.clip((scaled * bands).astype(np.int64), 0, bands - 1)


class PointLayer:
    """A set of points (training or test) drawn as one ScatterPlotItem per group.

    ``show(x, y, groups, colours, hollow)``: ``groups`` gives each point's group index and
    ``colours[g]`` the colour of group g; hollow points (the test set) are white with a coloured
    ring. Items are made the first time a group is needed and then reused; unused ones are emptied.
    """

    def __init__(self, plot_item, size: float, z: float = 0.0):
        self._plot_item = plot_item
        self._size = size
        self._z = z
        self._items: list[pg.ScatterPlotItem] = []
        self._styles: dict[int, tuple] = {}
        self._looks: dict[tuple, tuple] = {}   # (colour, hollow) -> (brush, pen), made once: the
        self.drawn = 0                         # symbol atlas keys on these objects, so reuse them

    def _item(self, k: int) -> pg.ScatterPlotItem:
        while len(self._items) <= k:
            item = pg.ScatterPlotItem(size=self._size)
            item.setZValue(self._z)
            self._plot_item.addItem(item)
            self._items.append(item)
        return self._items[k]

    def show(self, x, y, groups, colours, hollow: bool) -> None:
        x, y, groups = np.asarray(x), np.asarray(y), np.asarray(groups, dtype=np.int64)
        used = set(np.unique(groups).tolist()) if len(groups) else set()
        for k in range(max(len(colours), len(self._items))):
            if k not in used:
                if k < len(self._items):
                    self._items[k].setData([], [])
                continue
            mine = groups == k
            brush, pen = self._look(colours[k], hollow)
            self._item(k).setData(x[mine], y[mine], brush=brush, pen=pen)
            self._styles[k] = (brush, pen)
        self._styles = {k: v for k, v in self._styles.items() if k in used}
        self.drawn = len(groups)

    def _look(self, colour, hollow: bool) -> tuple:
        colour = pg.mkColor(colour)
        key = (colour.rgba(), hollow)
        if key not in self._looks:
            if hollow:
                self._looks[key] = (pg.mkBrush(255, 255, 255, 200), pg.mkPen(colour, width=2.2))
            else:
                self._looks[key] = (pg.mkBrush(colour), pg.mkPen("w", width=0.8))
        return self._looks[key]

    # ------------------------------------------------------------------ one point at a time
    # (a point added or removed by the learner: the other points' items stay as they are, and
    # pyqtgraph places only the new point's symbol)
    def add(self, x: float, y: float, group: int, colour, hollow: bool) -> None:
        """Draw one more point in ``group``."""
        brush, pen = self._look(colour, hollow)
        item = self._item(group)
        if self._styles.get(group) != (brush, pen) or not len(item.getData()[0]):
            xs, ys = item.getData() if self._styles.get(group) is not None else ([], [])
            item.setData(np.append(xs, x), np.append(ys, y), brush=brush, pen=pen)
            self._styles[group] = (brush, pen)
        else:
            item.addPoints(x=[x], y=[y], brush=brush, pen=pen)
        self.drawn += 1

    def remove(self, x: float, y: float, group: int) -> bool:
        """Stop drawing the point of ``group`` at (x, y); False if it is not drawn there."""
        if group not in self._styles or group >= len(self._items):
            return False
        item = self._items[group]
        xs, ys = item.getData()
        hits = np.flatnonzero((xs == x) & (ys == y))
        if not len(hits):
            return False
        keep = np.ones(len(xs), dtype=bool)
        keep[hits[-1]] = False
        brush, pen = self._styles[group]
        item.setData(xs[keep], ys[keep], brush=brush, pen=pen)
        if not keep.any():
            del self._styles[group]
        self.drawn -= 1
        return True

    def style(self, group: int) -> tuple:
        """(brush, pen) of a group that is drawn."""
        return self._styles[group]

    def items(self) -> list[pg.ScatterPlotItem]:
        return list(self._items)

    def points(self) -> np.ndarray:
        """Every drawn point as (x, y) rows, group by group (for tests and tours)."""
        parts = [np.column_stack(item.getData()) for item in self._items if len(item.getData()[0])]
        return np.concatenate(parts) if parts else np.empty((0, 2))
