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
    assert list(core.DATASETS) == ["lesson", "regression", "circle", "xor", "gaussians", "spiral", "moons",
                                   "blobs", "regression2d"]  # the lesson's two sets stay first
    with pytest.raises(ValueError, match="lesson, regression"):
        core.load_dataset("iris")
    with pytest.raises(ValueError, match="at least 2"):
        core.load_dataset("lesson", n=1)


def test_titles_match_the_generated_datasets():
    assert set(core.DATASET_TITLES) == set(core.DATASETS)
    for name, title in core.DATASET_TITLES.items():
        assert core.load_dataset(name).title == title


# ------------------------------------------------------------------------------- all generators

ALL = list(core.DATASETS)
TWO_D = [name for name in ALL if core.DATASET_INFO[name].n_inputs == 2]


@pytest.mark.parametrize("name", ALL)
def test_every_generator_is_deterministic_and_seed_dependent(name):
    a, b = core.load_dataset(name, seed=5), core.DATASETS[name](seed=5)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = core.load_dataset(name, seed=6)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", ALL)
def test_every_generator_matches_its_info(name):
    info = core.DATASET_INFO[name]
    data = core.load_dataset(name)
    assert (data.name, data.title, data.task) == (name, info.title, info.task)
    assert core.DATASET_TASKS[name] == info.task and core.DATASET_TITLES[name] == info.title
    assert len(data) == info.size and data.size == info.size
    assert data.noise == info.noise == core.DATASET_NOISE[name][0] < core.DATASET_NOISE[name][1]
    assert data.X.shape == (info.size, info.n_inputs) and data.n_inputs == info.n_inputs
    assert data.y.shape == (info.size, info.n_outputs) and data.n_outputs == info.n_outputs
    assert data.classes == info.classes and data.n_classes == info.n_classes
    assert data.X.dtype == data.y.dtype == np.float64
    assert not data.X.flags.writeable and not data.y.flags.writeable
    assert data.description and str(info.size) in data.description
    assert data.feature_names == (("x",) if info.n_inputs == 1 else ("x1", "x2")) and data.target_name == "y"
    if info.task == "regression":
        assert info.n_classes == 0 and np.all((data.y > 0) & (data.y < 1))
        with pytest.raises(ValueError, match="not class labels"):
            data.labels
    else:
        counts = np.bincount(data.labels, minlength=info.n_classes)
        assert counts.max() - counts.min() <= 1  # balanced classes
        if info.task == "multiclass":
            np.testing.assert_array_equal(data.y.sum(axis=1), 1.0)  # one-hot
            np.testing.assert_array_equal(data.y, np.eye(info.n_classes)[data.labels])
        else:
            assert set(np.unique(data.y)) == {0.0, 1.0}
            np.testing.assert_array_equal(data.labels, data.y[:, 0])


@pytest.mark.parametrize("name", TWO_D)
def test_two_d_inputs_lie_roughly_in_minus_3_to_3(name):
    data = core.load_dataset(name, n=1000)
    assert np.abs(data.X).max() < 4.0
    assert np.abs(data.X).max(axis=0).min() > 1.5  # and both axes are used
    assert data.X.shape == (1000, 2)


@pytest.mark.parametrize("name", ALL)
def test_noise_is_applied_and_checked(name):
    quiet, loud = core.load_dataset(name, noise=0.0), core.load_dataset(name, noise=0.5)
    assert quiet.noise == 0.0 and loud.noise == 0.5
    assert not (np.array_equal(quiet.X, loud.X) and np.array_equal(quiet.y, loud.y))
    with pytest.raises(ValueError, match="noise"):
        core.load_dataset(name, noise=-0.1)
    with pytest.raises(ValueError, match="at least"):
        core.load_dataset(name, n=0)


def test_regenerate_keeps_the_other_arguments():
    data = core.load_dataset("moons", n=60, seed=2, noise=0.4)
    assert data.params == {"n": 60, "seed": 2, "noise": 0.4}
    again = data.regenerate(noise=0.1)
    np.testing.assert_array_equal(again.X, core.load_dataset("moons", n=60, seed=2, noise=0.1).X)
    with pytest.raises(TypeError):
        data.regenerate(colour="red")


def test_circle_without_noise_is_decided_by_the_radius():
    data = core.load_dataset("circle", n=400, noise=0.0)
    r = np.hypot(data.X[:, 0], data.X[:, 1])
    inside = data.labels == 1
    assert data.classes == ("ring", "inside")
    assert r[inside].max() <= 1.5 and r[~inside].min() >= 2.0 and r[~inside].max() <= 3.0
    noisy = core.load_dataset("circle", n=400, noise=0.5)
    r = np.hypot(noisy.X[:, 0], noisy.X[:, 1])
    assert r[noisy.labels == 1].max() > r[noisy.labels == 0].min()  # noise blurs the gap


def test_xor_without_noise_is_the_xor_of_the_signs():
    data = core.load_dataset("xor", n=400, noise=0.0)
    x1, x2 = data.X[:, 0], data.X[:, 1]
    np.testing.assert_array_equal(data.labels, ((x1 < 0) != (x2 < 0)).astype(int))
    assert np.abs(data.X).min() >= 0.3  # a margin around the axes
    for sign1 in (-1, 1):
        for sign2 in (-1, 1):  # all four quadrants are populated
            assert np.count_nonzero((np.sign(x1) == sign1) & (np.sign(x2) == sign2)) > 50


def test_gaussians_without_noise_are_split_by_a_line():
    data = core.load_dataset("gaussians", n=400, noise=0.0)
    np.testing.assert_array_equal(data.labels, (data.X.sum(axis=1) > 0).astype(int))
    for label, centre in ((0, -1.5), (1, 1.5)):
        np.testing.assert_allclose(data.X[data.labels == label].mean(axis=0), [centre, centre], atol=0.1)
    # noise widens the blobs
    assert core.load_dataset("gaussians", n=400, noise=1.0).X.std() > data.X.std()


def test_spiral_without_noise_lies_on_its_arms():
    data = core.load_dataset("spiral", n=300, noise=0.0)
    r = np.hypot(data.X[:, 0], data.X[:, 1])
    for label in (0, 1):
        rows = data.labels == label
        on_arm = core.datasets.spiral_arm(r[rows] / 3.0, label)
        np.testing.assert_allclose(on_arm, data.X[rows], atol=1e-9)
        # and not on the other arm: the arms are half a turn apart
        assert np.abs(core.datasets.spiral_arm(r[rows] / 3.0, 1 - label) - data.X[rows]).max() > 1.0
    assert r.max() <= 3.0


def test_moons_without_noise_lie_on_their_half_circles():
    data = core.load_dataset("moons", n=300, noise=0.0)
    for label, (cx, cy), side in ((0, (-1.0, -0.5), 1.0), (1, (1.0, 0.5), -1.0)):
        pts = data.X[data.labels == label]
        np.testing.assert_allclose(np.hypot(pts[:, 0] - cx, pts[:, 1] - cy), 2.0, atol=1e-12)
        assert np.all(side * (pts[:, 1] - cy) >= -1e-12)  # class 0 the upper arc, class 1 the lower


def test_blobs_are_three_classes_around_their_centres():
    data = core.load_dataset("blobs", n=600, noise=0.0)
    centres = core.datasets.blob_centres()
    for label in range(3):
        np.testing.assert_allclose(data.X[data.labels == label].mean(axis=0), centres[label], atol=0.1)
    nearest = np.argmin(((data.X[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert np.mean(nearest == data.labels) > 0.97
    assert core.load_dataset("blobs", n=7).labels.tolist().count(0) == 3
    with pytest.raises(ValueError, match="at least 3"):
        core.load_dataset("blobs", n=2)


def test_regression2d_is_the_surface_plus_noise():
    clean = core.load_dataset("regression2d", noise=0.0)
    np.testing.assert_allclose(clean.y[:, 0], core.datasets.regression2d_surface(clean.X), atol=1e-15)
    assert clean.y.std() > 0.15
    noisy = core.load_dataset("regression2d", noise=0.05)
    np.testing.assert_array_equal(noisy.X, clean.X)  # noise on the targets, not the inputs
    residual = noisy.y[:, 0] - core.datasets.regression2d_surface(noisy.X)
    assert 0.03 < residual.std() < 0.07


# ------------------------------------------------------------------------------- the Dataset type

def test_dataset_defaults_and_validation():
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    data = core.Dataset("mine", "Mine", X, np.array([[1.0, 0], [0, 1], [0, 1]]), "multiclass", "three rows")
    assert data.classes == ("0", "1") and data.feature_names == ("x1", "x2") and data.size is None
    assert data.labels.tolist() == [0, 1, 1]
    X[0, 0] = 9.0  # the caller's array is copied, not frozen or shared
    assert data.X[0, 0] == 0.0 and X.flags.writeable
    flat = core.Dataset("flat", "Flat", [1.0, 2.0], [0.5, 0.25], "regression", "")
    assert flat.X.shape == flat.y.shape == (2, 1) and flat.n_classes == 0
    with pytest.raises(ValueError, match="task"):
        core.Dataset("a", "A", X, np.zeros((3, 1)), "binary", "")
    with pytest.raises(ValueError, match="one target column"):
        core.Dataset("a", "A", X, np.zeros((3, 2)), "classification", "")
    with pytest.raises(ValueError, match="3 rows"):
        core.Dataset("a", "A", X, np.zeros((2, 1)), "regression", "")
    with pytest.raises(ValueError, match="3 classes"):
        core.Dataset("a", "A", X, np.eye(3), "multiclass", "", classes=("a", "b"))
    with pytest.raises(ValueError, match="feature names"):
        core.Dataset("a", "A", X, np.zeros((3, 1)), "regression", "", feature_names=("x",))
    with pytest.raises(ValueError, match="not a generated dataset"):
        data.regenerate(seed=1)


# --------------------------------------------------------------------------------- from a table

def test_dataset_from_a_binary_table():
    table = core.parse_csv("height,weight,sex\n1.6,55,f\n1.8,80,m\n1.7,70,m\n1.5,50,f\n1.9,90,m\n")
    tab = table.to_dataset(["height", "weight"], "sex")
    data = core.dataset_from_tabular(tab, "people", "people.csv")
    assert (data.name, data.title, data.task) == ("people", "people.csv", "classification")
    assert data.classes == ("f", "m") and data.feature_names == ("height", "weight")
    assert data.target_name == "sex" and data.n_classes == 2
    np.testing.assert_array_equal(data.X, tab.X)
    np.testing.assert_array_equal(data.y, tab.y)
    assert data.labels.tolist() == [0, 1, 1, 0, 1]
    assert "people.csv" in data.description and "'sex'" in data.description
    assert not data.X.flags.writeable and tab.X.flags.writeable  # the table's arrays are untouched


def test_dataset_from_a_multiclass_and_a_regression_table():
    text = "a,b,kind,price\n1,2,cat,10\n2,1,dog,12\n3,3,bird,9\n4,0,dog,15\n0,4,cat,11\n"
    tab = core.parse_csv(text).to_dataset(["a", "b"], "kind")
    data = core.dataset_from_tabular(tab, "pets", "Pets")
    assert data.task == "multiclass" and data.n_classes == 3
    assert data.classes == tuple(sorted(tab.classes, key=tab.classes.get))
    assert [data.classes[k] for k in data.labels] == ["cat", "dog", "bird", "dog", "cat"]
    tab = core.parse_csv(text).to_dataset(["a"], "price", standardize=False)
    data = core.dataset_from_tabular(tab, "prices", "Prices")
    assert data.task == "regression" and data.classes == () and data.feature_names == ("a",)
    np.testing.assert_array_equal(data.y[:, 0], [10, 12, 9, 15, 11])
    np.testing.assert_array_equal(data.X[:, 0], [1, 2, 3, 4, 0])


# ------------------------------------------------------------------------------- editing points

def test_add_point_to_each_kind_of_dataset():
    data = core.load_dataset("circle", n=10)
    more = core.add_point(data, (0.5, -0.5), 1)
    assert len(more) == 11 and len(data) == 10  # a new dataset; the old one unchanged
    np.testing.assert_array_equal(more.X[:10], data.X)
    assert more.X[-1].tolist() == [0.5, -0.5] and more.y[-1].tolist() == [1.0]
    assert not more.X.flags.writeable and more.classes == data.classes and more.name == "circle"
    blobs = core.add_point(core.load_dataset("blobs", n=9), [1.0, 2.0], 2)
    assert blobs.y[-1].tolist() == [0.0, 0.0, 1.0] and blobs.labels[-1] == 2
    line = core.add_point(core.load_dataset("regression"), [0.25], 0.75)
    assert line.X[-1, 0] == 0.25 and line.y[-1, 0] == 0.75
    with pytest.raises(ValueError, match="class index 0..1"):
        core.add_point(data, (0.0, 0.0), 2)
    with pytest.raises(ValueError, match="class index"):
        core.add_point(data, (0.0, 0.0), 0.5)
    with pytest.raises(ValueError, match="2 coordinate"):
        core.add_point(data, (0.0,), 0)
    with pytest.raises(ValueError, match="finite"):
        core.add_point(data, (0.0, np.nan), 0)
    with pytest.raises(ValueError, match="finite"):
        core.add_point(core.load_dataset("regression"), [0.0], np.inf)


def test_remove_point_and_the_two_point_floor():
    data = core.load_dataset("xor", n=5)
    fewer = core.remove_point(data, 1)
    np.testing.assert_array_equal(fewer.X, np.delete(data.X, 1, axis=0))
    np.testing.assert_array_equal(fewer.y, np.delete(data.y, 1, axis=0))
    with pytest.raises(IndexError):
        core.remove_point(data, 5)
    two = core.remove_point(core.remove_point(fewer, 0), 0)
    assert len(two) == 2
    with pytest.raises(ValueError, match="at least 2 points"):
        core.remove_point(two, 0)


def test_nearest_point():
    data = core.load_dataset("gaussians", n=50)
    target = data.X[17] + 1e-3
    assert core.nearest_point(data, target) == 17
    assert core.nearest_point(data, target, max_distance=0.01) == 17
    assert core.nearest_point(data, [50.0, 50.0], max_distance=1.0) is None
    brute = int(np.argmin(np.linalg.norm(data.X - [0.3, -0.2], axis=1)))
    assert core.nearest_point(data, (0.3, -0.2)) == brute
    line = core.Dataset("l", "L", [[0.0], [0.0]], [[0.1], [0.9]], "regression", "")
    assert core.nearest_point(line, 0.0, target=0.8) == 1  # on a 1-D plot the height decides
    assert core.nearest_point(line, [0.0], target=0.2) == 0


@pytest.mark.parametrize("task, n_classes, expected", [
    ("classification", 2, ("sigmoid", "binary_cross_entropy")),
    ("multiclass", 3, ("softmax", "cross_entropy")),
    ("regression", 0, ("linear", "squared_error")),
])
def test_output_for_task_builds_a_network(task, n_classes, expected):
    activation, loss = core.output_for_task(task, n_classes)
    assert (activation, loss) == expected
    assert activation in core.ACTIVATIONS and loss in core.ALL_LOSSES
    outputs = n_classes if task == "multiclass" else 1
    net = core.Network([2, 3, outputs], ["tanh", activation], loss)
    assert net.output_uses_logits == (task != "regression")  # the exact fused gradient is used


def test_output_for_task_rejects_nonsense():
    with pytest.raises(ValueError, match="task"):
        core.output_for_task("binary")
    with pytest.raises(ValueError, match="at least 2"):
        core.output_for_task("multiclass", 1)


def test_the_studio_split_keeps_small_data_whole_and_classes_in_proportion():
    import core

    data = core.load_dataset("blobs", n=90)
    train, test = core.train_test_split(data.X, data.y, data.task, 0.2, seed=3)
    assert len(test) == 18 and sorted(np.concatenate([train, test])) == list(range(90))
    assert np.bincount(data.labels[test]).tolist() == [6, 6, 6]          # stratified
    tiny = core.load_dataset("circle", n=3)
    assert [len(part) for part in core.train_test_split(tiny.X, tiny.y, tiny.task, 0.5, 0)] == [3, 0]
    assert [len(part) for part in core.train_test_split(data.X, data.y, data.task, 0.0, 0)] == [90, 0]
