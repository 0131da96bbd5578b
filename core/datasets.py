"""The built-in datasets, generated deterministically from a seed.

Generated rather than shipped as files so a session can be reproduced from (name, n, seed, noise)
alone, and so tests and benchmarks can ask for 2,000 samples of the same distribution the lesson
uses with 50. Every generator takes ``n``, ``seed`` and ``noise`` and uses its own
``numpy.random.default_rng(seed)``: the same arguments always give the same data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid

__all__ = ["Dataset", "DATASETS", "DATASET_TITLES", "DEFAULT_SIZE", "load_dataset"]

DEFAULT_SIZE = 50


@dataclass(frozen=True, eq=False)  # arrays inside: compare datasets by identity (or by name/seed)
class Dataset:
    """Samples X (N, 1) and targets y (N, 1), both float64 and read-only.

    ``task`` is "classification" (y in {0, 1}) or "regression" (y in (0, 1)).
    """

    name: str
    title: str
    X: np.ndarray
    y: np.ndarray
    task: str
    description: str
    seed: int = 0
    noise: float = 0.0

    def __len__(self) -> int:
        return self.X.shape[0]


# Titles without generating the data, for menus and pickers.
DATASET_TITLES = {"lesson": "Two classes along x (lesson)", "regression": "1-D regression"}


def _frozen(a) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def lesson(n: int = DEFAULT_SIZE, seed: int = 0, noise: float = 0.8) -> Dataset:
    """Two classes along x: class 0 around x = -1, class 1 around x = +1, Gaussian spread ``noise``.

    With the default spread the classes overlap a little, so no threshold is perfect and the cost
    has a real minimum rather than running off to infinite weights. Sorted by x for tidy plots.
    """
    if n < 2:
        raise ValueError(f"the lesson dataset needs at least 2 points (one per class), got {n}")
    rng = np.random.default_rng(seed)
    n0 = n // 2
    labels = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    x = np.where(labels == 1, 1.0, -1.0) + noise * rng.standard_normal(n)
    order = np.argsort(x, kind="stable")
    return Dataset(
        name="lesson",
        title=DATASET_TITLES["lesson"],
        X=_frozen(x[order, None]),
        y=_frozen(labels[order, None]),
        task="classification",
        description=(f"{n} points on a line: class 0 around x = -1, class 1 around x = +1, each with "
                     f"Gaussian spread {noise:g}, so the classes overlap. The network should output "
                     "the probability of class 1."),
        seed=seed,
        noise=noise,
    )


# The regression curve is itself a 1-1-1 sigmoid network, so the lesson network can fit it exactly
# (up to the noise): a learner who reaches a low cost has found these values, or an equivalent.
REGRESSION_TRUTH = {"w1": 2.0, "b1": -1.0, "w2": 3.5, "b2": -1.75}


def regression(n: int = DEFAULT_SIZE, seed: int = 0, noise: float = 0.03) -> Dataset:
    """A smooth S-shaped curve on x in [-3, 3] with targets in (0, 1), plus Gaussian noise.

    y = sigmoid(3.5 sigmoid(2x - 1) - 1.75) + noise, clipped to [0.01, 0.99] so the targets stay
    valid for cross-entropy too.
    """
    if n < 1:
        raise ValueError(f"the regression dataset needs at least 1 point, got {n}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n))
    t = REGRESSION_TRUTH
    clean = sigmoid(t["w2"] * sigmoid(t["w1"] * x + t["b1"]) + t["b2"])
    y = np.clip(clean + noise * rng.standard_normal(n), 0.01, 0.99)
    return Dataset(
        name="regression",
        title=DATASET_TITLES["regression"],
        X=_frozen(x[:, None]),
        y=_frozen(y[:, None]),
        task="regression",
        description=(f"{n} points of a smooth S-shaped curve on [-3, 3] with Gaussian noise {noise:g}; "
                     "the curve is itself a 1-1-1 sigmoid network, so the lesson network can fit it."),
        seed=seed,
        noise=noise,
    )


DATASETS = {"lesson": lesson, "regression": regression}


def load_dataset(name: str, n: int | None = None, seed: int = 0) -> Dataset:
    """The named dataset with ``n`` samples (default DEFAULT_SIZE) from ``seed``."""
    try:
        make = DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}") from None
    return make(n=DEFAULT_SIZE if n is None else int(n), seed=seed)
