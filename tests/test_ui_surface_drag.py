"""Dragging the race's start on the cost surface with the real mouse: a drag from the white ring moves
the common start to where the mouse ends, every run restarts there with exactly the first 100 steps it
would take alone, and the whole drag is one undo entry; a drag elsewhere pans the plot."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

import core
from tests.test_ui_race import expected_run
from tests.windows import with_deferred_panels

ENTRANTS = [core.Entrant("sgd", 0.5), core.Entrant("momentum", 0.05), core.Entrant("adam", 0.05)]


@pytest.fixture
def window(qtbot):
    win = with_deferred_panels(qtbot)
    win.model.start_race(ENTRANTS)
    surface = win.panels()["surface"]
    qtbot.waitUntil(lambda: surface.shown_snapshot is not None and surface.shown_snapshot.racing
                    and surface.start_position is not None, timeout=20000)
    yield win
    win.model.set_running(False)


def on_screen(surface, a, b) -> QPoint:
    """The plot viewport's pixel at plot coordinates (a, b)."""
    box = surface.plot.getPlotItem().getViewBox()
    scene = box.mapViewToScene(QPointF(a, b))
    return surface.plot.mapFromScene(scene)


def at_pixel(surface, pixel: QPoint) -> tuple[float, float]:
    box = surface.plot.getPlotItem().getViewBox()
    point = box.mapSceneToView(surface.plot.mapToScene(pixel))
    return point.x(), point.y()


def drag(qtbot, surface, frm: QPoint, to: QPoint, moves: int = 8) -> None:
    """Press at ``frm``, move in steps to ``to`` and release there, as a hand on the mouse would."""
    viewport = surface.plot.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=frm)
    for k in range(1, moves + 1):
        qtbot.mouseMove(viewport, frm + (to - frm) * (k / moves))
        qtbot.wait(10)
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=to)


def race_start(model) -> np.ndarray:
    return np.array(model.snapshot.plane.parameter_vector())


def test_a_drag_from_the_ring_moves_the_start_and_every_run_restarts_there(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    names, (a_name, b_name) = model.snapshot.names, model.axes
    ia, ib = names.index(a_name), names.index(b_name)
    before = race_start(model)
    entries = window.undo.stack.count()
    ring = on_screen(surface, *surface.start_position)
    end = ring + QPoint(60, -40)
    drag(qtbot, surface, ring, end)
    a, b = at_pixel(surface, end)
    qtbot.waitUntil(lambda: not model.race_start_pending
                    and abs(race_start(model)[ia] - a) < 1e-9, timeout=30000)

    width, height = surface.plot.getPlotItem().getViewBox().viewPixelSize()
    start = race_start(model)
    assert abs(start[ia] - a) <= width and abs(start[ib] - b) <= height
    assert abs(start[ia] - before[ia]) > 10 * width, "the start really moved"
    assert np.array_equal(np.delete(start, [ia, ib]), np.delete(before, [ia, ib])), "the others held"
    # the ring is drawn at the new start once the surface has drawn the restarted race
    qtbot.waitUntil(lambda: surface.start_position == pytest.approx((start[ia], start[ib]), rel=1e-12), timeout=10000)

    # every run, shown in turn by O, is its rule trained alone from the new start for 100 steps
    seen = set()
    for _ in ENTRANTS:
        snap = model.snapshot
        entrant = next(e for e in ENTRANTS if e.label == snap.label)
        alone = expected_run(model, entrant, start, 100)
        assert snap.step == 100
        assert np.array_equal(snap.theta, alone.net.parameter_vector()), snap.label
        seen.add(snap.label)
        qtbot.keyClick(window.panels()["diagram"], Qt.Key_O)
    assert seen == {e.label for e in ENTRANTS}

    # the whole drag is one undo entry: Ctrl+Z puts the start back where it was
    assert window.undo.stack.count() == entries + 1
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_Z, Qt.ControlModifier)
    assert np.array_equal(race_start(model), before)


def test_a_drag_away_from_the_ring_and_point_pans_and_leaves_the_start(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    before = race_start(model)
    box = surface.plot.getPlotItem().getViewBox()
    x_range = box.viewRange()[0]
    ring = on_screen(surface, *surface.start_position)
    point = on_screen(surface, *surface.point_position)
    frm = box.mapViewToScene(box.viewRect().center())
    frm = surface.plot.mapFromScene(frm)
    for corner in (box.viewRect().topLeft(), box.viewRect().bottomRight(), box.viewRect().topRight()):
        candidate = surface.plot.mapFromScene(box.mapViewToScene(corner)) * 0.8 + frm * 0.2
        if min((candidate - p).manhattanLength() for p in (ring, point)) > 60:
            frm = candidate
            break
    drag(qtbot, surface, frm, frm + QPoint(50, 0))
    qtbot.waitUntil(lambda: box.viewRange()[0] != x_range, timeout=5000)
    assert box.viewRange()[0][0] < x_range[0], "dragging right pans the view left"
    assert not model.race_start_pending
    assert np.array_equal(race_start(model), before)
