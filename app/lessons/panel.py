"""The lesson panel: the step's text with its maths typeset, the task (an answer field, a choice
list), what the lesson says back, Back / Show me / Next, and the list of steps.

Keyboard first: with the panel (or its step list or choice list) focused, Space and Enter go on to
the next step (Enter in the answer field checks the answer; Enter in the choice list picks the
option); Backspace goes back. PgDown / PgUp / Ctrl+Shift+M do Next / Back / Show me from anywhere
(the registry's lesson commands). Space is the window's run/pause key everywhere else, so the panel
claims it only while it has the focus.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from . import lesson_text
from .runner import LessonRunner

NEXT_KEYS = (Qt.Key_Space, Qt.Key_Return, Qt.Key_Enter)
#: Keys the step and choice lists move with that the window also binds (Home: timeline start, End: live).
LIST_KEYS = (Qt.Key_Home, Qt.Key_End)
FEEDBACK_COLOURS = {"right": "#1b6e2a", "wrong": "#a3461a", "solution": "#8a2a8a", "info": "#2a4f8a", "": "#1d2433"}


class LessonPanel(QWidget):
    def __init__(self, runner: LessonRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("lesson-panel")
        self.setAccessibleName("Lesson")
        self.setFocusPolicy(Qt.StrongFocus)
        self.runner = runner
        self.heading = QLabel()
        self.heading.setObjectName("lesson-heading")
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Lesson step")
        self.text = QTextBrowser()
        self.text.setObjectName("lesson-text")
        self.text.setAccessibleName("Lesson text")
        self.text.setFocusPolicy(Qt.NoFocus)   # Space belongs to Next, not to scrolling
        self.text.setOpenLinks(False)
        self.text.setFrameShape(QFrame.NoFrame)
        self.answer = QLineEdit()
        self.answer.setObjectName("lesson-answer")
        self.answer.setAccessibleName("Your answer")
        self.answer.setPlaceholderText("Type a number, then Enter")
        self.answer.installEventFilter(self)   # Enter checks the answer (and goes no further)
        self.choices = QListWidget()
        self.choices.setObjectName("lesson-choices")
        self.choices.setAccessibleName("Choices")
        self.choices.itemActivated.connect(lambda item: self.runner.choose(self.choices.row(item)))
        self.feedback = QLabel()
        self.feedback.setObjectName("lesson-feedback")
        self.feedback.setAccessibleName("Lesson feedback")
        self.feedback.setWordWrap(True)
        self.feedback.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.back_button = QPushButton("◀ Back")
        self.show_button = QPushButton("Show me")
        self.next_button = QPushButton("Next ▶")
        for button, handler in ((self.back_button, runner.back), (self.show_button, runner.show_me),
                                (self.next_button, runner.next)):
            button.setFocusPolicy(Qt.NoFocus)    # keys, not Tab stops: Space must not "click" them
            button.clicked.connect(lambda _checked=False, h=handler: (h(), self._refocus()))
        self.steps = QListWidget()
        self.steps.setObjectName("lesson-steps")
        self.steps.setAccessibleName("Lesson steps")
        self.steps.itemActivated.connect(lambda item: self.runner.go(self.steps.row(item)))
        buttons = QHBoxLayout()
        for button in (self.back_button, self.show_button, self.next_button):
            buttons.addWidget(button)
        task = QWidget()
        column = QVBoxLayout(task)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.text, 1)
        column.addWidget(self.choices)
        column.addWidget(self.answer)
        column.addWidget(self.feedback)
        column.addLayout(buttons)
        split = QSplitter(Qt.Vertical)
        split.addWidget(task)
        split.addWidget(self.steps)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        for widget in (self.steps, self.choices):
            widget.installEventFilter(self)
        runner.lessonChanged.connect(self._on_lesson)
        runner.stepChanged.connect(self._on_step)
        runner.stateChanged.connect(self._on_state)
        self._on_lesson()
        if runner.step is not None:   # a lesson opened before the panel was built
            self._on_step(runner.index)
            self._on_state()

    # ------------------------------------------------------------------ keys
    def event(self, event) -> bool:
        if event.type() == QEvent.ShortcutOverride and self._is_next_key(event):
            event.accept()   # Space and Enter are Next here, not the window's run/pause
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if self._is_next_key(event):
            self.runner.next()
            self._refocus()
        elif event.key() == Qt.Key_Backspace and not event.modifiers():
            self.runner.back()
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched, event) -> bool:
        """In the step and choice lists Space and Enter act on the item (go there / pick it). In the answer
        field Enter checks the answer; QLineEdit would pass the key on to the panel, where it means Next."""
        if watched is self.answer:
            if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter):
                self._check_answer()
                return True
            return False
        if event.type() == QEvent.ShortcutOverride and self._is_next_key(event):
            event.accept()
            return True
        if (event.type() == QEvent.ShortcutOverride and event.key() in LIST_KEYS
                and not event.modifiers() & ~Qt.KeypadModifier):
            event.accept()   # Home / End move in the list, not the timeline to its start / live
            return False
        if event.type() == QEvent.KeyPress and self._is_next_key(event):
            item = watched.currentItem()
            if item is not None:
                watched.itemActivated.emit(item)
                self._refocus()
            return True
        return False

    @staticmethod
    def _is_next_key(event) -> bool:
        return event.key() in NEXT_KEYS and not (event.modifiers() & ~Qt.KeypadModifier)

    def focus_task(self) -> None:
        self._refocus(force=True)

    def _refocus(self, force: bool = False) -> None:
        """Where the keys should go now: the answer field while an answer is due, the choice list while a
        choice is, else the panel (Space: Next)."""
        if not self.isVisible() and not force:
            return
        runner = self.runner
        kind = runner.step.task.kind if runner.step else ""
        if kind == "answer" and not runner.done:
            self.answer.setFocus(Qt.OtherFocusReason)
        elif kind == "choice" and not runner.done:
            self.choices.setFocus(Qt.OtherFocusReason)
        else:
            self.setFocus(Qt.OtherFocusReason)

    # ------------------------------------------------------------------ runner -> panel
    def _on_lesson(self) -> None:
        runner = self.runner
        self.steps.clear()
        if runner.problems:
            self.heading.setText("<b>This lesson file cannot be used</b>")
            self.text.setPlainText("\n".join(runner.problems))
            for widget in (self.answer, self.choices):
                widget.hide()
            self.feedback.setText("Fix the lines above and open the file again (File → Open lesson…).")
            return
        if runner.lesson is None:
            self.heading.setText("<b>No lesson open</b>")
            self.text.setPlainText("Lesson → Start a lesson… (or --lesson chain-rule) starts one; File → Open lesson… opens "
                                   "a lesson file.")
            for widget in (self.answer, self.choices):
                widget.hide()
            return
        for number, step in enumerate(runner.lesson.steps, start=1):
            self.steps.addItem(f"{number}. {step.title}")

    def _on_step(self, index: int) -> None:
        runner = self.runner
        step = runner.step
        lesson = runner.lesson
        self.heading.setText(f"<b>{lesson.title}</b> — step {index + 1} of {len(lesson.steps)}: {step.title}")
        self._render_text()
        self.answer.clear()
        self.answer.setVisible(step.task.kind == "answer")
        self.choices.clear()
        for option in step.task.options:
            self.choices.addItem(option.text)
        self.choices.setVisible(step.task.kind == "choice")
        self.choices.setCurrentRow(-1)   # nothing picked for the learner: arrows choose
        self.choices.setMaximumHeight(self.choices.sizeHintForRow(0) * (len(step.task.options) + 1) + 8
                                      if step.task.options else 0)
        self.steps.setCurrentRow(index)
        self._refocus()

    def _render_text(self) -> None:
        step = self.runner.step
        if step is None:
            return
        body = lesson_text.render(self.text.document(), self.text, step.text, self._render_text)
        self.text.setHtml(body)

    def _on_state(self) -> None:
        runner = self.runner
        if runner.step is None:
            return
        completed = runner.completed()
        for row in range(self.steps.count()):
            step = runner.lesson.steps[row]
            mark = "✓ " if row in completed else ""
            self.steps.item(row).setText(f"{mark}{row + 1}. {step.title}")
        colour = FEEDBACK_COLOURS.get(runner.feedback_kind, FEEDBACK_COLOURS[""])
        prompt = runner.feedback or ("Next: Space or Enter." if runner.done else f"Your turn: {runner.task_prompt()}")
        self.feedback.setStyleSheet(f"color: {colour};")
        self.feedback.setText(prompt)
        self.next_button.setEnabled(runner.done)
        self.back_button.setEnabled(runner.index > 0)
        self.show_button.setEnabled(not runner.done)
        self.answer.setReadOnly(runner.done)
        if runner.done and (self.answer.hasFocus() or self.choices.hasFocus()):
            self.setFocus(Qt.OtherFocusReason)   # Space / Enter now go on

    def _check_answer(self) -> None:
        self.runner.answer(self.answer.text())
        self._refocus()

    # ------------------------------------------------------------------ public
    def feedback_text(self) -> str:
        return self.feedback.text()

    def step_text(self) -> str:
        """The step's text as the learner reads it (maths as its LaTeX)."""
        return self.text.document().toPlainText()


__all__ = ["LessonPanel"]
