"""core.diagnosis: a cost that rose and stays up, and saturated neurons, recognised from a run's numbers
(checked against the sigmoid's slope computed by hand, not by the code under test)."""
import numpy as np

import core
from core.diagnosis import cost_rise, diagnose, saturated_units


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lesson_run(rate: float, warm_up: int = 0, steps: int = 100):
    data = core.load_dataset("lesson")
    run = core.Run(core.lesson_network(loss="squared_error"), data.X, data.y, 2.0)
    run.step(warm_up)
    run.learning_rate = rate
    run.step(steps)
    return core.take_snapshot(run)


def test_a_rise_that_stays_up_is_found_and_a_passing_spike_is_not():
    falling = np.linspace(1.0, 0.1, 30)
    assert cost_rise(falling) is None
    assert cost_rise(np.r_[falling, np.full(12, 0.8)]) == (0.1, 0.8)
    assert cost_rise(np.r_[falling, 0.8, 0.7, np.full(12, 0.09)]) is None      # came back down
    assert cost_rise(np.r_[falling, np.full(5, 0.8)]) is None                 # not up for long yet
    assert cost_rise(np.r_[falling, np.full(12, 0.102)]) is None              # a wobble, not a rise


def test_a_healthy_lesson_run_has_nothing_to_report():
    snap = lesson_run(2.0, steps=300)
    assert snap.diagnosis is None
    assert diagnose(snap.network, snap.X, snap.curve_costs, snap.gradient, 2.0) is None


def test_a_too_large_rate_saturates_the_lessons_sigmoids_and_says_so():
    snap = lesson_run(512.0, warm_up=300)
    net = snap.network
    # by hand: the output's pre-activation z2 = w2 σ(w1 x + b1) + b2 and its slope σ'(z2)
    z2 = net.get("w2") * sigmoid(net.get("w1") * snap.X[:, 0] + net.get("b1")) + net.get("b2")
    slope = sigmoid(z2) * (1 - sigmoid(z2))
    assert np.mean(slope < 0.0025) >= 0.95                  # flat on (nearly) every sample
    assert snap.cost > 0.2 and np.abs(snap.gradient).max() < 1e-6
    assert "a2" in saturated_units(net, snap.X)
    diagnosis = snap.diagnosis
    assert diagnosis is not None and diagnosis.kind == "stuck" and "a2" in diagnosis.units
    assert diagnosis.cost == snap.cost and diagnosis.best_cost < 0.02
    for words in ("cost rose", "saturated", "Reset (Ctrl+R)", "η = 512"):
        assert words in diagnosis.message


def test_an_unsaturated_overshoot_is_told_as_one():
    costs = np.r_[np.linspace(0.5, 0.1, 20), np.full(15, 0.4)]
    net = core.lesson_network()
    X = np.linspace(-0.1, 0.1, 20)[:, None]          # z stays near 0: nothing is flat
    assert saturated_units(net, X) == []
    diagnosis = diagnose(net, X, costs, np.array([0.3, 0.1, 0.2, 0.1]), 8.0)
    assert diagnosis.kind == "overshoot" and "Shift+L" in diagnosis.message
