"""The lessons in the main window: the lesson panel as a dock at the window's right (beside both labs,
since a lesson moves between them) and the lesson commands of the action registry — open the panel,
Next, Back, Show me, File → Open lesson…, and one "start" command per shipped lesson."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFileDialog

from ..actions import ActionSpec
from ..command_arguments import Choice, Choices
from . import library
from .highlights import LessonHighlights
from .panel import LessonPanel
from .runner import LessonRunner

MENU = "Lesson"
DOCK_WIDTH = 430


class Lessons:
    """Owns the runner and, once a lesson is opened or F4 pressed, the panel's dock."""

    def __init__(self, window, settings_factory):
        self.window = window
        self.runner = LessonRunner(window, settings_factory)
        self.highlights = LessonHighlights(window, self.runner)   # the step's marks on the views
        self._dock: QDockWidget | None = None
        self.panel: LessonPanel | None = None

    def action_specs(self) -> list[ActionSpec]:
        def ready():
            return (True, "") if self.runner.lesson is not None else (False, "No lesson is open (Lesson menu).")

        specs = [
            ActionSpec("lesson_panel", "Lesson panel", "F4", MENU,
                       "Show or hide the lesson panel: the step's text, your answers, Back, Show me, Next",
                       self.toggle_panel),
            ActionSpec("open_lesson", "Open lesson…", "Ctrl+Shift+O", "File",
                       "Open a lesson file (.lesson): a shipped one or a teacher's own", self.ask_open),
            ActionSpec("lesson_next", "Next lesson step", "PgDown", MENU,
                       "Go on to the lesson's next step once its task is done (Space or Enter in the lesson "
                       "panel)", self.next, enabled_when=ready),
            ActionSpec("lesson_back", "Previous lesson step", "PgUp", MENU,
                       "Back to the lesson's previous step (Backspace in the lesson panel)", self.back,
                       enabled_when=ready),
            ActionSpec("lesson_show_me", "Show me", "Ctrl+Shift+M", MENU,
                       "Do the lesson step's task for me (the answer, the key, the selection)", self.show_me,
                       enabled_when=ready),
        ]
        shipped = library.shipped_lessons()
        specs.append(ActionSpec(
            "start_lesson", "Start a lesson…", "", MENU, "Start (or resume) one of the studio's lessons",
            self.open, argument=Choices("Which lesson?", lambda: [
                Choice(path.stem, _title_of(path), path.stem, path.stem) for path in shipped])))
        return specs

    # ------------------------------------------------------------------ the dock
    @property
    def dock(self) -> QDockWidget:
        if self._dock is None:
            self.panel = LessonPanel(self.runner)
            dock = self._dock = QDockWidget("Lesson  (F4)", self.window)
            dock.setObjectName("dock-lesson")
            dock.setWidget(self.panel)
            dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                             | QDockWidget.DockWidgetClosable)
            self.window.addDockWidget(Qt.RightDockWidgetArea, dock)
            # the lesson put away (its panel closed): its marks go; opened again: the step's come back
            dock.toggleViewAction().toggled.connect(self.highlights.set_enabled)
            self.window.resizeDocks([dock], [DOCK_WIDTH], Qt.Horizontal)
        return self._dock

    def show_panel(self) -> None:
        dock = self.dock
        dock.show()
        dock.raise_()
        self.panel.focus_task()

    def toggle_panel(self) -> None:
        if self._dock is not None and self._dock.isVisible():
            self._dock.hide()
            self.window.leave_field()
        else:
            self.show_panel()

    # ------------------------------------------------------------------ commands
    def open(self, name_or_path: str, step=None) -> bool:
        opened = self.runner.open(name_or_path, step)
        self.show_panel()
        self.window.registry.refresh()
        if opened:
            self.focus_task()
        return opened

    def focus_task(self) -> None:
        """The keys to where the step wants them (the answer field, the choices, or the panel)."""
        if self.panel is not None:
            self.panel.focus_task()

    def next(self) -> None:
        self.runner.next()
        self.focus_task()

    def back(self) -> None:
        self.runner.back()
        self.focus_task()

    def show_me(self) -> None:
        self.runner.show_me()
        self.focus_task()

    def ask_open(self) -> None:
        folder = str(library.shipped_lessons()[0].parent) if library.shipped_lessons() else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", folder, "Lessons (*.lesson);;All files (*)")
        if path:
            self.open(path)


def _title_of(path) -> str:
    """A shipped lesson's title from its 'lesson:' line (without reading the whole lesson)."""
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("lesson:"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return path.stem
