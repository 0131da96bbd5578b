"""Network-lab commands that take a value: a dataset by name, the learning rate, the cost, a layer's
activation, the optimizers of a race, a step of the timeline, a parameter to select.

The letter keys cycle through these (D, L, C, V …); here the learner names the value at once. They
live in the registry like every command (menus, F1 sheet); chosen from a menu, or run from the
command palette, they ask for their value in the palette's second stage (app/command_arguments.py).
"""
from __future__ import annotations

import core
from core.naming import to_unicode

from .actions import ActionRegistry, ActionSpec
from .command_arguments import Choice, Choices, Number
from .format import fmt
from .model import HIDDEN_ACTIVATIONS, MAX_LEARNING_RATE, MIN_LEARNING_RATE, SessionModel

RACE_PRESET = {"sgd", "momentum", "adam"}   # ticked at first, as in the race dialog (R)


def _now(is_current: bool) -> str:
    return "shown now" if is_current else ""


def action_specs(m: SessionModel, registry: ActionRegistry) -> list[ActionSpec]:
    def spec(*args, **kwargs) -> ActionSpec:
        return ActionSpec(*args, scope="network", **kwargs)

    def datasets() -> list[Choice]:
        return [Choice(name, title, _now(name == m.dataset.name), name) for name, title in core.DATASET_TITLES.items()]

    def costs() -> list[Choice]:
        return [Choice(name, core.ALL_LOSSES[name].title, _now(name == m.loss_name), name)
                for name in m.compatible_losses()]

    def activations() -> list[Choice]:
        layer = m.focused_layer
        current = m.network.activations[layer] if layer is not None else None
        return [Choice(name, core.ACTIVATIONS[name].title, _now(name == current), name) for name in HIDDEN_ACTIVATIONS]

    def optimizers() -> list[Choice]:
        entrants = core.default_entrants(m.learning_rate, tuple(core.RULES))
        return [Choice(e, core.RULES[e.optimizer].title, f"η {fmt(e.learning_rate)}", e.optimizer) for e in entrants]

    def parameters() -> list[Choice]:
        network = m.network
        return [Choice(name, to_unicode(name), f"= {fmt(network.get(name))}" + ("  (selected)" * (name == m.selected)),
                       name) for name in m.parameter_names()]

    def race(entrants) -> None:
        if not entrants:
            m.set_message("Tick at least one optimizer to race (Space ticks it in the palette).")
            return
        if m.start_race(list(entrants)):
            lab = getattr(registry.parent(), "network_lab", None)
            if lab is not None and "race" in lab.docks:
                lab.docks["race"].show()
                lab.docks["race"].raise_()

    def has_hidden():
        return (True, "") if m.hidden_layers() else (False, "The network has no hidden layer (H adds one).")

    return [
        spec("choose_dataset", "Dataset…", "", "Data", "Choose a built-in dataset by name",
             m.set_dataset, argument=Choices("Dataset", datasets)),
        spec("set_learning_rate", "Learning rate…", "", "Training", "Type the learning rate η",
             m.set_learning_rate, argument=Number("Learning rate η", MIN_LEARNING_RATE, MAX_LEARNING_RATE,
                                                  lambda: m.learning_rate)),
        spec("choose_cost", "Cost function…", "", "Training", "Choose the cost among those that fit the output",
             m.set_loss, argument=Choices("Cost function", costs)),
        spec("choose_activation", "Activation of the layer…", "", "Network",
             "Choose the activation of the selected parameter's hidden layer",
             lambda name: m.set_activation(m.focused_layer, name), argument=Choices("Activation", activations),
             enabled_when=has_hidden),
        spec("race_these", "Race these optimizers…", "", "Race",
             "Tick optimizers in the palette (Space) and race them from the shown parameters at their usual rates",
             race, argument=Choices("Optimizers to race", optimizers, several=True, preset=lambda: RACE_PRESET)),
        spec("goto_step", "Go to step…", "", "Timeline", "Show a step of the run by its number",
             m.goto, argument=Number("Step", 0, lambda: m.live_step, lambda: m.step_count, integer=True)),
        spec("select_parameter", "Select parameter…", "", "Parameters",
             "Select a parameter by name: its chain is shown and its path lit",
             m.select, argument=Choices("Parameter", parameters)),
    ]

