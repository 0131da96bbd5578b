"""Guided lessons in the window: the lesson panel (panel.py), the runner that sets the studio up and
checks the learner's work (runner.py), where lesson files come from (library.py) and the panel's dock
and commands (dock.py). The lesson format and the checks themselves are in core.lessons."""
from .dock import Lessons

__all__ = ["Lessons"]
