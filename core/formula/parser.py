"""Read a formula a learner typed — ``log(2 + cos(x))``, ``2x^2 sin(x)`` — into a sympy expression.

Why our own parser: ``eval``, ``sympify`` and ``parse_expr`` run Python code hidden in the text
(``__import__('os').system(...)``), and even harmless-looking text such as ``9**9**9**9`` makes
sympy compute a number with more digits than the machine has memory. So the text is never handed
to Python or to sympy: a small tokenizer and a recursive-descent parser check it against a
whitelist, and `Builder` constructs the sympy objects directly, checking bounds *before* sympy
evaluates anything large.

Grammar (the variable is x; names are lower-case)::

    formula  := sum
    sum      := product (('+' | '-') product)*
    product  := signed (('*' | '/') signed | implicit)*
    implicit := power                  -- juxtaposition, see below
    signed   := ('+' | '-')* power
    power    := primary (('^' | '**') ('+' | '-')* primary)*     -- right-associative
    primary  := number | 'x' | 'pi' | 'e' | function '(' sum ')' | '(' sum ')'

Decisions, with the reason for each:

* ``^`` and ``**`` are the same operator and right-associative: ``x^2^3`` = x^(2^3) = x^8.
  A power binds tighter than a sign: ``-x^2`` = -(x^2), ``2^-1`` = 1/2, ``e^-x^2`` = exp(-(x^2)).
* Implicit multiplication is juxtaposition of a complete factor with a following name or '(':
  ``2x``, ``2pi``, ``3 sin(x)``, ``2(x+1)``, ``x(x+1)``, ``(x+1)(x-1)``, ``x sin(x)``, ``2x^2``
  (= 2*(x^2), the power binds first), ``sin(x)cos(x)``. It has the precedence of ``*``.
  Refused because they are ambiguous: a *number* after a factor (``x 2``, ``2 3``: is that 23, 2*3
  or x^2?), and juxtaposition right after a divisor (``1/2x``, ``x/2 sin(x)``: (1/2)x or 1/(2x)?)
  — the message shows both readings; ``(1/2)x`` and ``x/(2x)`` are fine. Letters written together
  are one name: ``xsin(x)`` is refused with "did you mean x sin(x)?" rather than guessed.
* Functions need parentheses: ``sin(x)``, not ``sin x`` (``sin x^2`` and ``sin 2x`` have no
  reading everybody agrees on). ``sin^2(x)`` is refused with a hint to write ``sin(x)^2``
  (``sin^-1`` would conventionally mean asin). Each function takes exactly one argument.
* Numbers: ``2``, ``0.5``, ``.5``, ``5.``, ``1e-3``, ``2.5E3`` — and every decimal becomes an exact
  rational (0.5 -> 1/2), so ``x^0.5`` is sqrt(x) and derivatives print as fractions, not floats.
  ``2e`` is 2 times e; ``2e3`` is 2000 (scientific notation wins when digits follow the e).
* Constants ``pi`` (also ``π``) and ``e``. ``log`` and ``ln`` are both the natural logarithm;
  ``arcsin``/``arccos``/``arctan`` are accepted for asin/acos/atan.
* Unicode: harmless maths characters are accepted — '−' and '–' as minus, '×' '·' '⋅' '∗' as times,
  '÷' as divide, 'π' as pi, and any space separator (no-break space, thin space, line separator …)
  as a space; tab and newline are spaces too. Everything else is refused *with its position*:
  control characters, invisible formatting characters (zero-width space, direction marks, BOM),
  combining marks, full-width and styled letters or digits ("type the plain '1'"), superscripts
  ("write x^2"), other letters and symbols. Positions count code points (Python indices); a Qt
  widget counts UTF-16 units, which differ only after a character beyond U+FFFF — and the first
  such character is always refused, at the right place.
* The result is built with sympy's normal evaluation (after the bound checks), so it is a canonical
  sympy expression: ``2(x+1)`` gives 2*x + 2, ``e^x`` gives exp(x), ``x/x`` gives 1. It is also
  *settled* (see `Builder._settle`), so format_formula's text parses back to the identical tree.
* Constant parts must be real, finite numbers: ``1/0``, ``log(0)``, ``tan(pi/2)``, ``0^x``
  (undefined) and ``sqrt(-1)``, ``log(-2)``, ``asin(2)``, ``(-8)^(1/3)`` (not real — sympy takes
  the principal, complex root) are refused with the part marked. The Function lab plots real
  functions; expressions that are only undefined for some x (``log(x)``, ``sqrt(-x)``) are fine.

Bounds (module constants below) keep every input cheap: the text length, the number of parts, the
nesting depth, the size of numbers and the size of exponents, including exponents that grow when
powers combine (``((9**9)**9999)**9999``, ``(x^100)^100`` = x^10000, ``x^600 x^600``). Constant
parts are measured with mpmath (never with sympy's evalf, whose cost grows exponentially with the
depth of nested constants), so ``exp(exp(exp(1000)))`` is refused at ``exp(1000)`` in microseconds.
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from math import log10

import mpmath
import sympy

from ..symbolic import _mpmath_relu, _mpmath_softplus, relu, sigmoid, softplus
from .functions import ALIASES, CONSTANTS, FUNCTIONS, VARIABLE_NAME, X
from .term_order import TermOrder

__all__ = [
    "parse_formula", "parse_with_order", "check_syntax", "FormulaError", "Builder",
    "MAX_LENGTH", "MAX_NODES", "MAX_DEPTH", "MAX_DIGITS", "MAX_EXPONENT",
]

# ---------------------------------------------------------------------------------------------
# Bounds
# ---------------------------------------------------------------------------------------------

#: Longest accepted text, in characters. Checked first, so 100 kB of text costs nothing.
MAX_LENGTH = 500
#: Most parts (numbers, names, operators, function calls, implicit multiplications) in a formula.
#: Keeps the sympy tree, its derivative and its computation graph small enough to show.
MAX_NODES = 200
#: Deepest nesting of parentheses, function calls and exponents (``x^x^x`` nests 2 deep). The
#: parser recurses once per level, so this also keeps it far from Python's recursion limit.
MAX_DEPTH = 40
#: Numbers: an exact rational's numerator and denominator have at most this many digits, and any
#: other constant part (exp(700), pi^600 …) is between 10^-MAX_DIGITS and 10^MAX_DIGITS in size
#: (or 0) — about the range of floats (1.8e308), beyond which nothing can be plotted. The bound is
#: symmetric so that 1/c is within it whenever c is (printed formulas move factors below a '/').
#: It is also what keeps sympy from ever being asked for a number with millions of digits.
MAX_DIGITS = 300
#: Largest magnitude of a constant exponent, after powers combine: x^1000 and x^-1000 are fine
#: (their derivatives are quick), x^1001, x^(10^6) and (x^100)^100 are refused. An exponent that
#: contains x (2^x, x^x) is not bounded by this.
MAX_EXPONENT = 1000

_EXAMPLE = "log(2 + cos(x))"
_SNIPPET = 40  # longest piece of the formula quoted in a message
_NAME_SHOWN = 24  # longest unknown name echoed whole in a message (a longer one is shortened)


def _clip(text: str, limit: int = _NAME_SHOWN) -> str:
    """``text`` as quoted in a message: at most ``limit`` characters, the rest as '…', so a
    pasted run of 400 letters does not become a 400-letter message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# The error
# ---------------------------------------------------------------------------------------------

class FormulaError(ValueError):
    """A formula that cannot be read, with a message for the learner and where the problem is.

    ``message`` says what is wrong and what would work. ``position`` is the 0-based index in the
    text where the problem starts (None when it is not one place, e.g. an empty formula) and
    ``end`` the index just after it, so a UI can underline ``text[position:end]``. Indices count
    Python characters (code points). ``reason`` is the message without the quoted part of the text
    (what `Builder` says when it has no text to quote). ``str(err) == err.message``; errors pickle
    with all their attributes (they cross process boundaries in the symbolic worker).
    """

    def __init__(self, message: str, position: int | None = None, end: int | None = None,
                 reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        if end is None and position is not None:
            end = position + 1
        self.end = end
        self.reason = reason if reason is not None else message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (type(self), (self.message, self.position, self.end, self.reason))

    def __repr__(self) -> str:
        return f"FormulaError({self.message!r}, position={self.position!r}, end={self.end!r})"


# ---------------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: str            # "num", "name", "op", "bad", "end"
    text: str            # as typed
    start: int
    end: int
    value: object = None  # num: sympy.Rational; name: canonical name; op: canonical op; bad: message


_OPS = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "^", "(": "(", ")": ")",
        "\u2212": "-", "\u2013": "-",                            # minus sign, en dash
        "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2217": "*",  # × · ⋅ ∗
        "\u00f7": "/"}                                          # ÷
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"
_ASCII_MESSAGES = {
    ",": "',' isn't used in formulas: each function takes one argument, and decimals are written "
         "with a point (0.5)",
    "=": "no '=' needed — type only the expression, e.g. x^2 + 1 rather than y = x^2 + 1",
    "[": "use round parentheses ( ) for grouping", "]": "use round parentheses ( ) for grouping",
    "{": "use round parentheses ( ) for grouping", "}": "use round parentheses ( ) for grouping",
    "|": "write abs(x) for |x|",
    "!": "factorials aren't supported",
    "'": "quotes aren't part of a formula", '"': "quotes aren't part of a formula",
    "`": "quotes aren't part of a formula",
    ".": "a lone '.' — write decimals with a digit after the point, e.g. 0.5 or .5",
}


def _describe_char(ch: str) -> str:
    """How to name a character in a message without echoing invisible or control characters."""
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}"
    return f"{code} {name}" if name else code


def _bad_char_message(ch: str) -> str:
    """Why a character cannot appear in a formula, and what to type instead."""
    if ch in _ASCII_MESSAGES:
        return _ASCII_MESSAGES[ch]
    category = unicodedata.category(ch)
    if category == "Cc":
        return f"control character {_describe_char(ch)} can't be part of a formula — delete it"
    if category == "Cf":
        return f"invisible formatting character {_describe_char(ch)} — delete it"
    if category in ("Mn", "Mc", "Me"):
        return f"combining mark {_describe_char(ch)} — delete it"
    if category in ("Cs", "Co", "Cn"):
        return f"character {_describe_char(ch)} can't be part of a formula — delete it"
    if ch in _SUPERSCRIPTS:
        return f"superscript '{ch}' can't be typed here — write powers with ^, e.g. x^2"
    plain = unicodedata.normalize("NFKC", ch)
    if plain != ch and plain.isascii() and plain.isprintable():
        return f"'{ch}' is a full-width or styled character — type the plain '{plain}'"
    if category.startswith("L"):
        return f"'{ch}' can't be used in a formula — names use plain letters a-z; the variable is x"
    if ch.isascii():
        return f"'{ch}' isn't part of the formula language — use + - * / ^ and parentheses"
    if ch.isprintable():
        return f"'{ch}' ({_describe_char(ch)}) can't be part of a formula"
    return f"{_describe_char(ch)} can't be part of a formula — delete it"


def _number_value(text: str, match: re.Match) -> sympy.Rational | str:
    """The exact value of a number literal, or a message if it is too large or too precise.

    Digits are counted *before* any power of ten is computed, so ``1e999999999`` costs nothing.
    """
    int_digits, frac_digits = match.group("int") or "", match.group("frac") or ""
    exp_text = match.group("exp")
    mantissa = (int_digits + frac_digits).lstrip("0") or "0"
    if exp_text is not None and len(exp_text.lstrip("+-").lstrip("0")) > 6:
        return f"the number {text} is too large — numbers are limited to {MAX_DIGITS} digits"
    shift = (int(exp_text) if exp_text is not None else 0) - len(frac_digits)
    if mantissa == "0":
        return sympy.S.Zero
    numerator_digits = len(mantissa) + max(shift, 0)
    denominator_digits = max(-shift, 0) + 1
    if numerator_digits > MAX_DIGITS or denominator_digits > MAX_DIGITS:
        return f"the number {text} has too many digits — numbers are limited to {MAX_DIGITS} digits"
    if shift >= 0:
        return sympy.Integer(int(mantissa) * 10 ** shift)
    return sympy.Rational(int(mantissa), 10 ** -shift)


def _tokenize(text: str) -> list[_Token]:
    """Split ``text`` into tokens. Stops at the first character that cannot be part of a formula,
    which becomes a "bad" token carrying its message (the parser raises when it reaches it, so
    the learner hears about problems from left to right)."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n\r" or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
            i += 1
            continue
        if ch.isascii() and (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isascii()
                                               and text[i + 1].isdigit())):
            match = _NUMBER.match(text, i)
            literal = match.group(0)
            value = _number_value(literal, match)
            if isinstance(value, str):
                tokens.append(_Token("bad", literal, i, match.end(), value))
                break
            tokens.append(_Token("num", literal, i, match.end(), value))
            i = match.end()
            continue
        if _NAME_START.match(ch):
            match = _NAME.match(text, i)
            tokens.append(_Token("name", match.group(0), i, match.end(), match.group(0)))
            i = match.end()
            continue
        if ch == "\u03c0":  # π
            tokens.append(_Token("name", ch, i, i + 1, "pi"))
            i += 1
            continue
        if ch == "*" and text.startswith("**", i):
            tokens.append(_Token("op", "**", i, i + 2, "^"))
            i += 2
            continue
        if ch in _OPS:
            tokens.append(_Token("op", ch, i, i + 1, _OPS[ch]))
            i += 1
            continue
        tokens.append(_Token("bad", ch, i, i + 1, _bad_char_message(ch)))
        break
    end = tokens[-1].end if tokens and tokens[-1].kind == "bad" else n
    tokens.append(_Token("end", "", end, end))
    return tokens


# ---------------------------------------------------------------------------------------------
# Syntax tree and parser
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Node:
    """One piece of the syntax tree, with the span of text it came from (for messages)."""
    kind: str              # "num", "name", "call", "neg", "sum", "product", "power"
    start: int
    end: int
    value: object = None   # num: Rational; name: "x" | "pi" | "e"; call: function name
    children: tuple = ()   # sum: ((sign, node), ...); product: ((op, node), ...); others: nodes


_UNKNOWN_WORDS = tuple(FUNCTIONS) + tuple(ALIASES) + (VARIABLE_NAME,) + tuple(CONSTANTS)


_INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan"}  # sin^-1 means asin in textbooks


def _is_function(name: str) -> bool:
    return name in FUNCTIONS or name in ALIASES


_SPLIT_LIMIT = 24  # longest name worth reading as several names typed together


def _split_suggestion(name: str) -> str | None:
    """Read a run of letters as several names typed together: "sinx" -> "sin(x)",
    "xsinx" -> "x sin(x)", "sin2x" -> "sin(2x)", "ex" -> "e x". None if it is not such a run."""
    if len(name) > _SPLIT_LIMIT:
        return None
    words = sorted(_UNKNOWN_WORDS, key=len, reverse=True)

    @functools.lru_cache(maxsize=None)
    def split(rest: str) -> tuple[str, ...] | None:
        if not rest:
            return ()
        digits = re.match(r"[0-9]+", rest)
        if digits:
            after = split(rest[digits.end():])
            if after and not after[0].isdigit() and not _is_function(after[0]):
                return (digits.group(0),) + after
            return None
        for word in words:
            if rest.startswith(word):
                after = split(rest[len(word):])
                if after is not None:
                    return (word,) + after
        return None

    parts = split(name.lower())
    if not parts or len(parts) < 2 or _is_function(parts[-1]):
        return None

    def render(items: list[str]) -> tuple[str, list[str]]:
        """One factor from the front of ``items`` (a function swallows the next factor)."""
        head, rest = items[0], items[1:]
        if _is_function(head):
            inner, rest = render(rest)
            return f"{head}({inner})", rest
        if head.isdigit():
            inner, rest = render(rest)
            return head + inner, rest
        return head, rest

    factors, rest = [], list(parts)
    while rest:
        factor, rest = render(rest)
        factors.append(factor)
    return " ".join(factors)


def _unknown_name_message(name: str, called: bool) -> str:
    """What to say about a name that is not x, a constant or a function."""
    lower = name.lower()
    shown = _clip(name)
    if called:
        if lower != name and (_is_function(lower)):
            return f"unknown function '{shown}' — did you mean {lower}? (names are lower-case)"
        close = difflib.get_close_matches(lower, tuple(FUNCTIONS) + tuple(ALIASES), n=2)
        if close:
            return f"unknown function '{shown}' — did you mean {' or '.join(close)}?"
        return (f"unknown function '{shown}' — the functions are "
                f"{', '.join(f for f in FUNCTIONS if f != 'ln')} and ln")
    if lower != name and (lower in CONSTANTS or lower == VARIABLE_NAME):
        return f"unknown name '{shown}' — did you mean {lower}? (names are lower-case)"
    power = re.fullmatch(r"(x|e|pi)([0-9]+)", lower)
    if power:
        base, digits = power.groups()
        return (f"unknown name '{shown}' — write {base}^{digits} for a power, or {digits}{base} "
                f"for a product")
    split = _split_suggestion(name)
    if split is not None:
        return f"unknown name '{shown}' — did you mean {split}? Put a space or * between names"
    close = difflib.get_close_matches(lower, _UNKNOWN_WORDS, n=2)
    if close and len(lower) > 1:
        return f"unknown name '{shown}' — did you mean {' or '.join(close)}?"
    return f"unknown name '{shown}' — the variable is x (the constants are pi and e)"


class _Parser:
    """Recursive descent over the token list, producing `_Node`s. Pure syntax: no sympy here."""

    def __init__(self, text: str, tokens: list[_Token], names: frozenset = frozenset()):
        self.text = text
        self.tokens = tokens
        self.names = names   # extra variable names (a lesson's live quantities), besides x
        self.i = 0
        self.nodes = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------------------
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def previous(self) -> _Token | None:
        return self.tokens[self.i - 1] if self.i > 0 else None

    def is_op(self, token: _Token, *ops: str) -> bool:
        return token.kind == "op" and token.value in ops

    def fail(self, message: str, start: int | None, end: int | None = None):
        raise FormulaError(message, start, end)

    def count(self, token: _Token) -> None:
        """One more part; refuses formulas with more than MAX_NODES of them."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(f"the formula has too many parts — at most {MAX_NODES} numbers, names and "
                      f"operators", token.start, token.end)

    def enter(self, token: _Token) -> None:
        """One level deeper (a parenthesis, a function call or an exponent)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the formula is nested too deeply — at most {MAX_DEPTH} levels of "
                      f"parentheses, functions and exponents", token.start, token.end)

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar ---------------------------------------------------------------------------------
    def parse(self) -> _Node:
        if self.peek().kind == "end":
            self.fail(f"empty formula — try {_EXAMPLE}", None)
        node = self.sum()
        token = self.peek()
        if token.kind == "bad":
            self.fail(token.value, token.start, token.end)
        if self.is_op(token, ")"):
            self.fail("unexpected ')' — there is no '(' for it to close", token.start, token.end)
        if token.kind != "end":  # pragma: no cover - every other token is consumed or refused
            self.fail(f"unexpected '{token.text}'", token.start, token.end)
        return node

    def sum(self) -> _Node:
        first = self.product()
        terms = [(1, first)]
        while self.is_op(self.peek(), "+", "-"):
            op = self.take()
            self.count(op)
            terms.append((-1 if op.value == "-" else 1, self.product()))
        if len(terms) == 1:
            return first
        return _Node("sum", first.start, terms[-1][1].end, children=tuple(terms))

    def product(self) -> _Node:
        first = self.signed()
        factors = [("*", first)]
        division = None  # the '/' token before the last factor, for the ambiguity check
        while True:
            token = self.peek()
            if self.is_op(token, "*", "/"):
                self.take()
                self.count(token)
                factors.append((token.value, self.signed()))
                division = token if token.value == "/" else None
            elif token.kind == "name" or self.is_op(token, "("):
                self.count(token)
                factor = self.power()
                if division is not None:
                    self.ambiguous(first.start, division, factors[-1][1], factor)
                factors.append(("*", factor))
            elif token.kind == "num":
                self.number_after_factor(token)
            elif token.kind == "bad":
                self.fail(token.value, token.start, token.end)
            else:
                break
        if len(factors) == 1:
            return first
        return _Node("product", first.start, factors[-1][1].end, children=tuple(factors))

    def ambiguous(self, start: int, division: _Token, divisor: _Node, factor: _Node):
        """Refuse ``a/b c``: is it (a/b)*c or a/(b*c)? Show both readings."""
        text = self.text
        a = _clip(text[start:division.start].strip(), _SNIPPET)
        b = _clip(text[divisor.start:divisor.end], _SNIPPET)
        c = _clip(text[factor.start:factor.end], _SNIPPET)
        self.fail(f"'{_clip(text[start:factor.end].strip(), _SNIPPET)}' is ambiguous — write ({a}/{b})*{c} or "
                  f"{a}/({b}*{c})", factor.start, factor.end)

    def number_after_factor(self, token: _Token):
        """A number right after a factor (``x 2``, ``2 3``, ``(x+1)2``) has no agreed reading."""
        before = self.previous()
        if before.kind == "num":
            self.fail(f"two numbers in a row — write {before.text}*{token.text}, or join them "
                      f"without a space", token.start, token.end)
        shown, number = _clip(before.text), _clip(token.text)
        if before.kind == "name":
            self.fail(f"a number can't follow '{shown}' directly — write {number}{shown} or "
                      f"{shown}*{number} for a product, {shown}^{number} for a power",
                      token.start, token.end)
        self.fail(f"a number can't follow '{shown}' directly — put * (or ^) before {number}",
                  token.start, token.end)

    def signed(self) -> _Node:
        negative, start = False, self.peek().start
        while self.is_op(self.peek(), "+", "-"):
            sign = self.take()
            self.count(sign)
            negative ^= sign.value == "-"
        operand = self.power()
        return _Node("neg", start, operand.end, children=(operand,)) if negative else operand

    def power(self) -> _Node:
        """``a ^ b ^ -c`` folded from the right (a^(b^(-c))), with a loop rather than recursion
        for the chain; each exponent counts as one level of nesting."""
        base = self.primary()
        exponents = []  # (sign position or None, operand) for each '^'
        while self.is_op(self.peek(), "^"):
            op = self.take()
            self.count(op)
            self.enter(op)
            negative, start = False, self.peek().start
            while self.is_op(self.peek(), "+", "-"):
                sign = self.take()
                self.count(sign)
                negative ^= sign.value == "-"
            exponents.append((start if negative else None, self.primary()))
        for _ in exponents:
            self.leave()
        if not exponents:
            return base
        bases = [base] + [operand for _sign, operand in exponents[:-1]]
        sign, result = exponents[-1]
        for index in range(len(exponents) - 1, -1, -1):
            if sign is not None:   # the sign applies to the whole power above it: 2^-x^2
                result = _Node("neg", sign, result.end, children=(result,))
            result = _Node("power", bases[index].start, result.end, children=(bases[index], result))
            sign = exponents[index - 1][0] if index > 0 else None
        return result

    def primary(self) -> _Node:
        token = self.peek()
        if token.kind == "num":
            self.take()
            self.count(token)
            return _Node("num", token.start, token.end, token.value)
        if token.kind == "name":
            return self.name()
        if self.is_op(token, "("):
            return self.group()
        self.missing_operand(token)

    def name(self) -> _Node:
        token = self.take()
        self.count(token)
        name = token.value
        if name in self.names or name == VARIABLE_NAME or name in CONSTANTS:
            return _Node("name", token.start, token.end, name)
        if _is_function(name):
            return self.call(token, ALIASES.get(name, name))
        following = self.peek()
        if following.kind == "bad" and following.start == token.end \
                and not following.text.isascii():
            # "si\u200dn", "caf\u00e9": the odd character inside the word is the real problem
            self.fail(following.value, following.start, following.end)
        called = self.is_op(following, "(")
        if self.names and not called:
            close = difflib.get_close_matches(name, sorted(self.names), n=2)
            hint = f"did you mean {' or '.join(close)}?" if close else f"the names are {', '.join(sorted(self.names))}"
            self.fail(f"unknown name '{_clip(name)}' — {hint}", token.start, token.end)
        self.fail(_unknown_name_message(name, called), token.start, token.end)

    def call(self, name_token: _Token, function: str) -> _Node:
        name = name_token.text
        token = self.peek()
        if self.is_op(token, "^"):
            inverse = _INVERSES.get(function)
            hint = f" (the inverse function is {inverse}(x))" if inverse else ""
            self.fail(f"write {name}(x)^2 for the square of {name}(x) — powers go after the "
                      f"parentheses{hint}", name_token.start, token.end)
        if not self.is_op(token, "("):
            self.fail(f"{name} needs its argument in parentheses, e.g. {name}(x)",
                      name_token.start, name_token.end)
        open_paren = self.take()
        self.enter(open_paren)
        if self.is_op(self.peek(), ")"):
            close = self.peek()
            self.fail(f"{name}() is missing its argument — e.g. {name}(x)",
                      name_token.start, close.end)
        argument = self.sum()
        close = self.close(open_paren)
        self.leave()
        return _Node("call", name_token.start, close.end, function, (argument,))

    def group(self) -> _Node:
        open_paren = self.take()
        self.enter(open_paren)
        if self.is_op(self.peek(), ")"):
            close = self.peek()
            self.fail("empty parentheses — put an expression inside, e.g. (x + 1)",
                      open_paren.start, close.end)
        inner = self.sum()
        close = self.close(open_paren)
        self.leave()
        return replace(inner, start=open_paren.start, end=close.end)

    def close(self, open_paren: _Token) -> _Token:
        token = self.peek()
        if self.is_op(token, ")"):
            return self.take()
        if token.kind == "bad":
            self.fail(token.value, token.start, token.end)
        self.fail(f"missing ')' to close the '(' at position {open_paren.start}",
                  open_paren.start, open_paren.end)

    def missing_operand(self, token: _Token):
        """Explain why ``token`` cannot start an operand: the formula ended, two operators in a
        row, an operator at the start, or an unexpected ')'."""
        before = self.previous()
        after = f"'{before.text}'" if before is not None else None
        if token.kind == "bad":
            self.fail(token.value, token.start, token.end)
        if token.kind == "end":
            closing = ", and a ')' to close it" if before.value == "(" else ""
            self.fail(f"the formula ends after {after}: something must follow{closing}",
                      before.start, before.end)
        if self.is_op(token, ")"):
            if before is not None and self.is_op(before, "+", "-", "*", "/", "^"):
                self.fail(f"')' can't follow {after}: something must come between",
                          token.start, token.end)
            self.fail("unexpected ')' — there is no '(' for it to close", token.start, token.end)
        if before is None:
            self.fail(f"a formula can't start with '{token.text}'", token.start, token.end)
        self.fail(f"'{token.text}' can't follow {after} — two operators in a row; put a number, "
                  f"x or a parenthesis between them", token.start, token.end)


# ---------------------------------------------------------------------------------------------
# Building sympy objects, with the bounds checked
# ---------------------------------------------------------------------------------------------

_UNDEFINED = (sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity)
_LOG10_2 = log10(2)


def _digits(n: int) -> int:
    """Decimal digits of ``n``, from its bit length and one comparison: no conversion to text
    (Python refuses str() of ints beyond 4300 digits, and it would be slow)."""
    n = abs(n)
    estimate = int(n.bit_length() * _LOG10_2) + 1
    if estimate > 1 and n < 10 ** (estimate - 1):
        estimate -= 1
    return estimate


def _rational_digits(q: sympy.Rational) -> int:
    return max(_digits(q.p), _digits(q.q))


def _power_digits(q: sympy.Rational, size) -> float:
    """About how many digits the numerator or denominator of q^±size has (math.log10 is exact
    enough and accepts integers of any size)."""
    largest = max(abs(q.p), q.q)
    return log10(largest) * float(size) + 1 if largest > 1 else 1.0


# Constant parts are measured with mpmath, bottom-up and remembered per sub-expression, at a fixed
# working precision: enough for a size and a sign, and linear in the size of the formula. (sympy's
# evalf re-evaluates nested parts at rising precision, and sigmoid's evalf rewrites its whole
# argument to exponentials: both are exponential in the depth of a constant such as
# sigmoid(sigmoid(...(1))).)
_WORKING_PRECISION = 80   # bits
_HUGE_ARGUMENT = 4096     # log2 |a|: a function of something this large is not evaluated
                          # (checked constants stay below 2^997; only sympy's own combinations
                          # of them could reach this, and they are refused as too large)


class _NotANumber(Exception):
    """A constant part that cannot be measured; ``args[0]`` is the reason (a FormulaError reason)."""


_MP_FUNCTIONS = {
    sympy.sin: mpmath.sin, sympy.cos: mpmath.cos, sympy.tan: mpmath.tan,
    sympy.sec: mpmath.sec, sympy.csc: mpmath.csc, sympy.cot: mpmath.cot,
    sympy.asin: mpmath.asin, sympy.acos: mpmath.acos, sympy.atan: mpmath.atan,
    sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh, sympy.tanh: mpmath.tanh,
    sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.Abs: abs,
    sigmoid: lambda a: 1 / (1 + mpmath.exp(-a)), relu: _mpmath_relu, softplus: _mpmath_softplus,
}


def _mp_value(node: sympy.Expr, memo: dict):
    """The value of a constant sub-expression as an mpmath number (mpf or mpc)."""
    value = memo.get(node)
    if value is not None:
        return value
    if node.is_Rational:
        value = mpmath.mpf(node.p) / node.q
    elif node.is_Float:
        value = mpmath.mpf(node._mpf_)
    elif node.is_NumberSymbol:           # pi, E
        value = mpmath.mpf(node._as_mpf_val(_WORKING_PRECISION))
    elif node is sympy.S.ImaginaryUnit:
        value = mpmath.mpc(0, 1)
    elif node.is_Add:
        value = mpmath.fsum(_mp_value(arg, memo) for arg in node.args)
    elif node.is_Mul:
        value = mpmath.fprod(_mp_value(arg, memo) for arg in node.args)
    elif node.is_Pow:
        base, exponent = (_mp_value(arg, memo) for arg in node.args)
        if exponent != 0 and mpmath.mag(exponent) + max(mpmath.mag(base), 1) > _HUGE_ARGUMENT:
            raise _NotANumber("is too large — numbers are limited to 10^%d" % MAX_DIGITS)
        value = mpmath.power(base, exponent)
    elif type(node) in _MP_FUNCTIONS:
        argument = _mp_value(node.args[0], memo)
        if argument != 0 and mpmath.mag(argument) > _HUGE_ARGUMENT:
            raise _NotANumber("is too large — numbers are limited to 10^%d" % MAX_DIGITS)
        value = _MP_FUNCTIONS[type(node)](argument)
    else:
        raise _NotANumber(f"becomes {type(node).__name__}(...), which formulas here don't support")
    memo[node] = value
    return value


def _measure(node: sympy.Expr, memo: dict) -> tuple[float, bool]:
    """(log10 |node|, whether node is real) for a constant sub-expression; raises _NotANumber."""
    try:
        with mpmath.workprec(_WORKING_PRECISION):
            value = _mp_value(node, memo)
            if not mpmath.isfinite(value):
                raise _NotANumber("is undefined — it divides by zero or is infinite")
            if value == 0:
                return float("-inf"), True
            magnitude = float(mpmath.log10(abs(value)))
            re_part, im_part = mpmath.re(value), mpmath.im(value)
    except ZeroDivisionError:
        raise _NotANumber("is undefined — it divides by zero or is infinite") from None
    real = im_part == 0 or (re_part != 0 and mpmath.mag(im_part) < mpmath.mag(re_part) - 40)
    return magnitude, real


_ALLOWED_FUNCTIONS = frozenset(f for f in FUNCTIONS.values() if isinstance(f, type))
_SETTLE_ROUNDS = 4


def _rebuilt(node: sympy.Expr) -> sympy.Expr:
    """``node`` built again from its own arguments until that changes nothing (at most a few
    rounds)."""
    for _ in range(_SETTLE_ROUNDS):
        again = node.func(*node.args)
        if again == node:
            return node
        node = again
    return node


def _short(expr: sympy.Expr) -> str:
    """A sub-expression as formula text for a message (sympy's own text if it has no formula)."""
    from .printer import format_formula  # the printer needs nothing from here; import on demand
    try:
        text = format_formula(expr)
    except (TypeError, ValueError):
        text = str(expr)
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


class Builder:
    """The sympy constructors the parser uses, each checking the bounds before sympy evaluates.

    Every method returns a canonical sympy expression or raises `FormulaError` (with ``position``
    None and a ``reason`` the parser quotes after the offending piece of text). The checks:

    * before a power is built: its constant exponent is at most MAX_EXPONENT in size, the numeric
      coefficient it would raise stays within MAX_DIGITS digits, and exponents it combines with
      (``(x^a)^b`` = x^(ab), ``(2x^3)^7`` = 128x^21) stay within MAX_EXPONENT — this is what stops
      ``9**9**9**9`` and ``((9**9)**9999)**9999`` before sympy multiplies anything out;
    * after any construction, on every sub-expression not seen before (sympy's evaluation creates
      new ones: x/exp(-700) holds exp(700)): nothing undefined (zoo, nan, ±oo), no function
      outside the whitelist (0**(x**x) becomes 0**re(x**x)), every rational within MAX_DIGITS
      digits, every constant exponent within MAX_EXPONENT, and every constant part real and
      between 10^-MAX_DIGITS and 10^MAX_DIGITS in size (or 0), measured with mpmath.

    Results are settled (see `_settle`). One Builder remembers what it has checked, so building a
    whole formula costs time roughly proportional to its size. The hypothesis strategies in
    tests/formula_strategies.py build random expressions with these same methods.
    """

    def __init__(self):
        self._checked: set = set()  # sub-expressions that passed `_scan`
        self._settled: dict = {}    # sub-expression -> its settled form (see `_settle`)
        self._values: dict = {}     # constant sub-expression -> its mpmath value

    def _measure_constant(self, constant: sympy.Expr) -> tuple[float, bool]:
        try:
            return _measure(constant, self._values)
        except _NotANumber as problem:
            raise FormulaError(problem.args[0]) from None

    # -- leaves ----------------------------------------------------------------------------------
    def number(self, numerator: int, denominator: int = 1) -> sympy.Expr:
        if max(_digits(numerator), _digits(denominator)) > MAX_DIGITS:
            raise FormulaError(f"has too many digits — numbers are limited to {MAX_DIGITS} digits")
        if denominator == 0:
            raise FormulaError("divides by zero")
        return self._finish(sympy.Rational(numerator, denominator))

    def variable(self) -> sympy.Expr:
        return X

    def constant(self, name: str) -> sympy.Expr:
        return CONSTANTS[name]

    # -- operations ------------------------------------------------------------------------------
    def negate(self, operand: sympy.Expr) -> sympy.Expr:
        return self._finish(sympy.Mul(sympy.S.NegativeOne, operand))

    def add(self, *terms: sympy.Expr) -> sympy.Expr:
        return self._finish(sympy.Add(*terms))

    def subtract(self, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        return self.add(a, self.negate(b))

    def multiply(self, *factors: sympy.Expr) -> sympy.Expr:
        return self._finish(sympy.Mul(*factors))

    def reciprocal(self, operand: sympy.Expr) -> sympy.Expr:
        """1/operand (a divisor in a product)."""
        if operand == 0:
            raise FormulaError("divides by zero")
        return self.power(operand, sympy.S.NegativeOne)

    def divide(self, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        return self.multiply(a, self.reciprocal(b))

    def power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if base == 0:
            if exponent.free_symbols:
                raise FormulaError("is 0 where the exponent is positive and undefined elsewhere "
                                   "— write 0 instead")
            if exponent.is_extended_negative:
                raise FormulaError("divides by zero (0 to a negative power)")
        self._check_power(base, exponent)
        return self._finish(sympy.Pow(base, exponent))

    def call(self, name: str, argument: sympy.Expr) -> sympy.Expr:
        """``name(argument)`` for a whitelisted function name (aliases accepted)."""
        name = ALIASES.get(name, name)
        if name == "sqrt":
            return self.power(argument, sympy.S.Half)
        if name not in FUNCTIONS:
            raise FormulaError(f"uses the unknown function '{name}'")
        if FUNCTIONS[name] is sympy.log and argument == 0:
            raise FormulaError("is undefined: log(0) is minus infinity")
        return self._finish(FUNCTIONS[name](argument))

    # -- checks ----------------------------------------------------------------------------------
    def _check_power(self, base: sympy.Expr, exponent: sympy.Expr) -> None:
        """Refuse a power sympy would evaluate into something huge, before it is built."""
        if exponent.is_Rational:
            size = abs(exponent)
        elif exponent.free_symbols:
            return  # 2^x, x^x: nothing is evaluated
        else:
            size = 10.0 ** min(self._measure_constant(exponent)[0], 300.0)
        if size > MAX_EXPONENT:
            raise FormulaError(f"has an exponent of about {_shown(size)} — exponents are "
                               f"limited to ±{MAX_EXPONENT}")
        if not exponent.is_Rational:
            return
        for factor in sympy.Mul.make_args(base):
            if factor.is_Rational and factor != 0 and _power_digits(factor, size) > MAX_DIGITS + 1:
                raise FormulaError(f"would be a number of about {_shown(_power_digits(factor, size))}"
                                   f" digits — numbers are limited to {MAX_DIGITS} digits")
            if factor.is_Pow and factor.exp.is_Rational and abs(factor.exp * exponent) > MAX_EXPONENT:
                raise FormulaError(f"combines into the exponent {factor.exp * exponent} — "
                                   f"exponents are limited to ±{MAX_EXPONENT}")

    def _finish(self, value: sympy.Expr) -> sympy.Expr:
        """Check a freshly built value (see the class docstring), settle it, and return it."""
        self._scan(value)          # first what sympy built, so nothing huge is ever rebuilt
        settled = self._settle(value)
        if settled is not value:
            self._scan(settled)
        return settled

    def _settle(self, node: sympy.Expr) -> sympy.Expr:
        """``node`` with every sub-expression rebuilt from its own arguments until stable.

        sympy's automatic evaluation is not always idempotent: a product built in one order can
        come out as sqrt(2)*6**(3/4)/4, while building it again from those very factors combines
        the radicals differently (2**(1/4)*3**(3/4)/2); Abs(Abs(x)) can appear inside a product
        and becomes Abs(x) when built again. Settling makes every result a fixed point, which is
        what lets `format_formula` text parse back to exactly the same tree. Only parts not seen
        before are visited.
        """
        if node.is_Atom:
            return node
        known = self._settled.get(node)
        if known is not None:
            return known
        args = tuple(self._settle(arg) for arg in node.args)
        result = _rebuilt(node.func(*args) if args != node.args else node)
        self._settled[node] = result
        self._settled[result] = result
        return result

    def _scan(self, value: sympy.Expr) -> None:
        """Check every sub-expression of ``value`` not checked before."""
        stack = [value]
        checked = self._checked
        while stack:
            node = stack.pop()
            if node in checked:
                continue
            reason = self._problem(node)
            if reason is not None:
                if node is value or node == value:
                    raise FormulaError(reason)
                raise FormulaError(f"works out to contain {_short(node)}, which {reason}")
            checked.add(node)
            stack.extend(node.args)

    def _problem(self, node: sympy.Expr) -> str | None:
        """What is wrong with one sub-expression (its parts are checked separately), or None."""
        if node in _UNDEFINED:
            return "is undefined — it divides by zero or is infinite"
        if node is sympy.S.ImaginaryUnit:
            return "is not a real number — the Function lab works with real numbers"
        if node.is_Atom:
            if node.is_Rational and _rational_digits(node) > MAX_DIGITS:
                return (f"would be a number of about {_rational_digits(node):,} digits — numbers "
                        f"are limited to {MAX_DIGITS} digits")
            return None
        if node.is_Function and type(node) not in _ALLOWED_FUNCTIONS:
            return f"becomes {type(node).__name__}(...), which formulas here don't support"
        if node.is_Pow and node.exp.is_Rational and abs(node.exp) > MAX_EXPONENT:
            return (f"combines into the exponent {node.exp} — exponents are limited to "
                    f"±{MAX_EXPONENT}")
        if node.free_symbols:
            return None
        try:
            magnitude, real = _measure(node, self._values)
        except _NotANumber as problem:
            return problem.args[0]
        if abs(magnitude) > MAX_DIGITS and magnitude != float("-inf"):
            about = f" (about 10^{magnitude:,.1f})" if abs(magnitude) < 1e6 else ""
            if magnitude > 0:
                return f"is too large{about} — numbers are limited to 10^{MAX_DIGITS}"
            return f"is too small{about} — numbers other than 0 must be at least 10^-{MAX_DIGITS}"
        if not real:
            return "is not a real number — the Function lab works with real numbers"
        return None


def _shown(size) -> str:
    """A size for a message: an integer with thousands separators, or a power of ten."""
    size = float(size)
    if size < 1e15:
        return f"{size:,.0f}"
    return f"10^{log10(size):.0f}"


# ---------------------------------------------------------------------------------------------
# From syntax tree to sympy
# ---------------------------------------------------------------------------------------------


def _quote(text: str, start: int, end: int) -> str:
    piece = " ".join(text[start:end].split())
    if len(piece) > _SNIPPET:
        piece = piece[: _SNIPPET - 1] + "…"
    return f"'{piece}'"


class _Translator:
    """Turns the syntax tree into sympy through a `Builder`, attributing refusals to spans, and
    records the typed order of every sum it builds in ``order`` (core.formula.term_order)."""

    def __init__(self, text: str, symbols: dict | None = None):
        self.text = text
        self.builder = Builder()
        self.order = TermOrder()
        self.symbols = symbols or {}   # extra variable name -> its sympy Symbol

    def build(self, node: _Node) -> sympy.Expr:
        try:
            return self._build(node)
        except FormulaError as error:
            if error.position is not None:
                raise
            raise self._located(error, node.start, node.end) from None

    def _located(self, error: FormulaError, start: int, end: int) -> FormulaError:
        return FormulaError(f"{_quote(self.text, start, end)} {error.reason}", start, end,
                            error.reason)

    def _guarded(self, start: int, end: int, construct, *args):
        """Run one Builder step; its refusal (or sympy giving up on a number) names this span."""
        try:
            return construct(*args)
        except FormulaError as error:
            if error.position is not None:
                raise
            raise self._located(error, start, end) from None
        except (OverflowError, RecursionError, MemoryError, ZeroDivisionError) as error:
            raise FormulaError(f"{_quote(self.text, start, end)} is too large to work with "
                               f"({type(error).__name__})", start, end,
                               "is too large to work with") from None

    def _build(self, node: _Node) -> sympy.Expr:
        b = self.builder
        kind = node.kind
        if kind == "num":
            return self._guarded(node.start, node.end, b.number, node.value.p, node.value.q)
        if kind == "name":
            if node.value in self.symbols:
                return self.symbols[node.value]
            return b.variable() if node.value == VARIABLE_NAME else b.constant(node.value)
        if kind == "neg":
            operand = self._build(node.children[0])
            return self.order.negate(self._guarded(node.start, node.end, b.negate, operand), operand)
        if kind == "sum":
            terms = []
            for sign, child in node.children:
                value = self._build(child)
                if sign < 0:
                    value = self.order.negate(self._guarded(child.start, child.end, b.negate, value), value)
                terms.append(value)
            return self.order.record(self._guarded(node.start, node.end, b.add, *terms), terms)
        if kind == "product":
            factors = []
            for op, child in node.children:
                value = self._build(child)
                if op == "/":
                    value = self._guarded(node.start, child.end, b.reciprocal, value)
                factors.append(value)
            return self.order.distributed(self._guarded(node.start, node.end, b.multiply, *factors), factors)
        if kind == "power":
            base_node, exponent_node = node.children
            base = self._build(base_node)
            exponent = self._build(exponent_node)
            return self._guarded(node.start, node.end, b.power, base, exponent)
        if kind == "call":
            argument = self._build(node.children[0])
            return self._guarded(node.start, node.end, b.call, node.value, argument)
        raise AssertionError(f"unknown node {kind}")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------

def _syntax_tree(text: str, names: frozenset = frozenset()) -> _Node:
    if not isinstance(text, str):
        raise TypeError(f"parse_formula expects text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is too long — {len(text):,} characters, at most "
                           f"{MAX_LENGTH}", MAX_LENGTH, len(text))
    return _Parser(text, _tokenize(text), names).parse()


def check_syntax(text: str) -> None:
    """Raise `FormulaError` (message and position) when ``text`` is not a formula by the grammar
    or its bounds on length, parts and nesting; return None when it is.

    Only the syntax: no sympy expression is built, so this is quick and bounded (linear in the
    text, which is at most MAX_LENGTH characters) and a GUI may call it at every keystroke to mark
    a typo at once. Building the expression is not bounded by the text alone — sympy's automatic
    evaluation of ``tanh(tanh(…sqrt(x)))`` ten deep asks its assumption system questions whose
    cost grows exponentially with the depth — so `parse_formula` belongs in the time-limited
    worker process (core.process_runner), which also reports what only building finds (log(0),
    numbers beyond the bounds) with the same kind of FormulaError."""
    _syntax_tree(text)


def parse_formula(text: str, variables: dict | None = None) -> sympy.Expr:
    """Read ``text`` (a function of x, e.g. ``log(2 + cos(x))``) into a canonical sympy expression.

    Raises `FormulaError` with a learner-friendly message and the position of the problem when
    the text is not a formula, uses a name that is not whitelisted, or exceeds a bound. Nothing
    in the text is ever executed or handed to eval/sympify: see the module docstring. The time
    this takes is not bounded for every accepted text (see `check_syntax`): an application calls
    it through the time-limited worker (core.process_runner.SymbolicRunner).

    ``variables`` (name -> sympy Symbol) adds names besides x, such as a lesson's live quantities
    (a2, dJ_dw2): a lesson's answer expressions are read by this same whitelisting parser.
    """
    variables = variables or {}
    return _Translator(text, variables).build(_syntax_tree(text, frozenset(variables)))


def parse_with_order(text: str) -> tuple[sympy.Expr, TermOrder]:
    """`parse_formula`, and the order the learner typed the terms of each sum in: print the
    expression with that `TermOrder` (core.formula.derive.formula_latex / formula_text,
    core.formula.printer.format_formula) and ``2 + cos(x)`` reads as typed, not ``cos(x) + 2``."""
    translator = _Translator(text)
    expr = translator.build(_syntax_tree(text))
    return expr, translator.order
