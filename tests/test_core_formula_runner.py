"""The symbolic worker process: results and exceptions come back, slow calls are stopped within the
time limit, a memory blow-up or a crash becomes a clear error, the next call always works, other
threads can cancel or close, and nothing is left behind. One runner per module (process start-up
costs time); the tasks are top-level functions so the child can import them."""
import os
import pickle
import signal
import sys
import threading
import time

import pytest

from core.process_runner import (FormulaTimeout, FormulaTooLarge, RunnerClosed, SymbolicRunner,
                                 SymbolicWorkerError, TaskCancelled, WorkerCrashed)

LIMIT = 1.0
MARGIN = 0.75   # a timeout is reported within LIMIT + MARGIN seconds


# ---------------------------------------------------------------------------- tasks (run in the child)

def add(a, b, scale=1):
    return (a + b) * scale


def whoami():
    return os.getpid()


def sleep_for(seconds):
    time.sleep(seconds)
    return "woke up"


def spin_forever():
    while True:
        pass


def fail(message):
    raise KeyError(message)


class Unpicklable(Exception):
    def __init__(self, a, b):        # pickle calls cls(*args) with args=("a b",): this fails
        super().__init__(f"{a} {b}")


def fail_unpicklably():
    raise Unpicklable("a", "b")


def return_unpicklable():
    return threading.Lock()


def hog_memory():
    return len(bytearray(8 * 1024 ** 3))


def crash():
    os.kill(os.getpid(), signal.SIGKILL)


def segfault():
    os.kill(os.getpid(), signal.SIGSEGV)


def formula_error(text):
    from core.formula.parser import parse_formula
    return parse_formula(text)


def derivation_of(text):
    from core.formula.derive import derive
    from core.formula.parser import parse_formula
    return derive(parse_formula(text))


# -------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def runner():
    with SymbolicRunner(time_limit=LIMIT) as shared:
        shared.start()
        yield shared


def _zombie_children():
    """Our child processes in state Z (Linux /proc); empty elsewhere."""
    zombies = []
    if not os.path.isdir("/proc"):
        return zombies
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z" and int(fields[1]) == me:
            zombies.append(int(entry))
    return zombies


def _gone(pid, timeout=5.0):
    """True once ``pid`` no longer exists (or is nobody's live process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                time.sleep(0.02)
                continue
        except OSError:
            return True
        time.sleep(0.02)
    return False


# ------------------------------------------------------------------------------------------------ tests

def test_results_and_arguments_round_trip(runner):
    assert runner.run(add, 2, 3) == 5
    assert runner.run(add, "a", "b", scale=2) == "abab"
    assert runner.run(whoami) == runner.pid != os.getpid()


def test_exceptions_come_back_with_type_and_message(runner):
    pid = runner.pid
    with pytest.raises(KeyError, match="no such thing") as caught:
        runner.run(fail, "no such thing")
    assert "fail" in caught.value.remote_traceback and "KeyError" in caught.value.remote_traceback
    assert runner.pid == pid, "an ordinary exception keeps the worker"
    with pytest.raises(SymbolicWorkerError, match="Unpicklable: a b"):
        runner.run(fail_unpicklably)
    with pytest.raises(SymbolicWorkerError, match="could not be sent back"):
        runner.run(return_unpicklable)
    with pytest.raises(SymbolicWorkerError, match="cannot send"):
        runner.run(lambda: 1)
    assert runner.run(add, 1, 1) == 2


@pytest.mark.parametrize("task", [sleep_for, spin_forever], ids=["sleep", "busy loop"])
def test_slow_call_times_out_within_the_limit_and_the_next_call_works(runner, task):
    old_pid = runner.pid
    started = time.perf_counter()
    with pytest.raises(FormulaTimeout) as caught:
        runner.run(task, *([30] if task is sleep_for else []))
    elapsed = time.perf_counter() - started
    assert LIMIT <= elapsed < LIMIT + MARGIN
    assert str(caught.value) == (f"Deriving this took longer than {LIMIT:g} s and was stopped. "
                                 "Try a smaller expression.")
    assert isinstance(caught.value, TimeoutError) and caught.value.time_limit == LIMIT
    assert _gone(old_pid), "the overrunning worker was killed"
    assert runner.run(add, 20, 22) == 42
    assert runner.pid != old_pid


def test_per_call_time_limit(runner):
    started = time.perf_counter()
    with pytest.raises(FormulaTimeout, match="0.3 s"):
        runner.run(sleep_for, 10, time_limit=0.3)
    assert time.perf_counter() - started < 0.3 + MARGIN
    assert runner.run(sleep_for, 0.05, time_limit=5) == "woke up"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_memory_blow_up_is_a_clear_error(runner):
    with pytest.raises(FormulaTooLarge, match="more memory than 2 GiB") as caught:
        runner.run(hog_memory)
    assert isinstance(caught.value, MemoryError)
    assert runner.run(add, 1, 2) == 3


@pytest.mark.parametrize("task, signal_number", [(crash, signal.SIGKILL), (segfault, signal.SIGSEGV)])
def test_crash_is_a_clear_error_and_a_fresh_worker_follows(runner, task, signal_number):
    with pytest.raises(WorkerCrashed, match=f"stopped unexpectedly \\(signal {int(signal_number)}\\)"):
        runner.run(task)
    assert runner.run(add, 3, 4) == 7


def test_cancel_from_another_thread(runner):
    assert runner.cancel() is False   # nothing running
    outcome = {}

    def call():
        try:
            outcome["result"] = runner.run(sleep_for, 30, time_limit=30)
        except Exception as exc:  # noqa: BLE001
            outcome["error"] = exc

    thread = threading.Thread(target=call)
    started = time.perf_counter()
    thread.start()
    deadline = time.monotonic() + 5
    while not runner.cancel():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    thread.join(5)
    assert isinstance(outcome.get("error"), TaskCancelled)
    assert time.perf_counter() - started < 3
    assert runner.run(add, 5, 5) == 10


def test_calls_from_two_threads_take_turns(runner):
    results = {}

    def call(key, value):
        results[key] = runner.run(add, value, 0)

    threads = [threading.Thread(target=call, args=(k, k * 10)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {0: 0, 1: 10, 2: 20, 3: 30}


def test_real_formula_work_round_trips(runner):
    pytest.importorskip("core.formula.parser")
    from core.formula.analysis import FormulaAnalysis, analyze_formula
    from core.formula.numeric import CompiledFormula

    analysis = runner.run(analyze_formula, "log(2 + cos(x))", time_limit=30)
    assert isinstance(analysis, FormulaAnalysis)
    assert "chain" in analysis.derivation.rules()
    assert [layer.name for layer in analysis.decomposition.layers][:2] == ["h", "u"]
    assert [n.label for n in analysis.graph.nodes][-1] == "log"
    compiled = CompiledFormula.from_analysis(analysis)
    import math
    assert compiled.at(1.0) == pytest.approx((math.log(2 + math.cos(1.0)),
                                              -math.sin(1.0) / (2 + math.cos(1.0))))
    derivation = runner.run(derivation_of, "sigmoid(2x - 1)", time_limit=30)
    assert "sigmoid" in derivation.rules()


def test_formula_errors_keep_their_position(runner):
    parser = pytest.importorskip("core.formula.parser")
    with pytest.raises(parser.FormulaError) as caught:
        runner.run(formula_error, "sin(x", time_limit=30)
    local = None
    try:
        parser.parse_formula("sin(x")
    except parser.FormulaError as exc:
        local = exc
    assert str(caught.value) == str(local) and caught.value.position == local.position


def test_close_leaves_no_process_behind():
    runner = SymbolicRunner(time_limit=LIMIT)
    assert runner.pid is None        # nothing starts until needed
    pid = runner.run(whoami)
    assert runner.pid == pid
    runner.close()
    runner.close()                   # idempotent
    assert runner.pid is None and runner.closed
    assert _gone(pid)
    assert not _zombie_children()
    with pytest.raises(RunnerClosed):
        runner.run(add, 1, 1)


def test_close_during_a_call_stops_it():
    runner = SymbolicRunner(time_limit=30)
    runner.start()
    pid = runner.pid
    outcome = {}

    def call():
        try:
            runner.run(sleep_for, 30)
        except Exception as exc:  # noqa: BLE001
            outcome["error"] = exc

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.2)
    runner.close()
    thread.join(5)
    assert isinstance(outcome.get("error"), RunnerClosed)
    assert _gone(pid) and not _zombie_children()


def test_errors_pickle_and_read_well():
    for error in (FormulaTimeout("slow", 5.0), WorkerCrashed("gone"), FormulaTooLarge("big")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error) and copy.message == error.message


# ------------------------------------------------------------------------- analyze_formula (no worker)

EXAMPLES = ["log(2 + cos(x))", "sin(x^2)", "exp(sin(3x))", "sigmoid(2x - 1)", "x^2 sin(x)",
            "(x^2 + 1)/(x - 2)", "sqrt(1 + x^2)", "(1 + x^2)^3", "tanh(sin(x))^2", "softplus(3x)",
            "sin(x) sin(x) + sin(x)", "log(x) + tan(x)", "relu(x - 1) + abs(x)", "x^x", "2^x", "7"]


@pytest.mark.parametrize("text", EXAMPLES)
def test_analysis_pickles_and_its_numbers_agree(text):
    pytest.importorskip("core.formula.parser")
    import math

    import numpy as np
    import sympy

    from core.formula.analysis import analyze_formula
    from core.formula.functions import X
    from core.formula.numeric import CompiledFormula

    analysis = pickle.loads(pickle.dumps(analyze_formula(text)))
    assert analysis.text == text and analysis.latex and analysis.derivative_latex
    assert analysis.derivation.result == analysis.derivative
    assert analysis.derivation.steps() and analysis.decomposition.layers
    exact = sympy.diff(analysis.expr, X)
    compiled = CompiledFormula.from_analysis(analysis)
    assert compiled is analysis.compiled()
    for x0 in (-1.7, -0.6, 0.4, 1.3, 2.5):
        want = complex(sympy.N(exact.subs(X, x0), 20))
        h, dh = compiled.at(x0)
        values = analysis.graph.evaluate(x0)
        if want.imag != 0 or not math.isfinite(want.real) or math.isnan(h):
            continue
        assert dh == pytest.approx(want.real, rel=1e-8, abs=1e-10)
        assert values.derivative == pytest.approx(dh, rel=1e-8, abs=1e-10)
        assert values.value[analysis.graph.output] == pytest.approx(h, rel=1e-10, abs=1e-12)
        factors = analysis.decomposition.factors_at(x0)
        assert float(np.prod([value for _, value in factors])) == pytest.approx(dh, rel=1e-8, abs=1e-10)


def test_analysis_of_a_bad_formula_raises_the_parser_error():
    parser = pytest.importorskip("core.formula.parser")
    from core.formula.analysis import analyze_formula

    with pytest.raises(parser.FormulaError):
        analyze_formula("sin(x")
    with pytest.raises(parser.FormulaError):
        analyze_formula("")


_ORPHAN_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from core.process_runner import SymbolicRunner
runner = SymbolicRunner(time_limit=600)
runner.start()
print(runner.pid, flush=True)
runner.run({call}, time_limit=600)
"""


@pytest.mark.parametrize("call", ["time.sleep, 600", "sum, range(10 ** 15)"],
                         ids=["sleeping", "busy-holding-the-GIL"])
def test_the_worker_dies_with_a_killed_application(call):
    """An application killed with SIGKILL runs no cleanup: its worker must still not compute on."""
    import subprocess
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    app = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT.format(root=root, call=call)],
                           stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        child = int(app.stdout.readline())
        time.sleep(0.5)  # the call is under way
        assert not _gone(child, timeout=0.1)
    finally:
        app.kill()
        app.wait(10)
    assert _gone(child, timeout=5.0)
