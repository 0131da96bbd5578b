"""The real app process: killed mid-training, its next start restores the network and the trajectory
from the autosave; ``main.py FILE --save-session PATH`` opens, runs the options and writes the state."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import core
from tests.sessions import race_state

ROOT = Path(__file__).resolve().parent.parent
AUTOSAVE_MS = 300


def environment(tmp_path, **extra):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), CHAINRULE_STUDIO_NO_DIALOGS="1",
               CHAINRULE_STUDIO_NO_REEXEC="1", CHAINRULE_STUDIO_AUTOSAVE_MS=str(AUTOSAVE_MS))
    env.update(extra)
    return env


def studio(*args, env, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def test_a_killed_process_is_restored_at_the_next_start(tmp_path):
    env = environment(tmp_path, CHAINRULE_STUDIO_TRAIN_ON_START="1")
    autosave = tmp_path / "state" / "chainrule-studio" / "autosave.crstudio"
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--dataset", "circle", "--hidden", "4"],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        seen = []                        # the steps of successive autosaves: training goes on
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(set(seen)) < 3:
            time.sleep(AUTOSAVE_MS / 1000)
            if autosave.exists():
                seen.append(core.load_session(autosave)["timeline"].run.step_count)
        assert len(set(seen)) >= 3, (seen, process.poll())
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL
    last = core.load_session(autosave)["timeline"].run     # what the killed process had written last
    assert last.step_count > 0

    out = tmp_path / "restored.crstudio"
    result = studio("--save-session", str(out), env=environment(tmp_path, CHAINRULE_STUDIO_RESTORE="yes"))
    assert result.returncode == 0, result.stderr
    restored = core.load_session(out)
    run = restored["timeline"].run
    assert restored["dataset"].name == "circle" and run.net.sizes == (2, 4, 1)
    assert run.step_count == last.step_count
    assert np.array_equal(run.net.parameter_vector(), last.net.parameter_vector())
    # the restored trajectory is the training itself: replaying it from its start gives every step
    fresh_net = run.net.copy()
    fresh_net.set_parameter_vector(run.theta_at(0))
    fresh = core.Run(fresh_net, run.X, run.y, run.learning_rate, rule=run.rule, batch_size=run.batch_size)
    for k in sorted({1, run.step_count // 2, run.step_count}):
        fresh.step(k - fresh.step_count)
        assert np.array_equal(fresh.net.parameter_vector(), run.theta_at(k)), k
    assert np.array_equal(run.trajectory.costs(), last.trajectory.costs())
    assert not autosave.exists()      # the restored session was saved and closed properly


def test_a_declined_recovery_is_forgotten(tmp_path):
    autosave = tmp_path / "state" / "chainrule-studio" / "autosave.crstudio"
    autosave.parent.mkdir(parents=True)
    core.save_session(autosave, race_state())
    out = tmp_path / "out.crstudio"
    result = studio("--save-session", str(out), env=environment(tmp_path, CHAINRULE_STUDIO_RESTORE="no"))
    assert result.returncode == 0, result.stderr
    assert core.load_session(out)["dataset"].name == "lesson" and not autosave.exists()


def test_the_command_line_opens_a_file_runs_the_options_and_saves(tmp_path):
    source = tmp_path / "race.crstudio"
    core.save_session(source, race_state())
    out = tmp_path / "out.crstudio"
    result = studio(str(source), "--steps", "5", "--save-session", str(out), env=environment(tmp_path))
    assert result.returncode == 0, result.stderr
    before, after = core.load_session(source)["timeline"], core.load_session(out)["timeline"]
    assert after.race is not None and after.current_id == before.current_id == 2
    stopped = {id(lane.run) for lane in before.race.lanes if lane.stopped}
    assert len(stopped) == 1
    for a, b in zip(before.branches, after.branches):     # every run still going took the 5 steps
        assert b.run.step_count == a.run.step_count + (0 if id(a.run) in stopped else 5)
        assert np.array_equal(a.run.theta_at(a.run.step_count), b.run.theta_at(a.run.step_count))


def test_the_command_line_refuses_a_broken_file_naming_the_field(tmp_path):
    broken = tmp_path / "broken.crstudio"
    broken.write_text('{"format": "chainrule-studio-session", "version": 2, "data": {"kind": "builtin", '
                      '"name": "penguins"}}', "utf-8")
    result = studio(str(broken), "--save-session", str(tmp_path / "out.crstudio"), env=environment(tmp_path))
    assert result.returncode == 2
    assert "data.name: expected one of" in result.stderr
    assert not (tmp_path / "out.crstudio").exists()
