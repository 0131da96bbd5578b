"""The Function lab's observable state: the formula, its analysis, the point x0 and the graph walk.

A typo never costs the learner what they had: a formula that fails to parse or to derive leaves the
last good analysis on screen and reports the problem, with its position, through `problemChanged`.

Nothing the learner types is worked on by sympy in this process: the GUI thread only checks the
syntax (bounded by the text's length), and building the expression, deriving it and everything
else happen in the time-limited worker process (see service.py).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from .. import edit_labels as labels
from ..undo import undoable
from .service import SymbolicService

LESSON_FORMULA = "log(2 + cos(x))"
EXAMPLES = (
    ("The lesson: log of 2 + cos x", LESSON_FORMULA),
    ("A square inside a sine", "sin(x^2)"),
    ("Three layers deep", "exp(sin(3x))"),
    ("A neuron: sigmoid of an affine map", "sigmoid(2x - 1)"),
    ("Product rule", "x^2 sin(x)"),
    ("Quotient rule", "(x^2 + 1)/(x - 2)"),
    ("A root of a polynomial", "sqrt(1 + x^2)"),
    ("Powers of a sum", "(1 + x^2)^3"),
    ("Hyperbolic tangent squared", "tanh(sin(x))^2"),
    ("Softplus, the smooth ReLU", "softplus(3x)"),
    ("Reused sub-expression", "sin(x) sin(x) + sin(x)"),
    ("Undefined in places", "log(x) + tan(x)"),
)
X0_STEP = 0.1
FINE_X0_STEP = 0.01
DEBOUNCE_MS = 300
CACHE_SIZE = 64
HISTORY_SIZE = 50
#: A typed formula joins the history once it has been on screen this long: the learner looked at
#: it (typing derives live, so every pause would otherwise add a half-typed formula).
DWELL_MS = 1500


@dataclass(frozen=True)
class FormulaProblem:
    """What is wrong with the text, where (character positions, or None), and for which text."""

    text: str
    message: str
    position: int | None = None
    end: int | None = None


class FunctionLabModel(QObject):
    undo_history = None   # the window's app.undo.UndoHistory: formula and x0 edits are recorded there

    analysisChanged = Signal()
    problemChanged = Signal(object)        # FormulaProblem or None
    busyChanged = Signal(bool)
    x0Changed = Signal(float)
    graphStepChanged = Signal(int)
    forwardModeChanged = Signal(bool)
    historyChanged = Signal()

    def __init__(self, parent=None, service: SymbolicService | None = None):
        super().__init__(parent)
        self._service = service or SymbolicService(self)
        self._service.analyzed.connect(self._on_analyzed)
        self._service.refused.connect(self._on_refused)
        self._service.failed.connect(self._on_failed)
        self._service.busyChanged.connect(self.busyChanged)
        self._cache: OrderedDict[str, object] = OrderedDict()
        self.text = ""            # the formula the learner asked for last
        self.analysis = None      # core FormulaAnalysis of the formula on screen
        self.compiled = None      # its numpy functions
        self.problem: FormulaProblem | None = None
        self.x0 = 1.0
        self.graph_step = 0
        self.forward_mode = False
        self.history: list[str] = []
        self._closed = False
        self._graph_key, self._graph_values = None, None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._submit_typed)
        self._typed = ""
        self._dwell = QTimer(self)
        self._dwell.setSingleShot(True)
        self._dwell.setInterval(DWELL_MS)
        self._dwell.timeout.connect(self._remember_shown)

    @property
    def busy(self) -> bool:
        return self._service.busy

    def start(self, text: str = LESSON_FORMULA) -> None:
        if self.analysis is None and not self.text:
            self._submit(text, remember=True)   # the lab's first formula: not an edit to undo

    def prefetch(self, text: str = LESSON_FORMULA, delay_ms: int = 0) -> None:
        """Derive ``text`` in the background (after ``delay_ms``) before anybody asks, so the lab's
        first visit shows it at once, from the cache, instead of an empty "deriving…" panel."""
        if delay_ms > 0:
            QTimer.singleShot(delay_ms, self, lambda: self.prefetch(text))
            return
        if (not self._closed and self.analysis is None and not self.text and text not in self._cache
                and not self.busy):
            self._service.request(text)

    # ------------------------------------------------------------------ formula
    def type_text(self, text: str) -> None:
        """Typing: analyse once the learner pauses, so plots follow the keyboard without lag."""
        self._typed = text
        self._debounce.start()

    @undoable(labels.formula)
    def submit(self, text: str, remember: bool = False) -> None:
        """The learner's formula (Enter, an example, an earlier one): an undoable edit."""
        self._submit(text, remember)

    @undoable(labels.typed_formula, merge=labels.typing_key)
    def _submit_typed(self) -> None:
        """Typing paused: derive what is typed. The pauses of one typing merge into one edit."""
        self._submit(self._typed)

    def _submit(self, text: str, remember: bool = False) -> None:
        """Check the syntax now (bounded and fast, so typos show at once); build, derive and
        everything else in the worker process (a text sympy takes minutes over is stopped there)."""
        from core.formula.parser import FormulaError, check_syntax

        self._debounce.stop()
        self._dwell.stop()
        self.text = text  # not stripped: error positions index the text as typed
        if remember:
            self._remember(text)
        try:
            check_syntax(text)
        except FormulaError as error:
            self._set_problem(FormulaProblem(text, error.message, error.position, getattr(error, "end", None)))
            return
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            self._show(cached)
        elif not self._service.is_working_on(text):   # e.g. the prefetched lesson, on its way
            self._service.request(text)

    def is_cached(self, text: str) -> bool:
        """True when ``text`` was derived already, so submitting it shows it at once."""
        return text in self._cache

    def _remember(self, text: str) -> None:
        if text.strip() and (not self.history or self.history[-1] != text):
            if text in self.history:
                self.history.remove(text)
            self.history.append(text)
            del self.history[:-HISTORY_SIZE]
            self.historyChanged.emit()

    def _on_analyzed(self, text: str, analysis) -> None:
        self._cache[text] = analysis
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if text == self.text:
            self._show(analysis)

    def _remember_shown(self) -> None:
        if self.analysis is not None and self.problem is None and self.analysis.text == self.text:
            self._remember(self.text)

    def _on_refused(self, text: str, error) -> None:
        """The worker's parser refused ``text`` (log(0), a number beyond the bounds …)."""
        if text == self.text:
            self._set_problem(FormulaProblem(text, error.message, error.position, error.end))

    def _on_failed(self, text: str, message: str) -> None:
        if text == self.text:
            self._set_problem(FormulaProblem(text, message))

    def _show(self, analysis) -> None:
        from core.formula.numeric import CompiledFormula

        self.analysis = analysis
        self.compiled = CompiledFormula.from_analysis(analysis)
        self._set_problem(None)
        self.graph_step = self._forward_done()
        self.analysisChanged.emit()
        self.graphStepChanged.emit(self.graph_step)
        self._dwell.start()

    def _set_problem(self, problem: FormulaProblem | None) -> None:
        if problem != self.problem:
            self.problem = problem
            self.problemChanged.emit(problem)

    def restore(self, formula: str, x0: float, history) -> None:
        """A saved Function lab: its formula (analysed as if typed), x0 and the formulas tried."""
        history = [str(text) for text in history][-HISTORY_SIZE:]
        if history != self.history:
            self.history = history
            self.historyChanged.emit()
        self.set_x0(x0)
        if formula and formula != self.text:
            self._submit(formula)

    # ------------------------------------------------------------------ x0
    @undoable(labels.x0, merge=labels.x0_key)
    def set_x0(self, x0: float) -> None:
        x0 = round(float(x0), 6)
        if x0 != self.x0:
            self.x0 = x0
            self.graph_step = self._forward_done()
            self.x0Changed.emit(x0)
            self.graphStepChanged.emit(self.graph_step)

    @undoable(labels.x0, merge=labels.x0_key)
    def move_x0(self, direction: int, fine: bool = False) -> None:
        self.set_x0(self.x0 + direction * (FINE_X0_STEP if fine else X0_STEP))

    # ------------------------------------------------------------------ computation graph walk
    def graph_values(self):
        """Forward values, adjoints, local derivatives and tangents of the graph at x0 (evaluated once
        per function and point: every step of the walk reads the same numbers)."""
        if self.analysis is None:
            return None
        key = (id(self.analysis), self.x0)
        if self._graph_key != key:
            self._graph_key, self._graph_values = key, self.analysis.graph.evaluate(self.x0)
        return self._graph_values

    def _forward_done(self) -> int:
        """Where a new graph starts: values computed, the backward pass still to walk (Shift+B goes
        back through the forward pass)."""
        values = self.graph_values()
        return 0 if values is None else len(values.forward_order)

    def graph_step_count(self) -> int:
        values = self.graph_values()
        if values is None:
            return 0
        return len(values.forward_order) + (0 if self.forward_mode else len(values.backward_order))

    def step_graph(self, offset: int) -> None:
        """One node at a time: the forward pass first, then the backward pass."""
        step = min(max(self.graph_step + offset, 0), self.graph_step_count())
        if step != self.graph_step:
            self.graph_step = step
            self.graphStepChanged.emit(step)

    def finish_graph(self) -> None:
        self.step_graph(self.graph_step_count())

    def set_forward_mode(self, on: bool) -> None:
        if on != self.forward_mode:
            self.forward_mode = on
            self.graph_step = min(self.graph_step, self.graph_step_count())
            self.forwardModeChanged.emit(on)
            self.graphStepChanged.emit(self.graph_step)

    def close(self) -> None:
        self._closed = True
        self._dwell.stop()
        self._service.close()
