"""The expression panel: dJ/dθ for the selected parameter as the chain-rule product, four ways —
Leibniz form, local derivative formulas, the same with the current numbers, and the batch result.

The symbolic formulas come from sympy (via core) in a worker, once per (network, cost, parameter); the
numbers are re-rendered as parameters change, coalesced so a running training never floods the GUI.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

import core

from ..format import fmt, latex_number
from ..math_render import render_latex
from ..model import SessionModel
from ..workers import LatestOnlyWorker

REFRESH_MS_IDLE = 0
REFRESH_MS_RUNNING = 200


def parameter_latex(name: str) -> str:
    """w1 -> w_{1}; w2.1.3 -> w^{(2)}_{1,3}; b2.3 -> b^{(2)}_{3}."""
    kind, rest = name[0], name[1:]
    parts = rest.split(".")
    if len(parts) == 1:
        return f"{kind}_{{{parts[0]}}}"
    return f"{kind}^{{({parts[0]})}}_{{{','.join(parts[1:])}}}"


def bracket(value: float) -> str:
    text = latex_number(value)
    return rf"\left({text}\right)" if value < 0 else text


def forward_equations(net: core.Network) -> list[str]:
    """The forward pass as the learner met it in the lesson (scalar form when every layer has one neuron)."""
    if all(size == 1 for size in net.sizes):
        lines, previous = [], "x"
        last = len(net.sizes) - 1
        for layer in range(1, last + 1):
            act = core.ACTIVATIONS[net.activations[layer - 1]].latex
            a = rf"\hat{{y}} = a_{{{layer}}}" if layer == last else f"a_{{{layer}}}"
            lines.append(rf"z_{{{layer}}} = w_{{{layer}}}\,{previous} + b_{{{layer}}},\quad "
                         rf"{a} = {act}\left(z_{{{layer}}}\right)")
            previous = f"a_{{{layer}}}"
        return lines
    return [r"z^{(l)} = W^{(l)\top} a^{(l-1)} + b^{(l)},\quad a^{(l)} = f_l\left(z^{(l)}\right),\quad a^{(0)} = x"]


def product_factor(latex: str) -> str:
    """Bracket a factor only if a + or - stands at its top level: (a_2 - y), but w_2 and x stay bare."""
    depth, i = 0, 0
    while i < len(latex):
        if latex.startswith(r"\left", i) or latex[i] == "{":
            depth += 1
        elif latex.startswith(r"\right", i) or latex[i] == "}":
            depth -= 1
        elif latex[i] in "+-" and depth == 0 and i > 0:
            return rf"\left({latex}\right)"
        i += 1
    return latex


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
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(14, 10, 14, 10)
        self._layout.setSpacing(6)
        self.setWidget(body)
        self._labels: list[QLabel] = []
        self.latex_lines: list[str] = []      # what is shown, for tests and exports
        self.caption_lines: list[str] = []
        self._formulas: dict[tuple, list[str]] = {}
        self._worker = LatestOnlyWorker(self)
        self._worker.finished.connect(self._on_formulas)
        self._worker.failed.connect(lambda text: self._model.set_message(f"Could not derive formulas: {text}"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh_now)
        self._started = False
        for signal in (model.parametersChanged, model.selectionChanged, model.sampleChanged,
                       model.lossChanged, model.datasetChanged):
            signal.connect(self.schedule_refresh)

    def start(self) -> None:
        """Show the first derivation; called once the window has painted (ziamath and sympy load then)."""
        self._started = True
        self._timer.start(0)

    # ------------------------------------------------------------------ scheduling
    def schedule_refresh(self, *_args) -> None:
        if self._started and not self._timer.isActive():
            self._timer.start(REFRESH_MS_RUNNING if self._model.running else REFRESH_MS_IDLE)

    def _formula_key(self) -> tuple:
        net = self._model.network
        return (tuple(net.sizes), tuple(net.activations), net.loss, self._model.selected)

    def is_settled(self) -> bool:
        """True once the shown derivation is complete (symbolic formulas in, no refresh pending)."""
        return self._started and self._formula_key() in self._formulas and not self._timer.isActive()

    def _on_formulas(self, result) -> None:
        key, latex = result
        self._formulas[key] = latex
        if key == self._formula_key():
            self.refresh_now()

    # ------------------------------------------------------------------ content
    def refresh_now(self) -> None:
        model = self._model
        net = model.network
        name = model.selected
        chain = model.chain(name)
        theta = parameter_latex(name)
        sample = model.sample
        x, y = model.X[sample], model.y[sample]
        lhs = rf"\frac{{\partial J}}{{\partial {theta}}}"
        leibniz = r"\,".join(f.latex for f in chain.factors)
        key = self._formula_key()
        formulas = self._formulas.get(key)
        if formulas is None:
            factors = chain.factors
            self._worker.submit(lambda: (key, [f.formula_latex for f in factors]))
            formulas = self._formulas.get(key)  # already there when the worker runs synchronously
        numbers = r"\cdot ".join(bracket(f.value) for f in chain.factors)
        loss = core.LOSSES[net.loss]

        lines: list[tuple[str, str]] = [
            ("caption", f"<b>Forward pass</b> (the network computes left to right)"),
            *[("math", line) for line in forward_equations(net)],
            ("caption", f"<b>Cost</b>: {loss.title}, averaged over the {len(model.X)} samples"),
            ("math", loss.latex),
            ("caption", f"<b>Chain rule</b> for ∂J/∂{name}: multiply the local derivatives along the path "
                        f"from the cost back to {name}"),
            ("math", f"{lhs} = {leibniz}"),
        ]
        if formulas is not None:
            lines.append(("math", "= " + r"\cdot ".join(product_factor(f) for f in formulas)))
        else:
            lines.append(("caption", "<i>deriving the local formulas…</i>"))
        x_text = ", ".join(fmt(v) for v in x)
        y_text = ", ".join(fmt(v) for v in y)
        lines += [
            ("caption", f"<b>With the numbers</b> of sample {sample + 1} of {len(model.X)} "
                        f"(x = {x_text}, y = {y_text}); keys [ and ] change the sample"),
            ("math", f"= {numbers} = {latex_number(chain.product)}"),
            ("caption", "<b>Over the batch</b> the gradient is the mean of these per-sample products "
                        "— the number gradient descent uses"),
            ("math", rf"{lhs} = \frac{{1}}{{N}}\sum_{{n=1}}^{{N}} \left({leibniz}\right)_n "
                     rf"= {latex_number(chain.gradient)}"),
            ("caption", f"Step: {name} ← {name} − η·∂J/∂{name} = {fmt(net.get(name))} − "
                        f"{fmt(model.learning_rate)} × {fmt(chain.gradient)} = "
                        f"{fmt(net.get(name) - model.learning_rate * chain.gradient)}"),
        ]
        self._show(lines)

    def _show(self, lines: list[tuple[str, str]]) -> None:
        while len(self._labels) < len(lines):
            label = QLabel()
            label.setTextFormat(Qt.RichText)
            label.setWordWrap(False)
            label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
            self._layout.addWidget(label)
            self._labels.append(label)
        if self._layout.count() == len(self._labels):
            self._layout.addStretch(1)
        self.latex_lines = [text for kind, text in lines if kind == "math"]
        self.caption_lines = [text for kind, text in lines if kind == "caption"]
        for label, (kind, text) in zip(self._labels, lines):
            label.show()
            if kind == "math":
                label.setWordWrap(False)  # a word-wrapping label sizes itself by text and hides a pixmap
                try:
                    label.setPixmap(render_latex(text))
                    label.setToolTip(text)
                except ValueError:
                    label.setText(f"<code>{text}</code>")
                label.setContentsMargins(12, 2, 0, 6)
            else:
                label.setText(text)
                label.setWordWrap(True)
                label.setContentsMargins(0, 6, 0, 0)
        for label in self._labels[len(lines):]:
            label.hide()
