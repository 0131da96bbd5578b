"""Training in the worker process, driven from the shown window by keys: the steps the process takes
are bit for bit the steps the run takes here (rows, parameters, replay), an edit while training lands
between two steps, a race steps there with a diverging run stopped alone, a divergence is said in the
window, and a training process that dies is said too and replaced at the next Space."""
import os
import signal

import numpy as np
import pytest
from PySide6.QtCore import Qt

import core
from app import process_jobs
from tests.windows import press, settled

TRAIN_MS = 30000


@pytest.fixture
def window(qtbot, monkeypatch):
    win = settled(qtbot, monkeypatch, focus=True)   # the views' workers in-thread; training in its process
    assert not win.model.engine.synchronous
    yield win
    win.model.set_running(False)


def train_until(qtbot, win, enough):
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: enough(win.model), timeout=TRAIN_MS)
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not win.model.running)


def replayed_here(run: core.Run) -> core.Run:
    """The same run from its start, stepped in this process, its events applied where they were made."""
    here = run.restarted(run.theta_at(0))
    here.learning_rate = run.trajectory.row(0)["learning_rate"]
    for event in run.trajectory.events_between(1, run.step_count):
        here.step(event.step - here.step_count)
        if event.kind == "learning_rate":
            here.learning_rate = event.value
    here.step(run.step_count - here.step_count)
    return here


def assert_same_run(run: core.Run, here: core.Run):
    assert run.step_count == here.step_count
    np.testing.assert_array_equal(run.trajectory.costs(), here.trajectory.costs())
    np.testing.assert_array_equal(run.trajectory.learning_rates(), here.trajectory.learning_rates())
    np.testing.assert_array_equal(run.net.parameter_vector(), here.net.parameter_vector())
    for step in np.random.default_rng(0).integers(0, run.step_count, 5):
        np.testing.assert_array_equal(run.theta_at(int(step)), here.theta_at(int(step)))


def test_steps_taken_in_the_training_process_are_the_runs_own(window, qtbot):
    model = window.model
    train_until(qtbot, window, lambda m: m.step_count >= 300)
    assert process_jobs.worker_pid(process_jobs.TRAINING) not in (None, os.getpid())
    run = model.run_at_shown_step()
    assert_same_run(run, replayed_here(run))
    assert model.snapshot.cost == run.trajectory.row(run.step_count)["cost"]   # the shown step is the run's


def test_an_edit_while_training_lands_between_two_steps(window, qtbot):
    model = window.model
    rate = model.learning_rate
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: model.step_count >= 100, timeout=TRAIN_MS)
    press(qtbot, Qt.Key_L, Qt.ShiftModifier)            # halve η while the process trains
    assert model.learning_rate == rate / 2 and model.running
    edited_at = model.step_count
    qtbot.waitUntil(lambda: model.step_count >= edited_at + 100, timeout=TRAIN_MS)
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not model.running)
    run = model.run_at_shown_step()
    events = [e for e in run.trajectory.events if e.kind == "learning_rate"]
    assert [e.value for e in events] == [rate / 2] and events[0].step >= edited_at
    rates = run.trajectory.learning_rates()
    assert set(rates[:events[0].step]) == {rate} and set(rates[events[0].step:]) == {rate / 2}
    assert_same_run(run, replayed_here(run))


def test_a_divergence_in_the_training_process_is_said_in_the_window(window, qtbot):
    model = window.model
    model.set_dataset("regression2d")
    model.set_learning_rate(1.9)         # diverges at the eighth step (a linear output)
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not model.running, timeout=TRAIN_MS)
    qtbot.waitUntil(lambda: "diverged" in window.banner.text())
    here = model.run_at_shown_step()
    alone = here.restarted(here.theta_at(0))
    with pytest.raises(core.TrainingDiverged) as raised:
        alone.step(1000)
    assert model.step_count == alone.step_count == 7
    assert str(raised.value) in window.banner.text()


def test_a_race_steps_in_two_training_processes_and_a_diverging_run_stops_alone(window, qtbot, monkeypatch):
    from app import session_race

    monkeypatch.setattr(session_race, "RACE_WARM_STEPS", 0)   # every step of the race in the process
    model = window.model
    model.set_dataset("regression2d")
    entrants = [core.Entrant("sgd", 1.9), core.Entrant("momentum", 0.05), core.Entrant("adam", 0.01)]
    assert model.start_race(entrants)
    train_until(qtbot, window, lambda m: min(steps for _id, _label, steps in m.branches()[1:]) >= 200)
    qtbot.waitUntil(lambda: "Gradient descent η 1.9 stopped at step 7" in window.banner.text())
    for lane in process_jobs.TRAINING_LANES:     # the race's runs were shared between two processes
        assert process_jobs.worker_pid(lane) not in (None, os.getpid())
    runs = []
    for branch_id, _label, _steps in model.branches():
        model.switch_branch(branch_id)
        runs.append(model.run_at_shown_step())
    assert runs[0].step_count == 7 and min(run.step_count for run in runs[1:]) >= 200
    assert model.steps_per_tick > 0 and len({run.step_count for run in runs[1:]}) == 1   # in step at the learner's speed
    for entrant, run in zip(entrants[1:], runs[1:]):
        alone = run.restarted(run.theta_at(0), rule=entrant.rule(), learning_rate=entrant.learning_rate)
        alone.step(run.step_count)
        np.testing.assert_array_equal(run.trajectory.costs(), alone.trajectory.costs())
        np.testing.assert_array_equal(run.net.parameter_vector(), alone.net.parameter_vector())


def test_a_training_process_that_dies_is_replaced_and_training_goes_on_exactly(window, qtbot):
    model = window.model
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: model.step_count >= 50, timeout=TRAIN_MS)
    pid = process_jobs.worker_pid(process_jobs.TRAINING)
    os.kill(pid, signal.SIGKILL)
    killed_at = model.step_count
    qtbot.waitUntil(lambda: model.step_count >= killed_at + 100, timeout=TRAIN_MS)
    assert model.running and process_jobs.worker_pid(process_jobs.TRAINING) not in (None, pid)
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not model.running)
    run = model.run_at_shown_step()
    assert_same_run(run, replayed_here(run))


def test_a_training_process_that_keeps_failing_stops_training_and_says_so(window, qtbot, monkeypatch):
    from core.process_runner import WorkerCrashed

    sending = process_jobs.run

    def failing(lane, fn, *args, **kwargs):
        if lane == process_jobs.TRAINING:
            raise WorkerCrashed("The worker stopped unexpectedly (signal 9).")
        return sending(lane, fn, *args, **kwargs)

    monkeypatch.setattr(process_jobs, "run", failing)
    model = window.model
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not model.running, timeout=TRAIN_MS)
    assert "Training stopped: the training process failed" in window.banner.text()
    assert "signal 9" in window.banner.text() and model.step_count == 0
    monkeypatch.setattr(process_jobs, "run", sending)
    train_until(qtbot, window, lambda m: m.step_count >= 20)      # Space again: a new try


def test_space_on_a_race_whose_runs_all_stopped_says_so_and_training_still_works_after(window, qtbot):
    model = window.model
    model.set_dataset("regression2d")
    assert model.start_race([core.Entrant("sgd", 1e9), core.Entrant("momentum", 1e9)])   # both diverge at once
    for _ in range(2):                        # twice: the training thread is still there to answer
        press(qtbot, Qt.Key_Space)
        qtbot.waitUntil(lambda: not model.running, timeout=TRAIN_MS)
        qtbot.waitUntil(lambda: "Every run of the race has stopped" in window.banner.text())
    press(qtbot, Qt.Key_R, Qt.ShiftModifier)           # end the race, then Reset: a rate that trains
    press(qtbot, Qt.Key_R, Qt.ControlModifier)
    train_until(qtbot, window, lambda m: m.step_count >= 20)
