"""The whole studio state as one immutable value: what a session file holds, and what undo will keep.

``SessionState.capture(model, function_model)`` takes the state of both labs; ``state.apply(model,
function_model)`` puts it back as ONE transaction of the session model (every view hears of it once,
after everything is in place). ``to_core()`` / ``from_core()`` convert to and from the plain dict of
``core.save_session`` / ``core.load_session``.

Cheap to keep many of: the dataset is an immutable core.Dataset (shared, never copied), and the
timeline is a private copy whose runs share their trajectories' immutable keyframes and events with
the live ones (core.Run.copy copies only the dense columns and the drawn path). ``apply`` installs a
further copy, so training after an apply (or an undo) never changes a kept state.
"""
from __future__ import annotations

from dataclasses import dataclass

import core


@dataclass(frozen=True)
class FunctionLabState:
    formula: str
    x0: float
    history: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SessionState:
    dataset: core.Dataset
    test_fraction: float
    split_seed: int
    timeline: core.Timeline          # a private copy: never trained, never shown directly
    selected: str
    axes: tuple[str, str]
    sample: int
    train_only_axes: bool
    steps_per_tick: int
    plane: str
    plane_seed: int
    function_lab: FunctionLabState

    # ------------------------------------------------------------------ from and to the models
    @classmethod
    def capture(cls, model, function_model) -> "SessionState":
        """The state of the session model and the Function lab model now (a run that is training
        is copied between two steps)."""
        return cls(dataset=model.dataset, test_fraction=model.test_fraction, split_seed=model.split_seed,
                   timeline=model.copy_timeline(), selected=model.selected, axes=tuple(model.axes),
                   sample=model.sample, train_only_axes=model.train_only_axes,
                   steps_per_tick=model.steps_per_tick, plane=model.surface_plane, plane_seed=model.plane_seed,
                   function_lab=FunctionLabState(function_model.text, float(function_model.x0),
                                                 tuple(function_model.history)))

    def apply(self, model, function_model) -> None:
        """Put this state back: the network lab as one transaction, then the Function lab."""
        model.restore_session(self.dataset, self.test_fraction, self.split_seed, self.timeline.copy(),
                              self.view)
        lab = self.function_lab
        function_model.restore(lab.formula, lab.x0, lab.history)

    @property
    def view(self) -> dict:
        return {"selected": self.selected, "axes": self.axes, "sample": self.sample,
                "train_only_axes": self.train_only_axes, "steps_per_tick": self.steps_per_tick,
                "plane": self.plane, "plane_seed": self.plane_seed}

    # ------------------------------------------------------------------ from and to core's dict
    def to_core(self) -> dict:
        """The dict core.save_session writes."""
        lab = self.function_lab
        return {"dataset": self.dataset, "test_fraction": self.test_fraction, "split_seed": self.split_seed,
                "timeline": self.timeline, "view": self.view,
                "function_lab": {"formula": lab.formula, "x0": lab.x0, "history": list(lab.history)}}

    @classmethod
    def from_core(cls, state: dict) -> "SessionState":
        """The state of a dict core.load_session gave."""
        view, lab = state["view"], state["function_lab"]
        return cls(dataset=state["dataset"], test_fraction=state["test_fraction"], split_seed=state["split_seed"],
                   timeline=state["timeline"], selected=view["selected"], axes=tuple(view["axes"]),
                   sample=view["sample"], train_only_axes=view["train_only_axes"],
                   steps_per_tick=view["steps_per_tick"], plane=view.get("plane", "axes"),
                   plane_seed=view.get("plane_seed", 0),
                   function_lab=FunctionLabState(lab["formula"], lab["x0"], tuple(lab["history"])))
