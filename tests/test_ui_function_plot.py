"""The Function lab's plot in the shown window, driven by keys: poles and explosive tails do not set
the scale, the point x0 and its tangent stay in view, h′ is not drawn or reported where h is
undefined, the key does not cover the curves, and the chain readout is written at full size."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.test_ui_function_lab import LESSON, lab, press, type_formula  # noqa: F401 - the fixture


def show_formula(win, qtbot, text):
    type_formula(win, qtbot, text)
    qtbot.waitUntil(lambda: win.function_model.analysis.text == text, timeout=30000)
    press(qtbot, win, Qt.Key_3, Qt.ControlModifier)   # to the plot: plain arrows move x0 there
    return win.function_lab.panels["plot"]


def view_y(plot):
    return plot.plot.getPlotItem().viewRange()[1]


def test_a_pole_does_not_flatten_the_plot_and_h_prime_stops_where_h_does(lab, qtbot):
    plot = show_formula(lab, qtbot, "log(x) + tan(x)")
    xs, dh = plot.dh_curve.getData()
    assert np.nanmax(np.abs(dh)) > 1e3                 # tan's poles are there ...
    low, high = view_y(plot)
    assert -50 < low < 0 < high < 50                   # ... and do not set the scale
    assert np.isnan(dh[xs < 0]).all()                  # 1/x + sec² x is a number there, h′ is not
    for _ in range(11):                                # x0 from 1 to -0.1, out of the domain
        press(qtbot, lab, Qt.Key_Left)
    assert math.isclose(lab.function_model.x0, -0.1)
    assert "not defined at x0 = -0.100, so neither is h′(x0)" in plot.caption.text()
    assert plot.readout_latex == ""
    tangent_xs = plot.tangent.getData()[0]
    assert tangent_xs is None or len(tangent_xs) == 0
    assert "h′(x0) = undefined" in lab.function_status.text()


def test_x_to_the_x_keeps_the_point_and_tangent_in_view(lab, qtbot):
    plot = show_formula(lab, qtbot, "x^x")
    _, h = plot.h_curve.getData()
    assert np.nanmax(h) > 1e5
    low, high = view_y(plot)
    assert high < 100                                  # not 300,000
    (xa, xb), (ya, yb) = plot.tangent.getData()
    x0 = lab.function_model.x0
    assert xa < x0 < xb and low <= min(ya, yb) and max(ya, yb) <= high
    assert plot.tangent_slope == pytest.approx(x0 ** x0 * (math.log(x0) + 1))
    px, py = plot.point.getData()
    assert low < py[0] < high
    for _ in range(15):                                # to x0 = 2.5: the view follows the point
        press(qtbot, lab, Qt.Key_Right)
    low, high = view_y(plot)
    px, py = plot.point.getData()
    assert math.isclose(px[0], 2.5) and low < py[0] < high


def test_the_key_is_outside_the_plot_and_the_readout_is_full_size(lab, qtbot):
    plot = lab.function_lab.panels["plot"]
    assert plot.plot.getPlotItem().legend is None      # nothing drawn over the curves
    assert plot.key.isVisible() and not plot.key.geometry().intersects(plot.plot.geometry())
    assert "h′(x)" in plot.key.text() and "tangent" in plot.key.text()
    latex = plot.readout_latex
    assert r"\underbrace" not in latex                 # the factor names are not tiny subscripts
    assert r"\frac{dh}{du} \cdot \frac{du}{dx}" in latex
    assert r"\left({-}0.841\right)" in latex           # a negative factor in parentheses


def test_a_single_factor_is_not_written_twice(lab, qtbot):
    plot = show_formula(lab, qtbot, "sin(x) sin(x) + sin(x)")
    x0 = lab.function_model.x0
    assert plot.readout_latex.count("=") == 1
    assert plot.tangent_slope == pytest.approx(2 * math.sin(x0) * math.cos(x0) + math.cos(x0))


def test_negative_factors_of_the_chain_are_parenthesized(lab, qtbot):
    formula = lab.function_lab.formula
    assert formula.product_line.endswith(r"\frac{1}{u} \cdot \left(- \sin{\left(x \right)}\right)")
    type_formula(lab, qtbot, "exp(-x^2)")
    qtbot.waitUntil(lambda: lab.function_model.analysis.text == "exp(-x^2)", timeout=30000)
    assert formula.product_line.endswith(r"e^{u} \cdot \left(- 2 x\right)")
