"""What part of the y axis to show for h and h′, and the piece of the tangent at x0 to draw.

Autoscaling to every sample fails the learner twice: ``log(x) + tan(x)`` has h′ = 1/x + sec² x, about
1e15 at the sample next to x = 0, so the picture is a flat line and one spike; ``x^x`` reaches
300,000 at x = 2π, so the tangent at x0 = 1 lies flat on the axis. The range chosen here follows the
*bulk* of the values instead:

1. for each curve, the **shortest interval holding 60 % of its finite samples** (the "shorth", a
   robust measure of where a curve spends its time: a pole or an explosive tail is a small share of
   the x axis; over half, so a step such as relu′ or sigmoid(50x) keeps both of its levels),
2. widened by ``reach`` times its own width on each side; values beyond that are left out only when
   they run off to a gap (a pole) or off the window's edge (an explosive tail), so a narrow peak
   inside the curve (sigmoid′(50x)) and a well-behaved curve such as log(2 + cos x) are shown whole;
   the range shows every curve's values so chosen,
3. narrowed around x0 when the curve near x0 would be flat in it (x^x at x0 = 1 in a range going to
   a thousand), and stretched, if need be, to hold the point (x0, h(x0)) with a margin: the point
   the learner studies and its tangent are always in view (``view_range``).

The tangent is drawn as the part of the line through (x0, h(x0)) with slope h′(x0) that lies inside
the view (``tangent_segment``), so a steep tangent stays visible instead of stretching the axes.

Pure numpy; never Qt.
"""
from __future__ import annotations

import math

import numpy as np

from .numeric import runs_reaching_a_gap

__all__ = ["bulk_y_range", "view_range", "tangent_segment"]

BULK = 0.6        # share of a curve's samples the core interval holds (over half: a step's two levels)
REACH = 4.0       # how far beyond the core interval (in its widths) values are still shown
MARGIN = 0.08     # padding around what is shown, as a share of the range
POINT_MARGIN = 0.1
NEAR_SHARE = 0.05  # the curve near x0 filling less of the height than this is flat: zoom in ...
NEAR_ZOOM = 0.25   # ... until it fills this share


def _finite(curves) -> np.ndarray:
    arrays = [np.asarray(c, dtype=np.float64).ravel() for c in curves]
    values = np.concatenate(arrays) if arrays else np.empty(0)
    return values[np.isfinite(values)]


def _shortest_interval(values: np.ndarray, share: float) -> tuple[float, float]:
    ordered = np.sort(values)
    n = ordered.size
    k = max(1, min(n, int(math.ceil(share * n))))
    widths = ordered[k - 1:] - ordered[:n - k + 1]
    start = int(np.argmin(widths))
    return float(ordered[start]), float(ordered[start + k - 1])


def _padded(low: float, high: float, margin: float) -> tuple[float, float]:
    if high - low <= 1e-12 * max(1.0, abs(low), abs(high)):
        pad = max(1.0, abs(high)) * 0.5
        return low - pad, high + pad
    pad = (high - low) * margin
    return low - pad, high + pad


def bulk_y_range(*curves, bulk: float = BULK, reach: float = REACH,
                 margin: float = MARGIN) -> tuple[float, float] | None:
    """A y range for the sampled ``curves`` (arrays, NaN for gaps) that shows where their values
    mostly are, ignoring poles and explosive tails (see the module docstring). None when no sample
    is finite."""
    ranges = []
    for curve in curves:
        ys = np.asarray(curve, dtype=np.float64).ravel()
        values = ys[np.isfinite(ys)]
        if values.size == 0:
            continue
        low, high = _shortest_interval(values, bulk)
        width = high - low
        low, high = low - reach * width, high + reach * width
        kept = ys[np.isfinite(ys) & ~runs_reaching_a_gap(ys, (ys < low) | (ys > high), edges=True)]
        ranges.append((float(kept.min()), float(kept.max())) if kept.size else (low, high))
    if not ranges:
        return None
    return _padded(min(r[0] for r in ranges), max(r[1] for r in ranges), margin)


def view_range(base: tuple[float, float] | None, xs, curve, x0: float, h0: float,
               half_width: float) -> tuple[float, float] | None:
    """The y range to show around the point (x0, h0): ``base`` (``bulk_y_range`` of the curves),
    narrowed when the curve near x0 (its finite samples within ``half_width`` of x0, where the
    tangent is drawn) would fill less than ``NEAR_SHARE`` of it (to ``NEAR_ZOOM`` of the height) — x^x's tangent at x0 = 1 is not
    lost on an axis that goes to a thousand — and stretched so that h0 lies inside with a margin of
    ``POINT_MARGIN``. None when there is nothing to show."""
    xs, curve = np.asarray(xs, dtype=np.float64), np.asarray(curve, dtype=np.float64)
    near = curve[(np.abs(xs - x0) <= half_width) & np.isfinite(curve)]
    if math.isfinite(h0):
        near = np.append(near, h0)
    if base is None:
        if near.size == 0:
            return None
        base = _padded(float(near.min()), float(near.max()), MARGIN)
    low, high = base
    if near.size:
        near_low, near_high = float(near.min()), float(near.max())
        span = near_high - near_low
        if 1e-3 * (high - low) < span < NEAR_SHARE * (high - low):   # not flat there, but flattened
            height = span / NEAR_ZOOM
            middle = (near_low + near_high) / 2
            low, high = max(low, middle - height / 2), min(high, middle + height / 2)
            if high - low < height:   # against one end of base: keep the full height
                low, high = (low, low + height) if low == base[0] else (high - height, high)
    if not math.isfinite(h0):
        return low, high
    inner = POINT_MARGIN * (high - low)
    if low + inner <= h0 <= high - inner:
        return low, high
    new_low, new_high = min(low, h0), max(high, h0)
    pad = (new_high - new_low) * POINT_MARGIN / (1 - 2 * POINT_MARGIN)
    return (new_low - pad if h0 - new_low < pad else new_low), (new_high + pad if new_high - h0 < pad else new_high)


def tangent_segment(x0: float, h0: float, slope: float, half_width: float,
                    y_range: tuple[float, float]) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Ends of the tangent at (x0, h0) with ``slope``, at most ``half_width`` either side of x0 and
    cut where it leaves ``y_range``. None when the point or the slope is not a number, or the point
    is outside the range."""
    if not (math.isfinite(x0) and math.isfinite(h0) and math.isfinite(slope)):
        return None
    low, high = y_range
    if not low <= h0 <= high:
        return None
    left, right = half_width, half_width
    if slope != 0:  # how far in x the line goes, each side of x0, before it leaves [low, high]
        up, down = (high - h0) / abs(slope), (h0 - low) / abs(slope)
        left = min(half_width, down if slope > 0 else up)
        right = min(half_width, up if slope > 0 else down)
    return (x0 - left, h0 - slope * left), (x0 + right, h0 + slope * right)
