"""Performs a lesson on the studio: sets each step up, waits for its task, judges answers, keeps
the learner's progress. No widgets: the lesson panel (panel.py) shows what this holds, and tests
drive it through the panel's keys.

It touches the studio only through public doors: the session model's commands (select, set_sample,
set_dataset …), the action registry (restart the lesson, a task's command, "Show me"), the Function
lab's model (formula, x0) and the window's lab and dock switches. Checks read the numbers the panels
draw: the session's shown snapshot at the chosen sample (core.lessons.network_quantities).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal

from core.lessons import (Lesson, LessonError, QuantityMissing, Step, check_answer, function_quantities,
                          goal_reached, health_quantities, network_quantities, number_text, option_is_right)

from . import library

SETTINGS_GROUP = "lessons"


def _names_health(step: Step) -> bool:
    """Whether the step's task names a gradient-health quantity (delta1 …)."""
    task = step.task
    texts = [task.argument, *(h.expression.text for h in task.hints), *(f.expression.text for f in task.factors),
             *(o.condition[0].text for o in task.options if o.condition)]
    return any("delta" in text for text in texts)


def _plain_formula(text: str) -> str:
    return "".join(text.split()).replace("**", "^")


class LessonRunner(QObject):
    lessonChanged = Signal()          # another lesson (or a problem reading one)
    stepChanged = Signal(int)
    stateChanged = Signal()           # done, feedback or the wrong-answer count changed
    highlightsChanged = Signal(object)   # the shown step's highlights (tuple of core Highlight)

    def __init__(self, window, settings_factory=None):
        super().__init__(window)
        self._window = window
        self._settings = settings_factory or (lambda: QSettings())
        self.lesson: Lesson | None = None
        self.problems: list[str] = []     # what is wrong with the last file asked for
        self.index = 0
        self.done = False
        self.wrong = 0
        self.feedback = ""
        self.feedback_kind = ""           # "", "right", "wrong", "solution", "info"
        model, registry = window.model, window.registry
        model.selectionChanged.connect(lambda *_: self._check_live())
        model.snapshotChanged.connect(lambda *_: self._check_live())
        model.parametersChanged.connect(lambda *_: self._check_live())
        window.function_model.analysisChanged.connect(self._check_live)
        window.function_model.x0Changed.connect(lambda *_: self.stateChanged.emit())
        self._watched_action = None
        self._registry = registry

    # ------------------------------------------------------------------ lessons and steps
    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.lesson else None

    def open(self, name_or_path: str, step: int | str | None = None) -> bool:
        """Open a lesson (a shipped one's name or a file) at `step` (a number from 1 or a step's name;
        default: where the learner left it). False, with `problems` saying why, when it cannot."""
        vocab = library.vocabulary(self._registry, self._window.network_lab.docks)
        try:
            lesson = library.load(name_or_path, vocab)
        except LessonError as error:
            return self._refuse(error.lines())
        except (FileNotFoundError, OSError) as error:
            return self._refuse([str(error)])
        start = self._saved_step(lesson)
        if step is not None:
            try:
                start = int(step) - 1 if str(step).isdigit() else lesson.index_of(str(step))
            except KeyError:
                return self._refuse([f"{lesson.name}: no step named {step!r}"])
            if not 0 <= start < len(lesson.steps):
                return self._refuse([f"{lesson.name} has steps 1 to {len(lesson.steps)}, not {step}"])
        self.lesson, self.problems, self.index = lesson, [], -1
        self.lessonChanged.emit()
        self.go(start)
        return True

    def _refuse(self, lines: list[str]) -> bool:
        self.problems = lines
        self.lessonChanged.emit()
        self._window.model.set_message("The lesson could not be opened: " + lines[0]
                                       + (f" (and {len(lines) - 1} more, listed in the lesson panel)"
                                          if len(lines) > 1 else ""))
        return False

    def go(self, index: int) -> None:
        """Show step `index`, set up as the lesson sets it: after the previous step only its own
        set-up runs; a jump (the step list, Back, --step) first replays the set-ups of the steps before
        it, from the last one that restarts the lesson, so the studio is as the text expects."""
        if self.lesson is None:
            return
        index = max(0, min(int(index), len(self.lesson.steps) - 1))
        if index != self.index + 1:
            earlier = self.lesson.steps[:index]
            start = max((i for i, s in enumerate(earlier) if any(e.key == "restart" for e in s.setup)), default=0)
            for step in earlier[start:]:
                self._set_up(step)
        self.index = index
        self.done, self.wrong, self.feedback, self.feedback_kind = not self.step.task.waits, 0, "", ""
        self._watch_action()
        problem = self._set_up(self.step)
        if problem:
            self._say(problem, "info")
        self._save_progress()
        self.stepChanged.emit(self.index)
        self.highlightsChanged.emit(self.step.highlights)
        self._check_live()
        self.stateChanged.emit()

    def next(self) -> bool:
        """Next step, once the task is done; else say what is left to do. False when it did not move."""
        if self.lesson is None:
            return False
        if not self.done:
            self._say(f"First: {self.task_prompt()} (Show me does it for you.)", "info")
            return False
        if self.index + 1 >= len(self.lesson.steps):
            self._mark_finished()
            self._say(f"That was the last step of “{self.lesson.title}”. Well done.", "right")
            return False
        self._mark_done(self.index)
        self.go(self.index + 1)
        return True

    def back(self) -> bool:
        if self.lesson is None or self.index == 0:
            return False
        self.go(self.index - 1)
        return True

    # ------------------------------------------------------------------ tasks
    def task_prompt(self) -> str:
        task = self.step.task
        return {
            "read": "read, then press Next.",
            "action": f"run “{self._title(task.argument)}” ({self._key(task.argument)}).",
            "select": f"select {task.argument}.",
            "formula": f"show {task.argument} in the Function lab.",
            "answer": "type your answer and press Enter.",
            "choice": "pick an answer (arrows, then Enter).",
            "goal": f"reach {task.goal[0].text} {task.goal[1]} {task.goal[2]:g}." if task.goal else "reach the goal.",
        }[task.kind]

    def quantities(self) -> dict[str, float]:
        """The live quantities the lesson's expressions name (what the panels show now)."""
        model, function = self._window.model, self._window.function_model
        values = network_quantities(model.snapshot, model.sample)
        if self.step is not None and _names_health(self.step):   # a backward pass: only when asked
            values.update(health_quantities(model.snapshot))
        if function.compiled is not None:
            h, dh = function.compiled.at(function.x0)
            values.update(function_quantities(function.x0, h, dh))
        else:
            values.update(x0=float(function.x0))
        return values

    def answer(self, text: str) -> bool:
        """Judge a typed answer; True when right."""
        task = self.step.task if self.step else None
        if task is None or task.kind != "answer":
            return False
        try:
            verdict = check_answer(task, text, self.quantities(), self.wrong)
        except QuantityMissing as missing:
            self._say(f"This step cannot be checked now: {missing}.", "info")
            return False
        except ValueError as error:
            self._say(str(error), "info")
            return False
        if verdict.correct:
            self._complete(verdict.message)
            return True
        self.wrong += 1
        self._say(verdict.message, "solution" if verdict.solution_given else "wrong")
        return False

    def choose(self, option: int) -> bool:
        task = self.step.task if self.step else None
        if task is None or task.kind != "choice" or not 0 <= option < len(task.options):
            return False
        try:
            right = option_is_right(task.options[option], self.quantities())
        except QuantityMissing as missing:
            self._say(f"This step cannot be checked now: {missing}.", "info")
            return False
        if right:
            self._complete(f"Right: {task.options[option].text}.")
            return True
        self.wrong += 1
        if self.wrong >= 2:
            self._say("Not that one. The right answer: "
                      + "; ".join(o.text for o in task.options if option_is_right(o, self.quantities())) + ".",
                      "solution")
        else:
            self._say(f"Not that one: “{task.options[option].text}”. Read the text again and try another.", "wrong")
        return False

    def show_me(self) -> None:
        """Perform the step's task for the learner, through the studio's own commands."""
        step = self.step
        if step is None or self.done:
            return
        task = step.task
        for action_id in step.show:
            self._registry.run(action_id)
        if step.show and task.kind != "answer":
            self._check_live()
            return
        if task.kind == "action":
            self._registry.run(task.argument)
        elif task.kind == "select":
            names = self._window.model.parameter_names()
            for _ in range(len(names)):
                if self._window.model.selected == task.argument or task.argument not in names:
                    break
                self._registry.run("next_param")
        elif task.kind == "formula":
            self._window.open_lab("function")
            self._window.function_model.submit(task.argument, remember=True)
        elif task.kind == "answer":
            try:
                value = self._expected()
            except QuantityMissing as missing:
                self._say(f"This step cannot be worked out now: {missing}.", "info")
                return
            self._complete(f"The answer is {number_text(value)}.")
        elif task.kind == "choice":
            values = self.quantities()
            for index, option in enumerate(task.options):
                if option_is_right(option, values):
                    self.choose(index)
                    break
        self._check_live()

    def _expected(self) -> float:
        from core.lessons import evaluate

        return evaluate(self.step.task.expression, self.quantities())

    def _check_live(self) -> None:
        """A task the live state fulfils (a selection, a formula, a goal) is done the moment it is."""
        step = self.step
        if step is None or self.done:
            return
        task, model = step.task, self._window.model
        if task.kind == "select" and model.selected == task.argument:
            self._complete(f"{task.argument} is selected.")
        elif task.kind == "formula":
            analysis = self._window.function_model.analysis
            if analysis is not None and _plain_formula(analysis.text) == _plain_formula(task.argument):
                self._complete(f"The Function lab shows h(x) = {task.argument}.")
        elif task.kind == "goal" and goal_reached(task, self.quantities()):
            self._complete("Goal reached.")

    def _watch_action(self) -> None:
        if self._watched_action is not None:
            try:
                self._watched_action.triggered.disconnect(self._on_action)
            except (RuntimeError, TypeError):
                pass
            self._watched_action = None
        task = self.step.task
        if task.kind == "action":
            self._watched_action = self._registry.action(task.argument)
            self._watched_action.triggered.connect(self._on_action)

    def _on_action(self, *_args) -> None:
        if self.step is not None and self.step.task.kind == "action" and not self.done:
            self._complete(f"Done: {self._title(self.step.task.argument)}.")

    def _complete(self, message: str) -> None:
        self.done = True
        done = self.step.done
        self._mark_done(self.index)
        self._say(f"{message} {done}".strip() + "  Next: Space or Enter.", "right")

    def _say(self, text: str, kind: str) -> None:
        self.feedback, self.feedback_kind = text, kind
        self.stateChanged.emit()

    def _title(self, action_id: str) -> str:
        try:
            return self._registry.title(action_id)
        except KeyError:
            return action_id

    def _key(self, action_id: str) -> str:
        try:
            return self._registry.shortcut_text(action_id) or "no key"
        except KeyError:
            return "no key"

    # ------------------------------------------------------------------ set-up
    def _set_up(self, step: Step) -> str:
        """Run the step's set-up in order; the first problem (a parameter the network lacks …) is
        returned as a sentence, the rest still runs."""
        problems = []
        for entry in step.setup:
            try:
                self._apply(entry.key, entry.value)
            except (ValueError, KeyError) as error:
                problems.append(f"line {entry.line}: {entry.key}: {error}")
        return ("This step's set-up did not all work: " + "; ".join(problems)) if problems else ""

    def _apply(self, key: str, value: str) -> None:
        window, model = self._window, self._window.model
        items = [v.strip() for v in value.split(",") if v.strip()]
        if key == "restart":
            self._registry.run("restore_lesson")
        elif key == "lab":
            window.open_lab(value)
        elif key == "dataset":
            model.set_dataset(value)
        elif key == "hidden":
            model.set_hidden_layers([int(i) for i in items])
        elif key == "select":
            model.select(value)
        elif key == "sample":
            if int(value) > len(model.X):
                raise ValueError(f"the data has {len(model.X)} samples")
            model.set_sample(int(value) - 1)
        elif key == "learning_rate":
            model.set_learning_rate(float(value))
        elif key == "axes":
            model.set_axes(*items)
        elif key == "set":
            for item in items:
                name, _, number = item.partition("=")
                if name.strip() not in model.parameter_names():
                    raise ValueError(f"the network has no parameter {name.strip()}")
                model.set_parameter(name.strip(), float(number))
        elif key == "panels":
            window.show_only_panels(None if value == "all" else items)
        elif key == "formula":
            window.function_lab  # noqa: B018 (built on first use, so its field follows)
            window.function_model.submit(value, remember=True)
        elif key == "x0":
            window.function_model.set_x0(float(value))
        elif key == "command":
            can_run, why = self._registry.run(value)
            if not can_run:
                raise ValueError(why)
        elif key == "race":
            if value == "off":
                if model.racing:
                    self._registry.run("end_race")
                return
            import core

            can_run, why = self._registry.run("race_these", core.default_entrants(model.learning_rate, tuple(items)))
            if not can_run:
                raise ValueError(why)

    # ------------------------------------------------------------------ progress
    def _key_for(self, lesson: Lesson, what: str) -> str:
        return f"{SETTINGS_GROUP}/{lesson.name or 'lesson'}/{what}"

    def _saved_step(self, lesson: Lesson) -> int:
        value = self._settings().value(self._key_for(lesson, "step"), 0)
        try:
            return max(0, min(int(value), len(lesson.steps) - 1))
        except (TypeError, ValueError):
            return 0

    def _save_progress(self) -> None:
        store = self._settings()
        store.setValue(self._key_for(self.lesson, "step"), self.index)
        store.sync()

    def completed(self) -> set[int]:
        """Step indices whose task the learner has done (kept between runs)."""
        if self.lesson is None:
            return set()
        text = str(self._settings().value(self._key_for(self.lesson, "done"), "") or "")
        return {int(i) for i in text.split(",") if i.strip().isdigit()}

    def _mark_done(self, index: int) -> None:
        done = self.completed() | {index}
        store = self._settings()
        store.setValue(self._key_for(self.lesson, "done"), ",".join(str(i) for i in sorted(done)))
        store.sync()

    def _mark_finished(self) -> None:
        self._mark_done(self.index)
        store = self._settings()
        store.setValue(self._key_for(self.lesson, "finished"), True)
        store.sync()


__all__ = ["LessonRunner"]
