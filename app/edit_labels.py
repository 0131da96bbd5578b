"""What each undoable edit is called in the Edit menu: "Undo Remove Layer 2", "Redo Set w₂ = 0.5".

One function per command, with the command's own arguments (the model first), for ``@undoable``
(app/undo.py). A label that names the command's result ("Cost: Cross-entropy" after C cycles to the
next cost) is returned as a function of no arguments, called after the edit: the command decides
what comes next, and its rules are not repeated here. Hidden layers are numbered from 1, as the
diagram's menus number them.
"""
from __future__ import annotations

import core
from core.naming import to_unicode


BATCH_TITLES = {None: "Full Batch", 1: "One Sample per Step"}
INIT_TITLES = {"xavier": "Xavier", "he": "He", "small": "Small Random", "zero": "Zero"}


def fmt(value: float) -> str:
    """A value as the learner would type it: 0.5, not 0.500 (six significant digits at most)."""
    return f"{float(value):.6g}"


def _layer(model, layer) -> int | None:
    """The hidden layer (0-based) a command without one acts on: the selected parameter's."""
    return model.focused_layer if layer is None else layer


def _number(layer) -> str:
    return "" if layer is None else f" {layer + 1}"


# ------------------------------------------------------------------ parameters
def set_parameter(_model, name, value) -> str:
    return f"Set {to_unicode(name)} = {fmt(value)}"


def nudge(model, *_args, **_kwargs):
    name = model.selected
    return lambda: f"Set {to_unicode(name)} = {fmt(model.network.get(name))}"


def nudge_key(model, *_args, **_kwargs):
    """Nudges of one parameter merge (the selection decides which one is nudged)."""
    return "nudge", model.selected


# ------------------------------------------------------------------ network structure
def add_layer(model, index=None, size=None, activation=None) -> str:
    if index is None:
        focus, hidden = model.focused_layer, len(model.hidden_layers())
        index = hidden if focus is None else focus + 1
    return f"Add Layer{_number(index)}"


def remove_layer(model, index=None) -> str:
    return f"Remove Layer{_number(_layer(model, index))}"


def add_neuron(model, layer=None) -> str:
    return f"Add Neuron to Layer{_number(_layer(model, layer))}"


def remove_neuron(model, layer=None, j=None) -> str:
    return f"Remove Neuron from Layer{_number(_layer(model, layer))}"


def set_hidden_layers(_model, sizes, activation=None) -> str:
    return f"Hidden Layers {' × '.join(str(int(n)) for n in sizes) or 'none'}"


def set_activation(_model, layer, name) -> str:
    return f"Layer {layer + 1} Activation: {core.ACTIVATIONS[name].title}"


def cycle_activation(model, layer=None):
    layer = _layer(model, layer)
    return lambda: (f"Layer{_number(layer)} Activation: {core.ACTIVATIONS[model.network.activations[layer]].title}"
                    if layer is not None else "Activation")


def cycle_all_activations(model):
    return lambda: f"Every Layer: {core.ACTIVATIONS[model.network.activations[0]].title}"


def vanishing_example(_model) -> str:
    return "Vanishing-Gradient Example"


# ------------------------------------------------------------------ training settings
def learning_rate(model, *_args, **_kwargs):
    return lambda: f"Set η = {fmt(model.learning_rate)}"


def cost(model, *_args, **_kwargs):
    return lambda: f"Cost: {core.ALL_LOSSES[model.loss_name].title}"


def batch(model, *_args, **_kwargs):
    def text() -> str:
        size = model.batch_size
        return f"Batch: {BATCH_TITLES.get(size) or f'Mini-Batches of {size}'}"
    return text


def regularization(model, *_args, **_kwargs):
    def text() -> str:
        net = model.network
        if net.regularization is None:
            return "No Penalty"
        return f"Penalty {net.regularization.upper()} (λ = {fmt(net.regularization_rate)})"
    return text


def train_only_axes(_model, only) -> str:
    return "Train Only the Surface Parameters" if only else "Train Every Parameter"


def reinitialize(model, seed=None, init=None):
    if init is None:
        return "New Random Start"
    return lambda: f"Initialization: {INIT_TITLES.get(model.network.init, model.network.init)}"


def cycle_init(model):
    return lambda: f"Initialization: {INIT_TITLES.get(model.network.init, model.network.init)}"


def reset(_model) -> str:
    return "Reset"


def restore_lesson(_model) -> str:
    return "Restart the Lesson"


# ------------------------------------------------------------------ data
def dataset(model, *_args, **_kwargs):
    return lambda: f"Dataset: {model.dataset.title}"


def load_tabular(_model, table_data, title, *_args, **_kwargs) -> str:
    return f"Load {title}"


def split(model, *_args, **_kwargs):
    return lambda: (f"Hold Out {model.test_fraction:.0%} for Testing" if model.test_fraction
                    else "No Test Set")


def add_point(_model, *_args, **_kwargs) -> str:
    return "Add a Point"


def remove_point(_model, *_args, **_kwargs) -> str:
    return "Remove a Point"


# ------------------------------------------------------------------ timeline and race
def delete_branch(model, branch_id=None) -> str:
    labels = {b: label for b, label, _steps in model.branches()}
    return f"Delete {labels.get(model.branch_id if branch_id is None else branch_id, 'the Run')}"


def start_race(_model, entrants) -> str:
    names = ", ".join(core.RULES[e.optimizer].title for e in entrants)
    return f"Race {names}"


def end_race(_model) -> str:
    return "End the Race"


def move_race_start(_model, *_args, **_kwargs) -> str:
    return "Move the Race's Start"


def race_start_key(_model, *_args, gesture=None, **_kwargs):
    """Moves of the race's start merge: keys pressed one after another, or the positions of one drag
    (``gesture``; two drags are two entries)."""
    return ("race start", gesture)


# ------------------------------------------------------------------ the Function lab
def formula(_model, text, *_args, **_kwargs) -> str:
    return f"Formula h(x) = {text.strip()}"


def typed_formula(model):
    return lambda: f"Formula h(x) = {model.text.strip()}"


def typing_key(_model, *_args, **_kwargs):
    return ("typing",)


def x0(model, *_args, **_kwargs):
    return lambda: f"Move x0 to {fmt(model.x0)}"


def x0_key(_model, *_args, **_kwargs):
    return ("x0",)
