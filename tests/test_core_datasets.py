"""Built-in datasets: deterministic per seed, the right shapes and the promised character."""
import numpy as np
import pytest

import core


@pytest.mark.parametrize("name", ["lesson", "regression"])
def test_deterministic_for_a_seed_and_different_across_seeds(name):
    a, b = core.load_dataset(name, seed=3), core.load_dataset(name, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = core.load_dataset(name, seed=4)
    assert not np.array_equal(a.X, c.X)
    assert core.DATASETS[name](n=30, seed=3, noise=0.1).X.shape == (30, 1)


@pytest.mark.parametrize("name", ["lesson", "regression"])
def test_shapes_and_metadata(name):
    data = core.load_dataset(name)
    assert data.name == name
    assert 40 <= len(data) <= 60
    assert data.X.shape == (len(data), 1) and data.y.shape == (len(data), 1)
    assert data.X.dtype == np.float64 and data.y.dtype == np.float64
    assert data.title and data.description
    assert data.task in ("classification", "regression")
    assert core.load_dataset(name, n=2000).X.shape == (2000, 1)
    with pytest.raises(ValueError):
        data.X[0, 0] = 1.0  # read-only: a view cannot corrupt the session's data


def test_lesson_is_two_overlapping_classes():
    data = core.load_dataset("lesson")
    assert data.title == "Two classes along x (lesson)"
    assert data.task == "classification"
    x, y = data.X[:, 0], data.y[:, 0]
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.mean() - 0.5) < 0.05
    assert x[y == 0].mean() == pytest.approx(-1.0, abs=0.35)
    assert x[y == 1].mean() == pytest.approx(1.0, abs=0.35)
    assert x[y == 1].min() < x[y == 0].max()  # they overlap: no threshold is perfect


def test_regression_targets_fit_a_sigmoid_network():
    data = core.load_dataset("regression")
    assert data.title == "1-D regression" and data.task == "regression"
    assert np.all((data.y > 0) & (data.y < 1))
    assert np.all(np.diff(data.X[:, 0]) >= 0)
    net = core.lesson_network()
    for name, value in core.datasets.REGRESSION_TRUTH.items():
        net.set(name, value)
    residual = net.predict(data.X) - data.y
    assert np.sqrt(np.mean(residual ** 2)) < 0.05  # the curve is representable: only noise remains
    assert data.y.std() > 0.2  # and it is not flat


def test_registry_and_errors():
    assert list(core.DATASETS) == ["lesson", "regression"]
    with pytest.raises(ValueError, match="lesson, regression"):
        core.load_dataset("iris")
    with pytest.raises(ValueError, match="at least 2"):
        core.load_dataset("lesson", n=1)


def test_titles_match_the_generated_datasets():
    assert set(core.DATASET_TITLES) == set(core.DATASETS)
    for name, title in core.DATASET_TITLES.items():
        assert core.load_dataset(name).title == title
