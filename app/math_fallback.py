"""An equation as plain text, for when it cannot be typeset in time (or not yet): readable LaTeX
without the markup, drawn with a note that says why it looks plain."""
from __future__ import annotations

import re

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

_WORDS = {
    r"\cdot": "·", r"\times": "×", r"\infty": "∞", r"\pi": "π", r"\sigma": "σ", r"\theta": "θ",
    r"\partial": "∂", r"\qquad": "    ", r"\quad": "  ", r"\,": " ", r"\;": " ", r"\!": "",
    r"\left": "", r"\right": "", r"\operatorname": "", r"\mathrm": "", r"\text": "",
    r"\prime": "′", r"\to": "→", r"\approx": "≈", r"\leq": "≤", r"\geq": "≥",
}
_COMMAND = re.compile(r"\\([A-Za-z]+|[,;!])")
MAX_CHARS = 600   # longer text is cut with '…' (it would not fit a panel anyway)
LINE_CHARS = 100  # the stand-in wraps at this many characters, so it does not widen its panel
MAX_LINES = 3     # ... and shows at most this many lines (the rest as '…')


def _group(text: str, start: int) -> tuple[str, int]:
    """The brace group opening at ``text[start]`` (its inside, and the index after it)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
    return text[start + 1:], len(text)


def _rewrite(text: str) -> str:
    r"""\frac{a}{b} -> (a)/(b), \sqrt{a} -> √(a), ^{a} -> ^(a), _{a} -> _a, {a} -> a; commands
    to their symbol or name."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(r"\frac", i) and text[i + 5:i + 6] == "{":
            top, i = _group(text, i + 5)
            bottom, i = _group(text, i) if text[i:i + 1] == "{" else ("", i)
            out.append(f"{_operand(_rewrite(top))}/{_operand(_rewrite(bottom))}")
        elif text.startswith(r"\underbrace", i) and text[i + 11:i + 12] == "{":
            inside, i = _group(text, i + 11)
            label = ""
            if text[i:i + 2] == "_{":
                label, i = _group(text, i + 1)
            out.append(f"{_rewrite(inside)} ({_rewrite(label)})" if label else _rewrite(inside))
        elif text.startswith(r"\sqrt", i) and text[i + 5:i + 6] == "{":
            inside, i = _group(text, i + 5)
            out.append(f"√({_rewrite(inside)})")
        elif text[i] in "^_" and text[i + 1:i + 2] == "{":
            inside, i2 = _group(text, i + 1)
            inner = _rewrite(inside)
            out.append(text[i] + (inner if len(inner) == 1 or text[i] == "_" else f"({inner})"))
            i = i2
        elif text[i] == "{":
            inside, i = _group(text, i)
            out.append(_rewrite(inside))
        elif text[i] == "\\":
            match = _COMMAND.match(text, i)
            if match is None:
                i += 1
                continue
            word = match.group(0)
            out.append(_WORDS.get(word, match.group(1) if word[1:].isalpha() else ""))
            i = match.end()
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _operand(text: str) -> str:
    """``text`` as the numerator or denominator of a '/': bracketed unless it is a single token."""
    text = text.strip()
    return text if re.fullmatch(r"[\w.′]+|\(.*\)", text) and text.count("(") == text.count(")") else f"({text})"


def _lines(text: str) -> list[str]:
    lines = [text[i:i + LINE_CHARS] for i in range(0, len(text), LINE_CHARS)] or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def latex_as_text(latex: str) -> str:
    """``latex`` as plain, readable text: ``\\frac{1}{u} \\cdot \\cos{\\left(x \\right)}`` ->
    ``(1)/(u) · cos(x )``, squeezed to single spaces and at most MAX_CHARS characters."""
    text = " ".join(_rewrite(latex).split()).replace("( ", "(").replace(" )", ")")
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def fallback_image(latex: str, size: float, note: str, ratio: float = 1.0,
                   color: str = "#1d2433") -> QImage:
    """The equation as plain text (wrapped, at most MAX_LINES lines) with ``note`` below it in small
    grey italics."""
    lines = _lines(latex_as_text(latex))
    main_font = QFont("DejaVu Sans Mono")
    main_font.setPixelSize(max(8, round(size * 0.8)))
    note_font = QFont()
    note_font.setPixelSize(max(8, round(size * 0.6)))
    note_font.setItalic(True)
    main, small = QFontMetricsF(main_font), QFontMetricsF(note_font)
    width = max(max(main.horizontalAdvance(line) for line in lines), small.horizontalAdvance(note)) + 4
    text_height = main.height() * len(lines)
    height = text_height + (small.height() + 2 if note else 0) + 2
    image = QImage(max(1, round(width * ratio)), max(1, round(height * ratio)), QImage.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.TextAntialiasing)
    painter.setFont(main_font)
    painter.setPen(QColor(color))
    for row, line in enumerate(lines):
        painter.drawText(QPointF(2, main.height() * row + main.ascent() + 1), line)
    if note:
        painter.setFont(note_font)
        painter.setPen(QColor("#6b7488"))
        painter.drawText(QPointF(2, text_height + 2 + small.ascent()), note)
    painter.end()
    return image
