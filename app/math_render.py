"""LaTeX to a crisp pixmap, like a textbook: ziamath lays the maths out as SVG, QtSvg draws it.

ziamath is imported on first use, never on the start-up path, and every rendered equation is cached by
its source, so the symbolic lines of a derivation render once and only changing numbers cost time.
"""
from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

_CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, float, str], QPixmap] = OrderedDict()
_ziamath = None


def _zm():
    global _ziamath
    if _ziamath is None:
        import ziamath

        ziamath.config.svg2 = False  # QtSvg draws no glyphs from SVG2 <symbol>/<use> output
        _ziamath = ziamath
    return _ziamath


def latex_to_svg(latex: str, size: float = 18, color: str = "#1d2433") -> str:
    """SVG text of the equation (raises ValueError with the reason if ziamath cannot lay it out)."""
    try:
        return _zm().Latex(latex, size=size, color=color).svg()
    except Exception as exc:  # ziamath raises assorted errors for malformed input
        raise ValueError(f"cannot render {latex!r}: {exc}") from exc


def render_latex(latex: str, size: float = 18, color: str = "#1d2433") -> QPixmap:
    """A device-pixel-ratio-aware pixmap of the equation, cached by (latex, size, colour)."""
    key = (latex, size, color)
    pixmap = _cache.get(key)
    if pixmap is not None:
        _cache.move_to_end(key)
        return pixmap
    renderer = QSvgRenderer(QByteArray(latex_to_svg(latex, size, color).encode()))
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0
    ratio = max(ratio, 1.0)
    logical = renderer.defaultSize()
    image = QImage(max(1, round(logical.width() * ratio)), max(1, round(logical.height() * ratio)),
                   QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.setDevicePixelRatio(ratio)
    pixmap = QPixmap.fromImage(image)
    _cache[key] = pixmap
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return pixmap
