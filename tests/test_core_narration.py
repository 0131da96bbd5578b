"""The narrated update: its last sub-step is exactly the rule's step, and each sub-step's number is its
formula's, computed by hand."""
import numpy as np
import pytest

import core
from core.update_rules import RULES, make_rule


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_narrated_step_is_the_rules_step(name):
    rng = np.random.default_rng(4)
    theta, rule = rng.normal(size=5), make_rule(name)
    state = rule.init(theta)
    for _ in range(3):                        # a rule state that is not the initial one
        theta, state = rule.update(rng.normal(size=5), state, theta, 0.05)
    gradient = rng.normal(size=5)
    steps, new_theta, _ = core.narrate_update(rule, gradient, state, theta, 0.05, 2)
    expected, _ = rule.update(gradient, state, theta, 0.05)
    assert steps[0].value == gradient[2] and steps[-1].value == expected[2]
    np.testing.assert_array_equal(new_theta, expected)
    assert all(s.latex and s.title for s in steps)


def test_adams_sub_steps_are_its_formulas():
    rng = np.random.default_rng(1)
    theta, rule = rng.normal(size=3), core.Adam(betas=(0.8, 0.9))
    state = rule.init(theta)
    g = rng.normal(size=3)
    steps, _, _ = core.narrate_update(rule, g, state, theta, 0.1, 0)
    titles = [s.title.split(":")[0] for s in steps]
    assert titles == ["The gradient", "First moment", "Second moment", "Bias correction", "The step"]
    m, v = 0.2 * g[0], 0.1 * g[0] ** 2
    assert steps[1].value == pytest.approx(m) and steps[2].value == pytest.approx(v)
    assert steps[3].value == pytest.approx(m / (1 - 0.8))     # m̂ at t = 1 is the gradient itself
    plain, _, _ = core.narrate_update(core.Adam(bias_correction=False), g, state, theta, 0.1, 0)
    assert plain[3].title.startswith("No bias correction")


def test_momentum_narrates_its_velocity_and_nesterov_looks_ahead():
    theta = np.array([1.0, -2.0])
    rule = core.Nesterov(momentum=0.5)
    state = {"velocity": np.array([0.2, 0.0]), "t": 4}
    steps, new_theta, _ = core.narrate_update(rule, np.array([0.1, 0.3]), state, theta, 0.1, 0)
    assert steps[1].value == pytest.approx(0.5 * 0.2 + 0.1)                 # v ← μv + g
    assert steps[2].value == pytest.approx(0.1 + 0.5 * (0.5 * 0.2 + 0.1))    # d = g + μv
    assert new_theta[0] == pytest.approx(1.0 - 0.1 * steps[2].value)


@pytest.mark.parametrize("name, arrows", [
    ("sgd", ["gradient", "step"]),
    ("momentum", ["gradient", "velocity", "step"]),
    ("adagrad", ["gradient", "scaled", "scaled", "step"]),
    ("adam", ["gradient", "velocity", "scaled", "velocity", "step"]),
])
def test_each_sub_step_names_the_surface_arrow_that_draws_it(name, arrows):
    rule = core.make_rule(name)
    theta = np.array([0.3, -0.2])
    steps, _, _ = core.narrate_update(rule, np.array([0.1, 0.4]), rule.init(theta), theta, 0.1, 0)
    assert [s.arrow for s in steps] == arrows
