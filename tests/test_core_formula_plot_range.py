"""The y range of the Function lab's plot: chosen from the bulk of the values, so a pole or an
explosive tail does not flatten the picture, and always holding the point x0 and its tangent."""
import math

import numpy as np
import pytest
import sympy

from core.formula.functions import X as x
from core.formula.numeric import compile_formula
from core.formula.plot_range import bulk_y_range, tangent_segment, view_range

XS = np.linspace(-2 * math.pi, 2 * math.pi, 1601)
HALF = 0.12 * 4 * math.pi


def curves(text):
    compiled = compile_formula(text)
    return compiled, compiled.sample(XS), compiled.sample_derivative(XS)


def shown(text, x0):
    compiled, h, dh = curves(text)
    h0, slope = compiled.at(x0)
    y_range = view_range(bulk_y_range(h, dh), XS, h, x0, h0, HALF)
    return compiled, h, dh, h0, slope, y_range


def test_a_pole_does_not_set_the_scale():
    compiled, h, dh, h0, slope, (low, high) = shown("log(x) + tan(x)", 1.0)
    assert np.nanmax(np.abs(dh)) > 1e6            # the sample next to x = 0 (1/x) and tan's poles
    assert -20 < low < 0 < high < 20              # ... yet the view stays on the curves' scale
    inside = np.isfinite(h) & (h >= low) & (h <= high)
    assert inside.sum() >= 0.6 * np.isfinite(h).sum()


@pytest.mark.parametrize("text, x0", [("x^x", 1.0), ("x^x", 2.5), ("(1 + x^2)^3", 1.0), ("log(x) + tan(x)", 1.0),
                                      ("log(2 + cos(x))", 1.0), ("exp(x)", 3.0), ("tan(x)", 1.4)])
def test_the_point_and_its_tangent_are_in_view(text, x0):
    compiled, h, dh, h0, slope, (low, high) = shown(text, x0)
    margin = 0.1 * (high - low)
    assert low + margin * 0.99 <= h0 <= high - margin * 0.99
    (xa, ya), (xb, yb) = tangent_segment(x0, h0, slope, HALF, (low, high))
    for y in (ya, yb):
        assert low - 1e-9 <= y <= high + 1e-9
    assert xa < x0 < xb and (yb - ya) == pytest.approx(slope * (xb - xa))
    # visible: the curve where the tangent is drawn is not flattened to a line on the axis
    near = h[(np.abs(XS - x0) <= HALF) & np.isfinite(h)]
    assert (near.max() - near.min()) >= 0.05 * (high - low)


def test_x_to_the_x_is_not_scaled_to_its_tail():
    compiled, h, dh, h0, slope, (low, high) = shown("x^x", 1.0)
    assert np.nanmax(h) > 1e5
    assert high < 100


@pytest.mark.parametrize("text", ["relu(x)", "sigmoid(50x)", "5", "log(2 + cos(x))", "sin(x)"])
def test_tame_curves_and_steps_are_shown_whole(text):
    compiled, h, dh = curves(text)
    low, high = bulk_y_range(h, dh)
    for curve in (h, dh):
        finite = curve[np.isfinite(curve)]
        if text != "relu(x)":
            assert low <= finite.min() and finite.max() <= high
        assert low <= np.quantile(finite, 0.1) and np.quantile(finite, 0.9) <= high


def test_derivative_is_undefined_where_the_function_is():
    compiled, h, dh = curves("log(x) + tan(x)")
    assert np.isnan(dh[XS < 0]).all()        # 1/x + sec² x is a number there, h' is not
    h0, slope = compiled.at(-1.0)
    assert math.isnan(h0) and math.isnan(slope)
    assert view_range((-5.0, 5.0), XS, h, -1.0, h0, HALF) == (-5.0, 5.0)
    assert tangent_segment(-1.0, h0, slope, HALF, (-5.0, 5.0)) is None
    h0, slope = compiled.at(1.0)
    exact = float(sympy.diff(sympy.log(x) + sympy.tan(x), x).subs(x, 1.0))
    assert slope == pytest.approx(exact)


def test_a_steep_tangent_is_cut_at_the_edge_of_the_view():
    (xa, ya), (xb, yb) = tangent_segment(0.0, 0.0, 100.0, 1.0, (-2.0, 3.0))
    assert (xa, ya) == pytest.approx((-0.02, -2.0)) and (xb, yb) == pytest.approx((0.03, 3.0))
