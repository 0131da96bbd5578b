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
