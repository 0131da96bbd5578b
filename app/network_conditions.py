"""When each Network-lab command can run, and why not: read from the session's state.

Kept together, apart from the commands' titles and keys, so the rules can be read (and checked
against app/model.py's own refusals) in one place. Each condition is cheap — a property or two of
the session model, no lock, no computation — since the registry re-evaluates them all whenever the
session's state changes. The model still refuses what it cannot do (with a message): a condition
only says so beforehand, greys the command and disables its key.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import core
from core.naming import to_unicode

from .actions import READY, ActionRegistry, ActionSpec, Availability
from .model import MAX_HIDDEN_LAYERS, MAX_LEARNING_RATE, MAX_NEURONS, MAX_STEPPED_PATHS, MIN_LEARNING_RATE, SessionModel

NO_RACE = "No race is on: R races optimizers from the shown parameters."
AT_START = "Step 0, where the run began, is shown: there is nothing before it."
AT_LIVE = "The newest step is shown (live): there is nothing after it yet."
ONE_RUN = "There is only one run: go back in the timeline and change something there (run, step, η, a value) to branch."
NO_HIDDEN = "The network has no hidden layer (H adds one)."
# the commands whose condition a training step can change (the others' only change with the state)
STEP_DEPENDENT = ("timeline_back", "timeline_back_10", "timeline_start")


def _when(ok: bool, reason: str) -> Availability:
    return READY if ok else (False, reason)


def conditions(m: SessionModel) -> dict[str, Callable[[], Availability]]:
    """Command id -> its enabled-when condition, for the commands that cannot always run."""
    def hidden() -> list[int]:
        return m.hidden_layers()

    def layer_size() -> int:
        return hidden()[m.focused_layer] if hidden() else 0

    def paths() -> Availability:
        count = core.path_count(m.network, m.selected)
        return _when(count <= MAX_STEPPED_PATHS,
                     f"{count:,} paths lead from {to_unicode(m.selected)} to the cost: too many to step through "
                     f"one by one (at most {MAX_STEPPED_PATHS}).")

    racing = lambda: _when(m.racing, NO_RACE)
    not_at_start = lambda: _when(m.step_count > 0, AT_START)
    rewound = lambda: _when(not m.live, AT_LIVE)
    several_runs = lambda: _when(m.run_count > 1, ONE_RUN)
    has_hidden = lambda: _when(bool(hidden()), NO_HIDDEN)
    return {
        "lr_up": lambda: _when(m.learning_rate < MAX_LEARNING_RATE,
                               f"The learning rate η is at most {MAX_LEARNING_RATE:g} in the studio."),
        "lr_down": lambda: _when(m.learning_rate > MIN_LEARNING_RATE,
                                 f"The learning rate η is at least {MIN_LEARNING_RATE:g} in the studio."),
        "cycle_cost": lambda: _when(len(m.compatible_losses()) > 1,
                                    "Only one cost fits this output layer on this data."),
        "add_layer": lambda: _when(len(hidden()) < MAX_HIDDEN_LAYERS,
                                   f"The studio draws at most {MAX_HIDDEN_LAYERS} hidden layers."),
        "remove_layer": lambda: _when(bool(hidden()), "There is no hidden layer to remove: the inputs feed "
                                                      "the output directly."),
        "add_neuron": lambda: has_hidden() if not hidden() else _when(
            layer_size() < MAX_NEURONS, f"The selected parameter's layer has {MAX_NEURONS} neurons, the most "
                                        "a layer holds in the studio."),
        "remove_neuron": lambda: has_hidden() if not hidden() else _when(
            layer_size() > 1, "A layer keeps at least one neuron; remove the layer instead (Shift+H)."),
        "cycle_activation": has_hidden,
        "cycle_all_activations": has_hidden,
        "next_path": paths,
        "prev_path": paths,
        "next_sample": lambda: _when(len(m.X) > 1, "There is only one training point."),
        "prev_sample": lambda: _when(len(m.X) > 1, "There is only one training point."),
        "next_axes": lambda: _when(len(m.parameter_names()) > 2, "The network has only two parameters: they are "
                                                               "the surface's axes."),
        "prev_axes": lambda: _when(len(m.parameter_names()) > 2, "The network has only two parameters: they are "
                                                               "the surface's axes."),
        "timeline_back": not_at_start,
        "timeline_back_10": not_at_start,
        "timeline_start": not_at_start,
        "timeline_forward": rewound,
        "timeline_forward_10": rewound,
        "timeline_live": rewound,
        "next_branch": several_runs,
        "prev_branch": several_runs,
        "delete_branch": lambda: _when(m.run_count > 1, "The shown run is the only one: the timeline keeps it."),
        "end_race": racing,
        **{f"race_start_{side}": racing for side in ("left", "right", "down", "up")},
    }


def checked_states(m: SessionModel) -> dict[str, Callable[[], bool]]:
    """Command id -> where its checked state comes from, for the Network lab's toggles."""
    return {"train_only_axes": lambda: m.train_only_axes}


def with_conditions(m: SessionModel, specs: list[ActionSpec]) -> list[ActionSpec]:
    """The specs with their enabled-when conditions and checked-state sources filled in."""
    when, checked = conditions(m), checked_states(m)
    return [dataclasses.replace(spec, enabled_when=spec.enabled_when or when.get(spec.id),
                                checked=spec.checked or checked.get(spec.id))
            for spec in specs]


def watch(m: SessionModel, registry: ActionRegistry) -> None:
    """Have the registry re-evaluate the conditions after the session's state changes: all of them
    after a change of state, only the step-dependent ones after a training step (sent every frame)."""
    registry.watch(m.structureChanged, m.datasetChanged, m.historyReset, m.lossChanged, m.learningRateChanged,
                   m.trainingOptionsChanged, m.trainOnlyAxesChanged, m.selectionChanged, m.axesChanged,
                   m.timelineChanged, m.runningChanged)
    registry.watch(m.stepped, only=STEP_DEPENDENT)
