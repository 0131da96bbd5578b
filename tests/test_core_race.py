"""The race: optimizers from one start on one dataset, independent, each stopping alone; the distance
each travels; the timeline holding a race's runs; snapshots carrying the other runs' traces."""
import numpy as np
import pytest

import core
from core.race import Entrant, Race, default_entrants

from tests.test_core_run import spiral_problem


def _template(seed=0):
    net, X, y, options = spiral_problem(n=60, hidden=(5,), seed=seed)
    return core.Run(net, X, y, 0.1, **options)


def test_runs_start_from_one_point_and_each_equals_its_rule_alone():
    template = _template()
    start = template.net.parameter_vector() + 0.25
    entrants = [Entrant("sgd", 0.3), Entrant("momentum", 0.05), Entrant("adam", 0.02, (("betas", (0.8, 0.99)),))]
    race = Race(template, entrants, start=start, warm_steps=0)
    race.step(40)
    assert [run.step_count for run in race.runs] == [40, 40, 40]
    for entrant, run in zip(entrants, race.runs):
        np.testing.assert_array_equal(run.theta_at(0), start)
        alone = template.net.copy()
        alone.set_parameter_vector(start)
        gd = core.GradientDescent(alone, template.X, template.y, entrant.learning_rate,
                                  optimizer=entrant.optimizer, **dict(entrant.hyper))
        gd.step(40)
        np.testing.assert_array_equal(run.net.parameter_vector(), alone.parameter_vector())
    thetas = [run.net.parameter_vector() for run in race.runs]
    assert not np.allclose(thetas[0], thetas[1]) and not np.allclose(thetas[1], thetas[2])
    np.testing.assert_array_equal(template.net.parameter_vector(), template.theta_at(0))  # untouched


def test_a_diverging_run_stops_alone_with_a_message_naming_it():
    race = Race(_template(), [Entrant("sgd", 1e9), Entrant("adam", 0.01)], warm_steps=0)
    messages = race.step(5)
    assert len(messages) == 1 and messages[0].startswith("Gradient descent η 1e9 stopped at step 0: ")
    assert race.lanes[0].stopped == messages[0] and race.lanes[1].stopped is None
    assert race.runs[1].step_count == 5 and not race.finished
    race.step(5)
    assert race.runs[1].step_count == 10 and race.runs[0].step_count == 0


def test_restart_moves_the_common_start_and_computes_the_first_steps_at_once():
    template = _template()
    race = Race(template, default_entrants(0.3), warm_steps=10)
    start = np.random.default_rng(1).normal(size=template.net.parameter_count)
    race.restart(start, warm_steps=100)
    for run in race.runs:
        assert run.step_count == 100
        np.testing.assert_array_equal(run.theta_at(0), start)
    with pytest.raises(ValueError, match="one finite number per parameter"):
        race.restart(start[:-1])


def test_entrants_are_checked_and_named():
    assert Entrant("adam", 0.01).label == "Adam η 0.01"
    with pytest.raises(ValueError, match="unknown optimizer"):
        Entrant("lion", 0.1)
    with pytest.raises(ValueError, match="learning rate must be a number > 0"):
        Entrant("sgd", 0.0)
    with pytest.raises(ValueError, match="1 to 7 optimizers"):
        Race(_template(), [])


def test_distance_is_the_length_of_the_path_through_parameter_space():
    run = _template()
    run.step(12)
    thetas = [run.theta_at(k) for k in range(13)]
    expected = np.cumsum([0.0] + [np.linalg.norm(b - a) for a, b in zip(thetas, thetas[1:])])
    np.testing.assert_allclose(run.trajectory.distances(), expected, rtol=1e-12)
    run.set_parameter(run.net.parameter_names()[0], 3.0)       # a hand edit is not travel
    assert run.trajectory.row(12)["distance"] == pytest.approx(expected[-1])
    assert run.fork(5).distance == pytest.approx(expected[5])


def test_the_timeline_holds_a_race_and_keeps_it_together():
    template = _template()
    timeline = core.Timeline(template)
    race = Race(template, default_entrants(0.3, ("sgd", "momentum", "nesterov")), warm_steps=20)
    timeline.start_race(race)
    assert [b.label for b in timeline.branches] == [e.label for e in race.entrants]
    timeline.goto(5)
    assert timeline.branch_if_rewound() is None and timeline.live   # the race goes on, together
    timeline.switch(2)
    timeline.delete(1)
    assert len(race.lanes) == 2 and [b.id for b in timeline.branches] == [0, 2]
    timeline.restart_race(template.net.parameter_vector() * 0.5, 3)
    assert timeline.current.label == race.entrants[1].label      # still shows the same entrant
    assert all(run.step_count == 3 for run in race.runs)


def test_a_snapshot_carries_the_other_runs_where_they_are():
    template = _template()
    race = Race(template, default_entrants(0.3), warm_steps=30)
    axes = tuple(template.net.parameter_names()[:2])
    others = [core.trace_run(run, i, lane.entrant.label, axes) for i, (lane, run) in
              enumerate(zip(race.lanes, race.runs)) if i > 0]
    snap = core.take_snapshot(race.runs[0], axes=axes, others=others, racing=True, plane_theta=race.start)
    assert snap.racing and len(snap.others) == 2
    for trace, run in zip(snap.others, race.runs[1:]):
        np.testing.assert_array_equal(trace.path[-1], run.net.parameter_vector()[:2])
        assert trace.cost == pytest.approx(run.cost) and trace.step == 30
        assert trace.distance == run.distance and trace.curve_steps[-1] == 30
    np.testing.assert_array_equal(snap.plane.parameter_vector(), race.start)


def _benchmark_template(n=300, **options):
    """The race benchmark's problem, smaller: a [2, 16, 16, 3] tanh/softmax network on blobs."""
    data = core.load_dataset("blobs", n=n)
    net = core.Network([2, 16, 16, 3], ["tanh", "tanh", "softmax"], "cross_entropy", seed=4)
    return core.Run(net, data.X, data.y, 0.5, **options)


def _alone(template, start, entrant, steps):
    run = template.restarted(start, rule=entrant.rule(), learning_rate=entrant.learning_rate)
    run.step(steps)
    return run


def _assert_same_run(lane_run, alone):
    assert lane_run.step_count == alone.step_count
    for name in ("costs", "test_costs", "learning_rates", "epochs", "distances"):
        np.testing.assert_array_equal(getattr(lane_run.trajectory, name)(), getattr(alone.trajectory, name)())
    steps, thetas = lane_run.trajectory.path.columns(list(range(lane_run.net.parameter_count)))
    steps_alone, thetas_alone = alone.trajectory.path.columns(list(range(alone.net.parameter_count)))
    np.testing.assert_array_equal(steps, steps_alone)
    np.testing.assert_array_equal(thetas, thetas_alone)
    assert lane_run.rule_state.keys() == alone.rule_state.keys()
    for key, value in lane_run.rule_state.items():
        np.testing.assert_array_equal(value, alone.rule_state[key])
    return steps, thetas


def test_every_lane_equals_its_replay_and_its_run_alone_bit_for_bit():
    """The race computes its runs' gradients in one shared pass; each run's live trajectory must
    still be exactly (a) what replay from its keyframes rebuilds and (b) the run trained alone."""
    template = _benchmark_template()
    entrants = default_entrants(0.5, tuple(core.update_rules.RULES))      # all seven rules
    race = Race(template, entrants, warm_steps=100)
    race.step(57)
    start = race.start
    for lane in race.lanes:
        assert lane.stopped is None and lane.run.step_count == 157
        steps, thetas = _assert_same_run(lane.run, _alone(template, start, lane.entrant, 157))
        assert len(steps) == 158                                   # every step's parameters recorded
        for step in (0, 1, 31, 32, 33, 63, 100, 127, 128, 150, 156):   # (a) replay from keyframes
            np.testing.assert_array_equal(lane.run.replica_at(step).net.parameter_vector(), thetas[step])
    finals = [lane.run.net.parameter_vector() for lane in race.lanes]
    assert all(not np.array_equal(a, b) for a, b in zip(finals, finals[1:]))   # seven different paths


def test_lanes_with_other_settings_or_mini_batches_still_equal_their_runs_alone():
    """Runs that cannot share a pass (another cost, a penalty, mini-batches) step on their own pass
    in the same lockstep, and a test set's cost is recorded as alone."""
    data = core.load_dataset("blobs", n=240)
    X, y, X_test, y_test = data.X[:200], data.y[:200], data.X[200:], data.y[200:]
    net = core.Network([2, 8, 3], ["tanh", "softmax"], "cross_entropy", seed=1)
    template = core.Run(net, X, y, 0.5, X_test=X_test, y_test=y_test)
    race = Race(template, default_entrants(0.5, ("sgd", "momentum", "adam", "rmsprop")), warm_steps=10)
    race.runs[1].set_regularization("l2", 0.01)
    race.runs[2].batch_size = 16
    race.step(40)
    for lane in race.lanes:
        alone = template.restarted(race.start, rule=lane.entrant.rule(), learning_rate=lane.entrant.learning_rate)
        alone.step(10)
        if lane is race.lanes[1]:
            alone.set_regularization("l2", 0.01)
        if lane is race.lanes[2]:
            alone.batch_size = 16
        alone.step(40)
        _assert_same_run(lane.run, alone)
        np.testing.assert_array_equal(lane.run.theta_at(23), alone.theta_at(23))


def test_an_error_in_the_shared_pass_is_judged_run_by_run(monkeypatch):
    """A floating-point error in the shared pass does not say which run caused it: every run is then
    checked alone, so the race goes on exactly as its runs would alone."""
    from core.fast_step import StepWorkspace

    template = _benchmark_template(n=100)
    entrants = default_entrants(0.5, ("sgd", "momentum", "adam"))
    shared = StepWorkspace.gradients
    calls = {"n": 0}

    def sometimes_raising(self, thetas):
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise FloatingPointError("overflow encountered in a lane")
        return shared(self, thetas)

    monkeypatch.setattr(StepWorkspace, "gradients", sometimes_raising)
    race = Race(template, entrants, warm_steps=30)
    assert calls["n"] >= 30 and not any(lane.stopped for lane in race.lanes)
    for lane in race.lanes:
        _assert_same_run(lane.run, _alone(template, race.start, lane.entrant, 30))


def test_a_diverging_run_stops_at_the_step_and_with_the_message_it_would_alone():
    template = _benchmark_template(n=100)
    entrants = [Entrant("sgd", 400.0), Entrant("adam", 0.01), Entrant("momentum", 0.05)]
    race = Race(template, entrants, warm_steps=0)
    messages = race.step(30)
    alone = template.restarted(race.start, rule=entrants[0].rule(), learning_rate=400.0)
    with pytest.raises(core.TrainingDiverged) as diverged:
        alone.step(30)
    assert messages == [f"{entrants[0].label} stopped at step {alone.step_count}: {diverged.value}"]
    _assert_same_run(race.runs[0], alone)
    for run in (alone, race.runs[0]):       # the steps before the divergence are not a hand edit
        run.full_gradient()
        assert run.trajectory.events == []
    for lane in race.lanes[1:]:
        assert lane.stopped is None
        _assert_same_run(lane.run, _alone(template, race.start, lane.entrant, 30))


@pytest.mark.parametrize("dataset, hidden", [("blobs", (16, 16)), ("circle", (6,)), ("spiral", (8, 5))])
def test_accuracy_comes_from_the_step_pass_and_equals_a_forward_pass(dataset, hidden, monkeypatch):
    """A race's snapshot needs every run's accuracy each frame: it comes from the outputs of the
    pass each step computes anyway, and must be the accuracy a forward pass gives."""
    from core.metrics import accuracy
    from core.network import Network

    data = core.load_dataset(dataset, n=200)
    activation, loss = core.output_for_task(data.task, data.n_classes)
    net = core.Network([data.n_inputs, *hidden, data.n_outputs], ["tanh"] * len(hidden) + [activation], loss, seed=2)
    template = core.Run(net, data.X, data.y, 0.3)
    race = Race(template, default_entrants(0.3, ("sgd", "momentum", "adam")), warm_steps=0)
    expected = {}
    for steps in (1, 7, 40):
        race.step(steps)
        expected[steps] = [accuracy(run.net.predict(run.X), run.y) for run in race.runs]
        with monkeypatch.context() as m:
            m.setattr(Network, "predict", lambda *args: pytest.fail("a forward pass for the accuracy"))
            assert [run.train_accuracy() for run in race.runs] == expected[steps]
            axes = tuple(template.net.parameter_names()[:2])
            traces = [core.trace_run(run, i, "", axes) for i, run in enumerate(race.runs)]
            assert [trace.accuracy for trace in traces] == expected[steps]
    assert expected[1] != expected[40]                          # the accuracy really moved
    mini = template.restarted(race.start)                       # mini-batches: no full pass to use
    mini.batch_size = 32
    mini.step(5)
    assert mini.train_accuracy() == accuracy(mini.net.predict(mini.X), mini.y)
