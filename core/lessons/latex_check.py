"""Maths in a lesson's text is LaTeX between dollars ($a_2 - y$ inline, $$…$$ on its own line).
This finds what would not typeset before a learner meets it: an unclosed $, unbalanced braces,
\\left without \\right, and commands the studio's typesetter (ziamath) is not known to draw. The
app typesets the same text; this check only lets the reader name the line of the mistake.
"""
from __future__ import annotations

import re

__all__ = ["KNOWN_COMMANDS", "math_problem", "math_pieces"]

_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
          "pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega")
_OTHER = ("frac dfrac tfrac partial nabla cdot cdots ldots dots times div pm mp le leq ge geq ne neq approx "
          "equiv sim propto to rightarrow leftarrow Rightarrow Leftarrow mapsto infty sum prod int sqrt "
          "left right big Big bigl bigr hat bar tilde vec dot ddot prime mathrm mathbf mathit mathcal "
          "mathbb text operatorname quad qquad log ln exp sin cos tan sinh cosh tanh max min lim circ "
          "overline underline in notin subset cup cap forall exists lvert rvert vert mid langle rangle "
          "lbrace rbrace boxed color displaystyle")
KNOWN_COMMANDS = frozenset((_GREEK + " " + _OTHER).split())
_SPACING = set(",;:! ")               # \, \; \: \! \  : spacing; \{ \} \$ \\ are escapes
_ESCAPES = set("{}$%&_#|\\")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def math_pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, is maths) in order; $$…$$ and $…$ are maths (\\$ is a dollar sign). Raises ValueError
    when a $ is never closed."""
    pieces, i, start, n = [], 0, 0, len(text)
    while i < n:
        if text[i] == "\\" and i + 1 < n:
            i += 2
            continue
        if text[i] == "$":
            fence = "$$" if text.startswith("$$", i) else "$"
            end = _closing(text, i + len(fence), fence)
            if end < 0:
                raise ValueError(f"a {fence} opens maths that is never closed")
            if start < i:
                pieces.append((text[start:i], False))
            pieces.append((text[i + len(fence):end], True))
            i = start = end + len(fence)
            continue
        i += 1
    if start < n:
        pieces.append((text[start:], False))
    return pieces


def _closing(text: str, i: int, fence: str) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(fence, i):
            return i
        i += 1
    return -1


def math_problem(latex: str) -> str:
    """Why this LaTeX (without its dollars) would not typeset, or "" when it looks right."""
    if not latex.strip():
        return "empty maths between the dollars"
    depth = 0
    lefts = 0
    for match in _COMMAND.finditer(latex):
        name = match.group(1)
        if name in _SPACING or name in _ESCAPES:
            continue
        if name == "left":
            lefts += 1
        elif name == "right":
            lefts -= 1
            if lefts < 0:
                return "\\right without a \\left before it"
        elif name not in KNOWN_COMMANDS:
            return f"unknown command \\{name} (the typesetter draws \\frac, \\partial, \\sigma, \\cdot …)"
    stripped = _COMMAND.sub(lambda m: "" if m.group(1) in ("{", "}") else m.group(0), latex)
    for ch in stripped:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return "a } closes a brace that was never opened"
    if depth:
        return "a { is never closed"
    if lefts:
        return "\\left without its \\right"
    return ""
