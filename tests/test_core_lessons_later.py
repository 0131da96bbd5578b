"""The numbers lessons 2 to 5 ask for, against references computed here without the lesson code:
the paths of a 1-2-2-1 network against finite differences, the momentum velocity against the Momentum
rule's own state, a race's costs against its lanes, and the gradient-health δ against the 1-1-1
network's δ by hand."""
import math
from pathlib import Path

import numpy as np
import pytest

import core
from core.lessons import evaluate, health_quantities, network_quantities, race_quantities, read_lesson_file

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "resources" / "lessons"


def task_of(lesson_name, step_id):
    lesson = read_lesson_file(LESSONS / f"{lesson_name}.lesson")
    return lesson.steps[lesson.index_of(step_id)].task


def test_the_later_lessons_read_and_each_step_has_something_to_do():
    for name in ("backpropagation", "gradient-descent", "vanishing-gradients", "optimizers"):
        lesson = read_lesson_file(LESSONS / f"{name}.lesson")
        kinds = {s.task.kind for s in lesson.steps}
        assert "answer" in kinds and ("choice" in kinds or "goal" in kinds), name


def test_the_paths_of_a_1_2_2_1_tanh_network_add_up_to_the_finite_difference_derivative():
    net = core.Network([1, 2, 2, 1], ["tanh", "tanh", "sigmoid"], "squared_error", seed=3)   # as "hidden: 2, 2" builds it
    data = core.load_dataset("lesson")
    snapshot = core.take_snapshot(core.Run(net, data.X, data.y, 2.0))
    sample = 4
    values = network_quantities(snapshot, sample)
    answer = evaluate(task_of("backpropagation", "paths-sum").expression, values)
    x, y = data.X[sample:sample + 1], np.ravel(data.y)[sample:sample + 1]

    def cost(w):
        other = net.copy()
        other.set("w1.1.1", w)
        return 0.5 * float((other.forward(x).activations[-1][0, 0] - y[0]) ** 2)

    w, h = net.get("w1.1.1"), 1e-6
    central = (cost(w + h) - cost(w - h)) / (2 * h)
    assert answer == pytest.approx(central, rel=1e-6)
    # one path alone is a hint, not the answer: the second path really contributes
    first_hint = task_of("backpropagation", "paths-sum").hints[0].expression
    assert abs(evaluate(first_hint, values) - answer) > 0.01 * abs(answer)


def test_delta_hidden_is_the_derivative_by_z1():
    net = core.lesson_network(loss="squared_error")
    data = core.load_dataset("lesson")
    values = network_quantities(core.take_snapshot(core.Run(net, data.X, data.y, 2.0)), 0)
    delta1 = evaluate(task_of("backpropagation", "delta-hidden").expression, values)
    # ∂J/∂b1 at one sample is δ1: finite differences on b1
    x, y = data.X[:1], np.ravel(data.y)[:1]

    def cost(b):
        other = net.copy()
        other.set("b1", b)
        return 0.5 * float((other.forward(x).activations[-1][0, 0] - y[0]) ** 2)

    b, h = net.get("b1"), 1e-6
    assert delta1 == pytest.approx((cost(b + h) - cost(b - h)) / (2 * h), rel=1e-5)


def test_one_update_by_hand_is_the_step_the_studio_takes():
    net = core.lesson_network(loss="squared_error")
    data = core.load_dataset("lesson")
    run = core.Run(net, data.X, data.y, 2.0)
    before = network_quantities(core.take_snapshot(run), 0)
    predicted = evaluate(task_of("gradient-descent", "by-hand").expression, before)
    run.step(1)
    after = network_quantities(core.take_snapshot(run), 0)
    assert after["w1"] == pytest.approx(predicted, rel=1e-12)
    moved = evaluate(task_of("gradient-descent", "check-step").expression, after)
    assert moved == pytest.approx(-2.0 * before["dJ_dw1"], rel=1e-9)


def test_the_second_velocity_by_hand_is_the_momentum_rules_own():
    """The lesson computes v2 on plain descent after one step (momentum's first step is the same);
    torch's momentum, run two steps from the same start, must hold that velocity for w2."""
    data = core.load_dataset("lesson")
    plain = core.Run(core.lesson_network(loss="squared_error"), data.X, data.y, 2.0)
    plain.step(1)
    values = network_quantities(core.take_snapshot(plain), 0)
    by_hand = evaluate(task_of("optimizers", "second-velocity").expression, values)
    template = core.Run(core.lesson_network(loss="squared_error"), data.X, data.y, 2.0)
    momentum = template.restarted(template.net.parameter_vector(), rule=core.update_rules.make_rule("momentum"),
                                  learning_rate=2.0)
    momentum.step(1)
    assert momentum.rule_state["velocity"][template.net.parameter_names().index("w2")] == pytest.approx(
        evaluate(task_of("optimizers", "velocity-idea").expression,
                 network_quantities(core.take_snapshot(template), 0)), rel=1e-12)
    momentum.step(1)
    velocity = momentum.rule_state["velocity"][template.net.parameter_names().index("w2")]
    assert by_hand == pytest.approx(velocity, rel=1e-9)


def test_a_races_costs_are_its_lanes_costs():
    data = core.load_dataset("lesson")
    run = core.Run(core.lesson_network(loss="squared_error"), data.X, data.y, 2.0)
    race = core.Race(run, core.default_entrants(2.0), warm_steps=20)
    first, *rest = race.lanes
    # as the session shows a race: the first lane's snapshot, the others as labelled traces
    others = tuple(core.trace_run(lane.run, i + 1, lane.entrant.label, ("w1", "w2")) for i, lane in enumerate(rest))
    snapshot = core.take_snapshot(first.run, label=first.entrant.label, others=others, racing=True)
    values = race_quantities(snapshot)
    lanes = {lane.entrant.optimizer: lane.run.cost for lane in race.lanes}
    for name, cost in lanes.items():
        assert values[f"J_{name}"] == pytest.approx(cost, rel=1e-12)
    assert values["J_best"] == min(lanes.values())


def test_delta1_is_the_mean_size_of_the_first_layers_delta_by_hand():
    net = core.lesson_network(loss="squared_error")
    data = core.load_dataset("lesson")
    values = health_quantities(core.take_snapshot(core.Run(net, data.X, data.y, 2.0)))
    w1, b1, w2, b2 = (net.get(n) for n in ("w1", "b1", "w2", "b2"))
    sig = lambda z: 1 / (1 + math.exp(-z))
    deltas1, deltas2 = [], []
    for x, y in zip(data.X[:, 0], np.ravel(data.y)):
        a1 = sig(w1 * x + b1)
        a2 = sig(w2 * a1 + b2)
        d2 = (a2 - y) * a2 * (1 - a2)
        deltas2.append(abs(d2))
        deltas1.append(abs(d2 * w2 * a1 * (1 - a1)))
    assert values["delta1"] == pytest.approx(np.mean(deltas1), rel=1e-9)
    assert values["delta2"] == pytest.approx(np.mean(deltas2), rel=1e-9)


def test_the_bound_on_seven_sigmoids():
    assert evaluate(task_of("vanishing-gradients", "bound").expression, {}) == pytest.approx(1 / 4 ** 7)
    # σ′ really is at most ¼: its largest value on a fine grid
    z = np.linspace(-10, 10, 200001)
    s = 1 / (1 + np.exp(-z))
    assert (s * (1 - s)).max() == pytest.approx(0.25, abs=1e-12)
