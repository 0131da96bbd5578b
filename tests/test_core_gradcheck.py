"""Gradient checking: the fast finite differences equal the naive ones, and backprop passes the check."""
import time

import numpy as np
import pytest

import core
from core.gradcheck import finite_difference_gradient, gradient_check
from tests.numerics import network_problem, numeric_gradient


problem = network_problem


CASES = [
    ([2, 4, 3, 3], ["tanh", "sigmoid", "softmax"], "cross_entropy", {}),
    ([2, 4, 1], ["elu", "sigmoid"], "binary_cross_entropy", {"regularization": "l2", "regularization_rate": 0.1}),
    ([1, 3, 2], ["softplus", "linear"], "squared_error", {"regularization": "l1", "regularization_rate": 0.1}),
    ([2, 3, 3, 2], ["leaky_relu", "softmax", "sigmoid"], "squared_error", {}),
    ([3, 5, 2], ["linear", "softmax"], "squared_error", {}),
]


@pytest.mark.parametrize("sizes,acts,loss,kw", CASES)
def test_fast_differences_match_naive_net_cost(sizes, acts, loss, kw):
    net, X, y = problem(sizes, acts, loss, **kw)
    before = net.parameter_vector()
    fd = finite_difference_gradient(net, X, y)
    np.testing.assert_array_equal(net.parameter_vector(), before)  # nothing moved
    np.testing.assert_allclose(fd, numeric_gradient(net, X, y), rtol=1e-6, atol=1e-8)
    check = gradient_check(net, X, y)
    assert check.all_agree and not check.disagreeing
    assert [r.name for r in check.rows] == net.parameter_names()
    np.testing.assert_array_equal([r.backprop for r in check.rows], net.gradient_vector(X, y))
    np.testing.assert_array_equal([r.value for r in check.rows], before)
    assert check.max_relative_error < 1e-4 and check.worst in check.rows


def test_a_wrong_gradient_is_caught():
    net, X, y = problem([2, 3, 1], ["tanh", "sigmoid"], "squared_error")
    check = gradient_check(net, X, y)
    assert check.all_agree and isinstance(check.rows[0], core.GradientCheckRow)
    broken = net.copy()
    broken.gradient_vector = lambda X, y: net.gradient_vector(X, y) * 1.01
    bad = gradient_check(broken, X, y)
    assert not bad.all_agree and bad.worst.relative_error == pytest.approx(0.01 / 1.01, rel=1e-3)


def test_relative_error_and_tolerance_definitions():
    net, X, y = problem([2, 3, 2], ["relu", "linear"], "squared_error")
    net.weights[0][:, 0] = 0.0  # a dead-ish unit: some exactly-zero gradients
    net.biases[0][0] = -5.0
    check = gradient_check(net, X, y, rtol=1e-5, atol=1e-7)
    assert check.rtol == 1e-5 and check.atol == 1e-7 and check.eps == 1e-6
    for r in check.rows:
        scale = max(abs(r.backprop), abs(r.finite_difference))
        assert r.abs_error == abs(r.backprop - r.finite_difference)
        assert r.relative_error == (0.0 if scale == 0 else pytest.approx(r.abs_error / scale))
        assert r.agrees == (r.abs_error <= 1e-7 + 1e-5 * scale)
    assert check.rows[0].backprop == 0.0 and check.rows[0].agrees


def test_l1_kink_is_flagged():
    net, X, y = problem([2, 2, 1], ["tanh", "linear"], "squared_error", regularization="l1",
                        regularization_rate=1.0)
    net.set("w1.1.1", 3e-7)   # inside the nudge: the difference straddles |w|'s kink
    net.set("w1.2.1", 0.0)    # exactly at the kink: both give the subgradient 0
    check = {r.name: r for r in gradient_check(net, X, y).rows}
    assert check["w1.1.1"].at_kink and not check["w1.1.1"].agrees
    assert not check["w1.2.1"].at_kink and check["w1.2.1"].agrees
    assert not check["w2.1.1"].at_kink and not check["b1.1"].at_kink


def test_speed_on_a_mid_sized_network():
    net, X, y = problem([2, 16, 16, 3], ["tanh", "relu", "softmax"], "cross_entropy", n=200)
    gradient_check(net, X, y)  # warm-up
    start = time.perf_counter()
    check = gradient_check(net, X, y)
    elapsed = time.perf_counter() - start
    assert len(check.rows) == 371 and check.all_agree
    assert elapsed < 1.0, elapsed  # about 25 ms on one core
