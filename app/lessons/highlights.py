"""A lesson step's highlights on the views its text talks about: each Highlight (core.lessons) goes to
the view that draws it, through that view's public `set_lesson_highlight(names)`:

    node a2, edge w2  -> the network diagram      factor 2 -> the chain panel
    point             -> the cost surface          layer 1  -> the Function lab's formula panel

The step's highlights replace the previous step's (a step without any clears them), and every mark
goes when the lesson panel is closed; it comes back when the panel is opened again on the same step.
"""
from __future__ import annotations

# which panel of which lab draws each kind of highlight
PANEL_OF_KIND = {"node": ("network", "diagram"), "edge": ("network", "diagram"),
                 "factor": ("network", "expression"), "point": ("network", "surface"),
                 "layer": ("function", "formula")}


def names_by_panel(highlights) -> dict[tuple[str, str], list[str]]:
    """{(lab, panel): ["node a2", "edge w2"]} for a step's highlights ("point" has no target)."""
    found: dict[tuple[str, str], list[str]] = {}
    for highlight in highlights:
        panel = PANEL_OF_KIND.get(highlight.kind)
        if panel is not None:
            found.setdefault(panel, []).append(f"{highlight.kind} {highlight.target}".strip())
    return found


class LessonHighlights:
    """Keeps the views' marks in step with the runner (its highlightsChanged) and the lesson panel."""

    def __init__(self, window, runner):
        self._window = window
        self._runner = runner
        self._shown: dict[tuple[str, str], list[str]] = {}
        self._enabled = True
        runner.highlightsChanged.connect(self.show)
        runner.lessonChanged.connect(self._on_lesson_changed)

    def show(self, highlights) -> None:
        """Mark `highlights` (a step's tuple of core Highlight), clearing every earlier mark."""
        wanted = names_by_panel(highlights) if self._enabled else {}
        for panel in set(self._shown) - set(wanted):
            view = self._view(panel, build=False)
            if view is not None:
                view.clear_lesson_highlight()
        for panel, names in wanted.items():
            view = self._view(panel, build=True)
            if view is not None:
                view.set_lesson_highlight(names)
        self._shown = wanted

    def clear(self) -> None:
        self.show(())

    def set_enabled(self, enabled: bool) -> None:
        """Off while the lesson panel is closed (the lesson is put away); on again shows the step's."""
        self._enabled = bool(enabled)
        step = self._runner.step
        self.show(step.highlights if step is not None and self._enabled else ())

    def marked(self) -> dict[tuple[str, str], list[str]]:
        """What is asked of each view now: {(lab, panel): names}."""
        return dict(self._shown)

    def _on_lesson_changed(self) -> None:
        if self._runner.problems:   # a file that could not be opened: nothing of the old step stays
            self.clear()

    def _view(self, panel: tuple[str, str], build: bool):
        """The view drawing `panel`; `build`: build the Function lab or a deferred panel if need be
        (a step that names a layer shows that lab anyway)."""
        lab_name, panel_id = panel
        window = self._window
        if lab_name == "function":
            if not build and not window.has_function_lab():
                return None
            lab = window.function_lab
        else:
            lab = window.network_lab
        if not build and not lab.is_built(panel_id):
            return None
        return lab.panels.get(panel_id)
