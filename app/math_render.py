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
    """SVG text of the equation (raises ValueError with the reason if ziamath cannot lay it out).
    Its time grows exponentially with nesting: see app/typeset_job.py and app/typesetter.py for
    equations typed by the learner."""
    from .typeset_job import latex_svg

    _zm()
    return latex_svg(latex, size, color)


def cached_image(latex: str, size: float = 18, color: str = "#1d2433", ratio: float = 1.0) -> QImage | None:
    """The equation's image if it was made before (by `render_image` or `store_image`), else None."""
    key = (latex, size, color, ratio)
    with _images_lock:
        image = _images.get(key)
        if image is not None:
            _images.move_to_end(key)
        return image


def store_image(image: QImage, latex: str, size: float = 18, color: str = "#1d2433",
                ratio: float = 1.0) -> QImage:
    """Remember ``image`` as the equation's image (typeset elsewhere, or its plain-text stand-in)."""
    key = (latex, size, color, ratio)
    with _images_lock:
        _images[key] = image
        if len(_images) > _CACHE_SIZE:
            _images.popitem(last=False)
    return image


def svg_image(svg: str, ratio: float = 1.0) -> QImage:
    """SVG text drawn into an image at ``ratio`` device pixels per point."""
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    logical = renderer.defaultSize()
    image = QImage(max(1, round(logical.width() * ratio)), max(1, round(logical.height() * ratio)),
                   QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


def render_image(latex: str, size: float = 18, color: str = "#1d2433", ratio: float = 1.0) -> QImage:
    """The equation as an image at ``ratio`` device pixels per point, cached (thread-safe)."""
    image = cached_image(latex, size, color, ratio)
    if image is not None:
        return image
    return store_image(svg_image(latex_to_svg(latex, size, color), ratio), latex, size, color, ratio)


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
