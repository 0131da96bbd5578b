"""Guided lessons, without Qt: the lesson file format (reader.py, documented for teachers in
resources/lessons/FORMAT.md), the live quantities its expressions name (quantities.py) and the
judging of the learner's answers, choices and goals (checking.py). The app's lesson panel
(app/lessons/) performs a lesson on the studio."""
from .checking import Verdict, check_answer, goal_reached, number_text, option_is_right, read_number, within
from .model import Expression, Factor, Highlight, Hint, Lesson, Option, Setup, Step, Task
from .quantities import (QuantityMissing, evaluate, function_quantities, health_quantities, network_quantities,
                         race_quantities)
from .reader import (FORMAT_VERSION, LESSON_SUFFIX, LessonError, Problem, Vocabulary, read_lesson,
                     read_lesson_file)

__all__ = [
    "Lesson", "Step", "Task", "Setup", "Highlight", "Factor", "Hint", "Option", "Expression",
    "read_lesson", "read_lesson_file", "LessonError", "Problem", "Vocabulary", "FORMAT_VERSION", "LESSON_SUFFIX",
    "network_quantities", "function_quantities", "race_quantities", "health_quantities", "evaluate", "QuantityMissing",
    "check_answer", "Verdict", "read_number", "within", "option_is_right", "goal_reached", "number_text",
]
