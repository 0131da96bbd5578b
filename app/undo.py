"""Undo and redo: a QUndoStack of whole studio states, one per window.

An entry keeps the state before an edit and the state after it (app/session_state.py's
``SessionState``: the dataset is shared, the timeline a copy whose keyframes, events and dense columns
are shared with the live one), not a hand-written inverse: undo applies the state before, redo the
state after, each as ONE transaction of the session model. So undoing an edit also brings back the
run and its timeline as they were, and no command needs an inverse of its own.

The edit commands of the session model and of the Function lab model are marked ``@undoable(label)``
(the label, a function of the command's arguments, says what Undo takes back: "Remove Layer 2").
The mark is the one place this is hooked: a marked command called while another runs, or while an
undo applies a state, is part of that change and no entry of its own. A command that changes
nothing (a refused edit, a value set to what it was) leaves no entry.

* Training steps, timeline moves, the selection and the view are not entries; they are part of the
  states kept. Undoing the newest entry first takes the present as its "after", so Redo comes back
  to exactly where the learner was, training included.
* Consecutive edits with the same merge key (nudges of one parameter, moves of x0 or of a race's
  start, typing a formula) merge into one entry, if nothing else changed between them.
* An edit made while training runs is captured between two steps: the captures and the edit hold
  the training engine's lock (``engine.edit()``) together. Undo and redo pause training.
* Opening a session file (or restoring a crashed one) starts a new history: the stack is cleared.
  Restarting the lesson is an ordinary, undoable edit.
"""
from __future__ import annotations

import functools
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack

from .actions import ActionRegistry, ActionSpec
from .session_state import SessionState

MERGEABLE_ID = 1           # QUndoCommand.id of every command that may merge (the keys decide)
NOTHING_TO_UNDO = "Nothing to undo: no edit has been made since the session started or was opened."
NOTHING_TO_REDO = "Nothing to redo: no edit has been undone since the last one."
# Signals of the two models that mean "the state changed" outside a recorded edit (training, the
# selection, the timeline's cursor …): the next edit captures its "before" afresh.
MODEL_SIGNALS = ("structureChanged", "datasetChanged", "historyReset", "stepped", "learningRateChanged",
                 "lossChanged", "trainingOptionsChanged", "selectionChanged", "axesChanged", "sampleChanged",
                 "timelineChanged", "trainOnlyAxesChanged", "stepsPerTickChanged", "surfacePlaneChanged",
                 "parametersChanged")
FUNCTION_SIGNALS = ("x0Changed", "historyChanged")


def undoable(label: Callable[..., object], merge: Callable[..., object] | None = None):
    """Mark a model command as an undoable edit.

    ``label(model, *args, **kwargs)`` is called before the command runs with its arguments and gives
    the entry's text, or a function giving it after the command ran (for a text that names the
    result: "Cost: Cross-entropy"). ``merge`` (same arguments) gives a key: consecutive entries
    with equal keys merge. The model's ``undo_history`` (None: no undo, e.g. a model without a
    window) records the edit."""
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            settle = getattr(self, "settle", None)
            if settle is not None:
                settle()   # an edit still being built off the GUI thread is an entry of its own, first
            history = getattr(self, "undo_history", None)
            if history is None or not history.records():
                return method(self, *args, **kwargs)
            text = _labelled(label, method, self, *args, **kwargs)
            key = merge(self, *args, **kwargs) if merge is not None else None
            return history.record(lambda: method(self, *args, **kwargs), text, key)
        return wrapper
    return decorate


def _labelled(label, method, model, *args, **kwargs):
    """The entry's text (or a function giving it after the edit). A label that fails (arguments the
    command itself will refuse) must not stop the edit: the command's name stands in."""
    fallback = method.__name__.replace("_", " ").strip().capitalize()
    try:
        text = label(model, *args, **kwargs)
    except Exception:   # noqa: BLE001 (a label is never worth an edit)
        return fallback
    if not callable(text):
        return str(text)

    def after() -> str:
        try:
            return str(text())
        except Exception:   # noqa: BLE001
            return fallback
    return after


def fingerprint(state: SessionState) -> tuple:
    """What tells two states apart for the learner, cheaply: the data (shared objects: by identity),
    the split, the view, the Function lab's formula and x0, and per run its shape, settings,
    parameters and step. (Not the events a run recorded: a value nudged up and down again is no
    edit, though the run keeps both nudges.)"""
    timeline = state.timeline
    runs = []
    for branch in timeline.branches:
        run = branch.run
        net = run.net
        runs.append((branch.id, run.step_count, tuple(net.sizes),
                     tuple(net.activations), run.settings, net.parameter_vector().tobytes()))
    race = timeline.race
    lab = state.function_lab   # (not its list of formulas tried: Enter on a derived formula is no edit)
    return (id(state.dataset), state.test_fraction, state.split_seed, tuple(sorted(state.view.items())),
            lab.formula, lab.x0, timeline.current_id, timeline.cursor, race is not None,
            None if race is None else race.start.tobytes(), tuple(runs))


class StateEdit(QUndoCommand):
    """One entry: the states before and after an edit. The push has done the edit already, so the
    first redo (QUndoStack.push calls it) does nothing."""

    def __init__(self, history: "UndoHistory", text: str, before: SessionState, after: SessionState,
                 merge_key=None, may_merge: bool = False):
        super().__init__(text)
        self.history = history
        self.before, self.after = before, after
        self.merge_key = merge_key
        self.may_merge = may_merge     # nothing changed since the entry below was made
        self._done = True

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return MERGEABLE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, StateEdit) or other.merge_key != self.merge_key or not other.may_merge:
            return False
        self.after = other.after
        self.setText(other.text())
        if fingerprint(self.before) == fingerprint(self.after):
            self.setObsolete(True)     # up and down again: the stack drops the entry
        return True

    def undo(self) -> None:
        self.history.take_back(self)

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.history.apply(self.after)


class UndoHistory(QObject):
    """The window's undo stack and the recorder the ``@undoable`` commands go through."""

    applied = Signal(object)   # undo or redo put this SessionState back (the file side compares it)

    def __init__(self, model, function_model, parent=None):
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self._model, self._function = model, function_model
        self._depth = 0            # > 0 while a recorded edit runs
        self._applying = False     # True while undo or redo puts a state back
        self._last: SessionState | None = None   # the newest state kept, valid while _changed is False
        self._changed = True
        for name in MODEL_SIGNALS:
            getattr(model, name).connect(self._note_change)
        for name in FUNCTION_SIGNALS:
            getattr(function_model, name).connect(self._note_change)
        model.undo_history = self
        function_model.undo_history = self

    # ------------------------------------------------------------------ recording
    def records(self) -> bool:
        """True when a marked command called now is an edit of its own (not part of another edit,
        nor of an undo or redo putting a state back)."""
        return self._depth == 0 and not self._applying

    def capture(self) -> SessionState:
        return SessionState.capture(self._model, self._function)

    def _present(self) -> SessionState:
        """The state now: the newest kept one if nothing changed since, else a new capture."""
        if self._changed or self._last is None:
            self._last, self._changed = self.capture(), False
        return self._last

    def record(self, edit: Callable[[], object], text, merge_key=None):
        """Run ``edit`` between two captures (held between two training steps) and push an entry
        if it changed anything; returns what ``edit`` returned."""
        may_merge = not self._changed
        self._depth += 1
        try:
            with self._model.engine.edit(publish=False):
                before = self._present()
                result = edit()
                after = self.capture()
        finally:
            self._depth -= 1
        self._last, self._changed = after, False
        if fingerprint(before) != fingerprint(after):
            text = text() if callable(text) else str(text)
            self.stack.push(StateEdit(self, text, before, after, merge_key, may_merge))
        return result

    def _note_change(self, *_args) -> None:
        if self.records():
            self._changed = True

    # ------------------------------------------------------------------ undo and redo
    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def take_back(self, entry: StateEdit) -> None:
        """Undo ``entry``: if it is the newest and the state changed since (training, a rewind …),
        that present becomes what Redo comes back to."""
        if self._changed and self.stack.index() == self.stack.count():
            entry.after = self.capture()
        self.apply(entry.before)

    def apply(self, state: SessionState) -> None:
        self._applying = True
        try:
            state.apply(self._model, self._function)
        finally:
            self._applying = False
        self._last, self._changed = state, False
        self.applied.emit(state)

    def clear(self) -> None:
        """Forget every entry (a session file was opened: a new history starts)."""
        self.stack.clear()
        self._last, self._changed = None, True

    # ------------------------------------------------------------------ the Edit menu
    def action_specs(self) -> list[ActionSpec]:
        stack = self.stack
        return [
            ActionSpec("undo", "Undo", QKeySequence.Undo, "Edit",
                       "Take back the last edit (a value, the network, the data, a setting, the formula); in "
                       "a text field Ctrl+Z undoes the typing, Escape then Ctrl+Z the edit", self.undo,
                       enabled_when=lambda: (True, "") if stack.canUndo() else (False, NOTHING_TO_UNDO)),
            ActionSpec("redo", "Redo", QKeySequence.Redo, "Edit", "Make the last undone edit again", self.redo,
                       enabled_when=lambda: (True, "") if stack.canRedo() else (False, NOTHING_TO_REDO)),
        ]

    def install(self, registry: ActionRegistry) -> None:
        """Register Undo and Redo; their titles name the entry ("Undo Remove Layer 2") in the menu,
        the palette and the F1 sheet, and they are greyed when there is nothing to take back."""
        registry.add_all(self.action_specs())
        self._registry = registry
        for signal in (self.stack.indexChanged, self.stack.undoTextChanged, self.stack.redoTextChanged,
                       self.stack.canUndoChanged, self.stack.canRedoChanged):
            signal.connect(self._follow_stack)   # a slot of this object: gone with it
        self._follow_stack()

    def _follow_stack(self, *_args) -> None:
        undo, redo = self.stack.undoText(), self.stack.redoText()
        self._registry.action("undo").setText(f"Undo {undo}" if undo else "Undo")
        self._registry.action("redo").setText(f"Redo {redo}" if redo else "Redo")
        self._registry.refresh(ids=("undo", "redo"))
