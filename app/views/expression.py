"""The expression panel: dJ/dθ for the selected parameter as the chain-rule product, four ways —
Leibniz form, local derivative formulas, the same with the current numbers, and the batch result.

The symbolic formulas come from sympy (via core) in a worker, once per (network, cost, parameter).
Everything else — the chain, the recursion and the paths of the shown snapshot, and the typesetting
of every line — is made in a second worker from the snapshot (``DerivationRequest``), so the GUI
thread only places finished images and numbers that all belong to one step. The typesetting itself
runs in a worker process (app/math_process.py): in a thread, ziamath's pure-Python layout held the
interpreter lock that the GUI thread and training need. A newly selected parameter's picture is
shown once its chain-rule product is typeset; its other equations are set as plain text meanwhile
and typeset a few at a time behind it. Until the new picture is shown, the panel keeps the old one,
dimmed, and a badge (app/views/chain_badge.py) says whose it is and that it is catching up.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QWidget

import core
from core.naming import node_name, to_latex, to_unicode

from ..format import fmt
from .. import math_process
from ..math_fallback import latex_as_text
from ..math_render import cached_image, render_latex, screen_ratio
from ..model import MAX_STEPPED_PATHS as MAX_LISTED_PATHS, SessionModel
from ..workers import LatestOnlyWorker
from .lesson_marks import FRAME_STYLE
from .chain_badge import ChainLagBadge, lag_text
from .path_bars import BarRow, PathBars

MAX_VECTOR_ENTRIES = 6
REFRESH_MS_IDLE = 0
REFRESH_MS_RUNNING = 100
MATH_SIZE = 17
ROW_KINDS = ("row", "factor")   # lines of three cells: symbol, formula, value ("factor": the chain's)
#: Equations typeset before a new picture is shown: the chain-rule product at the top. The rest
#: follow in the background, a few at a time (TYPESET_CHUNK), shown as plain text until then: on the
#: 16x3 network a parameter has about fifteen new equations, and typesetting them all first kept
#: the panel on the previous parameter for 3-7 s while training loaded the machine.
URGENT_EQUATIONS = 1
TYPESET_CHUNK = 3


def bracket_text(value: float) -> str:
    """A factor's value in a written product: negatives in brackets."""
    return f"({fmt(value)})" if value < 0 else fmt(value)


def forward_equations(net: core.Network) -> list[str]:
    """The forward pass as the learner met it in the lesson (scalar form when every layer has one neuron)."""
    if all(size == 1 for size in net.sizes):
        lines, previous = [], "x"
        last = len(net.sizes) - 1
        for layer in range(1, last + 1):
            act = core.ACTIVATIONS[net.activations[layer - 1]].latex
            z, a, w, b = (to_latex(f"{kind}{layer}") for kind in "zawb")   # the lesson's names (core.naming)
            shown_a = rf"\hat{{y}} = {a}" if layer == last else a
            lines.append(rf"{z} = {w}\,{previous} + {b},\quad {shown_a} = {act}\left({z}\right)")
            previous = a
        return lines
    return [r"z_{l} = W_{l}^{\top} a_{l-1} + b_{l},\quad a_{l} = f_l\left(z_{l}\right),\quad a_{0} = x"]


def vector_text(values, selected: int | None = None) -> str:
    """A delta vector as text, the selected neuron's entry in bold; long vectors are shortened."""
    parts = [f"<b>{fmt(v)}</b>" if j == selected else fmt(v) for j, v in enumerate(values)]
    if len(parts) > MAX_VECTOR_ENTRIES:
        keep = sorted({0, 1, 2, len(parts) - 1} | ({selected} if selected is not None else set()))
        shown, previous = [], -1
        for j in keep:
            if j > previous + 1:
                shown.append("…")
            shown.append(parts[j])
            previous = j
        parts = shown
    return parts[0] if len(values) == 1 else "[" + ", ".join(parts) + "]"


def recursion_lines(net: core.Network, name: str, X, y, sample: int) -> list[tuple[str, object]]:
    """δ of each layer from the cost down to the parameter's layer, then dJ/dθ = δ · a, with numbers."""
    rec = core.backward_recursion(net, name, X, y, sample=sample)
    final = rec.final
    lines: list[tuple[str, object]] = [
        ("caption", f"<b>Backward recursion</b> at sample {sample + 1}: each layer's δ = ∂J/∂z comes from the "
                    "cost at the output, then from the layer above through its weights and this layer's "
                    "activation derivative"),
    ]
    for step in rec.steps:
        if step.size == 1:
            lines.append(("row", (step.latex, "", vector_text(step.delta, step.selected))))
        else:  # a vector goes on its own line, so formula and numbers both fit the panel's width
            lines += [("math", step.latex), ("value", vector_text(step.delta, step.selected))]
    lines += [("math", final.latex), ("value", final_value_text(final, sample))]
    return lines


def final_value_text(final, sample: int) -> str:
    """The numbers of dJ/dθ = δ · a (+ penalty): the product and its result, or, for a bias without a
    penalty (dJ/db = δ), the value once — never "= 0.00147 = 0.00147"."""
    terms = []
    if final.input_symbol != "1":
        terms.append(f"{fmt(final.delta[sample])} × {bracket_text(final.input[sample])}")
    elif final.penalty_latex:
        terms.append(fmt(final.delta[sample]))
    if final.penalty_latex:
        terms.append(bracket_text(final.penalty_term))
    return (" + ".join(terms) + " = " if terms else "") + fmt(final.value)


def path_label(net: core.Network, name: str, path) -> str:
    """The route of a path through the network, from the parameter up to the cost."""
    nodes = [to_unicode(node_name("a", layer, j, net.sizes[layer])) for layer, j in reversed(path.nodes)]
    return " → ".join([to_unicode(name), *nodes, "J"])


def path_lines(net: core.Network, name: str, X, y, sample: int, focused=None) -> list[tuple[str, object]]:
    """Every path from the parameter to the cost as a bar, and their sum, which is dJ/dθ."""
    paths = core.chain_paths(net, name, X, y, sample=sample, limit=MAX_LISTED_PATHS)
    shown = to_unicode(name)
    if paths.count == 1:
        return []  # a single path is the chain shown above
    if not paths.listed:
        return [("caption", f"<b>Paths</b>: {paths.count:,} paths lead from {shown} to the cost — too many to "
                            "list; the recursion above adds them up layer by layer.")]
    rows = [BarRow(path_label(net, name, p), " · ".join(bracket_text(f.value) for f in p.factors), p.value,
                   focused == p.nodes)
            for p in paths.paths]
    total_label = f"Σ {paths.count} paths" + (f" + penalty {fmt(paths.penalty_term)}" if paths.penalty_term else "")
    total = BarRow(f"{total_label} = ∂J/∂{shown}", "", paths.data_term + paths.penalty_term)
    return [
        ("caption", f"<b>Every path</b> from {shown} to the cost ({paths.count}): each is a product of local "
                    "derivatives; their sum is the gradient at this sample. P / Shift+P (or a click) "
                    "single one out on the diagram"),
        ("bars", (rows, total)),
    ]


def is_number_latex(latex: str) -> bool:
    """True when a formula is a bare number (1, -2, 0.5): printing its value after it would repeat it."""
    try:
        float(latex.replace("{", "").replace("}", ""))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class DerivationRequest:
    """Everything the panel shows, from one snapshot: computed and typeset off the GUI thread."""

    snapshot: core.Snapshot
    name: str
    sample: int
    focused: tuple | None
    formulas: tuple | None     # the factors' symbolic formulas, once sympy has them
    ratio: float               # device pixels per point, for the typeset images
    narration: tuple | None = None   # the narrated update (U): (shown sub-steps, all, rule title)
    in_process: bool = False   # typeset in this process (workers run synchronously: tests)

    @property
    def selection(self) -> tuple:
        """What the picture is of, apart from its step: parameter, sample, singled-out path."""
        return self.name, self.sample, self.focused

    def compute(self):
        """The lines, with the urgent equations typeset (in the worker process); returns
        (request, lines, equations still to typeset, equations that could not be typeset)."""
        lines = narration_lines(self.narration, self.name, self.snapshot.step) \
            + derivation_lines(self.snapshot, self.name, self.sample, self.focused, self.formulas)
        texts = list(dict.fromkeys(math_texts(lines)))
        # in-process (tests with synchronous workers): everything at once, as one complete picture
        first = texts if self.in_process else texts[:URGENT_EQUATIONS]
        failed = math_process.typeset(first, MATH_SIZE, self.ratio, in_process=self.in_process)
        missing = tuple(t for t in texts if t not in failed and cached_image(t, MATH_SIZE, ratio=self.ratio) is None)
        return self, lines, missing, frozenset(failed)


def typeset_in_chunks(latexes, ratio: float, still_wanted) -> set:
    """Typeset ``latexes`` a few at a time (in the worker process), stopping once ``still_wanted()``
    is False: a newly selected parameter's urgent equation then waits for one chunk at most.
    Returns the equations that could not be typeset."""
    failed: set = set()
    latexes = list(latexes)
    for start in range(0, len(latexes), TYPESET_CHUNK):
        if not still_wanted():
            break
        failed |= math_process.typeset(latexes[start:start + TYPESET_CHUNK], MATH_SIZE, ratio)
    return failed


def math_texts(lines) -> list[str]:
    """The typeset formulas among a panel's lines (numbers and captions are plain text)."""
    texts = []
    for kind, payload in lines:
        cells = payload[:2] if kind in ROW_KINDS else ((payload,) if kind == "math" else ())
        texts += [text for text in cells if text]
    return texts


def narration_lines(narration, name: str, step: int) -> list:
    """The narrated update's sub-steps shown so far, first in the panel (empty without one)."""
    if narration is None:
        return []
    shown, steps, title = narration
    more = "U: the next sub-step" if len(shown) < len(steps) else "U: take this step"
    lines = [("caption", f"<b>Narrated update</b> of {to_unicode(name)} by {title}, step {step} → {step + 1}: "
                         f"sub-step {len(shown)} of {len(steps)} ({more}; any other change ends it)")]
    for sub in shown:
        lines += [("caption", f"{sub.title}" + (f" — <i>{sub.note}</i>" if sub.note else "")),
                  ("row", (sub.latex, "", fmt(sub.value)))]
    return lines


def derivation_lines(snapshot: core.Snapshot, name: str, sample: int, focused, formulas) -> list:
    """The panel's lines for ``name`` at ``sample`` of the snapshot: (kind, payload) pairs."""
    net, X, Y = snapshot.network, snapshot.X, snapshot.y
    chain = net.chain(name, X, Y, sample=sample)
    theta = to_latex(name)
    shown = to_unicode(name)
    x, y = X[sample], Y[sample]
    lhs = rf"\frac{{\partial J}}{{\partial {theta}}}"
    leibniz = r"\,".join(f.latex for f in chain.factors)
    leibniz_at = r"\cdot ".join(f.latex for f in chain.factors)
    loss = core.ALL_LOSSES[net.loss]
    rate = snapshot.learning_rate
    x_text = ", ".join(fmt(v) for v in x)
    y_text = ", ".join(fmt(v) for v in y)
    product_text = " · ".join(bracket_text(f.value) for f in chain.factors) + f" = {fmt(chain.product)}"
    lines: list[tuple[str, object]] = [
        # the lesson's result first, so it is in view without scrolling; how it comes about follows
        ("caption", f"<b>∂J/∂{shown} by the chain rule</b>, with the numbers of sample {sample + 1} "
                    f"(x = {x_text}, y = {y_text})"),
        ("math", f"{lhs} = {leibniz_at}"),
        ("value", product_text),
        ("caption", "<b>Forward pass</b> (the network computes left to right)"),
        *[("math", line) for line in forward_equations(net)],
        ("caption", f"<b>Cost</b>: {loss.title}, averaged over the {len(X)} samples"),
        ("math", loss.latex),
        ("caption", f"<b>Chain rule</b> for ∂J/∂{shown}: multiply the local derivatives along the path "
                    f"from the cost back to {shown}"),
        ("math", f"{lhs} = {leibniz}"),
        ("caption", f"Each local derivative, its formula and its value at sample {sample + 1} of "
                    f"{len(X)} (x = {x_text}, y = {y_text}; keys [ and ] change the sample)"
                    + ("" if formulas is not None else " — <i>deriving the formulas…</i>")),
    ]
    for i, factor in enumerate(chain.factors):
        formula = f"= {formulas[i]}" if formulas is not None else ""
        if formula and factor.bound:   # σ′ ≤ ¼: why a deep sigmoid chain shrinks the gradient
            formula += rf"\;{factor.bound}"
        # a constant local derivative (a bias's ∂z/∂b = 1) is its own value: write it once
        value = "" if formulas is not None and is_number_latex(formulas[i]) else fmt(factor.value)
        lines.append(("factor", (factor.latex, formula, value)))   # a "row", which a lesson can point at
    value = net.get(name)
    lines += [
        ("caption", "<b>Over the batch</b> the gradient is the mean of these per-sample products "
                    "— the number gradient descent uses"),
        ("math", rf"{lhs} = \frac{{1}}{{N}}\sum_{{n=1}}^{{N}} {lhs}\Big|_{{n}}"),
        ("value", fmt(chain.gradient)),
        ("caption", f"Step {snapshot.step}: {shown} ← {shown} − η·∂J/∂{shown} = {fmt(value)} − "
                    f"{fmt(rate)} × {fmt(chain.gradient)} = {fmt(value - rate * chain.gradient)}"),
    ]
    lines += recursion_lines(net, name, X, Y, sample)
    lines += path_lines(net, name, X, Y, sample, focused)
    return lines


class ExpressionPanel(QScrollArea):
    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.setObjectName("expression-panel")
        self.setAccessibleName("Chain-rule expression")
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._model = model
        body = QWidget()
        body.setObjectName("expression-body")
        body.setStyleSheet("#expression-body { background: white; }")
        self._grid = QGridLayout(body)
        self._grid.setContentsMargins(14, 10, 14, 10)
        self._grid.setHorizontalSpacing(0)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(3, 1)
        self.setWidget(body)
        self._cells: dict[tuple[int, int], QLabel] = {}
        self.path_bars = PathBars(body)
        self.path_bars.rowClicked.connect(self._on_path_clicked)
        self.latex_lines: list[str] = []      # what is shown, for tests and exports
        self.caption_lines: list[str] = []
        self.value_texts: list[str] = []
        self._product_text = ""               # the product with the sample's numbers, as shown
        self._factor_rows: list[int] = []     # grid row of each factor of the chain, in order
        self._lesson_factors: tuple[int, ...] = ()   # factors a lesson step points at (from 1)
        self._frames: list[QFrame] = []       # their marks, pooled
        self._formulas: dict[tuple, list[str]] = {}
        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._on_formulas)
        self._worker.failed.connect(lambda text: self._model.set_message(f"Could not derive formulas: {text}"))
        self._lines_worker = LatestOnlyWorker(self, keep_up=True)
        self._lines_worker.finished.connect(self._on_lines)
        self._lines_worker.failed.connect(lambda text: self._model.set_message(f"Could not show the chain: {text}"))
        # the equations of the shown picture still set as plain text are typeset here, a few at a time
        self._typeset_worker = LatestOnlyWorker(self)
        self._typeset_worker.finished.connect(self._on_typeset)
        self._typeset_worker.failed.connect(lambda text: self._model.set_message(f"Could not typeset: {text}"))
        self._untypesettable: set[str] = set()   # ziamath cannot lay these out: shown as text for good
        self._shown_missing: tuple[str, ...] = ()
        self._wanted_selection: tuple | None = None   # read by the typesetting thread: stop when it changes
        self._requested: DerivationRequest | None = None
        self.shown_request: DerivationRequest | None = None   # what the panel shows
        self.lag_badge = ChainLagBadge(self.viewport(), body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh_now)
        self._started = False
        for signal in (model.parametersChanged, model.selectionChanged, model.sampleChanged,
                       model.lossChanged, model.datasetChanged, model.focusedPathChanged,
                       model.narrationChanged):
            signal.connect(self.schedule_refresh)
        self._say_waiting()
        for signal in (model.parametersChanged, model.selectionChanged, model.sampleChanged,
                       model.focusedPathChanged, model.runningChanged):
            signal.connect(self._show_lag)
        # a new selection is asked for at once, not after the running refresh's pause
        for signal in (model.selectionChanged, model.sampleChanged, model.focusedPathChanged):
            signal.connect(self._refresh_soon)

    def start(self) -> None:
        """Show the first derivation; called once the window has painted (ziamath and sympy load then)."""
        self._started = True
        self._say_waiting()
        self._timer.start(0)

    @property
    def waiting(self) -> bool:
        """True until the first derivation is on screen (meanwhile the panel says it is working)."""
        return self.shown_request is None

    def _say_waiting(self) -> None:
        """Until the first derivation arrives, say so: the first one waits for the window's first
        paint, then loads sympy and the typesetter in workers — seconds on a busy machine, during which
        an empty white panel looked broken (a learner at a lesson's step saw no chain at all)."""
        if self.shown_request is not None:
            return
        name = self._model.selected
        label = self._label(0, 0, "caption")
        label.setText(f"<i>Working out ∂J/∂{to_unicode(name)} by the chain rule…</i>" if name else
                      "<i>Working out the chain rule…</i>")

    def shown_product(self) -> tuple[str, int, str] | None:
        """(parameter, sample from 0, "0.815 · 0.151 · 0.992 = 0.122") of the chain-rule product the
        panel shows now with its numbers; None while nothing is shown yet."""
        request = self.shown_request
        return None if request is None else (request.name, request.sample, self._product_text)

    # ------------------------------------------------------------------ scheduling
    def schedule_refresh(self, *_args) -> None:
        if self._started and not self._timer.isActive():
            self._timer.start(REFRESH_MS_RUNNING if self._model.running else REFRESH_MS_IDLE)

    def _refresh_soon(self, *_args) -> None:
        if self._started:
            self._timer.start(REFRESH_MS_IDLE)

    def _formula_key(self) -> tuple:
        net = self._model.network
        return (tuple(net.sizes), tuple(net.activations), net.loss, self._model.selected)

    def is_settled(self) -> bool:
        """True once the shown derivation is complete (symbolic formulas in, no refresh pending) and
        of the shown snapshot."""
        shown, model = self.shown_request, self._model
        return (self._started and self._formula_key() in self._formulas and not self._timer.isActive()
                and not self._lines_worker.busy and shown is not None and shown.formulas is not None
                and not self.typesetting
                and (shown.snapshot.key, shown.name, shown.sample, shown.focused, shown.narration)
                == (model.snapshot.key, model.selected, model.sample, model.focused_path, model.narration))

    @property
    def shown_step(self) -> int | None:
        return None if self.shown_request is None else self.shown_request.snapshot.step

    @property
    def shown_parameter(self) -> str | None:
        """The parameter whose chain the panel shows (None before its first picture)."""
        return None if self.shown_request is None else self.shown_request.name

    @property
    def catching_up(self) -> bool:
        """True while the shown picture is of another parameter, sample or path than the session's
        selection, or (when paused) of another step: the panel keeps that picture, dimmed when it is
        of another parameter, and its badge says so until the new one is shown. While training, a
        picture a step behind is the normal state of every view and does not count."""
        shown, model = self.shown_request, self._model
        if shown is None:
            return False
        if shown.selection != (model.selected, model.sample, model.focused_path):
            return True
        return not model.running and shown.snapshot.key != model.snapshot.key

    @property
    def typesetting(self) -> bool:
        """True while some equations of the shown picture are still set as plain text."""
        return any(text not in self._untypesettable for text in self._shown_missing)

    def _show_lag(self, *_args) -> None:
        """Update the badge (and the dimming) from what is shown and what is selected."""
        shown, model = self.shown_request, self._model
        if shown is None:
            self.lag_badge.say("", False)
            return
        other = shown.name != model.selected
        behind = shown.snapshot.key != model.snapshot.key or shown.selection != (
            model.selected, model.sample, model.focused_path)
        text = lag_text(shown.name, shown.snapshot.step, model.selected, behind, model.running, self.typesetting)
        self.lag_badge.say(text, dim=other or (behind and not model.running))

    def _on_formulas(self, result) -> None:
        key, latex = result
        self._formulas[key] = latex
        if key == self._formula_key():
            self.refresh_now()

    # ------------------------------------------------------------------ content
    def refresh_now(self) -> None:
        """Ask the worker for the shown snapshot's lines (and sympy for missing formulas)."""
        model = self._model
        if model.selected not in model.snapshot.names:
            return
        self._wanted_selection = (model.selected, model.sample, model.focused_path)
        key = self._formula_key()
        formulas = self._formulas.get(key)
        if formulas is None:
            net, name, X, y = model.network.copy(), model.selected, model.X[:1].copy(), model.y[:1].copy()
            here = self._worker.synchronous
            self._worker.submit(lambda: (key, math_process.chain_formulas(net, name, X, y, in_process=here)))
            formulas = self._formulas.get(key)  # already there when the worker runs synchronously
        request = DerivationRequest(model.snapshot, model.selected, model.sample, model.focused_path,
                                    None if formulas is None else tuple(formulas), screen_ratio(),
                                    model.narration, in_process=self._lines_worker.synchronous)
        if request != self._requested:
            self._requested = request
            self._lines_worker.submit(request.compute)

    def _on_lines(self, result) -> None:
        request, lines, missing, failed = result
        if request.snapshot.revision != self._model.revision:
            return
        self._untypesettable |= failed
        self.shown_request = request
        self._shown_missing = missing
        self._show(lines)
        self._show_lag()
        todo = [text for text in missing if text not in self._untypesettable]
        if todo and request.selection == self._wanted_selection:
            wanted, ratio = request.selection, request.ratio
            self._typeset_worker.submit(lambda: typeset_in_chunks(
                todo, ratio, lambda: self._wanted_selection == wanted))

    def _on_typeset(self, failed) -> None:
        """The rest of the shown picture's equations are typeset: show them (asked again, as the
        request itself has not changed)."""
        self._untypesettable |= failed
        self._requested = None
        self.refresh_now()

    def svg_blocks(self) -> list:
        """The shown chain as the lines of a vector figure (app/math_svg): captions and numbers as
        text, every formula typeset — what "Export the focused panel" writes as SVG."""
        from ..math_svg import Block, plain_text

        request = self.shown_request
        if request is None:
            return [Block("text", "The chain rule is still being derived.")]
        lines = narration_lines(request.narration, request.name, request.snapshot.step) + derivation_lines(
            request.snapshot, request.name, request.sample, request.focused, request.formulas)
        blocks = []
        for kind, payload in lines:
            if kind == "caption":
                blocks.append(Block("text", plain_text(payload)))
            elif kind == "math":
                blocks.append(Block("math", payload, indent=12))
            elif kind == "value":
                blocks.append(Block("text", f"= {plain_text(payload)}", indent=12))
            elif kind in ROW_KINDS:
                symbol, formula, value = payload
                blocks.append(Block("math", f"{symbol} {formula}".strip(), indent=12,
                                    after=f"= {plain_text(value)}" if value else ""))
            elif kind == "bars":
                rows, total = payload
                blocks += [Block("text", f"{row.label}   {row.detail}   {fmt(row.value)}".replace("   ", "  "),
                                 indent=12) for row in [*rows, total]]
        return blocks

    PRODUCT_ROWS = (1, 2)   # the chain-rule product, then its numbers: right under the first caption

    def product_line_visible(self) -> bool:
        """True when the chain-rule product with its numbers lies wholly inside the visible viewport."""
        cells = [self._cells.get((row, 0)) for row in self.PRODUCT_ROWS]
        if not all(label is not None and label.isVisible() for label in cells):
            return False
        view = self.viewport().rect()
        return all(view.contains(label.geometry().translated(self.widget().pos())) for label in cells)

    def _fit_bars(self) -> None:
        """The bars stay inside the visible width, even when a wide formula makes the page scroll."""
        self.path_bars.setMaximumWidth(max(320, self.viewport().width() - 2 * 14))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_bars()
        if self._lesson_factors:   # a lesson's set-up re-lays the docks out: keep the named factor in view
            QTimer.singleShot(0, self._bring_marks_into_view)
        self.lag_badge.place()

    def _on_path_clicked(self, index: int) -> None:
        paths = core.path_nodes(self._model.network, self._model.selected)
        if 0 <= index < len(paths):
            chosen = paths[index]
            self._model.focus_path(None if chosen == self._model.focused_path else chosen)

    def _label(self, row: int, column: int, kind: str) -> QLabel:
        """The pooled label at (row, column), configured for maths or for a wrapped caption."""
        label = self._cells.get((row, column))
        if label is None:
            label = QLabel()
            label.setTextFormat(Qt.RichText)
            self._cells[(row, column)] = label
        span = 4 if column == 0 and kind not in ROW_KINDS else 1  # full-width lines run into the stretch column
        self._grid.addWidget(label, row, column, 1, span)  # re-adding moves it or changes its span
        # a word-wrapping label sizes itself by its text and would lay a pixmap out at zero height
        label.setWordWrap(kind == "caption")
        label.setTextFormat(Qt.RichText)
        label.setContentsMargins(*((0, 8, 0, 0) if kind == "caption" else (12 if column == 0 else 4, 2, 0, 2)))
        label.show()
        return label

    def _show(self, lines: list[tuple[str, object]]) -> None:
        self.latex_lines, self.caption_lines, self.value_texts = [], [], []
        self._product_text = next((payload for kind, payload in lines if kind == "value"), "")
        self._factor_rows = [row for row, (kind, _payload) in enumerate(lines) if kind == "factor"]
        used = set()
        self.path_bars.hide()
        for row, (kind, payload) in enumerate(lines):
            if kind == "bars":
                self._fit_bars()
                self.path_bars.set_rows(*payload)
                self._grid.addWidget(self.path_bars, row, 0, 1, 4)
                self.path_bars.show()
                continue
            cells = payload if kind in ROW_KINDS else (payload,)
            for column, text in enumerate(cells):
                used.add((row, column))
                label = self._label(row, column, kind)
                if kind == "caption":
                    label.setText(text)
                    self.caption_lines.append(text)
                elif text and (kind == "value" or (kind in ROW_KINDS and column == 2)):
                    # a factor's value changes every step: set as text, it costs nothing to redraw
                    # (typesetting it would cost ~15 ms per number while training runs)
                    label.setText(f"<span style='font-family: serif; font-size: 17px'>= {text}</span>")
                    self.value_texts.append(text)
                elif not text:
                    label.clear()
                else:
                    self.latex_lines.append(text)
                    # only what the worker typeset: laying a formula out here would hold the
                    # GUI thread for a tenth of a second each
                    if cached_image(text, MATH_SIZE, ratio=screen_ratio()) is not None:
                        label.setPixmap(render_latex(text, size=MATH_SIZE))
                        label.setToolTip(text)
                    else:   # not typeset yet (or not at all): readable plain text meanwhile
                        label.setText("<span style='font-family: serif; font-size: 16px; color: #5b6478'>"
                                      f"{html.escape(latex_as_text(text))}</span>")
                        label.setToolTip(text)
        for key, label in self._cells.items():
            if key not in used:
                label.hide()
        self._grid.setRowStretch(len(lines), 1)
        self._place_lesson_frames()

    # ------------------------------------------------------------------ a lesson's highlight
    def set_lesson_highlight(self, names=()) -> None:
        """Mark what a lesson step names here: "factor 2" frames the chain's second local derivative
        (its symbol, formula and value) with the lesson's dashed outline (lesson_marks.py)."""
        self._lesson_factors = tuple(sorted({int(n.split()[1]) for n in names
                                             if n.startswith("factor ") and n.split()[1].isdigit()}))
        self._place_lesson_frames()
        if self._lesson_factors:   # scrolled into view once the grid has placed the frames
            QTimer.singleShot(0, self._bring_marks_into_view)

    def _bring_marks_into_view(self) -> None:
        shown = [frame for frame in self._frames if not frame.isHidden()]
        if shown:
            self.widget().layout().activate()
            for frame in (shown[-1], shown[0]):   # the last, then the first: both if they fit
                # vertically only, from the left edge: a frame runs as wide as the widest formula
                self.ensureVisible(0, frame.geometry().center().y(), 0, frame.height() // 2 + 12)

    def clear_lesson_highlight(self) -> None:
        self.set_lesson_highlight(())

    def lesson_highlighted(self) -> set[str]:
        """The factors a lesson asked for that are framed now ("factor 2"): the chain must have them."""
        return {f"factor {k}" for k in self._lesson_factors if k <= len(self._factor_rows)}

    def _place_lesson_frames(self) -> None:
        """A frame per marked factor, laid out by the grid over that factor's row (symbol to value)."""
        wanted = [self._factor_rows[k - 1] for k in self._lesson_factors if k <= len(self._factor_rows)]
        while len(self._frames) < len(wanted):
            frame = QFrame(self.widget())
            frame.setObjectName("lesson-factor-mark")
            frame.setStyleSheet(f"#lesson-factor-mark {{ {FRAME_STYLE} }}")
            frame.setAttribute(Qt.WA_TransparentForMouseEvents)
            self._frames.append(frame)
        for index, frame in enumerate(self._frames):
            if index < len(wanted):
                self._grid.addWidget(frame, wanted[index], 0, 1, 3)
                frame.show()
                frame.raise_()
            else:
                self._grid.removeWidget(frame)
                frame.hide()
