"""What a lesson is once read: its steps, each with its text, the studio set-up it asks for, what it
highlights and the task the learner does. Plain frozen data: the reader (reader.py) builds it from a
lesson file, the app's runner performs it, the checker (checking.py) judges answers against it.

Every piece remembers the line of the file it came from, so a problem found later (a parameter the
network does not have, maths that does not typeset) can still name the line.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Lesson", "Step", "Setup", "Highlight", "Task", "Factor", "Hint", "Option", "Expression"]


@dataclass(frozen=True)
class Expression:
    """An expression over the lesson's live quantities (`text` as written, parsed by the studio's own
    formula parser: never eval). `line`: where it was written."""

    text: str
    line: int
    tree: object = field(default=None, compare=False, repr=False)   # sympy expression, parsed once


@dataclass(frozen=True)
class Setup:
    """One set-up instruction: `key` (lab, dataset, select …) and its value as written."""

    key: str
    value: str
    line: int


@dataclass(frozen=True)
class Highlight:
    """Something the step's text names, to be lit: `kind` (node, edge, factor, point, layer) and
    which one (`target`: a2, w2, 2 …; "" for the surface point)."""

    kind: str
    target: str
    line: int


@dataclass(frozen=True)
class Factor:
    """One factor of a product the learner computes: `label` as the learner reads it (∂J/∂a2) and its
    expression. The checker names the factor a wrong product most likely got wrong."""

    label: str
    expression: Expression


@dataclass(frozen=True)
class Hint:
    """A known mistake: when the learner's number matches `expression`, say `text`."""

    expression: Expression
    text: str


@dataclass(frozen=True)
class Option:
    """One answer of a choice: right when marked so, or when its condition holds on the live state
    (`condition`: (expression, "<" or ">", number))."""

    text: str
    correct: bool
    line: int
    condition: tuple | None = None


@dataclass(frozen=True)
class Task:
    """What the learner does before Next counts as done.

    kind: "read" (nothing: Next), "action" (run command `argument` of the studio), "select" (select
    the parameter `argument`), "formula" (show `argument` in the Function lab), "answer" (type the
    value of `expression`, within `tolerance`), "choice" (pick a right `option`), "goal" (bring the
    live state to `goal`: (expression, "<" or ">", number))."""

    kind: str = "read"
    argument: str = ""
    line: int = 0
    expression: Expression | None = None
    tolerance: tuple[float, bool] = (0.01, True)     # (size, relative?) — default 1 %
    factors: tuple[Factor, ...] = ()
    hints: tuple[Hint, ...] = ()
    hint: str = ""                                    # said on a first wrong answer when nothing fits better
    solution: str = ""                                # said (with the value) after the second wrong one
    options: tuple[Option, ...] = ()
    goal: tuple | None = None

    @property
    def waits(self) -> bool:
        return self.kind != "read"


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str
    line: int
    setup: tuple[Setup, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    task: Task = Task()
    show: tuple[str, ...] = ()       # command ids "Show me" runs, in order (else the task's own way)
    review: str = ""                 # the step to go back to when stuck (its id)
    done: str = ""                   # said when the task is done


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    name: str = ""                   # the file's stem: chain-rule
    path: str = ""

    def index_of(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)
