"""Any panel as a picture: PNG at a chosen scale (2× by default) or SVG with its text as text.

How a panel becomes a picture depends on what draws it:

* a pyqtgraph plot (surface, slice, cost curve, data, gradient health, the Function lab's plot):
  pyqtgraph's own exporters, ImageExporter and SVGExporter, over the plot's scene — axes, labels
  and legends as the learner sees them;
* a QGraphicsScene (the network diagram, the computation graph): the scene drawn into a QImage or a
  QSvgGenerator, whole (not just the part scrolled into view);
* typeset maths (the chain rule, the step-by-step derivative): PNG from the widget, SVG composed
  from ziamath's own vector output (app/math_svg.py), which Qt's SVG writer would turn into bitmaps;
* anything else (tables, controls, the formula panel): the widget painted into the image or SVG.

Panels with maths offer ``svg_blocks()`` (app/math_svg.Block lines); nothing else is asked of a view.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QScrollArea, QWidget

from .math_svg import stacked_svg

DEFAULT_SCALE = 2.0
FORMATS = ("png", "svg")


def format_of(path: str) -> str:
    """"png" or "svg" from the file name's extension (ValueError for anything else)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"choose a .png or .svg file name (got {Path(path).name!r})")
    return suffix


def _plot_view(panel: QWidget) -> pg.GraphicsView | None:
    """The panel's pyqtgraph view when it has exactly one (several plots side by side, as in the
    gradient health panel, are painted as one widget instead)."""
    if isinstance(panel, pg.GraphicsView):
        return panel
    views = panel.findChildren(pg.GraphicsView)
    return views[0] if len(views) == 1 else None


def _scene_view(panel: QWidget) -> QGraphicsView | None:
    if isinstance(panel, QGraphicsView) and not isinstance(panel, pg.GraphicsView):
        return panel
    for view in panel.findChildren(QGraphicsView):
        if not isinstance(view, pg.GraphicsView):
            return view
    return None


@contextmanager
def _uncached(scene):
    """Items drawn for real while exporting: plot axes keep a device-pixel cache for speed on
    screen, which would reach the file as a bitmap (blurry at 2×, no text in an SVG)."""
    cached = [(item, item.cacheMode()) for item in scene.items() if item.cacheMode() != QGraphicsItem.NoCache]
    for item, _mode in cached:
        item.setCacheMode(QGraphicsItem.NoCache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


def _content(panel: QWidget) -> QWidget:
    """What to paint: a scroll area's whole content, not just its visible part."""
    if isinstance(panel, QScrollArea) and panel.widget() is not None:
        return panel.widget()
    return panel


def panel_image(panel: QWidget, scale: float = DEFAULT_SCALE) -> QImage:
    """The panel as an image ``scale`` times its size on screen (white background)."""
    scale = float(scale)
    if not 0.25 <= scale <= 8:
        raise ValueError(f"the scale must be between 0.25 and 8, got {scale}")
    if (view := _plot_view(panel)) is not None:
        from pyqtgraph.exporters import ImageExporter

        exporter = ImageExporter(view.scene())
        exporter.parameters()["width"] = max(1, round(view.width() * scale))
        exporter.parameters()["background"] = QColor("white")
        with _uncached(view.scene()):
            return exporter.export(toBytes=True)
    if (view := _scene_view(panel)) is not None:
        scene = view.scene()
        source = scene.itemsBoundingRect().adjusted(-10, -10, 10, 10)
        image = QImage(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)),
                       QImage.Format_ARGB32)
        image.fill(Qt.white)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, image.width(), image.height()), source)
        painter.end()
        return image
    widget = _content(panel)
    size = QWidget.size(widget)   # (a panel may name a child "size": the controls' dataset size)
    image = QImage(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)),
                   QImage.Format_ARGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
    painter.scale(scale, scale)
    widget.render(painter, QPoint())
    painter.end()
    return image


def panel_svg(panel: QWidget, title: str = "") -> str:
    """The panel as SVG text (see the module docstring for how each kind is drawn)."""
    if hasattr(panel, "svg_blocks"):
        return stacked_svg(panel.svg_blocks(), title)
    plot = _plot_view(panel)
    if plot is not None:
        from pyqtgraph.exporters import SVGExporter

        try:
            with _uncached(plot.scene()):
                return SVGExporter(plot.scene()).export(toBytes=True).decode("utf-8")
        except ValueError:
            # pyqtgraph 0.14's SVG exporter cannot read the path data newer Qt writes
            # (pyqtgraph/pyqtgraph#3485): draw the plot through Qt's SVG generator instead
            pass
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    buffer = QBuffer(data := QByteArray())
    buffer.open(QIODevice.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setTitle(title or "Chain Rule Studio")
    generator.setDescription("Exported from Chain Rule Studio")
    if plot is not None:
        size = plot.viewport().size()
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        painter = QPainter(generator)
        with _uncached(plot.scene()):
            plot.render(painter, QRectF(0, 0, size.width(), size.height()), plot.viewport().rect())
    elif (view := _scene_view(panel)) is not None:
        scene = view.scene()
        source = scene.itemsBoundingRect().adjusted(-10, -10, 10, 10)
        size = QSize(round(source.width()), round(source.height()))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        painter = QPainter(generator)
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), Qt.white)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    else:
        widget = _content(panel)
        size = QWidget.size(widget)
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        painter = QPainter(generator)
        widget.render(painter, QPoint())
    painter.end()
    buffer.close()
    return bytes(data).decode("utf-8")


def export_panel(panel: QWidget, path: str, scale: float = DEFAULT_SCALE, title: str = "") -> str:
    """Write the panel to ``path`` as PNG or SVG, by its extension; returns the format written.
    Raises ValueError (bad name or scale) or OSError (the file could not be written)."""
    kind = format_of(path)
    if kind == "png":
        if not panel_image(panel, scale).save(path, "PNG"):
            raise OSError(f"could not write {path}")
    else:
        Path(path).write_text(panel_svg(panel, title), encoding="utf-8")
    return kind
