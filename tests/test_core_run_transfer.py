"""Training away from home (core.run_transfer): a run stepped by an AwayTrainer on pickled copies, its
deltas adopted at home, ends bit for bit where the same run stepped at home ends — parameters, rule
state, cursor, every trajectory row, keyframe, drawn-path record and replay — for full-batch,
mini-batch and race runs, across keyframe thinning and divergence."""
import pickle

import numpy as np
import pytest

import core
from core.race import Entrant, Race
from core.run_transfer import AwayTrainer, Seed, adopt, away_copy

from tests.test_core_run import spiral_problem


def _run(batch_size=None, rule="sgd", rate=0.3, test=True, **options):
    net, X, y, split = spiral_problem(n=80, hidden=(6, 5), test=test)
    return core.Run(net, X, y, rate, rule=rule, batch_size=batch_size, shuffle_seed=3, **split, **options)


def _through_a_pipe(value):
    return pickle.loads(pickle.dumps(value))


def _train_away(runs, calls, budget, lockstep=False, trainer=None, spell=1):
    """``calls`` calls of ``budget`` steps each, every message pickled as between two processes;
    each call's deltas adopted at home. Returns the stopped (index, message) pairs."""
    trainer = trainer or AwayTrainer()
    seed = Seed([away_copy(run) for run in runs], 7, runs[0].data(), lockstep, True)
    stopped = []
    for call in range(calls):
        result = _through_a_pipe(trainer.train(spell, _through_a_pipe(seed) if call == 0 else None, 10.0, budget))
        assert result.needs is None
        for run, delta in zip(runs, result.deltas):
            adopt(run, delta)
        stopped.extend(result.stopped)
    return stopped


def _assert_same(home, away):
    np.testing.assert_array_equal(home.net.parameter_vector(), away.net.parameter_vector())
    assert home.step_count == away.step_count and home.cursor == away.cursor
    assert home.distance == away.distance
    for key, value in home.rule_state.items():
        np.testing.assert_array_equal(np.asarray(value), np.asarray(away.rule_state[key]))
    a, b = home.trajectory.export(), away.trajectory.export()
    assert a["keyframe_interval"] == b["keyframe_interval"]
    for name in a["columns"]:
        np.testing.assert_array_equal(a["columns"][name], b["columns"][name])
    assert [f.step for f in a["keyframes"]] == [f.step for f in b["keyframes"]]
    for fa, fb in zip(a["keyframes"], b["keyframes"]):
        np.testing.assert_array_equal(fa.theta, fb.theta)
        assert fa.cursor == fb.cursor and fa.settings == fb.settings
    pa, pb = a["path"], b["path"]
    for key in ("steps", "costs", "ordinals", "parameters"):
        np.testing.assert_array_equal(pa[key], pb[key])
    assert (pa["stride"], pa["appended"]) == (pb["stride"], pb["appended"])
    gradient_home, gradient_away = home.full_gradient(), away.full_gradient()
    assert gradient_home[0] == gradient_away[0]
    np.testing.assert_array_equal(gradient_home[1], gradient_away[1])
    assert home.train_accuracy() == away.train_accuracy()


@pytest.mark.parametrize("batch_size, rule", [(None, "sgd"), (None, "adam"), (7, "momentum"), (1, "rmsprop")])
def test_steps_taken_away_and_adopted_equal_the_steps_taken_at_home(batch_size, rule):
    rate = 0.3 if rule in ("sgd", "momentum") else 0.01
    at_home, adopted = _run(batch_size, rule, rate), _run(batch_size, rule, rate)
    at_home.step(7)
    adopted.step(7)             # both start from a history of their own
    at_home.step(5 * 23)
    assert _train_away([adopted], calls=5, budget=23) == []
    _assert_same(adopted, at_home)
    for k in (0, 13, 64, 99, 122):
        np.testing.assert_array_equal(adopted.theta_at(k), at_home.theta_at(k))


def test_keyframes_thinned_at_home_during_a_spell_stay_as_at_home():
    # a budget of a few keyframes: the interval doubles several times while the copy steps away
    options = {"keyframe_interval": 4}
    at_home, adopted = _run(rule="adam", rate=0.01, **options), _run(rule="adam", rate=0.01, **options)
    for run in (at_home, adopted):
        run.trajectory.keyframe_budget = 6 * (run.net.parameter_count * 3 * 8 + 200)
    at_home.step(200)
    _train_away([adopted], calls=4, budget=50)
    assert at_home.trajectory.keyframe_interval > 4
    _assert_same(adopted, at_home)


def test_a_run_that_diverges_away_stops_where_it_would_stop_at_home():
    at_home, adopted = _run(rate=300.0), _run(rate=300.0)
    with pytest.raises(core.TrainingDiverged) as raised:
        at_home.step(500)
    stopped = _train_away([adopted], calls=2, budget=500)
    assert stopped == [(0, str(raised.value))]
    _assert_same(adopted, at_home)


def test_a_race_stepped_away_in_lockstep_equals_the_race_stepped_at_home():
    template = _run(test=False)
    entrants = [Entrant("sgd", 1e9), Entrant("momentum", 0.05), Entrant("adam", 0.02)]
    at_home, adopted = (Race(template, entrants, warm_steps=0) for _ in range(2))
    messages = at_home.step(60)
    stopped = _train_away(adopted.runs, calls=3, budget=20, lockstep=True)
    assert [index for index, _ in stopped] == [0] and messages[0].endswith(stopped[0][1])
    for home, away in zip(adopted.runs, at_home.runs):
        _assert_same(home, away)


def test_the_far_side_asks_for_what_it_lacks():
    run = _run()
    trainer = AwayTrainer()
    assert trainer.train(1, None, 1.0, 5).needs == "seed"
    assert trainer.train(1, Seed([away_copy(run)], 9, None, False, True), 1.0, 5).needs == "data"
    result = trainer.train(2, Seed([away_copy(run)], 9, run.data(), False, True), 1.0, 5)
    assert result.needs is None and result.deltas[0].steps == 5
    # the data stay: a new spell on the same data sends none
    result = trainer.train(3, Seed([away_copy(run)], 9, None, False, True), 1.0, 2)
    assert result.needs is None and result.deltas[0].steps == 2
    assert trainer.train(2, None, 1.0, 1).needs == "seed"    # an older spell is over


def test_an_away_copy_pickles_without_the_data_and_home_refuses_a_delta_of_another_step():
    net, X, y, split = spiral_problem(n=2000, hidden=(6,))
    run = core.Run(net, X, y, 0.1, **split)
    assert len(pickle.dumps(away_copy(run))) < X.nbytes / 4
    trainer = AwayTrainer()
    delta = trainer.train(1, Seed([away_copy(run)], 1, run.data(), False, False), 1.0, 3).deltas[0]
    run.step(1)
    with pytest.raises(ValueError, match="continue step 0"):
        adopt(run, delta)


def test_flat_out_the_far_side_steps_between_calls_but_only_a_little_ahead():
    import time

    at_home, adopted = _run(rule="adam", rate=0.01), _run(rule="adam", rate=0.01)
    trainer = AwayTrainer()
    seed = Seed([away_copy(adopted)], 1, adopted.data(), False, True)
    result = trainer.train(1, _through_a_pipe(seed), 0.01, None)        # flat out: no budget
    adopt(adopted, result.deltas[0])
    for _ in range(5):
        adopt(adopted, _through_a_pipe(trainer.train(1, None, 0.01, None)).deltas[0])
    deadline = time.perf_counter() + 10
    while trainer.stepping and time.perf_counter() < deadline:     # it stops once far enough ahead
        time.sleep(0.005)
    assert not trainer.stepping
    adopt(adopted, trainer.train(1, None, 0.0, 0).deltas[0])        # the steps taken ahead, no more
    assert trainer.train(1, None, 0.0, 0).deltas[0].steps == 0      # nothing stepped meanwhile
    assert adopted.step_count > 6
    at_home.step(adopted.step_count)
    _assert_same(adopted, at_home)
