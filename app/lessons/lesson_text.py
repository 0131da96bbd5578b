"""A step's text as rich text for the lesson panel: paragraphs, inline maths as typeset images and
a line that is only $$…$$ as a centred equation. The images come from the studio's typesetter
(app/typesetter.py: cheap equations at once, costly ones in its worker, plain text meanwhile), so
the lesson's maths looks like the chain panel's."""
from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from core.lessons.latex_check import math_pieces

from ..typesetter import math_pixmap

INLINE_SIZE = 15
DISPLAY_SIZE = 17


def paragraphs(text: str) -> list[tuple[str, bool]]:
    """(paragraph, displayed equation?) in order: blank lines separate paragraphs, a line that is
    only $$…$$ stands alone."""
    found, lines = [], []

    def flush():
        if lines:
            found.append((" ".join(lines), False))
            lines.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4:
            flush()
            found.append((stripped[2:-2], True))
        else:
            lines.append(stripped)
    flush()
    return found


def render(document: QTextDocument, owner, text: str, on_ready) -> str:
    """Put the step's equations into `document` as image resources and return its HTML; `on_ready`
    is called when an equation still being typeset arrives (render again then)."""
    equations, parts = [], []
    for paragraph, displayed in paragraphs(text):
        if displayed:
            equations.append((paragraph, DISPLAY_SIZE))
            parts.append(("display", len(equations) - 1))
            continue
        try:
            pieces = math_pieces(paragraph)
        except ValueError:
            pieces = [(paragraph, False)]
        row = []
        for piece, is_maths in pieces:
            if is_maths:
                equations.append((piece, INLINE_SIZE))
                row.append(("math", len(equations) - 1))
            else:
                row.append(("text", piece))
        parts.append(("paragraph", row))
    pixmaps = math_pixmap(owner, equations, on_ready)
    for index, pixmap in enumerate(pixmaps):
        document.addResource(QTextDocument.ImageResource, QUrl(f"lessonmath:{index}"), pixmap.toImage())

    def image(index: int) -> str:
        pixmap = pixmaps[index]
        ratio = pixmap.devicePixelRatio() or 1.0
        alt = html.escape(equations[index][0], quote=True)
        return (f'<img src="lessonmath:{index}" width="{round(pixmap.width() / ratio)}" '
                f'height="{round(pixmap.height() / ratio)}" align="middle" alt="{alt}">')

    out = []
    for kind, body in parts:
        if kind == "display":
            out.append(f'<p align="center">{image(body)}</p>')
        else:
            out.append("<p>" + "".join(image(v) if k == "math" else html.escape(v) for k, v in body) + "</p>")
    return "\n".join(out)
