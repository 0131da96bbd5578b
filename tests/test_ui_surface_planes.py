"""The cost surface's planes and the update's arrows, by keys on the shown window: Y cycles two
parameters → two random filter-normalized directions → the path's principal components (Shift+Y: new
directions); the drawn numbers are core's and numpy's, computed here independently from a run
replayed by hand."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

import core
from core.naming import to_unicode
from app.format import fmt
from app.workers import LatestOnlyWorker
from tests.test_ui_race import enter, open_dialog
from tests.windows import with_deferred_panels


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    win = with_deferred_panels(qtbot)
    win.panels()["surface"].start()
    yield win
    win.model.set_running(False)


def press(qtbot, win, key, modifier=Qt.NoModifier, times=1):
    for _ in range(times):
        qtbot.keyClick(win.panels()["diagram"], key, modifier)


def settled(qtbot, surface):
    qtbot.waitUntil(surface.is_settled, timeout=30000)


def replayed_path(model, start, steps):
    """θ_0 … θ_steps of full-batch gradient descent from ``start``, by core.GradientDescent alone."""
    net = model.network.copy()
    net.set_parameter_vector(start)
    gd = core.GradientDescent(net, model.X, model.y, model.learning_rate)
    thetas = [net.parameter_vector()]
    for _ in range(steps):
        gd.step(1)
        thetas.append(net.parameter_vector())
    return np.array(thetas)


def lstsq_coords(d1, d2, vectors):
    """Plane coordinates of ``vectors`` (rows) by numpy's least squares, independently of core."""
    return np.linalg.lstsq(np.column_stack([d1, d2]), np.atleast_2d(vectors).T, rcond=None)[0].T


def test_y_cycles_the_plane_and_the_axis_labels_and_surface_follow(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    start = model.snapshot.theta.copy()
    press(qtbot, window, Qt.Key_S, times=12)
    assert model.step_count == 12
    settled(qtbot, surface)
    assert surface.axis_titles() == tuple(to_unicode(a) for a in model.axes)   # the one notation

    press(qtbot, window, Qt.Key_Y)
    assert model.surface_plane == "random"
    settled(qtbot, surface)
    assert surface.axis_titles() == ("random direction d1 (filter-normalized, seed 0)", "random direction d2 (seed 0)")
    snap = model.snapshot
    d1, d2 = core.random_plane(snap.network, 0)
    # the plane goes through θ: the point is at (0, 0) and the surface there is the snapshot's cost
    assert surface.point_position == (0.0, 0.0)
    assert surface.point_value == pytest.approx(snap.cost, rel=1e-12)
    assert core.plane_surface(snap.network, model.X, model.y, snap.theta, d1, d2, [0.0], [0.0])[0, 0] == \
        pytest.approx(surface.point_value, rel=1e-12)
    assert "two random filter-normalized directions (seed 0" in surface.caption.text()

    press(qtbot, window, Qt.Key_Y, Qt.ShiftModifier)      # new directions: the next seed
    settled(qtbot, surface)
    assert (model.surface_plane, model.plane_seed) == ("random", 1)
    assert surface.axis_titles()[0] == "random direction d1 (filter-normalized, seed 1)"

    press(qtbot, window, Qt.Key_Y)
    assert model.surface_plane == "pca"
    settled(qtbot, surface)
    thetas = replayed_path(model, start, 12)
    moves = thetas - thetas[-1]
    _u, s, _vt = np.linalg.svd(moves - moves.mean(axis=0), full_matrices=False)
    share = s ** 2 / np.sum(s ** 2)
    assert surface.axis_titles() == (f"PC1 of the path ({100 * share[0]:.1f}% of its variance)",
                                     f"PC2 ({100 * share[1]:.1f}% of its variance)")
    assert surface.point_position == (0.0, 0.0)
    assert surface.point_value == pytest.approx(model.cost(), rel=1e-10)

    press(qtbot, window, Qt.Key_Y)                          # back to two parameters
    settled(qtbot, surface)
    assert model.surface_plane == "axes" and surface.axis_titles() == tuple(to_unicode(a) for a in model.axes)

    # the same commands in the Surface menu
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Surface")
    titles = {action.text(): action for action in menu.actions()}
    assert {"Next surface plane", "New random directions"} <= set(titles)
    titles["New random directions"].trigger()
    assert (model.surface_plane, model.plane_seed) == ("random", 2)


def test_the_principal_components_need_a_path_and_say_so(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    press(qtbot, window, Qt.Key_Y, times=2)
    settled(qtbot, surface)
    assert model.surface_plane == "pca" and surface.grid is None
    assert "need a path of at least 3 steps" in surface.caption.text()
    press(qtbot, window, Qt.Key_S, times=3)
    settled(qtbot, surface)
    assert surface.grid is not None and surface.axis_titles()[0].startswith("PC1 of the path (")


def test_projected_path_distances_and_costs_are_core_project_path(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    model.set_dataset("circle")                 # a 2-input network: many parameters off the plane
    start = model.snapshot.theta.copy()
    press(qtbot, window, Qt.Key_S, times=25)
    press(qtbot, window, Qt.Key_Y)              # random directions through θ
    settled(qtbot, surface)
    snap = model.snapshot
    thetas = replayed_path(model, start, 25)
    np.testing.assert_allclose(thetas[-1], snap.theta, rtol=1e-12, atol=1e-14)
    d1, d2 = core.random_plane(snap.network, model.plane_seed)
    expected = core.project_path(thetas, snap.theta, d1, d2, snap.network, model.X, model.y)
    drawn = surface.path_projection
    np.testing.assert_allclose(drawn.distance, expected.distance, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(drawn.true_cost, expected.true_cost, rtol=1e-10)
    np.testing.assert_allclose(drawn.plane_cost, expected.plane_cost, rtol=1e-10)
    # the distance is what numpy's least squares leaves over
    coords = lstsq_coords(d1, d2, thetas - snap.theta)
    residual = thetas - snap.theta - coords @ np.vstack([d1, d2])
    np.testing.assert_allclose(drawn.distance, np.linalg.norm(residual, axis=1), rtol=1e-8, atol=1e-12)
    xs, ys = surface.path_points.getData()
    np.testing.assert_allclose(np.column_stack([xs, ys]), coords, rtol=1e-9, atol=1e-12)
    # points fade with their distance off the plane
    alphas = np.array([brush.color().alpha() for brush in surface.path_points.data["brush"]])
    far, near = np.argmax(expected.relative_distance), np.argmin(expected.relative_distance)
    assert alphas[far] < alphas[near]
    # the caption gives the start's distance, true cost and the surface's cost there
    caption = surface.caption.text()
    assert f"The start: {fmt(expected.distance[0])} off the plane" in caption
    assert f"its true J = {fmt(expected.true_cost[0])}, the surface shows {fmt(expected.plane_cost[0])}" in caption


def hand_momentum(model, start, rate, steps, mu=0.9):
    """θ_k and the velocity v_k of heavy-ball momentum (v ← μv + g, θ ← θ − ηv), written out."""
    net = model.network.copy()
    net.set_parameter_vector(start)
    theta, v = np.array(start, dtype=float), np.zeros_like(start)
    previous = theta
    for _ in range(steps):
        net.set_parameter_vector(theta)
        v = mu * v + net.gradient_vector(model.X, model.y)
        previous, theta = theta, theta - rate * v
    return previous, theta, v


def drawn_vector(surface, name):
    (a0, b0), (a1, b1) = surface.arrows.drawn(name)
    return np.array([a1 - a0, b1 - b0]) / surface.arrows.scale


def test_step_and_velocity_arrows_are_the_runs_own_in_the_plotted_coordinates(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    start = model.snapshot.theta.copy()
    open_dialog(qtbot, window)
    enter(qtbot, window)                 # gradient descent, momentum and Adam, 100 steps each
    press(qtbot, window, Qt.Key_O)       # show the next run: momentum
    snap = model.snapshot
    assert snap.label.startswith("Momentum")
    settled(qtbot, surface)
    rate = model.race_entrants()[1].learning_rate
    previous, theta, v = hand_momentum(model, start, rate, 100)
    np.testing.assert_allclose(snap.theta, theta, rtol=1e-10, atol=1e-13)
    ia, ib = (snap.names.index(n) for n in model.axes)
    assert surface.arrows.drawn("step")[0] == pytest.approx(surface.point_position)
    np.testing.assert_allclose(drawn_vector(surface, "step"), (theta - previous)[[ia, ib]], rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(drawn_vector(surface, "velocity"), (-rate * v)[[ia, ib]], rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(drawn_vector(surface, "gradient"), -rate * snap.gradient[[ia, ib]], rtol=1e-12)
    assert surface.arrows.drawn("scaled") is None        # momentum scales no parameter by itself
    legend = [label.text for _sample, label in surface.arrows.legend.items]
    assert "−ηv (velocity)" in legend and "step taken" in legend and "−η∇J" in legend

    # on the principal components of momentum's path, through the race's common start
    press(qtbot, window, Qt.Key_Y, times=2)
    settled(qtbot, surface)
    assert "plane through the race's common start" in surface.caption.text()
    plane = core.pca_plane(model.snapshot.path_thetas)
    assert surface.start_marker.getData()[0][0] == pytest.approx(0.0, abs=1e-9)   # the start is the centre
    step_coords = lstsq_coords(plane.d1, plane.d2, theta - previous)[0]
    np.testing.assert_allclose(drawn_vector(surface, "step"), step_coords, rtol=1e-7, atol=1e-12)
    velocity_coords = lstsq_coords(plane.d1, plane.d2, -rate * v)[0]
    np.testing.assert_allclose(drawn_vector(surface, "velocity"), velocity_coords, rtol=1e-7, atol=1e-12)
    point = lstsq_coords(plane.d1, plane.d2, theta - start)[0]
    np.testing.assert_allclose(surface.point_position, point, rtol=1e-9, atol=1e-12)
    assert surface.point_value == pytest.approx(core.plane_surface(
        model.network, model.X, model.y, start, plane.d1, plane.d2, [point[0]], [point[1]])[0, 0], rel=1e-9)


def test_adams_per_parameter_rates_scale_the_gradient(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    start = model.snapshot.theta.copy()
    open_dialog(qtbot, window)
    enter(qtbot, window)
    press(qtbot, window, Qt.Key_O, times=2)       # Adam
    snap = model.snapshot
    assert snap.label.startswith("Adam")
    settled(qtbot, surface)
    rate = model.race_entrants()[2].learning_rate
    # Adam written out (β = 0.9, 0.999, ε = 1e-8, bias-corrected)
    net = model.network.copy()
    theta, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for t in range(1, 101):
        net.set_parameter_vector(theta)
        g = net.gradient_vector(model.X, model.y)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        rates = rate / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        theta = theta - rates * m / (1 - 0.9 ** t)
    ia, ib = (snap.names.index(n) for n in model.axes)
    np.testing.assert_allclose(drawn_vector(surface, "scaled"), (-rates * snap.gradient)[[ia, ib]], rtol=1e-8)
    assert (f"Adam's rates: η for {to_unicode(model.axes[0])} {fmt(rates[ia])}, for {to_unicode(model.axes[1])} {fmt(rates[ib])}"
            in surface.caption.text())


def test_the_mouse_over_a_path_point_gives_its_distance_and_costs(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    model.set_dataset("circle")
    press(qtbot, window, Qt.Key_S, times=20)
    press(qtbot, window, Qt.Key_Y, times=2)           # principal components
    settled(qtbot, surface)
    projection = surface.path_projection
    k = 5
    a, b = projection.coords[k]
    view = surface.plot
    scene = view.getPlotItem().getViewBox().mapViewToScene(pg.Point(float(a), float(b)))
    at = QPointF(view.mapFromScene(scene))
    # a plain mouse move (no button), as the window system delivers it; QTest's moves the cursor only
    QApplication.sendEvent(view.viewport(), QMouseEvent(QEvent.MouseMove, at, view.viewport().mapToGlobal(at),
                                                         Qt.NoButton, Qt.NoButton, Qt.NoModifier))
    qtbot.waitUntil(lambda: surface.hovered == k)
    step = int(model.snapshot.path_theta_steps[k])
    assert step == k
    assert (f"Step {k}: {fmt(projection.distance[k])} off the plane" in surface.caption.text()
            or f"Step {k}: on the plane" in surface.caption.text())
    assert f"its true J = {fmt(projection.true_cost[k])}, the surface shows {fmt(projection.plane_cost[k])}" \
        in surface.caption.text()


def test_the_arrows_legend_leaves_the_point_uncovered_and_the_arrows_stay_on_the_plot(window, qtbot):
    model, surface = window.model, window.panels()["surface"]
    settled(qtbot, surface)
    a, b = model.axes
    a_min, a_max, b_min, b_max = surface.result.extent
    model.set_parameter(a, 0.95 * a_max)       # the point in the bottom right corner, where the legend sits
    model.set_parameter(b, 0.95 * b_min)
    settled(qtbot, surface)
    a_min, a_max, b_min, b_max = surface.result.extent     # grown to a round number: the point still lies low right
    assert surface.point_position[0] > a_min + 0.7 * (a_max - a_min) and surface.point_position[1] < b_min + 0.2 * (b_max - b_min)
    legend, view = surface.arrows.legend, surface.plot.getViewBox()
    point = view.mapViewToScene(QPointF(*surface.point_position))
    assert surface.arrows.legend_corner == "left" and legend.isVisible()
    assert not legend.sceneBoundingRect().contains(point)
    drawn = [surface.arrows.drawn(name) for name in ("gradient", "step", "velocity", "scaled")]
    drawn = [arrow for arrow in drawn if arrow is not None]
    assert drawn, "the gradient's arrow at least"
    for _start, (end_a, end_b) in drawn:      # from a point near the corner: shortened if need be to fit
        assert a_min <= end_a <= a_max and b_min <= end_b <= b_max
    scale = surface.arrows.scale
    mantissa = scale / 10 ** np.floor(np.log10(scale))
    assert any(mantissa == pytest.approx(m) for m in (1.0, 2.0, 5.0))   # still a 1-2-5 scale
    model.set_parameter(a, 0.0)
    model.set_parameter(b, 0.0)
    settled(qtbot, surface)
    assert surface.arrows.legend_corner == "right"


def test_an_arrow_from_the_edge_is_shortened_to_stay_on_the_plot_but_not_below_a_quarter():
    from app.views.surface_arrows import display_scale

    extent = (-1.0, 1.0, -1.0, 1.0)
    free = display_scale({"g": (0.1, 0.0)}, extent)          # a quarter of the plot: 0.5 / 0.1
    assert free == 5.0
    assert display_scale({"g": (-0.1, 0.0)}, extent, origin=(0.9, 0.0)) == free     # pointing inwards
    assert display_scale({"g": (0.1, 0.0)}, extent, origin=(0.8, 0.0)) == 2.0       # ends at the edge
    assert display_scale({"g": (0.1, 0.0)}, extent, origin=(1.0, 0.0)) == 1.0       # no room: ≥ 5 / 4
