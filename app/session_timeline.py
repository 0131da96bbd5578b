"""The session's timeline commands: show a past step, step through the run, switch and delete the
runs (branches) a change in the past has forked. A mixin of the session model (app/model.py): it
works on the model's core.Timeline under the training engine's lock, like every other command.
"""
from __future__ import annotations

from . import edit_labels as labels
from .transactions import transaction
from .undo import undoable


class TimelineCommands:
    """Mixin: needs the session's ``_engine``, ``_timeline``, ``_shown``, ``_axes``, ``running``,
    ``set_running``, ``_refresh``, ``_emit`` and ``set_message``."""

    @property
    def live_step(self) -> int:
        """The newest step of the current run (the shown step is ``step_count``)."""
        return self._timeline.run.step_count

    @transaction
    def goto(self, step: int) -> None:
        """Show ``step`` of the current run (pausing it): every view draws that step. The newest
        step is live. A replay from the nearest keyframe, done by the worker."""
        if self.running:
            self.set_running(False)
        with self._engine.edit(publish=False):
            before = self._timeline.cursor
            self._timeline.goto(step)
            changed = self._timeline.cursor != before
        if changed:
            self._engine.publish_soon() if not self._engine.synchronous else self._refresh()
            self._emit("timelineChanged")

    @transaction
    def step_back(self, count: int = 1) -> None:
        self.goto(self._timeline.shown_step - count)

    @transaction
    def step_forward(self, count: int = 1) -> None:
        self.goto(self._timeline.shown_step + count)

    @transaction
    def to_start(self) -> None:
        self.goto(0)

    @transaction
    def to_live(self) -> None:
        self.goto(self._timeline.run.step_count)

    def branches(self) -> list[tuple[int, str, int]]:
        """(id, label, newest step) of every branch, oldest first."""
        with self._engine.reading():
            return [(b.id, b.label, b.run.step_count) for b in self._timeline.branches]

    @property
    def run_count(self) -> int:
        """How many runs (branches) the timeline holds; cheap, without stopping the worker."""
        return len(self._timeline.branches)

    @property
    def branch_id(self) -> int:
        return self._timeline.current_id

    @transaction
    def switch_branch(self, branch_id: int) -> None:
        if self.running:
            self.set_running(False)
        with self._engine.edit(publish=False):
            self._timeline.switch(branch_id)
        self._adopt_run_settings()
        self._refresh()
        self._emit("timelineChanged")

    def _adopt_run_settings(self) -> None:
        """Another run is shown: its own η and batch size are the session's now (the transaction
        sends learningRateChanged only if η differs)."""
        self._emit("learningRateChanged", self.learning_rate)
        self._emit("trainingOptionsChanged")

    @transaction
    def cycle_branch(self, offset: int = 1) -> None:
        ids = [b[0] for b in self.branches()]
        if len(ids) < 2:
            self.set_message("There is only one run: go back in the timeline and change something "
                             "(run, step, η, a value) to branch.")
            return
        self.switch_branch(ids[(ids.index(self.branch_id) + offset) % len(ids)])

    @undoable(labels.delete_branch)
    @transaction
    def delete_branch(self, branch_id: int | None = None) -> None:
        """Forget a branch (default: the shown one); the last one stays."""
        if self.running:
            self.set_running(False)
        try:
            with self._engine.edit(publish=False):
                self._timeline.delete(self.branch_id if branch_id is None else branch_id)
        except (ValueError, KeyError) as exc:
            text = str(exc).strip("'")
            self.set_message(f"{text[0].upper()}{text[1:]}.")
            return
        self._adopt_run_settings()
        self._refresh()
        self._emit("timelineChanged")

    def timeline_curve(self, max_points: int = 600):
        """(steps, costs) of the whole current run, decimated, for the timeline's sparkline."""
        if self._timeline.live:
            shown = self._shown
            return shown.curve_steps, shown.curve_costs
        with self._engine.reading():
            steps, costs, _tests = self._timeline.run.trajectory.decimated(max_points)
        return steps, costs
