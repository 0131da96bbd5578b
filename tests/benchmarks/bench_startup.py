"""Start-up benchmark: launch -> first painted main window, Chain Rule Studio vs a bare window.

    .venv/bin/python tests/benchmarks/bench_startup.py [--runs N] [--platform xvfb|offscreen|current]

The reference is tests/benchmarks/bare_window.py: a QMainWindow holding one pyqtgraph
PlotWidget, i.e. the cost of PySide6 + pyqtgraph that no app built on them can avoid. Both are
measured in the same run, alternating (app, bare, app, bare, ...) after one discarded warm-up
each, so disk cache and a busy machine weigh on both alike. Medians are reported; the ratio
app/bare is printed last.

What is timed: from time.monotonic() taken just before Popen in this process, to the
time.monotonic() the child prints right after its first paint has completed (the
CHAINRULE_STUDIO_EXIT_AFTER_PAINT hook of app/application.py; bare_window.py does the same).
On Linux time.monotonic() is CLOCK_MONOTONIC, one clock for every process, so the two readings
compare directly. The child then quits; its exit is not timed, because tearing down widgets and
the interpreter is not start-up. (A child that never paints makes the run fail.)

Display: --platform xvfb (default when there is no DISPLAY/WAYLAND_DISPLAY and Xvfb is installed)
starts one private Xvfb for the whole run, so both children go through Qt's real X11 plugin as a
user's would; "current" uses the session's display; "offscreen" Qt's offscreen platform.
Settings and caches of the children live in a temporary directory.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = [sys.executable, str(ROOT / "main.py")]
BARE = [sys.executable, str(Path(__file__).resolve().parent / "bare_window.py")]
MARKER = "CHAINRULE_STUDIO_FIRST_PAINT"
GOAL = 1.5
TIMEOUT = 120


def start_xvfb():
    """Start a private Xvfb; return (process, display name)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


def launch_to_first_paint(command, env):
    """Seconds from just before launch to the child's first completed paint."""
    t0 = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{command[-1]} did not finish within {TIMEOUT} s")
    for line in out.splitlines():
        if line.startswith(MARKER + " "):
            record = json.loads(line.split(" ", 1)[1])
            return record["t"] - t0, record.get("heavy_modules", [])
    raise RuntimeError(f"{command[-1]} exited with {proc.returncode} and never reported a "
                       f"first paint:\n{out}\n{err}")


def child_env(platform, display, sandbox):
    env = dict(os.environ)
    env.pop("CHAINRULE_STUDIO_CRASH_TEST", None)
    env["CHAINRULE_STUDIO_EXIT_AFTER_PAINT"] = "1"
    env["CHAINRULE_STUDIO_NO_DIALOGS"] = "1"
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[var] = str(Path(sandbox) / var.lower())
    if platform == "offscreen":
        env["QT_QPA_PLATFORM"] = "offscreen"
    elif platform == "xvfb":
        env.pop("QT_QPA_PLATFORM", None)
        env.pop("WAYLAND_DISPLAY", None)
        env["DISPLAY"] = display
    return env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--platform", choices=("xvfb", "offscreen", "current"))
    args = parser.parse_args(argv)

    platform = args.platform
    if platform is None:
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            platform = "current"
        else:
            platform = "xvfb" if shutil.which("Xvfb") else "offscreen"
    xvfb, display = (start_xvfb() if platform == "xvfb" else (None, None))
    try:
        with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as sandbox:
            env = child_env(platform, display, sandbox)
            print(f"start-up to first paint, {args.runs} alternating runs each, "
                  f"platform {platform}{' ' + display if display else ''}, python {sys.executable}")
            launch_to_first_paint(APP, env)    # warm-up (disk cache, .pyc files), not counted
            launch_to_first_paint(BARE, env)
            times = {"app": [], "bare": []}
            heavy = set()
            for _ in range(args.runs):
                seconds, modules = launch_to_first_paint(APP, env)
                times["app"].append(seconds)
                heavy.update(modules)
                times["bare"].append(launch_to_first_paint(BARE, env)[0])
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)

    for name, label in (("app", "Chain Rule Studio (main.py)"),
                        ("bare", "bare PySide6 + pyqtgraph window")):
        values = times[name]
        print(f"  {label:32s} median {statistics.median(values) * 1000:7.0f} ms   "
              f"min {min(values) * 1000:6.0f}   max {max(values) * 1000:6.0f}")
    if heavy:
        print(f"  warning: imported before the first paint: {', '.join(sorted(heavy))}")
    ratio = statistics.median(times["app"]) / statistics.median(times["bare"])
    print(f"ratio startup app/bare: {ratio:.2f} (goal <= {GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
