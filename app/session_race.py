"""The session's race commands: several optimizers from one start, side by side. A mixin of the
session model (app/model.py), working on its core.Timeline (whose branches become the race's runs)
under the training engine's lock, like every other command.

While a race is on, the engine steps every run that has not diverged (``_step_runs``); a run that
diverges stops alone and its message is shown, the others go on. The shown snapshot carries the
other runs' traces, so the surface, the cost curve and the race table draw them from one snapshot.
"""
from __future__ import annotations

import core

from . import edit_labels as labels
from .transactions import transaction
from .undo import undoable

RACE_WARM_STEPS = core.race.WARM_STEPS
RACE_START_STEP = 0.5      # how far Alt+arrow moves a race's start in a plotted parameter
NO_RACE = "No race is on: press R to race optimizers from the shown parameters."
RACE_OVER = "Every run of the race has stopped."


class RaceCommands:
    """Mixin: needs the session's ``_engine``, ``_timeline``, ``_shown``, ``_axes``, ``running``,
    ``set_running``, ``_refresh``, ``_emit`` and ``set_message``."""

    @property
    def racing(self) -> bool:
        return self._timeline.race is not None

    def race_entrants(self) -> list[core.Entrant]:
        return list(self._timeline.race.entrants) if self.racing else []

    @undoable(labels.start_race)
    @transaction
    def start_race(self, entrants) -> bool:
        """Race ``entrants`` (core.Entrant) from the shown parameters on the current data; their first
        steps are taken at once. False (and a message) if they cannot race."""
        self.set_running(False)
        try:
            with self._engine.edit(publish=False):
                template = self._timeline.run
                race = core.Race(template, entrants, start=self._shown.theta, warm_steps=RACE_WARM_STEPS)
                self._timeline.start_race(race)
                messages = [lane.stopped for lane in race.lanes if lane.stopped]
        except ValueError as exc:
            self.set_message(f"Could not start the race: {exc}")
            return False
        self.set_message(" ".join(messages))
        self._engine.warm_up()   # a race trains in two processes
        self._refresh()
        self._emit("timelineChanged")
        return True

    @undoable(labels.move_race_start, merge=labels.race_start_key)
    @transaction
    def restart_race_at(self, a: float, b: float) -> None:
        """Move the race's common start to (a, b) in the surface's two parameters (the others as
        they were at the start) and compute every run's first steps again."""
        if not self.racing:
            return
        running = self.running
        if running:
            self._engine.stop()
        with self._engine.edit(publish=False):
            start = self._timeline.race.start.copy()
            names = self._shown.names
            start[names.index(self._axes[0])], start[names.index(self._axes[1])] = a, b
            messages = self._timeline.restart_race(start, RACE_WARM_STEPS)
        self.set_message(" ".join(messages))
        self._refresh()
        self._emit("timelineChanged")
        if running:
            self._engine.start()

    @undoable(labels.move_race_start, merge=labels.race_start_key)
    @transaction
    def move_race_start(self, da: float, db: float) -> None:
        """Move the common start by (da, db) steps of RACE_START_STEP in the surface's two parameters."""
        if not self.racing:
            self.set_message(NO_RACE)
            return
        names = self._shown.names
        start = self._timeline.race.start
        a, b = (start[names.index(axis)] for axis in self._axes)
        self.restart_race_at(a + da * RACE_START_STEP, b + db * RACE_START_STEP)

    @undoable(labels.end_race)
    @transaction
    def end_race(self) -> None:
        """Keep the shown run alone, as an ordinary run."""
        if not self.racing:
            self.set_message(NO_RACE)
            return
        self.set_running(False)
        with self._engine.edit(publish=False):
            self._timeline.end_race()
        self.set_message("")
        self._refresh()
        self._emit("timelineChanged")

    # ------------------------------------------------------------------ the narrated step
    _narrated_parts: core.UpdateParts | None = None

    @property
    def narration(self) -> tuple | None:
        """(sub-steps shown so far, all sub-steps, rule title) of the narrated update, or None."""
        return self._narration

    @property
    def narrated_parts(self) -> core.UpdateParts | None:
        """The narrated update's parts as the surface draws them (None without a narration): its
        gradient −ηg, the velocity and per-parameter rates it leaves, and the step it will take."""
        return self._narrated_parts if self._narration is not None else None

    @transaction
    def narrate_step(self) -> None:
        """U: explain the next update of the selected parameter one sub-step at a time (gradient →
        velocity or moments → bias correction → step); after the last sub-step, U takes the step."""
        if self.running:
            self.set_running(False)
        if self._narration is not None:
            shown, steps, title = self._narration
            if len(shown) < len(steps):
                self._set_narration((steps[:len(shown) + 1], steps, title))
                return
            self._set_narration(None)
            self.step(1)
            return
        with self._engine.edit(publish=False):
            timeline = self._timeline
            run = timeline.run if timeline.live else timeline.run.replica_at(timeline.shown_step)
            gradient, state, theta, rate = run.next_update_inputs()
            index = self._shown.names.index(self._selected)
            steps, new_theta, new_state = core.narrate_update(run.rule, gradient, state, theta, rate, index,
                                                              core.naming.to_latex(self._selected))
            title = run.rule.title
            # the parts of this update: the state and parameters it leaves, the step θ' − θ it takes
            self._narrated_parts = core.update_parts(run.rule, new_state, new_theta, theta, gradient, rate)
        self._set_narration((steps[:1], steps, title))

    def _set_narration(self, value) -> None:
        if value != self._narration:
            self._narration = value
            self._emit("narrationChanged")

    def _end_narration(self, *_args) -> None:
        """Anything that changes what the narrated step would be ends the narration."""
        self._set_narration(None)

    # ------------------------------------------------------------------ used by the model
    def _step_runs(self, count: int) -> None:
        """``count`` steps of the current run, or of every racing run (worker thread or GUI, under
        the engine's lock). A race's diverged runs leave notices; a race raises only when all stopped."""
        race = self._timeline.race
        if race is None:
            self._timeline.run.step(count)
            return
        messages = race.step(count)
        if messages:
            with self._notices_lock:
                self._race_notices.extend(messages)
        if race.finished:
            raise core.TrainingDiverged(RACE_OVER, 0.0)

    def _runs_to_train(self) -> tuple[list, bool, bool]:
        """What the training process steps (app/training_process.py): the current run, or every
        racing run still going in lockstep; and whether snapshots need accuracies (under the lock)."""
        race = self._timeline.race
        classify = self._data.task != "regression"
        if race is None:
            return [self._timeline.run], False, classify
        if race.finished:
            raise core.TrainingDiverged(RACE_OVER, 0.0)
        return [lane.run for lane in race.lanes if lane.stopped is None], True, classify

    def _run_stopped_away(self, run, reason: str) -> str | None:
        """A run the training process stepped diverged: the message that ends training, or None when
        the other runs of a race go on (its notice is shown then)."""
        race = self._timeline.race
        if race is None:
            return reason
        with self._notices_lock:
            self._race_notices.append(race.stop(run, reason))
        return RACE_OVER if race.finished else None

    def _take_race_notices(self) -> list[str]:
        with self._notices_lock:
            notices, self._race_notices[:] = list(self._race_notices), []
        return notices

    def _other_traces(self, step: int) -> tuple:
        """The other runs of the timeline as the plots draw them (cached while a run is unchanged):
        live, each at its newest step; while a race is rewound, each at the shown step (or its last)."""
        timeline, race = self._timeline, self._timeline.race
        traces, cache = [], {}
        classify = self._data.task != "regression"
        for branch in timeline.others():
            run = branch.run
            at = min(step, run.step_count) if race is not None and not timeline.live else run.step_count
            stopped = race.lane_of(run).stopped if race is not None else None
            full = self.needs_full_path
            key = (id(run), run.step_count, len(run.trajectory.events_between(0, run.step_count)),
                   self._axes, at, stopped, full)
            trace = self._trace_cache.get(key)
            if trace is None:
                trace = core.trace_run(run, branch.id, branch.label, self._axes, at, classify=classify,
                                       stopped=stopped, full_path=full)
            cache[key] = trace
            traces.append(trace)
        self._trace_cache = cache
        return tuple(traces)
