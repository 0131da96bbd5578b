"""How numbers and factors are written in the window and in rendered maths."""
from app.format import factor_latex, fmt, latex_number


def test_factors_are_bracketed_only_when_they_are_sums():
    assert factor_latex("a_2 - y") == r"\left(a_2 - y\right)"
    assert factor_latex(r"e^{u}") == r"e^{u}"
    assert factor_latex(r"\cos{\left(v - 1 \right)}") == r"\cos{\left(v - 1 \right)}"
    assert factor_latex("-x") == "-x"


def test_numbers_are_short_and_minus_is_unary():
    assert fmt(0.000123) == "1.23e-04" and fmt(2.0) == "2.00" and fmt(-1234.5) == "-1234"
    assert latex_number(-2.86) == "{-}2.86"
    assert latex_number(1.2e-5) == r"1.20\times 10^{-5}"
