"""The order of the terms of each sum as the learner typed them, so ``2 + cos(x)`` prints as typed and
not as sympy's canonical ``cos(x) + 2``.

sympy's Add sorts its arguments into a canonical order, and the expression the parser builds has no
memory of the text. A `TermOrder` is that memory: it maps a sum (a sympy Add, by structural equality)
to its terms in the order to print them. Printers ask ``order.terms(add)``
(core.formula.derive.formula_text / formula_latex, core.formula.printer.format_formula) and get
sympy's own order for a sum nobody recorded.

Who records:

* the parser (``parse_with_order``), for every sum it builds, in the order the terms were typed —
  with nested sums flattened (``(2 + x) + sin(x)``), signs and constant factors distributed
  (``x - (1 + sin(x))``, ``3(2 + x)``) as sympy distributes them;
* the derivation, for the sums it builds from the steps of typed terms (the sum rule's result in
  the order of the terms it differentiates, the product rule's terms in factor order, the
  quotient rule's numerator as f′g − fg′), and for sums carried through a substitution
  (dh/du at u = 2 + cos x) by ``substitute`` — including a number sympy distributes over the sum
  put in for u (2u at u = 1 + x is 2 + 2x, in the order of 1 + x);
* the decomposition, for a layer rewritten in its inner symbol (u = 2 + cos v).

A sum that is *equal* to a typed one prints in the typed order wherever it appears, so
h′ = −sin(x)/(2 + cos(x)) keeps the typed denominator. How a sum's terms are matched to the terms
it was built from (``record``): a term equal to a source term takes that term's place; otherwise a
term with the same non-numeric part (like terms sympy combined, 2x + 3x = 5x, or a distributed
sign) takes the first such place; a number takes the place of the first number (2 + 3 + x: 5 + x);
anything else goes last, in sympy's order. The first recording of a sum wins, so a sum typed twice
in two orders (``(1 + x) sin(x + 1)``) prints both times in the first order.

Pure sympy; a TermOrder pickles (it travels from the worker process to the GUI with the analysis).
"""
from __future__ import annotations

import sympy

__all__ = ["TermOrder"]


class TermOrder:
    """Sums (sympy Adds) -> their terms in the order to print them; see the module docstring."""

    def __init__(self):
        self._terms: dict = {}

    def __len__(self) -> int:
        return len(self._terms)

    def knows(self, expr) -> bool:
        """True when ``expr`` is a sum whose order was recorded."""
        return expr in self._terms

    def terms(self, expr) -> list:
        """The terms of the sum ``expr`` in printing order: as recorded, else sympy's order."""
        recorded = self._terms.get(expr)
        if recorded is not None:
            return list(recorded)
        return list(expr.as_ordered_terms())

    # -- recording -----------------------------------------------------------------------------------
    def record(self, result, sources):
        """Remember the order of ``result``'s terms (when it is a sum not recorded yet) from the
        terms it was built from, ``sources``, in their preferred order. Returns ``result``."""
        if not isinstance(result, sympy.Add) or result in self._terms:
            return result
        flat = self._flatten(sources)
        if not flat:
            return result
        fallback = len(flat)
        sympy_order = result.as_ordered_terms()
        ranked = sorted(range(len(sympy_order)),
                        key=lambda i: (_rank(sympy_order[i], flat, fallback), i))
        self._terms[result] = tuple(sympy_order[i] for i in ranked)
        return result

    def add(self, *terms):
        """``sympy.Add(*terms)``, its order recorded from ``terms``."""
        return self.record(sympy.Add(*terms), terms)

    def multiply(self, *factors):
        """``sympy.Mul(*factors)``, its order recorded when it is a sum (see `distributed`)."""
        return self.distributed(sympy.Mul(*factors), factors)

    def distributed(self, product, factors):
        """Record ``product`` of ``factors`` when sympy made it a sum by distributing a number
        over one (2·(1 + x) = 2 + 2x): its terms follow that sum's. Returns ``product``."""
        if isinstance(product, sympy.Add):
            sums = [f for f in factors if isinstance(f, sympy.Add)]
            if len(sums) == 1:
                rest = list(factors)
                rest.remove(sums[0])
                self.record(product, [sympy.Mul(*rest, term) for term in self.terms(sums[0])])
            else:
                self.record(product, factors)
        return product

    def negate(self, result, operand):
        """Record ``result`` = −``operand`` (sympy distributes the sign over a sum)."""
        if isinstance(operand, sympy.Add):
            self.record(result, [-term for term in self.terms(operand)])
        return result

    def substitute(self, expr, mapping: dict):
        """``expr.xreplace(mapping)``, with every recorded sum inside carried over: dh/du = 1/u at
        u = 2 + cos(x) keeps the typed order, and a recorded sum of u keeps its order in x."""
        result = expr.xreplace(mapping)
        if self._terms:
            for node in sympy.preorder_traversal(expr):
                if isinstance(node, sympy.Add) and node in self._terms:
                    image = node.xreplace(mapping)
                    self.record(image, [term.xreplace(mapping) for term in self._terms[node]])
        sums = [value for value in mapping.values() if isinstance(value, sympy.Add)]
        if sums:   # 2·u at u = 1 + x is 2 + 2x (sympy distributes): in the order of 1 + x
            for node in sympy.preorder_traversal(result):
                if isinstance(node, sympy.Add) and node not in self._terms:
                    for total in sums:
                        factor = _scale(node, total)
                        if factor is not None:
                            self.record(node, [factor * term for term in self.terms(total)])
                            break
        return result

    def _flatten(self, sources) -> list:
        """``sources`` with every sum replaced by its terms in printing order."""
        flat = []
        for source in sources:
            if isinstance(source, sympy.Add):
                flat.extend(self.terms(source))
            else:
                flat.append(source)
        return flat


def _scale(candidate, total):
    """The number c with c·total == candidate (sympy distributed c over the sum), else None."""
    if len(candidate.args) != len(total.args):
        return None
    first = total.args[0]
    for term in candidate.args:
        factor = term / first
        if factor.is_Number and factor != 0 and sympy.Mul(factor, total) == candidate:
            return factor
    return None


def _rank(term, sources: list, fallback: int) -> int:
    """Where ``term`` of a built sum belongs among the ``sources`` it was built from."""
    for i, source in enumerate(sources):
        if source == term:
            return i
    if term.is_Number:
        for i, source in enumerate(sources):
            if source.is_Number:
                return i
        return fallback
    body = term.as_coeff_Mul()[1]
    for i, source in enumerate(sources):
        if source.as_coeff_Mul()[1] == body:
            return i
    return fallback
