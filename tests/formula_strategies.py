"""Hypothesis strategies for the Function lab's formulas.

* ``trees``: random syntax trees of the formula grammar, as nested tuples —
  ("x",), ("num", p, q), ("const", "pi" | "e"), ("neg", t), ("add" | "sub" | "mul" | "div" |
  "pow", a, b), ("call", function_name, t).
* ``expressions``: sympy expressions the parser can produce, built from ``trees`` with
  `core.formula.parser.Builder` — the very constructors `parse_formula` uses, bound checks
  included (trees the parser would refuse, such as log(-2) or 1/0, are filtered out).
  ``formula_expressions(max_leaves)`` gives the same with another size; ``functions_of_x`` /
  ``formula_functions_of_x(max_leaves)`` only those that depend on x (x - x = 0 does not).
* ``typed_formulas``: (text, expected expression) pairs — a tree written the way a learner might
  type it (implicit multiplication, spaces, ``**`` or ``^``, ``ln``, ``arcsin``, ``π``, '−', '·',
  decimals) and the expression the Builder makes from the same tree.

Import as ``from tests.formula_strategies import expressions`` (tests/conftest.py puts the
repository root on sys.path). Sizes are kept small: the suite runs on a shared 2-core machine.
"""
from __future__ import annotations

from hypothesis import strategies as st

from core.formula.functions import FUNCTIONS, X
from core.formula.parser import Builder, FormulaError

__all__ = ["trees", "formula_trees", "expressions", "formula_expressions", "functions_of_x",
           "formula_functions_of_x", "typed_formulas", "formula_typed", "build_tree",
           "FUNCTION_NAMES"]

#: Canonical function names (ln is the same sympy function as log).
FUNCTION_NAMES = tuple(name for name in FUNCTIONS if name != "ln")

_CONSTANT_LEAVES = (
    [("num", p, 1) for p in range(10)]
    + [("num", p, q) for p, q in ((1, 2), (3, 2), (1, 3), (2, 3), (1, 4), (3, 4), (2, 5), (7, 10))]
    + [("const", "pi"), ("const", "e")]
)
# x first (what hypothesis shrinks towards) and as likely as all the constants together.
_LEAVES = st.sampled_from([("x",)] * len(_CONSTANT_LEAVES) + _CONSTANT_LEAVES)
_SMALL_EXPONENTS = st.one_of(
    st.integers(-3, 4).map(lambda n: ("num", n, 1) if n >= 0 else ("neg", ("num", -n, 1))),
    st.sampled_from([("num", 1, 2), ("num", 1, 3), ("num", 3, 2)]),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(["add", "sub", "mul", "div"]), children, children),
        st.tuples(st.just("pow"), children, _SMALL_EXPONENTS),
        st.tuples(st.just("pow"), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("call"), st.sampled_from(FUNCTION_NAMES), children),
    )


def formula_trees(max_leaves: int = 6):
    """Random syntax trees with at most ``max_leaves`` leaves."""
    return st.recursive(_LEAVES, _extend, max_leaves=max_leaves)


def build_tree(tree, builder: Builder | None = None):
    """The sympy expression of ``tree``, built with the parser's constructors (FormulaError if the
    parser would refuse it)."""
    b = builder or Builder()
    kind = tree[0]
    if kind == "x":
        return b.variable()
    if kind == "num":
        return b.number(tree[1], tree[2])
    if kind == "const":
        return b.constant(tree[1])
    if kind == "neg":
        return b.negate(build_tree(tree[1], b))
    if kind == "call":
        return b.call(tree[1], build_tree(tree[2], b))
    left, right = build_tree(tree[1], b), build_tree(tree[2], b)
    if kind == "add":
        return b.add(left, right)
    if kind == "sub":
        return b.subtract(left, right)
    if kind == "mul":
        return b.multiply(left, right)
    if kind == "div":
        return b.divide(left, right)
    if kind == "pow":
        return b.power(left, right)
    raise ValueError(f"unknown tree node {kind!r}")


def _built_or_none(tree):
    try:
        return build_tree(tree)
    except FormulaError:
        return None


def formula_expressions(max_leaves: int = 6):
    """sympy expressions the parser can produce, from trees with at most ``max_leaves`` leaves."""
    return formula_trees(max_leaves).map(_built_or_none).filter(lambda e: e is not None)


def formula_functions_of_x(max_leaves: int = 6):
    """Like `formula_expressions`, but only expressions that depend on x."""
    return formula_expressions(max_leaves).filter(lambda e: X in e.free_symbols)


trees = formula_trees()
expressions = formula_expressions()
functions_of_x = formula_functions_of_x()


# -- typed text -------------------------------------------------------------------------------------

_SPELLINGS = {"log": ["log", "ln"], "asin": ["asin", "arcsin"], "acos": ["acos", "arccos"],
              "atan": ["atan", "arctan"]}


@st.composite
def _render(draw, tree) -> str:
    """``tree`` as text a learner might type. Every operation is parenthesized, so the text has
    exactly the tree's structure whatever the spelling chosen for each piece."""
    kind = tree[0]
    if kind == "x":
        return "x"
    if kind == "num":
        p, q = tree[1], tree[2]
        if q == 1:
            return str(p)
        if q in (2, 4, 5, 10) and draw(st.booleans()):
            return repr(p / q) if draw(st.booleans()) else repr(p / q).lstrip("0") or "0"
        return f"({p}/{q})"
    if kind == "const":
        return "π" if tree[1] == "pi" and draw(st.booleans()) else tree[1]
    if kind == "neg":
        minus = draw(st.sampled_from(["-", "-", "−"]))
        return f"({minus}{draw(_render(tree[1]))})"
    if kind == "call":
        name = draw(st.sampled_from(_SPELLINGS.get(tree[1], [tree[1]])))
        return f"{name}({draw(_render(tree[2]))})"
    left, right = draw(_render(tree[1])), draw(_render(tree[2]))
    if kind == "add":
        return f"({left} + {right})"
    if kind == "sub":
        return f"({left} {draw(st.sampled_from(['-', '−']))} {right})"
    if kind == "div":
        return f"({left}{draw(st.sampled_from(['/', ' / ', '÷']))}{right})"
    if kind == "pow":
        return f"({left}){draw(st.sampled_from(['^', '**', ' ^ ']))}({right})"
    # mul: explicit, or juxtaposition where the grammar reads it as a product
    joins = ["*", " * ", "·"]
    if right[0].isalpha() or right[0] in "(π":
        joins.append(" ")                       # x sin(x), 2 (x + 1)
        if left[-1] == ")" or left[-1].isdigit():
            joins.append("")                    # 2x, (x + 1)(x - 1); never "xsin(x)"
    return f"({left}{draw(st.sampled_from(joins))}{right})"


@st.composite
def formula_typed(draw, max_leaves: int = 6):
    """(text, expected sympy expression) pairs for trees the parser accepts."""
    tree = draw(formula_trees(max_leaves))
    expected = _built_or_none(tree)
    if expected is None:
        from hypothesis import reject
        reject()
    return draw(_render(tree)), expected


typed_formulas = formula_typed()
