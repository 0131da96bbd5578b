"""The views' numeric jobs in worker processes (app/process_jobs.py): the same numbers, to the last
bit, as computed here; a lane's process is not this one; the job's own errors come back as raised."""
import os

import numpy as np
import pytest

import core
from app import process_jobs
from app.job_functions import surface_grid


@pytest.fixture(scope="module")
def problem():
    data = core.load_dataset("spiral", seed=1)
    net = core.Network([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], "binary_cross_entropy", seed=2)
    return net, data.X, data.y


def test_slice_from_the_worker_process_is_the_slice_computed_here(problem):
    net, X, y = problem
    values = np.linspace(-2, 2, 61)
    there = process_jobs.run("test slice", core.cost_slice, net, X, y, "w2.3.4", values)
    assert process_jobs.worker_pid("test slice") not in (None, os.getpid())
    np.testing.assert_array_equal(there, core.cost_slice(net, X, y, "w2.3.4", values))


def test_surface_from_the_worker_process_is_the_surface_computed_here(problem):
    net, X, y = problem
    args = (net, X, y, ("w1.1.1", "b2.3"), (-1.0, 1.5, -2.0, 0.5), 25, (net.get("w1.1.1"), net.get("b2.3")), 12)
    grid, levels, lines, at_point = process_jobs.run("test surface", surface_grid, *args)
    grid_here, levels_here, lines_here, at_point_here = surface_grid(*args)
    np.testing.assert_array_equal(grid, grid_here)
    np.testing.assert_array_equal(levels, levels_here)
    assert at_point == at_point_here == pytest.approx(net.cost(X, y), rel=1e-12)   # J at the network's own point
    assert len(lines) == len(lines_here)
    for line, here in zip(lines, lines_here):
        np.testing.assert_array_equal(line.x, here.x)
        np.testing.assert_array_equal(line.y, here.y)


def test_gradient_check_from_the_worker_process_is_the_check_made_here(problem):
    net, X, y = problem
    there = process_jobs.run("test check", core.gradient_check, net, X[:50], y[:50])
    here = core.gradient_check(net, X[:50], y[:50])
    assert (there.rows, there.all_agree, there.max_relative_error, there.worst) == \
        (here.rows, here.all_agree, here.max_relative_error, here.worst)   # all but its duration


def test_a_jobs_own_error_comes_back_as_raised(problem):
    net, X, y = problem
    with pytest.raises(ValueError, match="unknown parameter"):
        process_jobs.run("test slice", core.cost_slice, net, X, y, "w9.9.9", [0.0])


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no scheduling priorities here")
def test_the_worker_processes_give_way_to_the_gui(problem):
    net, X, y = problem
    process_jobs.run("test slice", core.cost_slice, net, X, y, "w1.1.1", [0.0])
    pid = process_jobs.worker_pid("test slice")
    assert os.getpriority(os.PRIO_PROCESS, pid) > os.getpriority(os.PRIO_PROCESS, 0)


def test_worker_processes_use_one_blas_thread_and_training_runs_at_the_windows_priority():
    from threadpoolctl import threadpool_info

    blas = [lib for lib in process_jobs.run("test blas", threadpool_info) if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)
    process_jobs.lane_runner(process_jobs.TRAINING)
    process_jobs.lane_runner(process_jobs.SLICE)
    training = os.getpriority(os.PRIO_PROCESS, process_jobs.worker_pid(process_jobs.TRAINING))
    views = os.getpriority(os.PRIO_PROCESS, process_jobs.worker_pid(process_jobs.SLICE))
    assert training == os.getpriority(os.PRIO_PROCESS, 0) < views
