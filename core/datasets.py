"""The built-in datasets, generated deterministically from a seed, and the ``Dataset`` they share.

Generated rather than shipped as files so a session can be reproduced from (name, n, seed, noise)
alone, and so tests and benchmarks can ask for 2,000 samples of the same distribution the lesson
uses with 50. Every generator takes ``n``, ``seed`` and ``noise`` and uses its own
``numpy.random.default_rng(seed)``: the same arguments always give the same data.

The 2-D sets are the classic pictures of what a hidden layer buys (circle, XOR, spiral, moons...):
inputs lie roughly in [-3, 3]^2 and, for every 2-D set, ``noise`` is the standard deviation of
Gaussian jitter added to each coordinate of a clean pattern, so one slider means the same thing
everywhere. ``DATASET_INFO`` describes each set (task, inputs, classes, noise range) without
generating it, for menus and for sizing a network's output layer.

A learner may also edit the points (``add_point``, ``remove_point``) or bring a table
(``dataset_from_tabular``); all of these give a new read-only ``Dataset``.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid

__all__ = ["Dataset", "DatasetInfo", "DATASETS", "DATASET_TITLES", "DATASET_INFO", "DATASET_TASKS",
           "DATASET_NOISE", "DEFAULT_SIZE", "TASKS", "load_dataset", "dataset_from_tabular",
           "add_point", "remove_point", "nearest_point", "output_for_task", "train_test_split",
           "MIN_ROWS_TO_SPLIT"]

DEFAULT_SIZE = 50          # the 1-D lesson sets: few enough points to follow each one
DEFAULT_SIZE_2D = 200      # the 2-D sets: enough points for a pattern to show
TASKS = ("regression", "classification", "multiclass")  # "classification" is binary (0/1 targets)
MIN_POINTS = 2


def _frozen(a) -> np.ndarray:
    """A float64, C-contiguous, read-only array; never freezes the caller's own writable array."""
    a = np.asarray(a, dtype=np.float64)
    if a.flags.writeable or not a.flags.c_contiguous:
        a = np.array(a, dtype=np.float64, order="C", copy=True)
        a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)  # arrays inside: compare datasets by identity (or by name/seed)
class Dataset:
    """Samples X (N, d) and targets y, both float64 and read-only (a view can't corrupt the data).

    ``task`` is "regression" (y (N, 1) numbers), "classification" (binary: y (N, 1) of 0/1) or
    "multiclass" (y one-hot (N, k)). ``classes`` names the classes in index order (empty for
    regression; "0", "1", ... when not given), ``feature_names`` the input columns ("x" or
    "x1", "x2", ... when not given). ``seed``, ``noise`` and ``size`` (the ``n`` asked for, None for
    data not generated here) are what ``regenerate`` needs to draw the set again. ``standardized``
    says the features were shifted and scaled to mean 0, std 1 on import (a learner's CSV).
    """

    name: str
    title: str
    X: np.ndarray
    y: np.ndarray
    task: str
    description: str
    seed: int = 0
    noise: float = 0.0
    classes: tuple = ()
    feature_names: tuple = ()
    target_name: str = "y"
    size: int | None = None
    standardized: bool = False

    def __post_init__(self):
        X, y = _frozen(self.X), _frozen(self.y)
        if X.ndim == 1:
            X = _frozen(X[:, None])
        if y.ndim == 1:
            y = _frozen(y[:, None])
        if X.ndim != 2 or X.shape[1] < 1:
            raise ValueError(f"X must have shape (N, d), got {X.shape}")
        if y.ndim != 2 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have {X.shape[0]} rows, got shape {y.shape}")
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.task != "multiclass" and y.shape[1] != 1:
            raise ValueError(f"a {self.task} dataset has one target column, got {y.shape[1]}")
        if self.task == "multiclass" and y.shape[1] < 2:
            raise ValueError(f"a multiclass dataset needs one-hot targets with >= 2 columns, got {y.shape[1]}")
        k = {"regression": 0, "classification": 2}.get(self.task, y.shape[1])
        classes = tuple(str(c) for c in self.classes) or tuple(str(i) for i in range(k))
        if len(classes) != k:
            raise ValueError(f"a {self.task} dataset has {k} classes, got names {classes}")
        d = X.shape[1]
        features = tuple(str(f) for f in self.feature_names) or (
            ("x",) if d == 1 else tuple(f"x{i + 1}" for i in range(d)))
        if len(features) != d:
            raise ValueError(f"X has {d} columns but {len(features)} feature names were given")
        for attr, value in (("X", X), ("y", y), ("classes", classes), ("feature_names", features)):
            object.__setattr__(self, attr, value)

    def __len__(self) -> int:
        return self.X.shape[0]

    @property
    def n_inputs(self) -> int:
        """d, the number of input columns (the network's first layer size)."""
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        """The number of target columns (the network's last layer size)."""
        return self.y.shape[1]

    @property
    def n_classes(self) -> int:
        """0 for regression, 2 for binary classification, k for multiclass."""
        return len(self.classes)

    @property
    def labels(self) -> np.ndarray:
        """The class index of each row, (N,) int (for colouring points); ValueError for regression."""
        if self.task == "regression":
            raise ValueError("a regression dataset has targets, not class labels")
        if self.task == "multiclass":
            return self.y.argmax(axis=1)
        return (self.y[:, 0] > 0.5).astype(np.int64)

    @property
    def params(self) -> dict:
        """The generator arguments that reproduce this set: ``load_dataset(name, **params)``."""
        return {"n": self.size, "seed": self.seed, "noise": self.noise}

    def regenerate(self, **changes) -> "Dataset":
        """The same built-in set drawn again with some of n/seed/noise changed (a noise slider)."""
        if self.name not in DATASETS or self.size is None:
            raise ValueError(f"{self.title or self.name!r} is not a generated dataset; it can't be regenerated")
        unknown = set(changes) - {"n", "seed", "noise"}
        if unknown:
            raise TypeError(f"regenerate takes n, seed and noise, not {', '.join(sorted(unknown))}")
        return load_dataset(self.name, **{**self.params, **changes})


@dataclass(frozen=True)
class DatasetInfo:
    """What a built-in set is, known without generating it: menus and output layers use it."""

    title: str
    task: str
    n_inputs: int
    classes: tuple
    noise: float        # the generator's default noise
    max_noise: float    # a sensible top of a noise slider (the generators accept more)
    size: int           # the default n

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "multiclass" else 1


_BINARY = ("0", "1")
DATASET_INFO = {
    "lesson": DatasetInfo("Two classes along x (lesson)", "classification", 1, _BINARY, 0.8, 2.0, DEFAULT_SIZE),
    "regression": DatasetInfo("1-D regression", "regression", 1, (), 0.03, 0.3, DEFAULT_SIZE),
    "circle": DatasetInfo("Circle (inside vs. ring)", "classification", 2, ("ring", "inside"), 0.2, 1.0,
                          DEFAULT_SIZE_2D),
    "xor": DatasetInfo("XOR (four quadrants)", "classification", 2, _BINARY, 0.2, 1.0, DEFAULT_SIZE_2D),
    "gaussians": DatasetInfo("Two Gaussian blobs", "classification", 2, _BINARY, 0.3, 2.0, DEFAULT_SIZE_2D),
    "spiral": DatasetInfo("Two spirals", "classification", 2, _BINARY, 0.1, 1.0, DEFAULT_SIZE_2D),
    "moons": DatasetInfo("Two moons", "classification", 2, _BINARY, 0.2, 1.0, DEFAULT_SIZE_2D),
    "blobs": DatasetInfo("Three blobs (3 classes)", "multiclass", 2, ("A", "B", "C"), 0.3, 2.0, DEFAULT_SIZE_2D),
    "regression2d": DatasetInfo("2-D regression (a smooth surface)", "regression", 2, (), 0.03, 0.3,
                                DEFAULT_SIZE_2D),
}
# Flat views of DATASET_INFO for callers that want one fact per name.
DATASET_TITLES = {name: info.title for name, info in DATASET_INFO.items()}
DATASET_TASKS = {name: info.task for name, info in DATASET_INFO.items()}
DATASET_NOISE = {name: (info.noise, info.max_noise) for name, info in DATASET_INFO.items()}


def _check_args(name: str, n: int, noise: float, minimum: int) -> tuple[int, float]:
    n, noise = int(n), float(noise)
    if n < minimum:
        what = "point" if minimum == 1 else "points"
        per_class = "" if DATASET_INFO[name].task == "regression" else " (one per class)"
        raise ValueError(f"the {name} dataset needs at least {minimum} {what}{per_class}, got {n}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return n, noise


def _make(name: str, X, y, description: str, n: int, seed: int, noise: float) -> Dataset:
    info = DATASET_INFO[name]
    return Dataset(name=name, title=info.title, X=X, y=y, task=info.task, description=description,
                   seed=seed, noise=noise, classes=info.classes, size=n)


def lesson(n: int = DEFAULT_SIZE, seed: int = 0, noise: float = 0.8) -> Dataset:
    """Two classes along x: class 0 around x = -1, class 1 around x = +1, Gaussian spread ``noise``.

    With the default spread the classes overlap a little, so no threshold is perfect and the cost
    has a real minimum rather than running off to infinite weights. Sorted by x for tidy plots.
    """
    n, noise = _check_args("lesson", n, noise, 2)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    labels = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    x = np.where(labels == 1, 1.0, -1.0) + noise * rng.standard_normal(n)
    order = np.argsort(x, kind="stable")
    return _make("lesson", x[order, None], labels[order, None],
                 f"{n} points on a line: class 0 around x = -1, class 1 around x = +1, each with "
                 f"Gaussian spread {noise:g}, so the classes overlap. The network should output "
                 "the probability of class 1.", n, seed, noise)


# The regression curve is itself a 1-1-1 sigmoid network, so the lesson network can fit it exactly
# (up to the noise): a learner who reaches a low cost has found these values, or an equivalent.
REGRESSION_TRUTH = {"w1": 2.0, "b1": -1.0, "w2": 3.5, "b2": -1.75}


def regression(n: int = DEFAULT_SIZE, seed: int = 0, noise: float = 0.03) -> Dataset:
    """A smooth S-shaped curve on x in [-3, 3] with targets in (0, 1), plus Gaussian noise.

    y = sigmoid(3.5 sigmoid(2x - 1) - 1.75) + noise, clipped to [0.01, 0.99] so the targets stay
    valid for cross-entropy too.
    """
    n, noise = _check_args("regression", n, noise, 1)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n))
    t = REGRESSION_TRUTH
    clean = sigmoid(t["w2"] * sigmoid(t["w1"] * x + t["b1"]) + t["b2"])
    y = np.clip(clean + noise * rng.standard_normal(n), 0.01, 0.99)
    return _make("regression", x[:, None], y[:, None],
                 f"{n} points of a smooth S-shaped curve on [-3, 3] with Gaussian noise {noise:g}; "
                 "the curve is itself a 1-1-1 sigmoid network, so the lesson network can fit it.",
                 n, seed, noise)


def _two_classes(name: str, rng, n: int, noise: float, clean_points, description: str, seed: int) -> Dataset:
    """A binary 2-D set: ``clean_points(label, k, rng) -> (k, 2)`` per class, jittered, rows shuffled.

    Rows are shuffled so the first samples (the ones the chain-rule view starts on, and the
    mini-batches of an unshuffled run) are not all one class.
    """
    n0 = n // 2
    X = np.concatenate([clean_points(0, n0, rng), clean_points(1, n - n0, rng)])
    labels = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return _make(name, X[order], labels[order, None], description, n, seed, noise)


# Circle: the inside disc and the ring leave a gap, so with noise 0 the class is the radius.
CIRCLE_INSIDE, CIRCLE_RING = 1.5, (2.0, 3.0)


def circle(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.2) -> Dataset:
    """Class 1 fills a disc of radius 1.5, class 0 a ring of radii 2 to 3 around it.

    No straight line separates them: the network needs hidden units that bend the boundary into a
    closed curve — the first picture of why hidden layers matter.
    """
    n, noise = _check_args("circle", n, noise, 2)
    rng = np.random.default_rng(seed)

    def points(label, k, rng):
        angle = rng.uniform(0.0, 2 * np.pi, k)
        if label == 1:   # uniform over the disc's area
            radius = CIRCLE_INSIDE * np.sqrt(rng.uniform(0.0, 1.0, k))
        else:
            lo, hi = CIRCLE_RING
            radius = np.sqrt(rng.uniform(lo * lo, hi * hi, k))
        return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)

    return _two_classes("circle", rng, n, noise, points,
                        f"{n} points: class \"inside\" fills a disc of radius {CIRCLE_INSIDE:g}, class "
                        f"\"ring\" a ring from radius {CIRCLE_RING[0]:g} to {CIRCLE_RING[1]:g}, with "
                        f"Gaussian jitter {noise:g}. No straight line separates them: hidden units must "
                        "bend the boundary into a closed curve.", seed)


XOR_MARGIN = 0.3  # clean points keep this far from the axes, so noise 0 leaves a visible gap


def xor(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.2) -> Dataset:
    """Class 1 where x1 and x2 have different signs (quadrants II and IV), class 0 where they agree.

    The label is the XOR of the two signs: no single unit can compute it, two hidden units can.
    """
    n, noise = _check_args("xor", n, noise, 2)
    rng = np.random.default_rng(seed)

    def points(label, k, rng):
        magnitude = XOR_MARGIN + rng.uniform(0.0, 3.0 - XOR_MARGIN, (k, 2))
        s1 = rng.choice([-1.0, 1.0], k)
        s2 = -s1 if label == 1 else s1
        return magnitude * np.stack([s1, s2], axis=1)

    return _two_classes("xor", rng, n, noise, points,
                        f"{n} points in the four quadrants: class 1 where x1 and x2 have different "
                        f"signs, class 0 where they agree (the XOR of the signs), with Gaussian jitter "
                        f"{noise:g}. One unit draws one straight line; XOR needs at least two.", seed)


GAUSSIAN_CENTRE, GAUSSIAN_SPREAD = 1.5, 0.5


def gaussians(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.3) -> Dataset:
    """Two round Gaussian blobs: class 0 around (-1.5, -1.5), class 1 around (1.5, 1.5).

    Each blob has spread 0.5 before the jitter; noise 0 leaves them well apart, so a single line
    (even a network without hidden layer) separates them; more noise makes them overlap.
    """
    n, noise = _check_args("gaussians", n, noise, 2)
    rng = np.random.default_rng(seed)

    def points(label, k, rng):
        centre = GAUSSIAN_CENTRE if label == 1 else -GAUSSIAN_CENTRE
        return centre + GAUSSIAN_SPREAD * rng.standard_normal((k, 2))

    return _two_classes("gaussians", rng, n, noise, points,
                        f"{n} points in two round clouds, class 0 around (-{GAUSSIAN_CENTRE:g}, "
                        f"-{GAUSSIAN_CENTRE:g}) and class 1 around ({GAUSSIAN_CENTRE:g}, "
                        f"{GAUSSIAN_CENTRE:g}), spread {GAUSSIAN_SPREAD:g} plus Gaussian jitter {noise:g}. "
                        "A straight line separates them: the easy case.", seed)


SPIRAL_TURNS = 1.75


def spiral_arm(t, label: int) -> np.ndarray:
    """The clean point at position t in [0, 1] along spiral arm ``label`` (the other arm is it rotated
    by half a turn): radius 3 t, angle 2 pi SPIRAL_TURNS t (+ pi for arm 1)."""
    t = np.asarray(t, dtype=np.float64)
    radius = 3.0 * t
    angle = 2 * np.pi * SPIRAL_TURNS * t + np.pi * label
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)


def spiral(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.1) -> Dataset:
    """Two interleaved spiral arms, one per class, winding 1.75 turns out to radius 3.

    The hard one: the boundary winds around the centre, so it needs several hidden units (and
    patience).
    """
    n, noise = _check_args("spiral", n, noise, 2)
    rng = np.random.default_rng(seed)

    def points(label, k, rng):
        return spiral_arm(rng.uniform(0.05, 1.0, k), label)

    return _two_classes("spiral", rng, n, noise, points,
                        f"{n} points on two interleaved spiral arms, one per class, winding "
                        f"{SPIRAL_TURNS:g} turns out to radius 3, with Gaussian jitter {noise:g}. The "
                        "boundary winds around the centre: it takes several hidden units and many steps.",
                        seed)


# The moons are scikit-learn's make_moons shape, shifted and scaled by 2 to fill [-3, 3] x [-1.5, 1.5]:
# class 0 the upper arc of the circle of radius 2 around (-1, -0.5), class 1 the lower arc around (1, 0.5).
MOON_CENTRES, MOON_RADIUS = ((-1.0, -0.5), (1.0, 0.5)), 2.0


def moons(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.2) -> Dataset:
    """Two interleaving half circles: class 0 an upper arc, class 1 a lower arc hooked into it."""
    n, noise = _check_args("moons", n, noise, 2)
    rng = np.random.default_rng(seed)

    def points(label, k, rng):
        angle = rng.uniform(0.0, np.pi, k)
        sign = 1.0 if label == 0 else -1.0
        cx, cy = MOON_CENTRES[label]
        return np.stack([cx + sign * MOON_RADIUS * np.cos(angle), cy + sign * MOON_RADIUS * np.sin(angle)],
                        axis=1)

    return _two_classes("moons", rng, n, noise, points,
                        f"{n} points on two interlocking half circles (class 0 the upper, class 1 the "
                        f"lower), with Gaussian jitter {noise:g}. Almost separable by a line, but the "
                        "tips hook into each other: a curved boundary does better.", seed)


BLOB_RADIUS, BLOB_SPREAD = 1.8, 0.5


def blob_centres() -> np.ndarray:
    """The three class centres, (3, 2): on a circle of radius 1.8 at 90, 210 and 330 degrees."""
    angles = np.deg2rad([90.0, 210.0, 330.0])
    return BLOB_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def blobs(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.3) -> Dataset:
    """Three Gaussian blobs, classes "A", "B", "C", with one-hot targets (a softmax output's job)."""
    n, noise = _check_args("blobs", n, noise, 3)
    rng = np.random.default_rng(seed)
    counts = [n // 3 + (1 if c < n % 3 else 0) for c in range(3)]
    labels = np.repeat(np.arange(3), counts)
    X = blob_centres()[labels] + BLOB_SPREAD * rng.standard_normal((n, 2))
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return _make("blobs", X[order], np.eye(3)[labels[order]],
                 f"{n} points in three round clouds, classes A, B and C, around the corners of a "
                 f"triangle, spread {BLOB_SPREAD:g} plus Gaussian jitter {noise:g}. Three classes: the "
                 "network needs three outputs (softmax) and one-hot targets.", n, seed, noise)


def regression2d_surface(X) -> np.ndarray:
    """The clean target of "regression2d" at inputs X (N, 2): a smooth hill-and-valley in (0.1, 0.9)."""
    X = np.asarray(X, dtype=np.float64)
    return 0.5 + 0.4 * np.sin(0.9 * X[:, 0]) * np.cos(0.6 * X[:, 1])


def regression2d(n: int = DEFAULT_SIZE_2D, seed: int = 0, noise: float = 0.03) -> Dataset:
    """Targets y = 0.5 + 0.4 sin(0.9 x1) cos(0.6 x2) (+ noise, clipped to [0.01, 0.99]) on [-3, 3]^2.

    A smooth surface in (0, 1), so a sigmoid output can fit it as well as a linear one; here
    ``noise`` is added to the target, not to the inputs.
    """
    n, noise = _check_args("regression2d", n, noise, 1)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3.0, 3.0, (n, 2))
    y = np.clip(regression2d_surface(X) + noise * rng.standard_normal(n), 0.01, 0.99)
    return _make("regression2d", X, y[:, None],
                 f"{n} points on [-3, 3] x [-3, 3] with a target that rises and falls smoothly "
                 f"(0.5 + 0.4 sin(0.9 x1) cos(0.6 x2)), plus Gaussian noise {noise:g}. The network "
                 "fits a surface instead of a curve.", n, seed, noise)


DATASETS = {"lesson": lesson, "regression": regression, "circle": circle, "xor": xor,
            "gaussians": gaussians, "spiral": spiral, "moons": moons, "blobs": blobs,
            "regression2d": regression2d}


def load_dataset(name: str, n: int | None = None, seed: int = 0, noise: float | None = None) -> Dataset:
    """The named dataset with ``n`` samples (default: the set's own, DATASET_INFO[name].size) from
    ``seed``, with ``noise`` (default: the set's own)."""
    try:
        make = DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}") from None
    kwargs = {"seed": seed}
    if n is not None:
        kwargs["n"] = int(n)
    if noise is not None:
        kwargs["noise"] = float(noise)
    return make(**kwargs)


# ------------------------------------------------------------------------- other sources

_TABULAR_TASKS = {"regression": "regression", "binary": "classification", "multiclass": "multiclass"}


def dataset_from_tabular(tab, name: str, title: str) -> Dataset:
    """A ``Dataset`` from a ``core.tabular.TabularDataset`` (a learner's CSV), so every view and the
    trainer handle a table like a built-in set. Classes keep the table's index order."""
    try:
        task = _TABULAR_TASKS[tab.task]
    except KeyError:
        raise ValueError(f"unknown table task {tab.task!r}") from None
    classes = tuple(sorted(tab.classes, key=tab.classes.get)) if task != "regression" else ()
    kind = {"regression": "predict the number", "classification": "tell 2 classes apart",
            "multiclass": f"tell {len(classes)} classes apart"}[task]
    description = (f"{len(tab)} rows from {title}: {kind} {tab.target!r} from "
                   f"{', '.join(repr(f) for f in tab.features)}.")
    return Dataset(name=name, title=title, X=tab.X, y=tab.y, task=task, description=description,
                   classes=classes, feature_names=tuple(tab.features), target_name=str(tab.target),
                   standardized=tab.standardized)


# ------------------------------------------------------------------------- editing points

def _point(ds: Dataset, x) -> np.ndarray:
    p = np.atleast_1d(np.asarray(x, dtype=np.float64)).ravel()
    if p.size != ds.n_inputs:
        raise ValueError(f"a point of {ds.title or ds.name} has {ds.n_inputs} coordinate(s), got {p.size}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"a point's coordinates must be finite numbers, got {p.tolist()}")
    return p


def add_point(ds: Dataset, x, label) -> Dataset:
    """A copy of ``ds`` with one more sample at the end: inputs ``x`` (d numbers) and ``label`` —
    a class index for classification/multiclass, the target value for regression."""
    p = _point(ds, x)
    if ds.task == "regression":
        target = float(label)
        if not math.isfinite(target):
            raise ValueError(f"a regression target must be a finite number, got {label!r}")
        row = np.array([target])
    else:
        index = int(label)
        if index != label or not 0 <= index < ds.n_classes:
            raise ValueError(f"the label must be a class index 0..{ds.n_classes - 1}, got {label!r}")
        row = np.array([float(index)]) if ds.task == "classification" else np.eye(ds.n_classes)[index]
    return dataclasses.replace(ds, X=np.vstack([ds.X, p]), y=np.vstack([ds.y, row]))


def remove_point(ds: Dataset, index: int) -> Dataset:
    """A copy of ``ds`` without sample ``index``; ValueError rather than go below 2 points (a cost
    and a train/test split need some data)."""
    n = len(ds)
    index = int(index)
    if not 0 <= index < n:
        raise IndexError(f"no point {index}: the dataset has {n} points (0..{n - 1})")
    if n <= MIN_POINTS:
        raise ValueError(f"can't remove a point: a dataset needs at least {MIN_POINTS} points")
    keep = np.arange(n) != index
    return dataclasses.replace(ds, X=ds.X[keep], y=ds.y[keep])


def nearest_point(ds: Dataset, x, max_distance: float | None = None, target: float | None = None) -> int | None:
    """The index of the sample closest to ``x`` (Euclidean in input space), or None when the set is
    empty or the closest is farther than ``max_distance`` (a click that missed every point).

    For a 1-D set drawn as (x, y), pass ``target`` too: the distance then includes the first target
    column, so a click picks the point under the cursor rather than any point at that x.
    """
    if len(ds) == 0:
        return None
    p = _point(ds, x)
    squared = ((ds.X - p) ** 2).sum(axis=1)
    if target is not None:
        squared = squared + (ds.y[:, 0] - float(target)) ** 2
    k = int(np.argmin(squared))
    if max_distance is not None and math.sqrt(squared[k]) > max_distance:
        return None
    return k


def output_for_task(task: str, n_classes: int = 0) -> tuple[str, str]:
    """The (output activation, loss) that fit a task: sigmoid + binary cross-entropy for two
    classes, softmax + cross-entropy for more (both exact from the logits), linear + squared error
    for regression. ``n_classes`` is checked for multiclass (a softmax over one unit is constant)."""
    if task == "classification":
        return "sigmoid", "binary_cross_entropy"
    if task == "multiclass":
        if n_classes and n_classes < 2:
            raise ValueError(f"multiclass needs at least 2 classes, got {n_classes}")
        return "softmax", "cross_entropy"
    if task == "regression":
        return "linear", "squared_error"
    raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")


MIN_ROWS_TO_SPLIT = 4   # below this every row trains: a test set of one point says nothing


def train_test_split(X, y, task: str, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The studio's split of rows into (training, test) indices: none for a fraction of 0 or fewer
    than MIN_ROWS_TO_SPLIT rows; stratified by class unless the task is regression (so both sides
    keep the class proportions). Raises core.DataError for a fraction outside [0, 1)."""
    n = len(X)
    if test_fraction <= 0 or n < MIN_ROWS_TO_SPLIT:
        return np.arange(n), np.arange(0)
    from .tabular import split_dataset   # the CSV module loads only when a split is asked for

    return split_dataset(X, y, test_fraction, seed, stratify=task != "regression")
