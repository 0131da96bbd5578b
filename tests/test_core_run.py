"""The run engine: pure update rules, exact replay from keyframes and events, branches, bounded
memory, and snapshots whose numbers belong to their step."""
import numpy as np
import pytest

import core
from core.trajectory import Trajectory


def spiral_problem(n=60, hidden=(6, 5), seed=0, test=True):
    data = core.load_dataset("spiral", n=n, seed=seed)
    activation, loss = core.output_for_task(data.task, data.n_classes)
    net = core.Network([data.n_inputs, *hidden, data.n_outputs], ["tanh"] * len(hidden) + [activation], loss,
                       seed=seed)
    train, held = core.train_test_split(data.X, data.y, data.task, 0.25 if test else 0.0, seed)
    options = {"X_test": data.X[held], "y_test": data.y[held]} if test else {}
    return net, data.X[train], data.y[train], options


def drive(run, rng, steps, live):
    """Step ``run`` with random interruptions (hand edits, rate, batch, subset, regularization
    changes), recording the parameters it has after every step in ``live``."""
    names = run.net.parameter_names()
    live[run.step_count] = run.net.parameter_vector()
    while run.step_count < steps:
        roll = rng.random()
        if roll < 0.08:
            run.set_parameter(names[rng.integers(len(names))], float(rng.normal()))
        elif roll < 0.14:
            run.learning_rate = float(rng.choice([0.05, 0.1, 0.3]))
        elif roll < 0.18:
            run.batch_size = [None, 7, 1, 1000][rng.integers(4)]
        elif roll < 0.21:
            run.only = None if rng.random() < 0.5 else list(rng.choice(names, 3, replace=False))
        elif roll < 0.23:
            run.set_regularization(["l1", "l2", None][rng.integers(3)], 0.01)
        elif roll < 0.25:
            # a direct edit of the network, as a notebook would make it, noticed by the run
            run.net.set(names[0], run.net.get(names[0]) + 0.5)
        live[run.step_count] = run.net.parameter_vector()  # a step's row holds its edits
        run.step(int(rng.integers(1, 6)))
        live[run.step_count] = run.net.parameter_vector()


@pytest.mark.parametrize("batch_size", [None, 8, 1])
@pytest.mark.parametrize("interval", [1, 5, 32])
def test_theta_at_is_bit_for_bit_the_live_parameters(batch_size, interval):
    rng = np.random.default_rng(interval * 7 + (batch_size or 0))
    net, X, y, options = spiral_problem()
    run = core.Run(net, X, y, 0.2, batch_size=batch_size, shuffle_seed=3, keyframe_interval=interval, **options)
    live = {}
    drive(run, rng, 150, live)
    for step in list(rng.choice(sorted(live), 40)) + [0, run.step_count]:
        np.testing.assert_array_equal(run.theta_at(int(step)), live[int(step)])
    # scrubbing backwards and forwards, one step at a time, from the replay cache
    for step in [*range(run.step_count, run.step_count - 12, -1), *range(40, 52)]:
        if step in live:
            np.testing.assert_array_equal(run.theta_at(step), live[step])


def test_replay_stays_exact_after_keyframes_are_thinned():
    rng = np.random.default_rng(5)
    net, X, y, options = spiral_problem(test=False)
    run = core.Run(net, X, y, 0.3, keyframe_interval=2)
    run.trajectory.keyframe_budget = 12 * run.trajectory.keyframes[0].nbytes
    live = {}
    drive(run, rng, 200, live)
    trajectory = run.trajectory
    assert trajectory.keyframe_interval > 2 and len(trajectory.keyframes) <= 12
    assert trajectory.keyframes[0].step == 0
    for step in rng.choice(sorted(live), 30):
        np.testing.assert_array_equal(run.theta_at(int(step)), live[int(step)])


def test_sgd_is_the_formula_written_out():
    rule = core.make_rule("sgd")
    theta, gradient = np.array([1.0, -2.0, 0.5]), np.array([0.1, 0.2, -0.4])
    new, state = rule.update(gradient, rule.init(theta), theta, 0.5)
    np.testing.assert_array_equal(new, [1.0 - 0.05, -2.0 - 0.1, 0.5 + 0.2])
    assert state == {} and theta[0] == 1.0  # pure: the input is untouched
    with pytest.raises(ValueError, match="unknown optimizer"):
        core.make_rule("adamant")
    with pytest.raises(ValueError, match="sgd"):
        core.make_rule("sgd", momentum=0.9)


def test_a_run_is_plain_gradient_descent_by_hand():
    net, X, y, _ = spiral_problem(test=False)
    run = core.Run(net, X, y, 0.4)
    probe = net.copy()
    for _ in range(5):
        expected = probe.parameter_vector() - 0.4 * probe.gradient_vector(X, y)
        probe.set_parameter_vector(expected)
        run.step(1)
        np.testing.assert_allclose(run.net.parameter_vector(), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(net.parameter_vector(), spiral_problem(test=False)[0].parameter_vector())


def test_one_step_at_a_time_equals_many_at_once():
    net, X, y, options = spiral_problem()
    one, many = core.Run(net, X, y, 0.3, **options), core.Run(net, X, y, 0.3, **options)
    for _ in range(30):
        one.step(1)
    many.step(30)
    np.testing.assert_array_equal(one.net.parameter_vector(), many.net.parameter_vector())
    np.testing.assert_array_equal(one.trajectory.costs(), many.trajectory.costs())
    np.testing.assert_array_equal(one.trajectory.test_costs(), many.trajectory.test_costs())


def test_trajectory_rows_are_the_costs_at_each_step():
    net, X, y, options = spiral_problem()
    run = core.Run(net, X, y, 0.3, batch_size=5, **options)
    run.step(12)
    run.learning_rate = 0.1
    run.step(3)
    trajectory = run.trajectory
    assert len(trajectory) == 16 and trajectory.last_step == 15
    probe = net.copy()
    for step in range(16):
        probe.set_parameter_vector(run.theta_at(step))
        row = trajectory.row(step)
        assert row["cost"] == pytest.approx(probe.cost(X, y), rel=1e-12)
        assert row["test_cost"] == pytest.approx(probe.cost(options["X_test"], options["y_test"]), rel=1e-12)
        assert row["learning_rate"] == (0.3 if step < 12 else 0.1)
        assert row["epoch"] == run.replica_at(step).epoch  # samples seen / N, the last batch of a pass short
    assert trajectory.row(8)["epoch"] == 40 / len(X) and trajectory.row(9)["epoch"] == 1.0  # 44 points
    assert [(e.step, e.kind, e.value) for e in trajectory.events] == [(12, "learning_rate", 0.1)]


def test_a_hand_edit_amends_its_step_and_is_replayed():
    net, X, y, _ = spiral_problem(test=False)
    run = core.Run(net, X, y, 0.3, keyframe_interval=4)
    run.step(6)
    name = run.net.parameter_names()[2]
    run.set_parameter(name, 0.75)
    assert run.trajectory.row(6)["cost"] == pytest.approx(run.cost, rel=1e-14)
    edited = run.net.parameter_vector()
    run.step(5)
    np.testing.assert_array_equal(run.theta_at(6), edited)
    with pytest.raises(ValueError, match="unknown parameter"):
        run.set_parameter("w9", 1.0)
    with pytest.raises(ValueError, match="finite"):
        run.set_parameters(np.full(run.net.parameter_count, np.nan))


def test_divergence_leaves_run_and_trajectory_untouched():
    net, X, y, _ = spiral_problem(test=False)
    run = core.Run(net, X, y, 0.3, batch_size=4)
    run.step(3)
    before = (run.net.parameter_vector(), run.cursor, len(run.trajectory), run.step_count)
    run.learning_rate = 1e9
    with pytest.raises(core.TrainingDiverged, match="diverged"):
        run.step(1)
    np.testing.assert_array_equal(run.net.parameter_vector(), before[0])
    assert (run.cursor, len(run.trajectory), run.step_count) == before[1:]


def test_a_branch_continues_from_the_past_and_leaves_the_parent_alone():
    rng = np.random.default_rng(2)
    net, X, y, options = spiral_problem()
    run = core.Run(net, X, y, 0.3, batch_size=6, keyframe_interval=8, **options)
    live = {}
    drive(run, rng, 80, live)
    parent_end, parent_costs = run.net.parameter_vector(), run.trajectory.costs().copy()
    k = max(step for step in live if step <= 40)
    branch = run.fork(k)
    assert branch.step_count == k and len(branch.trajectory) == k + 1
    np.testing.assert_array_equal(branch.net.parameter_vector(), live[k])
    np.testing.assert_array_equal(branch.trajectory.costs(), parent_costs[:k + 1])
    branch.learning_rate = 0.05
    branch.step(25)
    # the parent is unchanged and can still replay its own future
    np.testing.assert_array_equal(run.net.parameter_vector(), parent_end)
    np.testing.assert_array_equal(run.trajectory.costs(), parent_costs)
    later = max(live)
    np.testing.assert_array_equal(run.theta_at(later), live[later])
    # the branch replays its shared past and its own future alike
    branch_live = branch.net.parameter_vector()
    for step in (step for step in live if step <= k):
        np.testing.assert_array_equal(branch.theta_at(step), live[step])
    np.testing.assert_array_equal(branch.theta_at(k + 25), branch_live)
    assert not np.array_equal(branch_live, run.theta_at(k + 25))


def test_memory_stays_bounded_on_a_long_run_of_the_largest_network():
    """On a smaller scale than the benchmark: 3,000 steps with a 2 MB keyframe budget."""
    data = core.load_dataset("blobs", n=30)
    net = core.Network([2, *[16] * 6, 3], ["tanh"] * 6 + ["softmax"], "cross_entropy", seed=1)
    run = core.Run(net, data.X, data.y, 0.01, keyframe_interval=4)
    run.trajectory.keyframe_budget = 2 * 2 ** 20
    run.step(3000)
    trajectory = run.trajectory
    assert sum(frame.nbytes for frame in trajectory.keyframes) <= 2 * 2 ** 20
    assert len(trajectory.path) <= trajectory.path.capacity
    # the whole trajectory's bytes: the budget, the path and 40 bytes a step (with slack for growth)
    assert trajectory.nbytes <= 2 * 2 ** 20 + trajectory.path.capacity * (8 * 1459 + 32) + 2 * 32 * 3001 * 2
    np.testing.assert_array_equal(run.theta_at(2999), run.replica_at(2999).net.parameter_vector())


def test_full_scale_budgets_hold_100000_steps_under_50_mb():
    """The budgets themselves: keyframes, path and scalars of 100,000 steps of the largest network."""
    trajectory = Trajectory(1459)
    scalars = 4 * 8 * 2 ** 17  # four columns grown by doubling past 100,000 rows
    assert trajectory.keyframe_budget + trajectory.path.capacity * (8 * 1459 + 32) + scalars <= 50 * 2 ** 20


def test_decimated_curve_keeps_first_and_last():
    net, X, y, _ = spiral_problem(test=False)
    run = core.Run(net, X, y, 0.3)
    run.step(999)
    steps, costs, tests = run.trajectory.decimated(100)
    assert len(steps) <= 101 and steps[0] == 0 and steps[-1] == 999
    np.testing.assert_array_equal(costs, run.trajectory.costs()[steps])
    steps, _, _ = run.trajectory.decimated(100, stop=51)
    assert list(steps) == list(range(51))


def test_snapshot_numbers_belong_to_their_step():
    net, X, y, options = spiral_problem()
    run = core.Run(net, X, y, 0.3, batch_size=7, **options)
    run.step(30)
    names = run.net.parameter_names()
    axes = (names[1], names[4])
    for step in (30, 11):
        snap = core.take_snapshot(run, step, revision=3, branch=1, axes=axes)
        probe = net.copy()
        probe.set_parameter_vector(run.theta_at(step))
        assert snap.key == (3, 1, step, 0) and snap.live == (step == 30)
        np.testing.assert_array_equal(snap.theta, probe.parameter_vector())
        assert snap.cost == pytest.approx(probe.cost(X, y), rel=1e-12)
        np.testing.assert_allclose(snap.gradient, probe.gradient_vector(X, y), rtol=1e-10, atol=1e-14)
        assert snap.test_cost == pytest.approx(probe.cost(options["X_test"], options["y_test"]), rel=1e-12)
        assert snap.train_accuracy == core.accuracy(probe.predict(X), y)
        np.testing.assert_array_equal(snap.path[-1], [snap.value(axes[0]), snap.value(axes[1])])
        assert snap.path_steps[-1] == step and snap.curve_steps[-1] == step
        assert snap.curve_costs[-1] == pytest.approx(snap.cost, rel=1e-12)
        for array in (snap.theta, snap.gradient, snap.X, snap.y):
            assert not array.flags.writeable
    assert run.step_count == 30  # a snapshot of the past does not move the run
    before = core.take_snapshot(run).key
    run.set_regularization("l2", 0.1)   # same step, another J: another key
    assert core.take_snapshot(run).key == before[:3] + (before[3] + 1,)


def test_the_timeline_keeps_branches_within_their_count_and_memory():
    net, X, y, _ = spiral_problem(test=False)
    timeline = core.Timeline(core.Run(net, X, y, 0.3), max_branches=3)
    for k in range(4):
        timeline.run.step(10)
        timeline.goto(5 + k)
        branch = timeline.branch_if_rewound()
        assert branch is timeline.current and timeline.live
    assert len(timeline.branches) == 3 and timeline.branches[0].id == 2   # the oldest went first
    # branches share their common past: one keyframe object is counted once
    one = timeline.branches[-1].run.trajectory.nbytes
    assert timeline.nbytes < 3 * one
    timeline.memory_limit = one + 1        # room for about one branch: the others go
    timeline.run.step(3)
    timeline.goto(1)
    timeline.branch_if_rewound()
    assert [b.id for b in timeline.branches] == [timeline.current_id]
    with pytest.raises(ValueError, match="only run"):
        timeline.delete(timeline.current_id)
