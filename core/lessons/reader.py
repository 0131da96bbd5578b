"""Read a lesson file (format: resources/lessons/FORMAT.md) into a `Lesson`, or say what is wrong
with it, line by line.

The format is plain "key: value" lines, with indented blocks for text and lists, so a teacher can
write one in any editor and every problem can be pinned to a line: unknown keys, tasks, commands,
set-up keys or panels, missing fields, maths that would not typeset, expressions the formula parser
refuses, bad tolerances, references to steps that do not exist. All problems are collected, so one
reading lists them all.

Commands and panels belong to the app (its action registry and labs); the app passes their names in
a `Vocabulary`. Without one, those names are not checked (a notebook reading a lesson).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .latex_check import math_pieces, math_problem
from .model import Expression, Factor, Highlight, Hint, Lesson, Option, Setup, Step, Task
from .quantities import compile_expression

__all__ = ["LessonError", "Problem", "Vocabulary", "read_lesson", "read_lesson_file", "FORMAT_VERSION",
           "TASK_KINDS", "SETUP_KEYS", "HIGHLIGHT_KINDS", "LESSON_SUFFIX"]

FORMAT_VERSION = 1
LESSON_SUFFIX = ".lesson"
HEADER_KEYS = ("lesson", "summary", "format")
STEP_KEYS = ("step", "title", "text", "setup", "highlight", "task", "tolerance", "factors", "hints", "hint",
             "solution", "options", "show", "review", "done")
BLOCK_KEYS = ("text", "setup", "factors", "hints", "options")
TASK_KINDS = ("read", "action", "select", "formula", "answer", "choice", "goal")
ANSWER_ONLY = ("tolerance", "factors", "hints", "hint", "solution")
SETUP_KEYS = {
    "restart": "lesson: the lesson's data, 1 → 1 → 1 sigmoid network, η = 2, w2 selected",
    "lab": "network or function", "dataset": "a built-in dataset's name", "hidden": "sizes, e.g. 2 or 2, 2",
    "select": "a parameter, e.g. w2", "sample": "a sample number from 1", "learning_rate": "η, e.g. 2",
    "axes": "two parameters, e.g. w1, w2", "panels": "the panels to show (others hide), or all",
    "set": "parameter values, e.g. w1 = 1.5, b2 = 0", "formula": "a function of x for the Function lab",
    "x0": "the Function lab's point",
    "race": "optimizers to race at their usual rates, e.g. sgd, momentum, adam (or off)",
    "command": "a command of the studio that takes no value, e.g. vanishing_example",
}
HIGHLIGHT_KINDS = {"node": "x, z1, a1, z2, a2, J …", "edge": "a weight or bias, e.g. w2",
                   "factor": "a factor of the chain panel, counted from 1", "point": "the surface point",
                   "layer": "a Function lab layer, counted from 1 (outermost first)"}
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s?(.*)$")
_STEP_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_PARAMETER = re.compile(r"[wb]\d+(\.\d+)*")
_NODE = re.compile(r"(x\d*|y\d*|J|[za]\d+(\.\d+)?)")
_GOAL = re.compile(r"(.+?)\s*([<>])\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class LessonError(ValueError):
    """A lesson file that cannot be used; `problems` name their lines."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}, line {p.line}: {p.message}" if p.line else f"{self.source}: {p.message}"
                for p in self.problems]


@dataclass(frozen=True)
class Vocabulary:
    """The app's names a lesson may use: command ids (for `task: action` and `show:`), panel ids (for
    `panels:`) and built-in datasets. An empty set: not checked."""

    actions: frozenset = frozenset()
    panels: frozenset = frozenset()
    datasets: frozenset = frozenset()


@dataclass
class _Field:
    key: str
    value: str
    line: int
    block: list = field(default_factory=list)   # (line number, text) of its indented lines


def read_lesson_file(path, vocabulary: Vocabulary | None = None) -> Lesson:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise LessonError(path.name, [Problem(0, f"not UTF-8 text ({error.reason})")]) from None
    lesson = read_lesson(text, source=path.name, vocabulary=vocabulary)
    return replace(lesson, name=path.stem, path=str(path))


def read_lesson(text: str, source: str = "lesson", vocabulary: Vocabulary | None = None) -> Lesson:
    """The lesson `text` describes; LessonError listing every problem (with its line) otherwise."""
    problems: list[Problem] = []
    header, steps = _fields(text, problems)
    vocabulary = vocabulary or Vocabulary()
    head = {f.key: f for f in header}
    if "lesson" not in head or not head["lesson"].value.strip():
        problems.append(Problem(head["lesson"].line if "lesson" in head else 1,
                                "missing 'lesson: TITLE' at the top of the file"))
    if "format" in head and head["format"].value.strip() != str(FORMAT_VERSION):
        problems.append(Problem(head["format"].line, f"format {head['format'].value.strip()!r} is not known "
                                                     f"(this studio reads format {FORMAT_VERSION})"))
    read = [_step(fields, problems, vocabulary) for fields in steps]
    if not read:
        problems.append(Problem(max(1, len(text.splitlines())), "the lesson has no steps ('step: ID' starts one)"))
    seen: dict[str, int] = {}
    for step in read:
        if step.id in seen:
            problems.append(Problem(step.line, f"step '{step.id}' is named twice (first on line {seen[step.id]})"))
        seen.setdefault(step.id, step.line)
    for step, fields in zip(read, steps):
        review = next((f for f in fields if f.key == "review"), None)
        if review is not None and step.review not in seen:
            problems.append(Problem(review.line, f"review: no step is named '{step.review}' "
                                                 f"(steps: {', '.join(seen)})"))
    if problems:
        raise LessonError(source, problems)
    return Lesson(title=head["lesson"].value.strip(), steps=tuple(read),
                  summary=head["summary"].value.strip() if "summary" in head else "")


def _fields(text: str, problems: list[Problem]) -> tuple[list[_Field], list[list[_Field]]]:
    """The header's fields and each step's, with their blocks, by line."""
    header: list[_Field] = []
    steps: list[list[_Field]] = []
    current: _Field | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.replace("\t", "    ").rstrip()
        if not line.strip():
            if current is not None and current.key in BLOCK_KEYS:
                current.block.append((number, ""))
            continue
        if line.startswith("#"):
            continue
        if line[0] == " ":
            if current is None or current.key not in BLOCK_KEYS:
                problems.append(Problem(number, "an indented line outside a block (only text:, setup:, "
                                                "factors:, hints: and options: take indented lines)"))
            else:
                current.block.append((number, line))
            continue
        match = _KEY_LINE.match(line)
        if not match:
            problems.append(Problem(number, f"expected 'key: value', found {line.strip()[:40]!r}"))
            current = None
            continue
        key, value = match.group(1), match.group(2).strip()
        current = _Field(key, value, number)
        if key == "step":
            steps.append([current])
        elif not steps:
            if key in HEADER_KEYS:
                header.append(current)
            elif key in STEP_KEYS:
                problems.append(Problem(number, f"'{key}:' before the first 'step: ID'"))
            else:
                problems.append(Problem(number, f"unknown key '{key}' (the file starts with "
                                                f"{', '.join(HEADER_KEYS)}, then steps)"))
        elif key not in STEP_KEYS:
            problems.append(Problem(number, f"unknown key '{key}' (a step has {', '.join(STEP_KEYS[1:])})"))
        elif any(f.key == key for f in steps[-1]):
            problems.append(Problem(number, f"'{key}:' given twice in this step"))
        else:
            steps[-1].append(current)
    return header, steps


def _block_lines(f: _Field) -> list[tuple[int, str]]:
    """A block's non-blank lines (number, text without the indent), the inline value first."""
    lines = [(f.line, f.value)] if f.value else []
    return lines + [(n, t.strip()) for n, t in f.block if t.strip()]


def _text(f: _Field) -> str:
    """A text block: its lines dedented, blank lines (paragraph breaks) kept."""
    rows = ([f.value] if f.value else []) + [t for _n, t in f.block]
    indents = [len(t) - len(t.lstrip()) for t in rows[1 if f.value else 0:] if t.strip()]
    cut = min(indents) if indents else 0
    body = [rows[0]] if f.value else []
    body += [t[cut:] for t in rows[1 if f.value else 0:]]
    return "\n".join(body).strip("\n")


def _expression(text: str, line: int, problems: list[Problem], what: str) -> Expression | None:
    try:
        return compile_expression(text, line)
    except ValueError as error:
        problems.append(Problem(line, f"{what}: {error}"))
        return None


def _condition(text: str, line: int, problems: list[Problem], what: str) -> tuple | None:
    match = _GOAL.fullmatch(text.strip())
    if not match:
        problems.append(Problem(line, f"{what}: write EXPRESSION < NUMBER or EXPRESSION > NUMBER, not {text!r}"))
        return None
    expression = _expression(match.group(1), line, problems, what)
    return None if expression is None else (expression, match.group(2), float(match.group(3)))


def _tolerance(f: _Field, problems: list[Problem]) -> tuple[float, bool] | None:
    text = f.value.strip()
    relative = text.endswith("%")
    try:
        size = float(text[:-1] if relative else text)
    except ValueError:
        problems.append(Problem(f.line, f"tolerance {text!r} is not a number (write 0.001, or 1% for a share "
                                        "of the answer)"))
        return None
    if not math.isfinite(size) or size <= 0 or (relative and size >= 100):
        problems.append(Problem(f.line, f"tolerance {text!r} must be above 0" + (" and below 100%" if relative else "")))
        return None
    return (size / 100, True) if relative else (size, False)


def _check_maths(f: _Field, problems: list[Problem]) -> None:
    for number, line in [(f.line, f.value)] + f.block:
        try:
            pieces = math_pieces(line)
        except ValueError as error:
            problems.append(Problem(number, f"maths: {error} (maths stays on one line)"))
            continue
        for piece, is_maths in pieces:
            why = math_problem(piece) if is_maths else ""
            if why:
                problems.append(Problem(number, f"maths ${piece.strip()[:40]}$: {why}"))


def _step(fields: list[_Field], problems: list[Problem], vocabulary: Vocabulary) -> Step:
    head = fields[0]
    by_key = {f.key: f for f in fields}
    step_id = head.value.strip()
    if not _STEP_ID.fullmatch(step_id):
        problems.append(Problem(head.line, f"step name {step_id!r}: use lower-case letters, digits and -, "
                                           "e.g. 'step: local-derivatives'"))
    for required in ("title", "text"):
        if required not in by_key or not (by_key[required].value or _block_lines(by_key[required])):
            problems.append(Problem(head.line, f"step '{step_id}' has no {required}: (every step needs a title "
                                               "and a text)"))
    if "text" in by_key:
        _check_maths(by_key["text"], problems)
    task = _task(by_key, problems, vocabulary)
    show = ()
    if "show" in by_key:
        show = tuple(a.strip() for a in by_key["show"].value.split(",") if a.strip())
        for action in show:
            if vocabulary.actions and action not in vocabulary.actions:
                problems.append(Problem(by_key["show"].line, f"show: unknown command '{action}'"))
    return Step(
        id=step_id, title=by_key["title"].value.strip() if "title" in by_key else "",
        text=_text(by_key["text"]) if "text" in by_key else "", line=head.line,
        setup=_setup(by_key.get("setup"), problems, vocabulary),
        highlights=_highlights(by_key.get("highlight"), problems),
        task=task, show=show,
        review=by_key["review"].value.strip() if "review" in by_key else "",
        done=by_key["done"].value.strip() if "done" in by_key else "")


def _task(by_key: dict, problems: list[Problem], vocabulary: Vocabulary) -> Task:
    f = by_key.get("task")
    kind, argument, line = "read", "", by_key["step"].line
    if f is not None:
        kind, _, argument = f.value.strip().partition(" ")
        argument, line = argument.strip(), f.line
        if kind not in TASK_KINDS:
            problems.append(Problem(line, f"unknown task '{kind}' (tasks: {', '.join(TASK_KINDS)})"))
            return Task(line=line)
    for key in ANSWER_ONLY:
        if key in by_key and kind != "answer":
            problems.append(Problem(by_key[key].line, f"'{key}:' belongs to 'task: answer' only"))
    if "options" in by_key and kind != "choice":
        problems.append(Problem(by_key["options"].line, "'options:' belongs to 'task: choice' only"))
    task = Task(kind=kind, argument=argument, line=line)
    if kind in ("action", "select", "formula", "answer", "goal") and not argument:
        problems.append(Problem(line, f"task {kind} needs what to wait for, e.g. "
                                      + {"action": "'task: action step'", "select": "'task: select w2'",
                                         "formula": "'task: formula log(2 + cos(x))'",
                                         "answer": "'task: answer a2 - y'", "goal": "'task: goal J < 0.08'"}[kind]))
        return task
    if kind == "action" and vocabulary.actions and argument not in vocabulary.actions:
        problems.append(Problem(line, f"unknown action '{argument}' (a command id of the studio, e.g. step, "
                                      "next_param, lab_1)"))
    elif kind == "select" and not _PARAMETER.fullmatch(argument):
        problems.append(Problem(line, f"select: {argument!r} is not a parameter name (w1, b2, w2.1.3 …)"))
    elif kind == "formula":
        from ..formula.parser import FormulaError, check_syntax

        try:
            check_syntax(argument)
        except FormulaError as error:
            problems.append(Problem(line, f"formula: {error.message}"))
    elif kind == "answer":
        task = replace(task, expression=_expression(argument, line, problems, "answer"))
        if "tolerance" in by_key:
            task = replace(task, tolerance=_tolerance(by_key["tolerance"], problems) or task.tolerance)
        factors, hints = [], []
        for number, text in _block_lines(by_key["factors"]) if "factors" in by_key else ():
            label, equals, expression = text.rpartition("=")
            if not equals or not label.strip():
                problems.append(Problem(number, f"factor: write LABEL = EXPRESSION, e.g. ∂J/∂a2 = a2 - y"))
                continue
            parsed = _expression(expression.strip(), number, problems, "factor")
            if parsed is not None:
                factors.append(Factor(label.strip(), parsed))
        for number, text in _block_lines(by_key["hints"]) if "hints" in by_key else ():
            expression, colon, said = text.partition(":")
            if not colon or not said.strip():
                problems.append(Problem(number, "hint: write EXPRESSION: what to say, e.g. a2*a1: that is σ(z2), "
                                                "not its derivative"))
                continue
            parsed = _expression(expression.strip(), number, problems, "hint")
            if parsed is not None:
                hints.append(Hint(parsed, said.strip()))
        task = replace(task, factors=tuple(factors), hints=tuple(hints),
                       hint=by_key["hint"].value.strip() if "hint" in by_key else "",
                       solution=by_key["solution"].value.strip() if "solution" in by_key else "")
    elif kind == "choice":
        options = []
        for number, text in _block_lines(by_key["options"]) if "options" in by_key else ():
            mark, body = text[:1], text[1:].strip()
            if mark not in "*-" or not body:
                problems.append(Problem(number, "option: start it with * (right) or - (wrong)"))
                continue
            condition = None
            words, sep, tail = body.rpartition(" if ")
            if sep:
                body, condition = words.strip(), _condition(tail, number, problems, "option")
            options.append(Option(body, mark == "*", number, condition))
        if not options:
            problems.append(Problem(line, "task choice needs 'options:' with lines '* right' and '- wrong'"))
        elif not any(o.correct or o.condition for o in options):
            problems.append(Problem(line, "no option is right: mark one with * (or give it an 'if' condition)"))
        task = replace(task, options=tuple(options))
    elif kind == "goal":
        task = replace(task, goal=_condition(argument, line, problems, "goal"))
    return task


def _setup(f: _Field | None, problems: list[Problem], vocabulary: Vocabulary) -> tuple[Setup, ...]:
    if f is None:
        return ()
    entries = []
    for number, text in _block_lines(f):
        match = _KEY_LINE.match(text)
        if not match:
            problems.append(Problem(number, f"setup: expected 'key: value', found {text[:40]!r}"))
            continue
        key, value = match.group(1), match.group(2).strip()
        why = _setup_problem(key, value, vocabulary)
        if why:
            problems.append(Problem(number, why))
        else:
            entries.append(Setup(key, value, number))
    return tuple(entries)


def _setup_problem(key: str, value: str, vocabulary: Vocabulary) -> str:
    if key not in SETUP_KEYS:
        return f"unknown setup key '{key}' (setup keys: {', '.join(SETUP_KEYS)})"
    items = [v.strip() for v in value.split(",") if v.strip()]
    if key == "restart" and value != "lesson":
        return "setup restart: the only value is 'lesson'"
    if key == "lab" and value not in ("network", "function"):
        return f"setup lab: 'network' or 'function', not {value!r}"
    if key == "dataset" and vocabulary.datasets and value not in vocabulary.datasets:
        return f"setup dataset: unknown dataset {value!r} (datasets: {', '.join(sorted(vocabulary.datasets))})"
    if key == "hidden" and not (items and all(i.isdigit() and int(i) > 0 for i in items)):
        return f"setup hidden: layer sizes like 2 or 2, 2, not {value!r}"
    if key == "select" and not _PARAMETER.fullmatch(value):
        return f"setup select: {value!r} is not a parameter name (w1, b2, w2.1.3 …)"
    if key == "axes" and not (len(items) == 2 and all(_PARAMETER.fullmatch(i) for i in items)):
        return f"setup axes: two parameters like w1, w2, not {value!r}"
    if key == "sample" and not (value.isdigit() and int(value) >= 1):
        return f"setup sample: a sample number from 1, not {value!r}"
    if key in ("learning_rate", "x0"):
        try:
            number = float(value)
        except ValueError:
            return f"setup {key}: {value!r} is not a number"
        if not math.isfinite(number) or (key == "learning_rate" and number <= 0):
            return f"setup {key}: {value!r} is out of range"
    if key == "panels" and value != "all":
        unknown = [i for i in items if vocabulary.panels and i not in vocabulary.panels]
        if not items or unknown:
            return (f"setup panels: unknown panel {', '.join(unknown) or value!r} (panels: "
                    f"{', '.join(sorted(vocabulary.panels))}, or all)")
    if key == "set":
        for item in items:
            name, equals, number = item.partition("=")
            if not equals or not _PARAMETER.fullmatch(name.strip()):
                return f"setup set: write PARAMETER = NUMBER, e.g. w1 = 1.5, not {item!r}"
            try:
                float(number)
            except ValueError:
                return f"setup set: {number.strip()!r} is not a number"
    if key == "command" and (not value or (vocabulary.actions and value not in vocabulary.actions)):
        return f"setup command: unknown command {value!r} (a command id of the studio, e.g. vanishing_example)"
    if key == "race" and value != "off":
        from ..update_rules import RULES

        unknown = [i for i in items if i not in RULES]
        if not items or unknown or len(set(items)) != len(items):
            return (f"setup race: optimizers like sgd, momentum, adam (each once), or off, not {value!r} "
                    f"(optimizers: {', '.join(RULES)})")
    if key == "formula":
        from ..formula.parser import FormulaError, check_syntax

        try:
            check_syntax(value)
        except FormulaError as error:
            return f"setup formula: {error.message}"
    return ""


def _highlights(f: _Field | None, problems: list[Problem]) -> tuple[Highlight, ...]:
    if f is None:
        return ()
    found = []
    for item in (i.strip() for i in f.value.split(",") if i.strip()):
        kind, _, target = item.partition(" ")
        target = target.strip()
        if kind not in HIGHLIGHT_KINDS:
            problems.append(Problem(f.line, f"highlight: unknown kind '{kind}' (kinds: {', '.join(HIGHLIGHT_KINDS)})"))
        elif kind == "node" and not _NODE.fullmatch(target):
            problems.append(Problem(f.line, f"highlight node: {target!r} is not a node (x, z1, a1, z2, a2, y, J)"))
        elif kind == "edge" and not _PARAMETER.fullmatch(target):
            problems.append(Problem(f.line, f"highlight edge: {target!r} is not a parameter (w1, b2 …)"))
        elif kind in ("factor", "layer") and not (target.isdigit() and int(target) >= 1):
            problems.append(Problem(f.line, f"highlight {kind}: a number from 1, not {target!r}"))
        else:
            found.append(Highlight(kind, target, f.line))
    return tuple(found)
