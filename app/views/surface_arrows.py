"""The update's arrows at the shown point of the cost surface (issue 10 §2), with their legend.

Which way would plain descent go from here, which step did the rule actually take, what does
momentum carry, how does an adaptive rule rescale each parameter? Each is a vector in parameter
units (core.update_parts), drawn in the plotted coordinates (two parameters, or a plane's):

* white, −η∇J: plain gradient descent's step from here;
* orange, θ_k − θ_{k−1}: the step actually taken to get here;
* cyan, the velocity as a step (−ηv, −ηb or −ηm̂) for momentum-like rules;
* magenta, −η_i ∂J/∂θ_i: the gradient scaled by an adaptive rule's per-parameter rates.

While U narrates an update, ``emphasize(name)`` draws the arrow of the sub-step explained wide and
the others dimmed (``emphasized()`` says which); ``emphasize(None)`` puts them back.

All arrows share one display scale (a 1-2-5 number, said in the legend), so their lengths compare;
the longest is drawn at about a quarter of the plot's width.
"""
from __future__ import annotations

import math

import pyqtgraph as pg

from .plot_style import clear_line

ARROWS = {   # name: (colour, legend text: short, the plot is small)
    "gradient": ("#ffffff", "−η∇J"),
    "step": ("#ffa630", "step taken"),
    "velocity": ("#3ee0ff", "velocity"),
    "scaled": ("#ff5ce1", "−ηᵢ∂J/∂θᵢ (per-parameter η)"),
}
SCREEN_SHARE = 0.25
# the bottom-right region the legend's row covers, as shares of the plot's width (from its left)
# and height (from its bottom): a point or an arrow's end there moves the legend to the bottom left
LEGEND_SHARE = (0.4, 0.22)
WIDTH, EMPHASIZED_WIDTH = 3, 5
DIMMED_ALPHA = 70


def part_vectors(parts) -> dict:
    """The drawable parts of a core.UpdateParts by arrow name, in parameter space (absent: left out)."""
    vectors = {"gradient": parts.gradient_step, "step": parts.step, "velocity": parts.velocity,
               "scaled": parts.scaled_step}
    return {name: v for name, v in vectors.items() if v is not None}


def display_scale(vectors: dict, extent, origin=None) -> float:
    """A 1-2-5 factor that draws the longest vector at about SCREEN_SHARE of the plot (1 if none),
    shorter if that would take an arrow from ``origin`` off the plot — but not below a quarter of
    that length (a point on the edge with an arrow pointing out still shows which way it points)."""
    span_a, span_b = extent[1] - extent[0], extent[3] - extent[2]
    longest = max((math.hypot(da / span_a, db / span_b) for da, db in vectors.values()), default=0.0)
    if not longest > 0 or not math.isfinite(longest):
        return 1.0
    wanted = SCREEN_SHARE / longest
    if origin is not None:
        wanted = max(min(wanted, _room(origin, vectors, extent)), wanted / 4)
    decade = 10.0 ** math.floor(math.log10(wanted))
    return max(m * decade for m in (1.0, 2.0, 5.0) if m * decade <= wanted * (1 + 1e-12))


def _room(origin, vectors: dict, extent) -> float:
    """The largest factor by which every vector drawn from ``origin`` still ends inside ``extent``."""
    room = math.inf
    for da, db in vectors.values():
        for start, delta, low, high in ((origin[0], da, extent[0], extent[1]), (origin[1], db, extent[2], extent[3])):
            if delta > 0:
                room = min(room, (high - start) / delta)
            elif delta < 0:
                room = min(room, (low - start) / delta)
    return room


class UpdateArrows:
    """One line and head per arrow of ARROWS, created once and updated in place, and a legend."""

    def __init__(self, plot_item: pg.PlotItem):
        self.lines, self.heads = {}, {}
        for name, (colour, _text) in ARROWS.items():
            line = plot_item.plot([], [], pen=pg.mkPen(colour, width=WIDTH))
            line.setZValue(2)
            head = pg.ArrowItem(headLen=14, tipAngle=35, brush=colour, pen=pg.mkPen("#1d2433"))
            head.setZValue(3)
            plot_item.addItem(head)
            head.hide()
            self.lines[name], self.heads[name] = line, head
        # one compact row at the bottom right: the plot is small and a race's legend is top left
        self.legend = pg.LegendItem(offset=(-4, -4), labelTextSize="7pt", labelTextColor="w", horSpacing=4,
                                    verSpacing=-6, brush=pg.mkBrush(0, 0, 0, 140))
        self.legend.setParentItem(plot_item.getViewBox())
        self._legend_key = None
        self._scale_label = None   # the legend's LabelItem of the display scale
        self.legend_corner = "right"   # bottom "right" or bottom "left" (see _place_legend)
        self.scale = 1.0
        self.vectors: dict = {}     # name -> (da, db), unscaled, as drawn
        self._emphasis: str | None = None   # the arrow a narrated sub-step is about (None: all alike)

    def draw(self, origin, vectors: dict, extent, velocity_name: str = "") -> None:
        """Arrows from ``origin`` along ``vectors`` (name -> (da, db) in plotted coordinates), all
        multiplied by one display scale; absent or zero names are hidden."""
        vectors = {name: v for name, v in vectors.items()
                   if v is not None and all(math.isfinite(c) for c in v) and (v[0] or v[1])}
        self.vectors = vectors
        self.scale = display_scale(vectors, extent, origin) if extent is not None else 1.0
        a, b = origin
        for name in ARROWS:
            line, head = self.lines[name], self.heads[name]
            if name not in vectors:
                clear_line(line)
                head.hide()
                continue
            da, db = vectors[name]
            end_a, end_b = a + self.scale * da, b + self.scale * db
            line.setData([a, end_a], [b, end_b])
            head.setPos(end_a, end_b)
            head.setStyle(angle=180 - math.degrees(math.atan2(db, da)))
            head.show()
        self._update_legend(tuple(vectors), velocity_name)
        if extent is not None:
            self._place_legend(origin, extent)

    def _place_legend(self, origin, extent) -> None:
        """The legend sits bottom right, or bottom left when the point or an arrow's end is under it
        (a race's legend has the top left)."""
        ends = [origin] + [(origin[0] + self.scale * da, origin[1] + self.scale * db)
                           for da, db in self.vectors.values()]
        span_a, span_b = extent[1] - extent[0], extent[3] - extent[2]
        covered = any(a > extent[0] + LEGEND_SHARE[0] * span_a and b < extent[2] + LEGEND_SHARE[1] * span_b
                      for a, b in ends)
        corner = "left" if covered else "right"
        if corner != self.legend_corner:
            self.legend_corner = corner
            if covered:
                self.legend.anchor(itemPos=(0, 1), parentPos=(0, 1), offset=(4, -4))
            else:
                self.legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-4, -4))

    def emphasize(self, name: str | None) -> None:
        """Draw arrow ``name`` wide and the others dimmed (None: all as usual). Pens change only when
        the emphasis does."""
        if name == self._emphasis:
            return
        self._emphasis = name
        for arrow, (colour, _text) in ARROWS.items():
            colour = pg.mkColor(colour)
            if name is not None and arrow != name:
                colour.setAlpha(DIMMED_ALPHA)
            width = EMPHASIZED_WIDTH if arrow == name else WIDTH
            self.lines[arrow].setPen(pg.mkPen(colour, width=width))
            self.heads[arrow].setStyle(brush=colour, headLen=18 if arrow == name else 14)

    def emphasized(self) -> str | None:
        """The arrow drawn emphasized (the narrated sub-step's), if it is drawn; None otherwise."""
        return self._emphasis if self._emphasis is not None and self.drawn(self._emphasis) else None

    def dimmed(self) -> list[str]:
        """The drawn arrows shown dimmed beside the emphasized one."""
        if self._emphasis is None:
            return []
        return [name for name in ARROWS if name != self._emphasis and self.drawn(name) is not None]

    def drawn(self, name: str):
        """((a0, b0), (a1, b1)) of the arrow ``name`` as drawn (scaled), or None when hidden."""
        xs, ys = self.lines[name].getData()
        if xs is None or len(xs) < 2:
            return None
        return (float(xs[0]), float(ys[0])), (float(xs[1]), float(ys[1]))

    def _update_legend(self, names: tuple, velocity_name: str) -> None:
        """The legend's rows are rebuilt only when the arrows shown change; the scale, which changes
        as the gradient shrinks or grows, is one label set in place (rebuilding the legend took a
        seventh of the GUI thread while the 16x3 network trained)."""
        key = (names, velocity_name)
        if key != self._legend_key:
            self._legend_key = key
            self.legend.clear()
            self._scale_label = None
            for name in names:
                colour, text = ARROWS[name]
                if name == "velocity" and velocity_name:
                    text = f"−η{velocity_name} (velocity)"
                self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen(colour, width=3)), text)
            if names:
                self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen((0, 0, 0, 0))), f"×{scale_text(self.scale)}")
                self._scale_label = self.legend.items[-1][1]
                self.legend.setColumnCount(len(names) + 1)
            self.legend.setVisible(bool(names))
        text = f"×{scale_text(self.scale)}"
        if self._scale_label is not None and self._scale_label.text != text:
            self._scale_label.setText(text)

def scale_text(scale: float) -> str:
    return f"{scale:g}"
