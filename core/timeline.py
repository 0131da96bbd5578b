"""The timeline: the branches of one problem's training and which step of which branch is shown.

A learner drags back to step 40, lowers the learning rate and runs again: the old future must stay
(to compare), and the new one grows from step 40. So the timeline holds *branches* — runs that
share the past up to where they forked (core.Run.fork shares keyframes, so a branch costs only its
own future) — a current branch, and a cursor: the step shown, or None for "live" (the newest step
of the current branch, where training goes on).

Anything that changes the run while a past step is shown (a step, running, a setting, a hand edit)
first calls ``branch_if_rewound()``: that forks a new branch at the cursor and makes it current.
At most ``max_branches`` are kept, and together they hold at most ``memory_limit`` bytes (branches
share their common past's keyframes, counted once); the oldest other branch goes first.
"""
from __future__ import annotations

from dataclasses import dataclass

from .race import Race
from .run import Run

__all__ = ["Timeline", "Branch", "MAX_BRANCHES"]

MAX_BRANCHES = 6
MEMORY_LIMIT = 64 * 2 ** 20   # all branches together; one 100,000-step trajectory takes ~34 MB


@dataclass
class Branch:
    """A run and where it came from (``parent``/``fork_step``: None for the first)."""

    id: int
    run: Run
    parent: int | None = None
    fork_step: int | None = None
    title: str | None = None     # a race's runs are named by their optimizer

    @property
    def label(self) -> str:
        if self.title is not None:
            return self.title
        if self.parent is None:
            return f"Run {self.id + 1}"
        return f"Run {self.id + 1} (from run {self.parent + 1} at step {self.fork_step})"


class Timeline:
    def __init__(self, run: Run, max_branches: int = MAX_BRANCHES, memory_limit: int = MEMORY_LIMIT):
        if max_branches < 1:
            raise ValueError("keep at least one branch")
        self.max_branches = max_branches
        self.memory_limit = memory_limit
        self.branches: list[Branch] = [Branch(0, run)]
        self._next_id = 1
        self.current_id = 0
        self.cursor: int | None = None
        self.race: Race | None = None   # while racing, every branch is a lane of the race

    @classmethod
    def restored(cls, branches: list[Branch], current_id: int, cursor: int | None, next_id: int,
                 race: Race | None = None, max_branches: int = MAX_BRANCHES,
                 memory_limit: int = MEMORY_LIMIT) -> "Timeline":
        """A timeline as a session file (or an undo step) describes it."""
        ids = [branch.id for branch in branches]
        if not branches or len(set(ids)) != len(ids) or current_id not in ids:
            raise ValueError("a timeline needs distinct branch ids, one of which is current")
        timeline = cls(branches[0].run, max(max_branches, len(branches)), memory_limit)
        timeline.branches = list(branches)
        timeline.current_id = current_id
        run = timeline.run
        if cursor is not None and not 0 <= cursor <= run.step_count:
            raise ValueError(f"the cursor {cursor} is outside the current run's steps 0..{run.step_count}")
        timeline.cursor = cursor
        timeline._next_id = max(int(next_id), max(ids) + 1)
        timeline.race = race
        return timeline

    @property
    def next_id(self) -> int:
        """The id the next branch will get."""
        return self._next_id

    def copy(self) -> "Timeline":
        """An independent timeline in the same state (each run copied with ``Run.copy``, sharing
        the immutable parts of its history): training one leaves the other as it was."""
        runs = {id(branch.run): branch.run.copy() for branch in self.branches}
        branches = [Branch(b.id, runs[id(b.run)], b.parent, b.fork_step, b.title) for b in self.branches]
        race = None if self.race is None else self.race.with_runs(lambda run: runs.get(id(run)) or run.copy())
        return Timeline.restored(branches, self.current_id, self.cursor, self._next_id, race,
                                 self.max_branches, self.memory_limit)

    # ------------------------------------------------------------------ reading
    @property
    def current(self) -> Branch:
        return self.branch(self.current_id)

    @property
    def run(self) -> Run:
        return self.current.run

    def branch(self, branch_id: int) -> Branch:
        for branch in self.branches:
            if branch.id == branch_id:
                return branch
        raise KeyError(f"no branch {branch_id}")

    @property
    def shown_step(self) -> int:
        return self.run.step_count if self.cursor is None else self.cursor

    @property
    def live(self) -> bool:
        return self.cursor is None

    def others(self) -> list[Branch]:
        return [b for b in self.branches if b.id != self.current_id]

    # ------------------------------------------------------------------ the cursor
    def goto(self, step: int) -> int:
        """Show ``step`` of the current branch (clamped to 0..its newest); the newest is live."""
        step = max(0, min(int(step), self.run.step_count))
        self.cursor = None if step == self.run.step_count else step
        return step

    def to_live(self) -> None:
        self.cursor = None

    # ------------------------------------------------------------------ branches
    def branch_if_rewound(self) -> Branch | None:
        """Before changing the run: if a past step is shown, fork a new branch there and make it
        current (returns it; also drops the oldest other branch beyond ``max_branches``).
        In a race the runs go on together: the cursor returns to live instead."""
        if self.cursor is None:
            return None
        if self.race is not None:
            self.cursor = None
            return None
        parent = self.current
        branch = Branch(self._next_id, parent.run.fork(self.cursor), parent.id, self.cursor)
        self._next_id += 1
        self.branches.append(branch)
        self.current_id = branch.id
        self.cursor = None
        while len(self.branches) > self.max_branches or (self.nbytes > self.memory_limit and self.others()):
            self.branches.remove(self.others()[0])
        return branch

    @property
    def nbytes(self) -> int:
        """Bytes the branches hold together, keyframes shared between them counted once."""
        total, frames = 0, {}
        for branch in self.branches:
            trajectory = branch.run.trajectory
            own = trajectory.nbytes - sum(frame.nbytes for frame in trajectory.keyframes)
            total += own
            frames.update({id(frame): frame.nbytes for frame in trajectory.keyframes})
        return total + sum(frames.values())

    def switch(self, branch_id: int) -> None:
        """Show another branch, live."""
        self.branch(branch_id)
        self.current_id = branch_id
        self.cursor = None

    def delete(self, branch_id: int) -> None:
        """Forget a branch; deleting the current one shows the newest remaining. The last branch stays."""
        if len(self.branches) == 1:
            raise ValueError("the only run cannot be deleted; Reset starts it again")
        branch = self.branch(branch_id)
        self.branches.remove(branch)
        if self.race is not None:
            self.race.drop(branch.run)
        if branch_id == self.current_id:
            self.current_id = self.branches[-1].id
            self.cursor = None

    # ------------------------------------------------------------------ racing
    def start_race(self, race: Race) -> None:
        """Replace the branches by the race's runs (the first one shown, live)."""
        self.race = race
        self._race_branches()

    def restart_race(self, start, warm_steps: int) -> list[str]:
        """Every run of the race anew from ``start``; returns the messages of runs that diverged."""
        messages = self.race.restart(start, warm_steps)
        shown = next((i for i, b in enumerate(self.branches) if b.id == self.current_id), 0)
        self._race_branches(shown)
        return messages

    def replace_race(self, race: Race) -> None:
        """Put ``race`` (the same entrants, restarted elsewhere, e.g. computed off the GUI thread while
        the learner drags the start) in place of the race on, keeping the shown run's place."""
        shown = next((i for i, b in enumerate(self.branches) if b.id == self.current_id), 0)
        self.race = race
        self._race_branches(shown)

    def _race_branches(self, shown: int = 0) -> None:
        self.branches = [Branch(i, lane.run, title=lane.entrant.label) for i, lane in enumerate(self.race.lanes)]
        self._next_id = len(self.branches)
        self.current_id = self.branches[min(shown, len(self.branches) - 1)].id
        self.cursor = None

    def end_race(self) -> None:
        """Keep the shown run alone, as an ordinary run."""
        self.race = None
        self.branches = [self.current]
