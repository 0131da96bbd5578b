"""The narrated update (U) drawn on the cost surface (issue 10 §2).

While the chain panel explains one update sub-step by sub-step, the surface draws that update's
arrows — the gradient −ηg, the velocity or moments and the per-parameter rates it leaves, the step
θ' − θ it will take (the model's ``narrated_parts``) — with the arrow of the sub-step explained now
emphasized and the others dimmed, so the learner sees which vector each number is. Each sub-step
names its arrow (core.NarratedStep.arrow).
"""
from __future__ import annotations

from typing import Callable

from .surface_arrows import ARROWS, UpdateArrows

# each arrow in the caption's words: its colour and what it is in the update about to be taken
ARROW_WORDS = {"gradient": "white arrow (−η∇J)", "step": "orange arrow (the step θ′ − θ it will take)",
               "velocity": "cyan arrow (the velocity it leaves)", "scaled": "magenta arrow (−ηᵢ∂J/∂θᵢ, its per-parameter η)"}


def narration_arrows(model, arrows: UpdateArrows, to_plot: Callable) -> tuple[dict | None, str]:
    """While U narrates: (the narrated update's arrows, ``to_plot(parts)``: name -> plotted vector,
    and the caption's words on the sub-step), with ``arrows`` emphasizing the sub-step's arrow;
    otherwise (None, "") and every arrow as usual."""
    narration, parts = model.narration, model.narrated_parts
    if narration is None or parts is None:
        arrows.emphasize(None)
        return None, ""
    shown, steps, title = narration
    current = shown[-1]
    name = current.arrow if current.arrow in ARROWS else None
    arrows.emphasize(name)
    drawn = f"the {ARROW_WORDS[name]}, the others dimmed" if name else "no arrow of its own"
    text = (f"Narrated update by {title} (U), sub-step {len(shown)} of {len(steps)}: "
            f"{current.title}, drawn as {drawn}; the arrows show the update about to be taken.")
    return to_plot(parts), text
