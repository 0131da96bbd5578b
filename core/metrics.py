"""How well predictions match targets, in the terms a learner reads: the fraction classified right."""
from __future__ import annotations

import numpy as np

__all__ = ["accuracy"]


def accuracy(y_hat, y) -> float:
    """Fraction of samples whose predicted class is the target class.

    One output: ŷ >= 0.5 predicts class 1 (the sigmoid output read as a probability) and a target
    >= 0.5 counts as class 1. Several outputs (one-hot targets): the largest output is the class.
    """
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    if y_hat.shape != y.shape or y_hat.ndim != 2:
        raise ValueError(f"predictions {y_hat.shape} and targets {y.shape} must both be (N, outputs)")
    if len(y) == 0:
        raise ValueError("accuracy of an empty batch is undefined")
    if y.shape[1] == 1:
        return float(np.mean((y_hat[:, 0] >= 0.5) == (y[:, 0] >= 0.5)))
    return float(np.mean(np.argmax(y_hat, axis=1) == np.argmax(y, axis=1)))
