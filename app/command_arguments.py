"""What a command that needs a value asks for: one of a list of choices (a dataset, a cost, an
activation), several of them (the optimizers of a race), or a number (a learning rate, a step).

Plain Python, no Qt: the command palette shows these as its second stage, and tests read them
directly. A typed number is parsed by a strict pattern, never by eval: the text is the learner's.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

MAX_NUMBER_TEXT = 40   # longer than any number a learner means; refused before it is parsed
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d{1,3})?")


@dataclass(frozen=True)
class Choice:
    """One value a command can take: what it is (`value`), what the learner reads (`label`) and a
    short note (`detail`: "now", "Adam at η 0.01" …); `name` is matched too when typed ("spiral")."""

    value: object
    label: str
    detail: str = ""
    name: str = ""


@dataclass(frozen=True)
class Choices:
    """Pick one of `options()` (several when `several`: Space ticks, Enter runs with the ticked
    ones, the ones `preset()` names ticked at first). `prompt` heads the palette's second stage."""

    prompt: str
    options: Callable[[], list[Choice]]
    several: bool = False
    preset: Callable[[], set] = field(default=lambda: set())


@dataclass(frozen=True)
class Number:
    """A number in [minimum, maximum] (each a number, or a function giving it now: the newest step);
    `current()` is shown as a reminder of the present value."""

    prompt: str
    minimum: float | Callable[[], float]
    maximum: float | Callable[[], float]
    current: Callable[[], float] | None = None
    integer: bool = False

    def bounds(self) -> tuple[float, float]:
        return tuple(bound() if callable(bound) else bound for bound in (self.minimum, self.maximum))

    def parse(self, text: str) -> float:
        """The value `text` stands for, or ValueError with a sentence saying what is wrong.

        Accepts 0.5, .5, 0,5 (a decimal comma), 1e-3, +2; refuses words, expressions, nan and inf."""
        text = text.strip().replace("−", "-")
        if not text:
            raise ValueError("Type a number.")
        if len(text) > MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
            raise ValueError(f"{text[:MAX_NUMBER_TEXT]!r} is not a number (write it like 0.05 or 1e-3).")
        value = float(text.replace(",", "."))
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is too large.")
        if self.integer and value != int(value):
            raise ValueError(f"Type a whole number, not {text}.")
        low, high = self.bounds()
        if not low <= value <= high:
            raise ValueError(f"Choose a number from {low:g} to {high:g}, not {value:g}.")
        return int(value) if self.integer else value
