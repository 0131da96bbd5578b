"""Finding a command (or a choice) from a few typed letters: the command palette's ranking.

Plain Python, no Qt. Every word typed must be found — in the title, or failing that in the help
text (or key, menu, name) — and the title counts more than the help: "dataset" puts "Dataset…"
before "Next dataset" before a command whose help merely mentions data sets. Three or more letters
found in order in the title ("lrate" → Learning rate) still match, ranked last, so an abbreviation
still finds the command.
"""
from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

T = TypeVar("T")

TITLE_START, WORD_START, IN_TITLE, IN_OTHER, SCATTERED = 4.0, 3.0, 2.0, 1.0, 0.5
WHOLE_PREFIX_BONUS = 3.0


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("…", " ").split())


def _in_order(letters: str, text: str) -> bool:
    """True when the letters appear in `text` in this order (not necessarily together)."""
    position = 0
    for letter in letters:
        position = text.find(letter, position) + 1
        if position == 0:
            return False
    return True


def _word_score(word: str, title: str, other: str) -> float | None:
    at = title.find(word)
    if at == 0:
        return TITLE_START
    if at > 0:
        return WORD_START if f" {word}" in title else IN_TITLE
    if word in other:
        return IN_OTHER
    if len(word) >= 3 and _in_order(word, title):
        return SCATTERED
    return None


def score(query: str, title: str, other: str = "") -> float | None:
    """How well `query` finds an entry titled `title` with more text `other` (help, key …); None
    when it does not. An empty query finds everything equally."""
    words = _normal(query).split()
    title, other = _normal(title), _normal(other)
    total = 0.0
    for word in words:
        points = _word_score(word, title, other)
        if points is None:
            return None
        total += points
    if words and title.startswith(" ".join(words)):
        total += WHOLE_PREFIX_BONUS
    return total


def rank(query: str, entries: Sequence[T], texts: Iterable[tuple[str, str]]) -> list[T]:
    """The entries `query` finds, best first; `texts` gives each entry's (title, other text). Ties
    go to the shorter title (the more exact match), then to the given order; with nothing typed,
    every entry in the given order."""
    if not _normal(query):
        return list(entries)
    scored = []
    for index, (entry, (title, other)) in enumerate(zip(entries, texts)):
        points = score(query, title, other)
        if points is not None:
            scored.append((-points, len(title), index, entry))
    return [entry for *_key, entry in sorted(scored, key=lambda item: item[:3])]
