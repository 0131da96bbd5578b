"""Live training in the shown window, on the real worker thread: every picture agrees with itself and
with the others, and the timeline rewinds and branches real training from the keyboard."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.views.surface import surface_key
from tests.windows import with_every_panel_started

SETTLE_MS = 15000


@pytest.fixture
def window(qtbot):
    win = with_every_panel_started(qtbot)
    lab = win.network_lab
    lab.splitDockWidget(lab.docks["expression"], lab.docks["params"], Qt.Vertical)  # every panel visible
    yield win
    win.model.set_running(False)


def grow(win):
    """The issue's network: 2-16-16-16-1 tanh on the spiral."""
    model = win.model
    model.set_dataset("spiral")
    model.set_hidden_layers([16, 16, 16], "tanh")
    model.set_steps_per_tick(0)   # as fast as it goes


def tangent_touches_its_curve(view):
    """The drawn tangent has the slope of the drawn curve at the drawn point (a central difference
    of the curve's samples beside the point), and the point is a sample of the curve."""
    xs, ys = view.curve.getData()
    (theta,), (cost,) = view.point.getData()
    k = int(np.argmin(np.abs(xs - theta)))
    assert xs[k] == theta and ys[k] == pytest.approx(cost, rel=1e-12, abs=1e-15)
    slope_of_curve = (ys[k + 1] - ys[k - 1]) / (xs[k + 1] - xs[k - 1])
    (t0, t1), (j0, j1) = view.tangent.getData()
    drawn_slope = (j1 - j0) / (t1 - t0)
    assert drawn_slope == pytest.approx(view.slope, rel=1e-9, abs=1e-15)
    assert drawn_slope == pytest.approx(slope_of_curve, rel=1e-4, abs=1e-7)


def surface_agrees(surface, model):
    """The point sits on the surface of its own step: the grid's held parameters are the shown
    snapshot's, and J at the point computed like the grid is the cost the snapshot shows."""
    shown = surface.shown_snapshot
    request = surface.result.request
    assert shown.axes == tuple(model.axes) and shown.revision == model.revision
    assert request.key == surface_key(shown, shown.axes, request.extent)
    assert surface.point_position == (shown.value(shown.axes[0]), shown.value(shown.axes[1]))
    assert shown.path[-1].tolist() == list(surface.point_position)
    if request.snapshot.key == shown.key:
        assert surface.point_value == pytest.approx(shown.cost, rel=1e-9)


def test_every_view_agrees_while_training_and_shows_one_step_when_paused(window, qtbot):
    model, panels = window.model, window.panels()
    grow(window)
    qtbot.keyClick(panels["diagram"], Qt.Key_Space)
    assert model.running
    for target in (40, 120, 200):   # while it trains: each picture is consistent in itself
        qtbot.waitUntil(lambda: model.step_count >= target
                        and all(panels[name].shown_snapshot is not None
                                and panels[name].shown_snapshot.revision == model.revision
                                for name in ("slice", "surface")), timeout=SETTLE_MS)
        tangent_touches_its_curve(panels["slice"])
        surface_agrees(panels["surface"], model)
        assert panels["slice"].shown_snapshot.step <= model.step_count
    qtbot.keyClick(panels["diagram"], Qt.Key_Space)
    assert not model.running
    qtbot.waitUntil(window.is_settled, timeout=SETTLE_MS)
    step = model.step_count
    assert step >= 200
    shown_steps = {
        "surface": panels["surface"].shown_snapshot.step,
        "slice": panels["slice"].shown_snapshot.step,
        "cost": panels["cost"].shown_snapshot.step,
        "diagram": panels["diagram"].shown_step,
        "data": panels["data"].field_result.request.snapshot_key[2],
        "expression": panels["expression"].shown_step,
        "params": panels["params"].table_model.check_step,
        "timeline": window.network_lab.timeline.cursor_step,
    }
    assert set(shown_steps.values()) == {step}, shown_steps
    assert panels["params"].table_model.check_is_current
    assert window.status_labels["step"].text() == f"Step {step}"
    tangent_touches_its_curve(panels["slice"])
    surface_agrees(panels["surface"], model)
    assert panels["surface"].point_value == pytest.approx(model.cost(), rel=1e-9)


def test_timeline_by_keys_rewinds_branches_and_returns_to_live(window, qtbot):
    model, panels = window.model, window.panels()
    diagram = panels["diagram"]
    model.step(60)
    qtbot.waitUntil(window.is_settled, timeout=SETTLE_MS)
    live_theta = model.network.parameter_vector()
    qtbot.keyClick(diagram, Qt.Key_Comma, Qt.ControlModifier)      # back ten steps
    qtbot.waitUntil(lambda: model.step_count == 50, timeout=SETTLE_MS)
    assert not model.live and model.live_step == 60
    qtbot.waitUntil(window.is_settled, timeout=SETTLE_MS)
    # every panel shows step 50's numbers
    past = model.snapshot
    assert panels["surface"].shown_snapshot.key == past.key
    assert panels["slice"].shown_snapshot.key == past.key
    assert panels["expression"].shown_step == 50 and panels["diagram"].shown_step == 50
    assert panels["params"].table_model.check_is_current and panels["params"].table_model.check_step == 50
    assert "Step 50 of 60" in window.status_labels["step"].text()
    assert not np.array_equal(past.theta, live_theta)
    qtbot.keyClick(diagram, Qt.Key_Comma)                            # and one more
    qtbot.waitUntil(lambda: model.step_count == 49, timeout=SETTLE_MS)
    # lower the learning rate here and run: a new branch from step 49; the old one stays
    qtbot.keyClick(diagram, Qt.Key_L, Qt.ShiftModifier)
    assert len(model.branches()) == 2 and model.live and model.step_count == 49
    qtbot.keyClick(diagram, Qt.Key_Space)
    qtbot.waitUntil(lambda: model.step_count >= 70, timeout=SETTLE_MS)
    qtbot.keyClick(diagram, Qt.Key_Space)
    (old_id, _label, old_end), (new_id, new_label, _end) = model.branches()
    assert old_end == 60 and model.branch_id == new_id and "at step 49" in new_label
    # the old future is drawn faintly on the surface and the cost curve
    qtbot.waitUntil(window.is_settled, timeout=SETTLE_MS)
    old_path = panels["surface"].traces[0].getData()
    assert old_path[0] is not None and len(old_path[0]) >= 2
    assert len(panels["cost"].traces[0].getData()[0]) == 61
    # back to the first run, then to live
    qtbot.keyClick(diagram, Qt.Key_O)
    assert model.branch_id == old_id and model.step_count == 60
    np.testing.assert_array_equal(model.network.parameter_vector(), live_theta)
    qtbot.keyClick(diagram, Qt.Key_Home)
    qtbot.waitUntil(lambda: model.step_count == 0, timeout=SETTLE_MS)
    qtbot.keyClick(diagram, Qt.Key_End)
    qtbot.waitUntil(lambda: model.step_count == 60 and model.live, timeout=SETTLE_MS)


def test_the_gui_thread_runs_no_training_step_during_a_run(window, qtbot, monkeypatch):
    """Steps and backward passes (the snapshot's full-batch gradient) of a run happen in the training
    process (asked by a thread that only waits for it), finite-difference checks in another process;
    the GUI thread only draws."""
    import os
    import threading

    import core
    from app import process_jobs

    from app import job_functions

    threads = {"step": set(), "snapshot": set(), "gradcheck": set(), "training": set()}

    def recording(kind, function):
        def wrapper(*args, **kwargs):
            threads[kind].add(threading.current_thread() is threading.main_thread())
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(core.Run, "step", recording("step", core.Run.step))
    monkeypatch.setattr(core, "take_snapshot", recording("snapshot", core.take_snapshot))
    sending = process_jobs.run

    def send(lane, fn, *args, **kwargs):   # the check goes to a worker process, from a worker thread
        if fn is core.gradient_check:
            threads["gradcheck"].add(threading.current_thread() is threading.main_thread())
        if fn is job_functions.train_away:
            threads["training"].add(threading.current_thread() is threading.main_thread())
        return sending(lane, fn, *args, **kwargs)

    monkeypatch.setattr(process_jobs, "run", send)
    model = window.model
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Space)
    qtbot.waitUntil(lambda: model.step_count >= 60 and window.panels()["params"].table_model.check is not None,
                    timeout=SETTLE_MS)
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Space)
    assert threads["training"] == {False} and threads["gradcheck"] == {False}
    assert True not in threads["step"]     # no step here at all, in fact: they are the training process's
    for lane in (process_jobs.TRAINING, process_jobs.GRADIENT_CHECK):
        assert process_jobs.worker_pid(lane) not in (None, os.getpid())
    assert False in threads["snapshot"]   # while running, the worker makes them; a pause shows the last at once


def test_the_data_field_and_the_neuron_pictures_come_from_worker_processes(window, qtbot, monkeypatch):
    """Pictures that are seconds of numpy and Python a minute while training are made in worker
    processes: in a thread of the window's process they held the interpreter lock the GUI thread
    waits for (30% of the time on the 16x3 network)."""
    import os
    import threading

    from app import process_jobs
    from app.views.boundary import network_field
    from app.views.curves import FIELD_FINE

    callers = {}
    sending = process_jobs.run

    def send(lane, fn, *args, **kwargs):
        callers.setdefault(lane, set()).add(threading.current_thread() is threading.main_thread())
        return sending(lane, fn, *args, **kwargs)

    monkeypatch.setattr(process_jobs, "run", send)
    grow(window)
    model, panels = window.model, window.panels()
    data, diagram = panels["data"], panels["diagram"]
    qtbot.keyClick(diagram, Qt.Key_Space)
    qtbot.waitUntil(lambda: model.step_count >= 100, timeout=SETTLE_MS)
    qtbot.keyClick(diagram, Qt.Key_Space)
    qtbot.waitUntil(window.is_settled, timeout=SETTLE_MS)
    assert callers[process_jobs.DATA_FIELD] == {False} and callers[process_jobs.NEURON_PICTURES] == {False}
    for lane in (process_jobs.DATA_FIELD, process_jobs.NEURON_PICTURES):
        assert process_jobs.worker_pid(lane) not in (None, os.getpid())
    # what came back is the shown network's picture, as computed here
    result = data.field_result
    request = result.request
    assert request.resolution == FIELD_FINE and request.snapshot_key == model.snapshot.key
    np.testing.assert_allclose(result.values, network_field(model.network, request.xlim, request.ylim, FIELD_FINE),
                               rtol=0, atol=1e-12)
    assert len(diagram.field_images) == 16 * 3
