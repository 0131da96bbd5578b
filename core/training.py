"""Gradient descent for notebooks: ``GradientDescent`` and ``gradient_step``, on the run engine.

``core.Run`` does the work (checked steps of a pure update rule, a trajectory that rebuilds any
step exactly); ``GradientDescent`` is the name notebooks have always used. It trains the network it
is given *in place* (a notebook keeps its reference to ``net``), and its ``history`` is the run's
drawn path: (step, cost, parameters, test cost) records, bounded and uniformly thinned.

A learner will try a learning rate of a million. That produces a clear ``TrainingDiverged`` and an
intact network, not NaNs in every view (see core.run).
"""
from __future__ import annotations

from .history import History
from .network import Network
from .run import PARAMETER_LIMIT, Run, TrainingDiverged, format_number
from .update_rules import make_rule

__all__ = ["PARAMETER_LIMIT", "TrainingDiverged", "GradientDescent", "gradient_step", "format_number"]


def gradient_step(net: Network, X, y, learning_rate: float, only=None) -> float:
    """One full-batch step θ <- θ - η dJ/dθ (only the parameters named in ``only``, if given).

    Returns the cost after the step. Raises TrainingDiverged, leaving ``net`` untouched, if the step
    would give a non-finite cost/gradient/parameter, overflow, or a |parameter| > PARAMETER_LIMIT.
    """
    return Run(net, X, y, learning_rate, only=only, copy=False, path_capacity=8).step(1)


class GradientDescent(Run):
    """Repeated checked steps on ``net`` itself (not a copy), recorded in ``history``.

    ``optimizer`` names the update rule ("sgd": θ <- θ - η g; "momentum", "nesterov", "adagrad",
    "rmsprop", "adam", "adamw": core.update_rules, with torch.optim's formulas and defaults),
    ``hyper`` its hyper-parameters by torch.optim's names (``momentum``, ``alpha``, ``eps``, ``betas``,
    ``weight_decay`` …); ``schedule`` a learning-rate schedule (core.schedules, or its name). ``only`` restricts training to some parameters;
    ``learning_rate``, ``only`` and ``batch_size`` may be changed between calls, and so may the
    network's parameters, cost and regularization (call ``record()`` after a hand edit to see it
    in ``history`` at once; the next ``step`` notices it anyway).

    ``batch_size``: None (or >= N) is full-batch gradient descent; 1 one sample per step; k takes k
    samples per step. ``X_test``/``y_test`` (optional) are held-out data whose cost is recorded with
    every step (``history.test_costs``) but never trained on.
    """

    def __init__(self, net: Network, X, y, learning_rate: float, only=None, history_capacity: int = 2000,
                 *, batch_size: int | None = None, shuffle_seed: int = 0, X_test=None, y_test=None,
                 optimizer: str = "sgd", schedule=None, **hyper):
        super().__init__(net, X, y, learning_rate, rule=make_rule(optimizer, **hyper), schedule=schedule, only=only,
                         batch_size=batch_size, shuffle_seed=shuffle_seed, X_test=X_test, y_test=y_test,
                         copy=False, path_capacity=history_capacity)

    @property
    def history(self) -> History:
        """The recorded path: the start, every step (thinned on long runs) and every hand edit."""
        return self.trajectory.path
