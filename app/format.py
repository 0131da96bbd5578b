"""How numbers are written in the window and in rendered maths: short, signed, never misleading."""
import math

from core.exports import factor_latex  # noqa: F401 (the app's views write products with it)


def fmt(value: float, digits: int = 3) -> str:
    """`digits` significant figures; scientific notation only where fixed notation would mislead."""
    value = float(value)
    if not math.isfinite(value):
        return "∞" if value > 0 else ("-∞" if value < 0 else "NaN")
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(magnitude))))
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def latex_number(value: float, digits: int = 3) -> str:
    """`fmt` as LaTeX: 1.2e-05 becomes 1.2\\times10^{-5}; a minus is unary ({-}), not spaced like a subtraction."""
    text = fmt(value, digits).replace("∞", r"\infty")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return "{-}" + text[1:] if text.startswith("-") else text


