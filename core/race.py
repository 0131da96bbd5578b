"""A race: several update rules trained side by side from one start on one dataset.

The learner picks optimizers, each with its own learning rate and hyper-parameters (an ``Entrant``);
``Race`` holds one ``Run`` per entrant, all starting from the same parameters with the same data,
batch size and shuffling, so any difference between their paths is the rule's. A run that diverges
stops alone, with a message naming it; the others go on. ``restart(theta)`` moves the common start
(a click on the cost surface) and computes every run's first steps at once, so the learner sees how
the start changes each path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lockstep import Lockstep
from .run import Run, format_number
from .update_rules import RULES, make_rule

__all__ = ["Entrant", "Lane", "Race", "default_entrants", "WARM_STEPS", "MAX_ENTRANTS"]

WARM_STEPS = 100      # steps every run takes at once when the race (re)starts
MAX_ENTRANTS = 7      # one per rule


@dataclass(frozen=True)
class Entrant:
    """One optimizer of a race: its rule's name, learning rate and hyper-parameters ((name, value) pairs)."""

    optimizer: str
    learning_rate: float
    hyper: tuple = ()

    def __post_init__(self):
        self.rule()   # a clear ValueError for an unknown rule or a bad hyper-parameter
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"{self.optimizer}: the learning rate must be a number > 0, got {self.learning_rate!r}")

    def rule(self):
        return make_rule(self.optimizer, **dict(self.hyper))

    @property
    def label(self) -> str:
        return f"{RULES[self.optimizer].title} η {format_number(self.learning_rate)}"


def default_entrants(learning_rate: float, optimizers=("sgd", "momentum", "adam")) -> list[Entrant]:
    """Sensible starting rates for the data: plain descent at the learner's η; momentum's velocity
    grows to about 1/(1 − μ) = 10 gradients, so it gets η / 10 (the same speed on a steady slope,
    without the zig-zag); the adaptive rules take steps of about η per parameter whatever the
    gradient's scale, so they get small fixed rates."""
    rates = {"sgd": learning_rate, "momentum": learning_rate / 10, "nesterov": learning_rate / 10,
             "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01, "adamw": 0.01}
    return [Entrant(name, float(rates[name])) for name in optimizers]


@dataclass
class Lane:
    """One entrant's run in a race, and why it stopped (None while it goes on)."""

    entrant: Entrant
    run: Run
    stopped: str | None = None


class Race:
    """One run per entrant from ``start`` (default: ``template``'s current parameters), on the
    template run's data, split, batch size, shuffle seed, trained subset and schedule."""

    def __init__(self, template: Run, entrants, start=None, warm_steps: int = WARM_STEPS):
        entrants = list(entrants)
        if not 1 <= len(entrants) <= MAX_ENTRANTS:
            raise ValueError(f"a race needs 1 to {MAX_ENTRANTS} optimizers, got {len(entrants)}")
        self.template = template
        self.entrants = entrants
        self.restart(template.net.parameter_vector() if start is None else start, warm_steps)

    def restart(self, start, warm_steps: int = WARM_STEPS) -> list[str]:
        """Every run anew from ``start``; each takes ``warm_steps`` steps at once. Returns the
        messages of runs that diverged on the way."""
        start = np.array(start, dtype=np.float64)
        if start.shape != (self.template.net.parameter_count,) or not np.all(np.isfinite(start)):
            raise ValueError("the start must be one finite number per parameter")
        start.setflags(write=False)
        self.start = start
        self.lanes = [Lane(e, self.template.restarted(start, rule=e.rule(), learning_rate=e.learning_rate))
                      for e in self.entrants]
        return self.step(warm_steps)

    @classmethod
    def restored(cls, template: Run, lanes: list[Lane], start) -> "Race":
        """A race as a session file describes it: its lanes' runs are taken as they are."""
        race = cls.__new__(cls)
        start = np.array(start, dtype=np.float64)
        if start.shape != (template.net.parameter_count,) or not np.all(np.isfinite(start)):
            raise ValueError("the start must be one finite number per parameter")
        if not 1 <= len(lanes) <= MAX_ENTRANTS:
            raise ValueError(f"a race needs 1 to {MAX_ENTRANTS} optimizers, got {len(lanes)}")
        start.setflags(write=False)
        race.template, race.start, race.lanes = template, start, list(lanes)
        race.entrants = [lane.entrant for lane in race.lanes]
        return race

    def with_runs(self, replace) -> "Race":
        """The same race over other runs: ``replace(run)`` gives each lane's (for copies)."""
        lanes = [Lane(lane.entrant, replace(lane.run), lane.stopped) for lane in self.lanes]
        return Race.restored(self.template, lanes, self.start)

    @property
    def runs(self) -> list[Run]:
        return [lane.run for lane in self.lanes]

    def lane_of(self, run: Run) -> Lane:
        return next(lane for lane in self.lanes if lane.run is run)

    def step(self, count: int = 1) -> list[str]:
        """``count`` steps of every run still going; returns messages for the runs that diverged.

        The runs step in lockstep and the full-batch runs' passes are one (core.lockstep): six
        optimizers cost little more than one in Python and thread hand-overs, with each run's
        numbers bit for bit those it would have had alone."""
        going = [lane for lane in self.lanes if lane.stopped is None]
        messages = []
        for index, exc in self._lockstep.step([lane.run for lane in going], count):
            messages.append(self.stop(going[index].run, str(exc)))
        return messages

    def stop(self, run: Run, reason: str) -> str:
        """Mark ``run``'s lane stopped for ``reason`` (its divergence, wherever it was stepped);
        returns the message that names it."""
        lane = self.lane_of(run)
        lane.stopped = f"{lane.entrant.label} stopped at step {run.step_count}: {reason}"
        return lane.stopped

    @property
    def _lockstep(self) -> Lockstep:
        """The race's lockstep stepper (its shared buffers), made when first needed (a race made by
        ``restored`` has none yet)."""
        stepper = getattr(self, "_stepper", None)
        if stepper is None:
            stepper = self._stepper = Lockstep()
        return stepper

    def drop(self, run: Run) -> None:
        """Take a run out of the race (the learner deleted it)."""
        lane = self.lane_of(run)
        self.lanes.remove(lane)
        self.entrants.remove(lane.entrant)

    @property
    def finished(self) -> bool:
        """True when no run is left going (all diverged)."""
        return all(lane.stopped is not None for lane in self.lanes)
