"""The latest-only worker: bursts collapse, stale results are dropped, errors reach the GUI."""
import threading

from app.workers import LatestOnlyWorker


def test_only_the_newest_result_is_delivered(qtbot):
    worker = LatestOnlyWorker(synchronous=False)
    gate = threading.Event()
    started = []

    def job(n):
        def run():
            started.append(n)
            if n == 0:
                gate.wait(5)  # hold the first job so the others pile up behind it
            return n
        return run

    delivered = []
    worker.finished.connect(delivered.append)
    worker.submit(job(0))
    for n in range(1, 6):
        worker.submit(job(n))
    gate.set()
    qtbot.waitUntil(lambda: delivered == [5] and not worker.busy, timeout=5000)
    assert started == [0, 5]  # 1..4 were replaced before they started


def test_errors_are_reported_not_swallowed(qtbot):
    worker = LatestOnlyWorker(synchronous=False)

    def broken():
        raise RuntimeError("grid exploded")

    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.submit(broken)
    assert "grid exploded" in blocker.args[0]

