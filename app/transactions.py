"""Session changes as transactions: a command's signals are collected and sent once each, after the
whole change, in one order, and a value signal only when its value really differs from before.

Why: a command such as "new data" changes the network, the cost, the learning rate and the
selection; sent as they happen, a view would redraw from a half-changed session (and the old code
guarded against that by hand in each view). ``@transaction`` wraps a command; the class mixes in
``Transactional`` and sends its signals with ``self._emit(name, *args)``.
"""
from __future__ import annotations

import functools

# Signals of one change go out once each, after the whole change, in this order (the model is
# complete by then, so a view never sees half a change). Value signals are sent only when their
# value really differs from before the change.
SIGNAL_ORDER = ("structureChanged", "datasetChanged", "historyReset", "lossChanged", "learningRateChanged",
                "trainingOptionsChanged", "trainOnlyAxesChanged", "stepsPerTickChanged", "selectionChanged",
                "axesChanged", "surfacePlaneChanged", "sampleChanged", "focusedPathChanged", "snapshotChanged",
                "parametersChanged", "stepped", "timelineChanged", "runningChanged", "messageChanged",
                "narrationChanged")
VALUE_SIGNALS = {
    "lossChanged": lambda m: (m.loss_name,),
    "learningRateChanged": lambda m: (m.learning_rate,),
    "trainOnlyAxesChanged": lambda m: (m.train_only_axes,),
    "stepsPerTickChanged": lambda m: (m.steps_per_tick,),
    "selectionChanged": lambda m: (m.selected,),
    "axesChanged": lambda m: m.axes,
    "surfacePlaneChanged": lambda m: (m.surface_plane, m.plane_seed),
    "sampleChanged": lambda m: (m.sample,),
    "focusedPathChanged": lambda m: (m.focused_path,),
    "runningChanged": lambda m: (m.running,),
    "messageChanged": lambda m: (m.message,),
}


def transaction(method):
    """Run a command as one transaction: its signals (and those of the commands it calls) are
    collected and sent once each when it returns."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._depth == 0:
            _settle(self)
        self._depth += 1
        if self._depth == 1:
            self._pending = {}
            self._before = {name: value(self) for name, value in VALUE_SIGNALS.items()}
        try:
            return method(self, *args, **kwargs)
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._flush()
    return wrapper



def _settle(model) -> None:
    """Let a change still being built off the GUI thread land first (SessionModel.settle: a point
    added on big data), so a command never acts on the state before it."""
    settle = getattr(model, "settle", None)
    if settle is not None:
        settle()


class Transactional:
    """Mixin for a QObject with the signals of SIGNAL_ORDER: ``_emit`` queues inside a transaction."""

    _depth = 0

    def _emit(self, name: str, *args) -> None:
        if self._depth:
            self._pending[name] = args
        else:
            getattr(self, name).emit(*args)

    def _flush(self) -> None:
        pending, before = self._pending, self._before
        self._pending, self._before = {}, {}
        for name in SIGNAL_ORDER:
            if name not in pending:
                continue
            if name in VALUE_SIGNALS:
                now = VALUE_SIGNALS[name](self)
                if now == before[name]:
                    continue   # changed and changed back, or set to what it was
                getattr(self, name).emit(*now)
            else:
                getattr(self, name).emit(*pending[name])
