"""Update rules and learning-rate schedules against their formulas written out by hand (torch.optim's
conventions), on a real network's gradients; replay and divergence checks hold for every rule."""
import math

import numpy as np
import pytest

import core
from core.schedules import Cosine, Exponential, InverseTime, StepDecay, make_schedule
from core.update_rules import RULES, make_rule

from tests.test_core_run import drive, spiral_problem

STEPS = 100
RATE = 0.01


def _problem(seed=3):
    data = core.load_dataset("circle", n=40, seed=seed)
    net = core.Network([2, 4, 1], ["tanh", "sigmoid"], "cross_entropy", seed=seed)
    return net, data.X, data.y


def _by_hand(name, hyper, theta, gradient_at, rate, steps):
    """The update rules' formulas, one parameter vector at a time, written independently of
    core.update_rules (torch.optim's documented algorithms)."""
    theta = theta.copy()
    v = np.zeros_like(theta)            # velocity / square average / sum of squares
    m = np.zeros_like(theta)            # first moment / momentum buffer / gradient average
    wd = hyper.get("weight_decay", 1e-2 if name == "adamw" else 0.0)
    for t in range(1, steps + 1):
        g = gradient_at(theta)
        if name == "adamw":
            theta = theta * (1 - rate * wd)
        elif wd:
            g = g + wd * theta
        if name == "sgd":
            theta = theta - rate * g
        elif name in ("momentum", "nesterov"):
            mu, damp = hyper.get("momentum", 0.9), hyper.get("dampening", 0.0)
            v = g if t == 1 else mu * v + (1 - damp) * g
            theta = theta - rate * ((g + mu * v) if name == "nesterov" else v)
        elif name == "adagrad":
            v = v + g ** 2
            clr = rate / (1 + (t - 1) * hyper.get("lr_decay", 0.0))
            theta = theta - clr * g / (np.sqrt(v) + hyper.get("eps", 1e-10))
        elif name == "rmsprop":
            alpha, eps = hyper.get("alpha", 0.99), hyper.get("eps", 1e-8)
            v = alpha * v + (1 - alpha) * g ** 2
            if hyper.get("centered"):
                m = alpha * m + (1 - alpha) * g
                denom = np.sqrt(v - m ** 2) + eps
            else:
                denom = np.sqrt(v) + eps
            theta = theta - rate * g / denom
        elif name in ("adam", "adamw"):
            b1, b2 = hyper.get("betas", (0.9, 0.999))
            eps = hyper.get("eps", 1e-8)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g ** 2
            if hyper.get("bias_correction", True):
                m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            else:
                m_hat, v_hat = m, v
            theta = theta - rate * m_hat / (np.sqrt(v_hat) + eps)
    return theta


CASES = [
    ("sgd", {}), ("sgd", {"weight_decay": 0.1}),
    ("momentum", {}), ("momentum", {"momentum": 0.5, "dampening": 0.2, "weight_decay": 0.01}),
    ("nesterov", {}), ("nesterov", {"momentum": 0.7}),
    ("adagrad", {}), ("adagrad", {"lr_decay": 0.01, "eps": 1e-6}),
    ("rmsprop", {}), ("rmsprop", {"alpha": 0.9, "centered": True}),
    ("adam", {}), ("adam", {"betas": (0.8, 0.99), "weight_decay": 0.01}), ("adam", {"bias_correction": False}),
    ("adamw", {}), ("adamw", {"weight_decay": 0.1}),
]


@pytest.mark.parametrize("name, hyper", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_a_hundred_steps_equal_the_formulas_by_hand(name, hyper):
    net, X, y = _problem()
    start = net.parameter_vector()
    gd = core.GradientDescent(net, X, y, RATE, optimizer=name, **hyper)
    gd.step(STEPS)

    probe = net.copy()

    def gradient_at(theta):
        probe.set_parameter_vector(theta)
        return probe.gradient_vector(X, y)

    expected = _by_hand(name, hyper, start, gradient_at, RATE, STEPS)
    np.testing.assert_allclose(net.parameter_vector(), expected, rtol=0, atol=1e-12)
    assert not np.allclose(net.parameter_vector(), start)   # it did move


def test_every_rule_is_offered_with_torch_defaults():
    assert set(RULES) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}
    assert make_rule("momentum").momentum == 0.9
    assert make_rule("adagrad").eps == 1e-10
    assert (make_rule("rmsprop").alpha, make_rule("rmsprop").eps) == (0.99, 1e-8)
    assert make_rule("adam").betas == (0.9, 0.999) and make_rule("adam").eps == 1e-8
    assert make_rule("adamw").weight_decay == 1e-2 and make_rule("adam").weight_decay == 0.0


@pytest.mark.parametrize("name, hyper, text", [
    ("adam", {"betas": (0.9, 1.0)}, "beta2 must be a finite number in [0, 1)"),
    ("adam", {"betas": 0.9}, "betas must be two numbers"),
    ("rmsprop", {"eps": 0.0}, "eps must be a finite number > 0"),
    ("momentum", {"momentum": float("nan")}, "momentum must be a finite number"),
    ("adam", {"bias_correction": "yes"}, "bias_correction must be True or False"),
    ("nesterov", {"dampening": 0.5}, "requires dampening 0"),
    ("adam", {"beta": 0.9}, "adam:"),
    ("lion", {}, "unknown optimizer 'lion'"),
])
def test_bad_hyper_parameters_are_refused_with_their_name(name, hyper, text):
    with pytest.raises(ValueError) as info:
        make_rule(name, **hyper)
    assert text in str(info.value)


@pytest.mark.parametrize("name", sorted(RULES))
def test_divergence_is_caught_for_every_rule_and_changes_nothing(name):
    net, X, y = _problem()
    gd = core.GradientDescent(net, X, y, 1e12, optimizer=name)
    before, state = net.parameter_vector(), {k: np.copy(v) for k, v in gd.rule_state.items()}
    with pytest.raises(core.TrainingDiverged, match="learning rate"):
        gd.step(5)
    assert gd.step_count == 0                    # the first step already went too far: no trace of it
    np.testing.assert_array_equal(net.parameter_vector(), before)
    assert {k: np.asarray(v).tolist() for k, v in gd.rule_state.items()} == \
        {k: np.asarray(v).tolist() for k, v in state.items()}


@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam"])
def test_replay_is_exact_for_stateful_rules_with_interruptions(name):
    net, X, y, options = spiral_problem()
    run = core.Run(net, X, y, 0.05, rule=name, keyframe_interval=8, **options)
    live = {}
    drive(run, np.random.default_rng(5), 90, live)
    for k in np.random.default_rng(6).choice(sorted(live), 25):
        np.testing.assert_array_equal(run.theta_at(int(k)), live[int(k)])


# ---------------------------------------------------------------------- schedules
def test_schedules_are_their_formulas():
    assert StepDecay(step_size=10, gamma=0.5).rate(0.8, 25) == 0.8 * 0.5 ** 2
    assert Exponential(gamma=0.9).rate(0.8, 3) == pytest.approx(0.8 * 0.9 ** 3)
    cosine = Cosine(t_max=100, eta_min=0.01)
    assert cosine.rate(1.0, 0) == 1.0
    assert cosine.rate(1.0, 50) == pytest.approx(0.01 + 0.99 * 0.5)
    assert cosine.rate(1.0, 100) == pytest.approx(0.01) and cosine.rate(1.0, 500) == pytest.approx(0.01)
    assert InverseTime(decay=0.1).rate(1.0, 10) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="gamma must be in"):
        make_schedule("exponential", gamma=1.5)
    with pytest.raises(ValueError, match="unknown schedule"):
        make_schedule("warmup")


def test_a_scheduled_run_uses_and_records_each_steps_rate():
    net, X, y = _problem()
    start = net.parameter_vector()
    schedule = StepDecay(step_size=3, gamma=0.5)
    gd = core.GradientDescent(net, X, y, 0.4, schedule=schedule)
    gd.step(7)
    probe = net.copy()
    probe.set_parameter_vector(start)
    for k in range(7):
        probe.set_parameter_vector(probe.parameter_vector() - schedule.rate(0.4, k) * probe.gradient_vector(X, y))
    np.testing.assert_allclose(net.parameter_vector(), probe.parameter_vector(), rtol=0, atol=1e-14)
    rates = [gd.trajectory.row(k)["learning_rate"] for k in range(8)]
    assert rates == [schedule.rate(0.4, k) for k in range(8)]
    assert gd.learning_rate == 0.4 and gd.current_rate == schedule.rate(0.4, 7)


def test_a_schedule_change_is_an_event_and_replays_exactly():
    net, X, y, options = spiral_problem()
    run = core.Run(net, X, y, 0.1, rule="adam", keyframe_interval=4)
    run.step(10)
    mid = run.net.parameter_vector()
    run.schedule = "cosine"
    run.step(10)
    run.schedule = InverseTime(decay=0.5)
    run.step(7)
    end = run.net.parameter_vector()
    np.testing.assert_array_equal(run.theta_at(10), mid)
    run.theta_at(0)   # a replica standing elsewhere
    np.testing.assert_array_equal(run.theta_at(27), end)
    branch = run.fork(15)
    assert branch.schedule == make_schedule("cosine")
    assert math.isclose(branch.current_rate, make_schedule("cosine").rate(0.1, 15))
