"""What the computation graph writes in its boxes and on its edges, as lines of text.

Kept apart from the drawing so the box sizes can be measured from the longest text a box can ever
show (the layout then stays put while x0 moves and the passes are stepped)."""
from __future__ import annotations

from ..format import fmt

#: The widest number ``fmt`` writes (sign, three digits, exponent): boxes and labels are sized for it.
WIDEST_NUMBER = "-8.88e-88"
VALUE = "v = {}"
# Not "v̇ = dv/dx": the default font draws the combining dot of v̇ beside the letter, over the line above.
TANGENT = "dv/dx = {}"
ADJOINT = "∂h/∂v = {}"   # the adjoint v̄, written out (shorter boxes, larger text)


def number(value: float) -> str:
    """A number as every panel writes it."""
    return fmt(value)


def sum_line(parts: list[float]) -> str:
    """"= 1.68 + 1.00": the contributions of a node's uses, in the order its edges leave the box."""
    text = "= " + number(parts[0])
    for part in parts[1:]:
        text += f" − {number(-part)}" if part < 0 else f" + {number(part)}"
    return text


def node_lines(value: float | None, tangent: float | None, adjoint: float | None,
               contributions: list[float] | None) -> list[str]:
    """The lines under a node's title: its value once computed; in forward mode its tangent; after the
    backward pass its adjoint and, for a node used more than once, the sum it is made of."""
    lines = []
    if value is not None:
        lines.append(VALUE.format(number(value)))
    if tangent is not None:
        lines.append(TANGENT.format(number(tangent)))
    if adjoint is not None:
        lines.append(ADJOINT.format(number(adjoint)))
        if contributions is not None and len(contributions) > 1:
            lines.append(sum_line(contributions))
    return lines


def widest_lines(uses: int) -> list[str]:
    """The longest lines a node used ``uses`` times can show, in either mode (to size its box)."""
    lines = [VALUE.format(WIDEST_NUMBER), TANGENT.format(WIDEST_NUMBER), ADJOINT.format(WIDEST_NUMBER)]
    if uses > 1:
        lines.append(sum_line([-8.88e-88] * uses))
    return lines


def edge_label(role: str | None, local: float | None) -> str:
    """An edge's label: the role of the use when the parent uses the child more than once ("base",
    "exponent"), then the local derivative once the pass has reached the edge."""
    lines = [role] if role else []
    if local is not None:
        lines.append(number(local))
    return "\n".join(lines)
