"""Typeset maths and captions stacked into one SVG document: the chain panel and the step-by-step
derivative leave the studio as vector figures for course notes.

Each equation is laid out by ziamath (app/math_render.latex_to_svg: glyphs as paths, the way MathJax
writes SVG) and nested as its own <svg> element; captions and numbers stay real <text>, so the
figure can still be searched and edited.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .math_render import latex_to_svg

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

TEXT_COLOR = "#1d2433"
MUTED_COLOR = "#5b6478"
MARGIN, GAP = 14.0, 6.0


@dataclass(frozen=True)
class Block:
    """One line of the figure: ``kind`` "text" (``content`` plain text) or "math" (LaTeX), indented
    by ``indent`` points; ``after`` is plain text written to the right of an equation ("= 0.12")."""

    kind: str
    content: str
    indent: float = 0.0
    size: float = 15.0
    after: str = ""


def plain_text(html: str) -> str:
    """A caption's rich text as plain text (tags dropped, the few entities the panels use decoded)."""
    text = re.sub(r"<[^>]+>", "", html)
    return text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _length(value: str | None) -> float:
    return float(re.match(r"[\d.]+", value or "0").group(0)) if value else 0.0


def _text(parent: ET.Element, x: float, y: float, text: str, size: float, color: str) -> None:
    element = ET.SubElement(parent, f"{{{SVG_NS}}}text", {
        "x": f"{x:.2f}", "y": f"{y:.2f}", "font-family": "DejaVu Sans, Arial, sans-serif",
        "font-size": f"{size:.1f}", "fill": color})
    element.text = text


def stacked_svg(blocks: list[Block], title: str = "") -> str:
    """The blocks one under the other, as an SVG document (text as <text>, maths as nested <svg>).
    An equation ziamath cannot lay out is written as its LaTeX source instead."""
    root = ET.Element(f"{{{SVG_NS}}}svg", {"version": "1.1"})
    if title:
        ET.SubElement(root, f"{{{SVG_NS}}}title").text = title
    background = ET.SubElement(root, f"{{{SVG_NS}}}rect", {"x": "0", "y": "0", "fill": "white"})
    y, width = MARGIN, 0.0
    for block in blocks:
        x = MARGIN + block.indent
        if block.kind == "math":
            try:
                math = ET.fromstring(latex_to_svg(block.content, size=block.size))
            except ValueError:
                math = None
            if math is not None:
                w, h = _length(math.get("width")), _length(math.get("height"))
                # placed by a translated group: nested <svg x y> is ignored by some renderers
                group = ET.SubElement(root, f"{{{SVG_NS}}}g", {"transform": f"translate({x:.2f} {y:.2f})"})
                group.append(math)
                right = x + w
                if block.after:
                    _text(root, right + 6, y + h * 0.68, block.after, block.size * 0.9, TEXT_COLOR)
                    right += 6 + 0.6 * block.size * len(block.after)
                width = max(width, right)
                y += h + GAP
                continue
            block = Block("text", block.content + (f"  {block.after}" if block.after else ""), block.indent,
                          block.size * 0.8)
        size = block.size * 0.8
        for line in block.content.splitlines() or [""]:
            _text(root, x, y + size, line, size, MUTED_COLOR)
            width = max(width, x + 0.55 * size * len(line))
            y += size * 1.35
        y += GAP / 2
    width, height = width + MARGIN, y + MARGIN
    root.set("width", f"{width:.1f}")
    root.set("height", f"{height:.1f}")
    root.set("viewBox", f"0 0 {width:.1f} {height:.1f}")
    background.set("width", f"{width:.1f}")
    background.set("height", f"{height:.1f}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
