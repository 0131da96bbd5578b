"""The parts of one update drawn at the shown point (core.update_parts), and the rule state and full
path a snapshot carries for them: each part against the step the run really took, and the state of a
past step against a run trained there afresh."""
import numpy as np
import pytest

import core

from tests.test_core_run import spiral_problem


def _run(optimizer, rate, steps, **hyper):
    net, X, y, _options = spiral_problem(n=60, hidden=(5,), test=False)
    run = core.Run(net, X, y, rate, rule=core.make_rule(optimizer, **hyper))
    run.step(steps)
    return run


def _parts(snap):
    return core.update_parts(snap.rule, snap.rule_state, snap.theta, snap.previous_theta, snap.gradient,
                             snap.learning_rate)


@pytest.mark.parametrize("steps", [1, 12])
def test_momentum_velocity_as_a_step_is_the_step_taken(steps):
    snap = core.take_snapshot(_run("momentum", 0.05, steps))
    parts = _parts(snap)
    np.testing.assert_allclose(parts.velocity, -0.05 * snap.rule_state["velocity"], rtol=0, atol=0)
    # heavy ball: θ_k − θ_{k−1} = −η v_k
    np.testing.assert_allclose(parts.step, snap.theta - snap.previous_theta, rtol=0, atol=0)
    np.testing.assert_allclose(parts.velocity, parts.step, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(parts.gradient_step, -0.05 * snap.gradient)
    assert parts.velocity_name == "v" and parts.rates is None and parts.scaled_step is None


def test_nesterov_step_is_gradient_of_the_last_step_plus_momentum_times_velocity():
    run = _run("nesterov", 0.05, 9)
    before = core.take_snapshot(run, 8)
    snap = core.take_snapshot(run)
    parts = _parts(snap)
    # θ_k − θ_{k−1} = −η (g_{k−1} + μ v_k): the velocity part is μ times the drawn −η v
    np.testing.assert_allclose(parts.step, -0.05 * before.gradient + 0.9 * parts.velocity, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("optimizer,hyper", [("adagrad", {}), ("adagrad", {"lr_decay": 0.1}), ("rmsprop", {}),
                                             ("rmsprop", {"centered": True})])
def test_adaptive_rates_scale_the_last_gradient_into_the_step(optimizer, hyper):
    run = _run(optimizer, 0.01, 7, **hyper)
    previous = core.take_snapshot(run, 6)
    snap = core.take_snapshot(run)
    parts = _parts(snap)
    # full batch: the step taken is −rate_i · g_{k−1,i}, parameter by parameter
    np.testing.assert_allclose(parts.step, -parts.rates * previous.gradient, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(parts.scaled_step, -parts.rates * snap.gradient, rtol=0, atol=0)
    assert parts.velocity is None


@pytest.mark.parametrize("bias_correction", [True, False])
@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
def test_adam_step_is_its_rate_times_its_first_moment(optimizer, bias_correction):
    snap = core.take_snapshot(_run(optimizer, 0.01, 5, bias_correction=bias_correction, weight_decay=0.0))
    parts = _parts(snap)
    t = snap.rule_state["t"]
    m, v = snap.rule_state["exp_avg"], snap.rule_state["exp_avg_sq"]
    if bias_correction:
        m, v = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
    np.testing.assert_allclose(parts.velocity, -0.01 * m, rtol=1e-12)
    np.testing.assert_allclose(parts.rates, 0.01 / (np.sqrt(v) + 1e-8), rtol=1e-12)
    # θ_k − θ_{k−1} = −rate ⊙ m̂ (= rate ⊙ the drawn velocity / η)
    np.testing.assert_allclose(parts.step, parts.rates * parts.velocity / 0.01, rtol=1e-9, atol=1e-15)
    assert parts.velocity_name == ("m̂" if bias_correction else "m")


def test_at_the_start_there_is_no_step_velocity_nor_rate():
    for optimizer in ("sgd", "momentum", "adam", "adagrad"):
        parts = _parts(core.take_snapshot(_run(optimizer, 0.01, 0)))
        assert parts.step is None and parts.velocity is None and parts.rates is None


def test_a_snapshot_carries_the_rule_state_of_its_step_live_and_past():
    run = _run("adam", 0.02, 40)
    live = core.take_snapshot(run)
    assert live.rule is run.rule and live.rule_state["t"] == 40
    np.testing.assert_array_equal(live.rule_state["exp_avg"], run.rule_state["exp_avg"])
    assert not live.rule_state["exp_avg"].flags.writeable
    with pytest.raises(TypeError):
        live.rule_state["t"] = 3          # read-only
    past = core.take_snapshot(run, 23)
    fresh = _run("adam", 0.02, 23)         # the same run trained to step 23 afresh
    assert past.rule_state["t"] == 23
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_array_equal(past.rule_state[key], fresh.rule_state[key])
    assert run.step_count == 40


def test_the_full_path_runs_from_the_start_to_the_shown_parameters_within_its_budget():
    run = _run("sgd", 0.3, 50)
    snap = core.take_snapshot(run, 31, full_path=True)
    np.testing.assert_array_equal(snap.path_thetas[0], run.theta_at(0))
    np.testing.assert_array_equal(snap.path_thetas[-1], snap.theta)
    assert snap.path_theta_steps.tolist() == list(range(32))
    for k in (5, 17):
        np.testing.assert_array_equal(snap.path_thetas[k], run.theta_at(k))
    assert core.take_snapshot(run).path_thetas is None          # only when asked
    long = _run("sgd", 0.3, 900)
    snap = core.take_snapshot(long, full_path=True)
    assert len(snap.path_thetas) <= core.snapshot.PLANE_PATH_POINTS + 1
    assert snap.path_theta_steps[0] == 0 and snap.path_theta_steps[-1] == 900
    assert np.all(np.diff(snap.path_theta_steps) > 0)
    for step, theta in zip(snap.path_theta_steps[::37], snap.path_thetas[::37]):
        np.testing.assert_array_equal(theta, long.theta_at(int(step)))
    trace = core.trace_run(long, 1, "x", None, 400, full_path=True)
    assert len(trace.thetas) <= core.snapshot.PLANE_PATH_POINTS
    np.testing.assert_array_equal(trace.thetas[0], long.theta_at(0))
