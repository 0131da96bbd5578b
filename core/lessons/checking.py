"""Judging what the learner does: a typed number against the lesson's expression (to its tolerance),
with a hint on the first wrong answer that names the factor that went wrong, and the solution after
the second; a choice and a goal against the live state.

Which factor went wrong: when a step lists the factors of a product, the learner's number divided by
the right product, times one factor, is what that factor would have been if every other factor was
right. A factor left out makes that 1; a sign slip makes it minus the factor; using a2 where
σ′(z2) = a2(1 − a2) belongs makes it a2 — a quantity the lesson knows. The first factor explained
this way is named.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .model import Option, Task
from .quantities import compile_expression, evaluate

__all__ = ["Verdict", "read_number", "within", "check_answer", "option_is_right", "goal_reached",
           "number_text", "MAX_ANSWER_TEXT"]

MAX_ANSWER_TEXT = 120
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d{1,3})?")
_ABSOLUTE_FLOOR = 1e-9


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str              # what the learner reads
    expected: float
    solution_given: bool = False


def number_text(value: float) -> str:
    """A number as the lesson writes it: four significant digits."""
    if not math.isfinite(value):
        return "undefined"
    text = f"{value:.4g}"
    return text.replace("-", "−")


def read_number(text: str) -> float:
    """The number the learner typed: 0.12, .12, 0,12, 1e-3, −0.5, or plain arithmetic on numbers
    (0.815*0.151*0.992) read by the studio's formula parser. ValueError with a sentence otherwise."""
    text = text.strip().replace("−", "-")
    if not text:
        raise ValueError("Type a number first.")
    if len(text) > MAX_ANSWER_TEXT:
        raise ValueError("That is too long for a number: type the value, like 0.1218.")
    if _NUMBER.fullmatch(text):
        value = float(text.replace(",", "."))
    else:
        from ..formula.parser import FormulaError, parse_formula

        try:
            tree = parse_formula(text)
        except FormulaError as error:
            raise ValueError(f"{text!r} is not a number: {error.message}.") from None
        if tree.free_symbols:
            raise ValueError("Type a number (or arithmetic on numbers), not a formula with x.")
        try:
            value = float(tree.evalf())
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a real number.") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is too large.")
    return value


def within(answer: float, expected: float, tolerance: tuple[float, bool]) -> bool:
    size, relative = tolerance
    allowed = size * abs(expected) if relative else size
    return abs(answer - expected) <= max(allowed, _ABSOLUTE_FLOOR)


def check_answer(task: Task, text: str, values: dict[str, float], wrong_before: int) -> Verdict:
    """The verdict on `text` for an answer task, given the live quantities and how many wrong answers
    came before on this step (the second wrong one gets the solution). ValueError when `text` is not
    a number: that is not counted as an answer."""
    answer = read_number(text)
    expected = evaluate(task.expression, values)
    if within(answer, expected, task.tolerance):
        return Verdict(True, f"Right: {number_text(expected)}.", expected)
    if wrong_before >= 1:
        return Verdict(False, solution_text(task, values, expected), expected, solution_given=True)
    return Verdict(False, hint_text(task, answer, expected, values), expected)


def hint_text(task: Task, answer: float, expected: float, values: dict[str, float]) -> str:
    """What the first wrong answer hears: a known mistake, else the factor that went wrong."""
    head = f"Not quite: {number_text(answer)} is not it."
    for hint in task.hints:
        try:
            if within(answer, evaluate(hint.expression, values), task.tolerance):
                return f"{head} {hint.text}"
        except KeyError:
            continue
    culprit = _factor_that_went_wrong(task, answer, expected, values)
    if culprit:
        return f"{head} {culprit}"
    if task.hint:
        return f"{head} {task.hint}"
    if task.factors:
        listed = "; ".join(f"{f.label} = {f.expression.text}" for f in task.factors)
        return f"{head} Check each factor: {listed}."
    return f"{head} Try again (a second wrong answer shows the solution)."


def _factor_that_went_wrong(task: Task, answer: float, expected: float, values: dict[str, float]) -> str:
    if not task.factors or expected == 0:
        return ""
    # "taken for another quantity" means one the exercise itself uses (a2 for a2(1 - a2)), never an
    # unrelated number that happens to match (eta, the step count)
    used = set().union(*(_names(f.expression) for f in task.factors), _names(task.expression))
    for factor in task.factors:
        try:
            value = evaluate(factor.expression, values)
        except KeyError:
            continue
        if value == 0:
            continue
        implied = answer * value / expected    # this factor, if all the others were right
        tolerance = task.tolerance
        how = f"{factor.label} = {factor.expression.text}"
        if within(implied, 1.0, tolerance) and not within(value, 1.0, tolerance):
            return f"It looks as if the factor {factor.label} was left out: {how}."
        if within(implied, -value, tolerance):
            return f"Check the sign of {factor.label}: {how}."
        for name in sorted(used & values.keys()):
            quantity = values[name]
            if (name != factor.expression.text and within(implied, quantity, tolerance)
                    and not within(value, quantity, tolerance)):
                return f"Your {factor.label} looks like {name}, but {how}."
    return ""


def _names(expression) -> set[str]:
    """The live quantities an expression uses."""
    if expression is None:
        return set()
    tree = expression.tree if expression.tree is not None else compile_expression(expression.text,
                                                                                   expression.line).tree
    return {symbol.name for symbol in tree.free_symbols}


def solution_text(task: Task, values: dict[str, float], expected: float) -> str:
    parts = [f"The answer is {number_text(expected)}."]
    if task.factors:
        shown = []
        for factor in task.factors:
            try:
                shown.append(f"({number_text(evaluate(factor.expression, values))})")
            except KeyError:
                shown.append(factor.label)
        labels = " · ".join(f.label for f in task.factors)
        parts.append(f"{labels} = {' · '.join(shown)} = {number_text(expected)}.")
    if task.solution:
        parts.append(task.solution)
    parts.append("Type it to go on.")
    return " ".join(parts)


def _holds(condition: tuple, values: dict[str, float]) -> bool:
    expression, relation, number = condition
    value = evaluate(expression, values)
    return value < number if relation == "<" else value > number


def option_is_right(option: Option, values: dict[str, float]) -> bool:
    """A choice's option is right when marked so, or when its condition holds now."""
    if option.condition is not None:
        return _holds(option.condition, values)
    return option.correct


def goal_reached(task: Task, values: dict[str, float]) -> bool:
    try:
        return task.goal is not None and _holds(task.goal, values)
    except KeyError:
        return False
