"""Loss landscapes over planes of parameter space (core/landscape.py): filter-normalized random
directions, the PCA plane of a path, the cost over a plane and a path projected on it — each checked
against an independent computation (column norms by hand, np.cov's eigenvectors, ``Network.cost``
with the parameters set one by one)."""
import numpy as np
import pytest

import core


def _net(sizes, activations, loss, seed=3, **kwargs):
    net = core.Network(sizes, activations, loss, seed=seed, **kwargs)
    rng = np.random.default_rng(seed + 100)
    net.set_parameter_vector(rng.normal(0.0, 0.8, net.parameter_count))   # biases non-zero too
    return net


def _data(net, n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, net.sizes[0]))
    k = net.sizes[-1]
    if net.loss == "cross_entropy":
        y = np.eye(k)[rng.integers(0, k, n)]
    elif net.loss == "binary_cross_entropy":
        y = (rng.random((n, k)) > 0.5).astype(float)
    else:
        y = rng.normal(size=(n, k))
    return X, y


def _layers(net, vector):
    """(W, b) of every layer of a parameter vector, by the documented order (weights row-major)."""
    out, offset = [], 0
    for W, b in zip(net.weights, net.biases):
        out.append((vector[offset:offset + W.size].reshape(W.shape), vector[offset + W.size:offset + W.size + b.size]))
        offset += W.size + b.size
    return out


def test_random_directions_are_filter_normalized_per_neuron_column_with_zero_biases():
    net = _net([2, 5, 4, 3], ["tanh", "relu", "softmax"], "cross_entropy")
    d1, d2 = core.random_plane(net, seed=7)
    for direction in (d1, d2):
        assert direction.shape == (net.parameter_count,)
        for (D, b_dir), W in zip(_layers(net, direction), net.weights):
            for j in range(W.shape[1]):   # neuron j's incoming weights: column j
                assert np.linalg.norm(D[:, j]) == pytest.approx(np.linalg.norm(W[:, j]), rel=1e-12)
            assert np.all(b_dir == 0.0)
    assert not np.allclose(d1, d2)                       # two independent draws
    again = core.random_plane(net, seed=7)
    assert np.array_equal(again[0], d1) and np.array_equal(again[1], d2)   # seedable
    assert not np.allclose(core.random_plane(net, seed=8)[0], d1)


def test_a_neuron_without_incoming_weights_gets_a_zero_column():
    net = _net([2, 3, 1], ["sigmoid", "sigmoid"], "squared_error")
    net.weights[0][:, 1] = 0.0
    d1, _ = core.random_plane(net, seed=1)
    D = _layers(net, d1)[0][0]
    assert np.all(D[:, 1] == 0.0) and np.all(np.isfinite(d1))


def test_pca_plane_is_the_top_two_eigenvectors_of_the_paths_covariance():
    rng = np.random.default_rng(5)
    steps = rng.normal(size=(40, 9)) * np.linspace(3.0, 0.2, 9)   # an anisotropic random walk
    thetas = np.cumsum(steps, axis=0)
    plane = core.pca_plane(thetas)
    assert np.array_equal(plane.centre, thetas[-1])
    # independent: eigen-decomposition of the covariance of the path relative to its end
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov((thetas - thetas[-1]).T))
    order = np.argsort(eigenvalues)[::-1]
    for k, direction in enumerate((plane.d1, plane.d2)):
        assert abs(direction @ eigenvectors[:, order[k]]) == pytest.approx(1.0, abs=1e-10)
        assert plane.explained[k] == pytest.approx(eigenvalues[order[k]] / eigenvalues.sum(), rel=1e-9)
    assert plane.d1 @ plane.d2 == pytest.approx(0.0, abs=1e-12)
    assert plane.explained[0] >= plane.explained[1] > 0
    # signed so that the start of the path lies on the positive side of each axis
    start = core.project_path(thetas[:1], plane.centre, plane.d1, plane.d2).coords[0]
    assert np.all(start >= 0)


def test_a_path_inside_a_plane_is_explained_fully_and_lies_on_its_pca_plane():
    rng = np.random.default_rng(2)
    basis = np.linalg.qr(rng.normal(size=(7, 2)))[0]
    thetas = rng.normal(size=(25, 2)) @ basis.T + rng.normal(size=7)
    plane = core.pca_plane(thetas)
    assert sum(plane.explained) == pytest.approx(1.0, abs=1e-12)
    projection = core.project_path(thetas, plane.centre, plane.d1, plane.d2)
    assert np.max(projection.distance) < 1e-12


def test_pca_plane_refuses_a_path_too_short_or_standing_still():
    with pytest.raises(ValueError, match="at least 3"):
        core.pca_plane(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="does not move"):
        core.pca_plane(np.ones((5, 4)))


CASES = [
    ([2, 16, 16, 3], ["tanh", "tanh", "softmax"], "cross_entropy", {}),
    ([2, 5, 4, 1], ["sigmoid", "relu", "sigmoid"], "binary_cross_entropy", {}),
    ([1, 3, 1], ["tanh", "linear"], "squared_error", {"regularization": "l1", "regularization_rate": 0.05}),
    ([2, 4, 3, 2], ["elu", "leaky_relu", "sigmoid"], "squared_error",
     {"regularization": "l2", "regularization_rate": 0.1}),
    ([2, 3, 3], ["softplus", "softmax"], "cross_entropy", {}),
]


@pytest.mark.parametrize("sizes, activations, loss, extra", CASES)
def test_plane_surface_equals_the_networks_cost_at_each_grid_point(sizes, activations, loss, extra):
    net = _net(sizes, activations, loss, **extra)
    # 1,500 samples: with 16-wide layers a chunk holds a handful of grid points, so the 5 x 4 grid
    # crosses chunk boundaries
    X, y = _data(net, n=1500)
    centre = net.parameter_vector()
    d1, d2 = core.random_plane(net, seed=11)
    alphas, betas = np.linspace(-1.5, 1.0, 5), np.array([-0.7, 0.0, 0.4, 2.0])
    surface = core.plane_surface(net, X, y, centre, d1, d2, alphas, betas)
    assert surface.shape == (5, 4)
    probe = net.copy()
    for i, a in enumerate(alphas):
        for j, b in enumerate(betas):
            probe.set_parameter_vector(centre + a * d1 + b * d2)
            assert surface[i, j] == pytest.approx(probe.cost(X, y), rel=1e-10, abs=1e-12)
    assert np.array_equal(net.parameter_vector(), centre)   # the network is not touched


def test_plane_surface_takes_any_directions_and_checks_their_length():
    net = _net([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy")
    X, y = _data(net)
    rng = np.random.default_rng(0)
    d1, d2 = rng.normal(size=(2, net.parameter_count))     # biases move too here
    surface = core.plane_surface(net, X, y, net.parameter_vector(), d1, d2, [0.5], [-0.25])
    probe = net.copy()
    probe.set_parameter_vector(net.parameter_vector() + 0.5 * d1 - 0.25 * d2)
    assert surface[0, 0] == pytest.approx(probe.cost(X, y), rel=1e-12)
    with pytest.raises(ValueError, match="d2 must have"):
        core.plane_surface(net, X, y, net.parameter_vector(), d1, d2[:-1], [0.0], [0.0])


def test_a_point_of_the_plane_projects_to_its_coordinates_with_distance_zero():
    net = _net([2, 4, 1], ["tanh", "sigmoid"], "binary_cross_entropy")
    X, y = _data(net)
    centre = net.parameter_vector()
    d1, d2 = core.random_plane(net, seed=4)   # filter-normalized directions are not orthogonal
    inside = centre + 0.3 * d1 - 1.2 * d2
    projection = core.project_path(inside[None], centre, d1, d2, net, X, y)
    assert projection.coords[0] == pytest.approx([0.3, -1.2], abs=1e-12)
    assert projection.distance[0] == pytest.approx(0.0, abs=1e-12)
    assert projection.plane_cost[0] == pytest.approx(projection.true_cost[0], rel=1e-12)


def test_a_point_off_the_plane_reports_its_distance_and_both_costs():
    net = _net([2, 4, 1], ["tanh", "sigmoid"], "binary_cross_entropy")
    X, y = _data(net)
    centre = net.parameter_vector()
    d1, d2 = core.random_plane(net, seed=4)
    D = np.column_stack([d1, d2])
    normal = np.random.default_rng(9).normal(size=centre.size)
    normal -= D @ np.linalg.lstsq(D, normal, rcond=None)[0]    # orthogonal to the plane
    normal *= 0.8 / np.linalg.norm(normal)
    point = centre + 0.5 * d1 + 0.25 * d2 + normal
    projection = core.project_path(np.vstack([centre, point]), centre, d1, d2, net, X, y)
    assert projection.coords[1] == pytest.approx([0.5, 0.25], abs=1e-12)
    assert projection.distance == pytest.approx([0.0, 0.8], abs=1e-12)
    reach = np.linalg.norm(point - centre)
    assert projection.relative_distance[1] == pytest.approx(0.8 / reach, rel=1e-12)
    probe = net.copy()
    probe.set_parameter_vector(point)
    assert projection.true_cost[1] == pytest.approx(probe.cost(X, y), rel=1e-12)
    probe.set_parameter_vector(centre + 0.5 * d1 + 0.25 * d2)
    assert projection.plane_cost[1] == pytest.approx(probe.cost(X, y), rel=1e-12)
    assert projection.true_cost[1] != pytest.approx(projection.plane_cost[1], rel=1e-3)


def test_costs_at_many_parameter_vectors_equal_the_networks_cost():
    net = _net([3, 6, 2], ["relu", "softmax"], "cross_entropy", regularization="l2", regularization_rate=0.2)
    X, y = _data(net)
    thetas = np.random.default_rng(1).normal(size=(13, net.parameter_count))
    costs = core.costs_at(net, X, y, thetas)
    probe = net.copy()
    for theta, cost in zip(thetas, costs):
        probe.set_parameter_vector(theta)
        assert cost == pytest.approx(probe.cost(X, y), rel=1e-12)
