"""LaTeX to a crisp pixmap, like a textbook: ziamath lays the maths out as SVG, QtSvg draws it.

ziamath is imported on first use, never on the start-up path, and every rendered equation is cached by
its source, so the symbolic lines of a derivation render once and only changing numbers cost time.

``render_image`` may run on a worker thread (QSvgRenderer and QPainter on a QImage are reentrant): the
chain panel typesets its lines there, so the GUI thread only turns finished images into pixmaps.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

_CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, float, str], QPixmap] = OrderedDict()
_images: OrderedDict[tuple[str, float, str], QImage] = OrderedDict()
_images_lock = threading.Lock()
_ziamath = None
_ziamath_lock = threading.Lock()


def _zm():
    global _ziamath
    with _ziamath_lock:
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


def render_image(latex: str, size: float = 18, color: str = "#1d2433", ratio: float = 1.0) -> QImage:
    """The equation as an image at ``ratio`` device pixels per point, cached (thread-safe)."""
    key = (latex, size, color, ratio)
    with _images_lock:
        image = _images.get(key)
        if image is not None:
            _images.move_to_end(key)
            return image
    renderer = QSvgRenderer(QByteArray(latex_to_svg(latex, size, color).encode()))
    logical = renderer.defaultSize()
    image = QImage(max(1, round(logical.width() * ratio)), max(1, round(logical.height() * ratio)),
                   QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.setDevicePixelRatio(ratio)
    with _images_lock:
        _images[key] = image
        if len(_images) > _CACHE_SIZE:
            _images.popitem(last=False)
    return image


def screen_ratio() -> float:
    """Device pixels per point of the primary screen (at least 1): read on the GUI thread."""
    screen = QGuiApplication.primaryScreen()
    return max(screen.devicePixelRatio() if screen else 1.0, 1.0)


def render_latex(latex: str, size: float = 18, color: str = "#1d2433") -> QPixmap:
    """A device-pixel-ratio-aware pixmap of the equation, cached by (latex, size, colour); instant
    when a worker already typeset it with ``render_image``."""
    key = (latex, size, color)
    pixmap = _cache.get(key)
    if pixmap is not None:
        _cache.move_to_end(key)
        return pixmap
    pixmap = QPixmap.fromImage(render_image(latex, size, color, screen_ratio()))
    _cache[key] = pixmap
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return pixmap
