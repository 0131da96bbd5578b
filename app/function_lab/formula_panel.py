"""The formula field (with history and examples), what is wrong with it if anything, and the function's
decomposition into its chain of compositions — as a list and as nested boxes."""
from __future__ import annotations

import html

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMenu, QSizePolicy, QToolButton, QVBoxLayout,
                               QWidget)

from ..format import factor_latex
from ..typesetter import math_pixmap, show_math
from ..views.lesson_marks import mark_pen, underlay_pen
from .model import EXAMPLES, FormulaProblem, FunctionLabModel

BOX_COLORS = ("#eef4fb", "#fdf3e3", "#eaf6ee", "#f6ecf8", "#f1f1f1")


def chain_product_latex(factors: list[str]) -> str:
    r"""The layers' derivatives as a product, ``\frac{1}{u} \cdot \left(- \sin{\left(x \right)}\right)``:
    a factor after the first is bracketed when a sign stands at its top level, a leading minus
    included (``1/u · −sin x`` reads as a subtraction)."""
    parts = []
    for i, latex in enumerate(factors):
        if i > 0 and latex.lstrip().startswith("-"):
            parts.append(rf"\left({latex}\right)")
        else:
            parts.append(factor_latex(latex))
    return r" \cdot ".join(parts)


class FormulaField(QLineEdit):
    """A line edit whose Up and Down walk the formulas entered before, like a shell."""

    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(parent)
        self._model = model
        self._cursor: int | None = None  # index into history while browsing it

    def keyPressEvent(self, event) -> None:
        history = self._model.history
        if event.key() in (Qt.Key_Up, Qt.Key_Down) and history:
            if event.key() == Qt.Key_Up:
                self._cursor = len(history) - 1 if self._cursor is None else max(self._cursor - 1, 0)
            else:
                self._cursor = None if self._cursor is None or self._cursor >= len(history) - 1 else self._cursor + 1
            self.setText(history[self._cursor] if self._cursor is not None else "")
            self.textEdited.emit(self.text())
            return
        self._cursor = None
        super().keyPressEvent(event)


class NestedBoxes(QWidget):
    """h = f(g(x)) drawn as boxes inside boxes: each layer holds the next one inside it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(48)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._layers: list[str] = []   # LaTeX of each layer, outermost first
        self.marked: set[int] = set()  # depths (0: outermost) a lesson step points at

    def set_layers(self, layers: list[str]) -> None:
        self._layers = layers
        self.update()

    def set_marked(self, depths) -> None:
        self.marked = set(depths)
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        rect = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        inset = min(28.0, rect.height() / (2 * max(len(self._layers), 1) + 1))
        pixmaps = math_pixmap(self, [(latex, 14) for latex in self._layers], self.update)
        marks = []
        for depth, pixmap in enumerate(pixmaps):
            painter.setPen(QPen(QColor("#8a94a8"), 1.2))
            painter.setBrush(QColor(BOX_COLORS[depth % len(BOX_COLORS)]))
            painter.drawRoundedRect(rect, 8, 8)
            painter.drawPixmap(int(rect.left() + 8), int(rect.top() + 4), pixmap)
            if depth in self.marked:
                marks.append(QRectF(rect).adjusted(3, 3, -3, -3))   # just inside its own edge
            top = pixmap.deviceIndependentSize().height() + 8
            rect = rect.adjusted(inset, top, -inset, -inset / 2)
            if rect.height() < 12 or rect.width() < 20:
                break
        painter.setBrush(Qt.NoBrush)   # the lesson's marks last, over the inner boxes' edges
        for pen in (underlay_pen(), mark_pen()):
            painter.setPen(pen)
            for box in marks:
                painter.drawRoundedRect(box, 7, 7)
        painter.end()


class FormulaPanel(QWidget):
    submitted = Signal()   # Enter in the field: the formula was handed to the model

    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(parent)
        self.setObjectName("formula-panel")
        self.setAccessibleName("Formula and decomposition")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        row = QHBoxLayout()
        label = QLabel("h(x) =")
        label.setFont(QFont(label.font().family(), 12, QFont.Bold))
        row.addWidget(label)
        self.field = FormulaField(model)
        self.field.setObjectName("formula-field")
        self.field.setPlaceholderText("type a function of x, e.g. log(2 + cos(x)); Enter to derive")
        self.field.setFont(QFont("DejaVu Sans Mono", 12))
        self.field.setMaxLength(2000)  # the parser refuses long input with a message; this caps typing
        self.field.textEdited.connect(model.type_text)
        self.field.returnPressed.connect(self.submit)
        label.setBuddy(self.field)
        row.addWidget(self.field, 1)
        self.examples_button = QToolButton()
        self.examples_button.setText("Examples")
        self.examples_button.setPopupMode(QToolButton.InstantPopup)
        self.examples_menu = QMenu(self)
        for title, text in EXAMPLES:
            action = self.examples_menu.addAction(f"{text}    — {title}")
            action.triggered.connect(lambda _=False, t=text: self.use_example(t))
        self.examples_button.setMenu(self.examples_menu)
        row.addWidget(self.examples_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("formula-status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        self.status.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)  # the boxes give way, not this
        layout.addWidget(self.status)
        self.layers_label = QLabel()
        self.layers_label.setObjectName("decomposition")
        layout.addWidget(self.layers_label)
        self.product_label = QLabel()
        self.product_label.setObjectName("decomposition-product")
        layout.addWidget(self.product_label)
        self.boxes = NestedBoxes()
        layout.addWidget(self.boxes, 1)
        model.analysisChanged.connect(self._on_analysis)
        model.problemChanged.connect(self._on_problem)
        model.busyChanged.connect(self._on_busy)
        self.layer_lines: list[str] = []

    # ------------------------------------------------------------------ a lesson's highlight
    def set_lesson_highlight(self, names=()) -> None:
        """Mark what a lesson step names here: "layer 1" outlines the outermost layer's box (layers
        counted from the outside, as the list shows them) with the lesson's dashed mark."""
        self.boxes.set_marked(int(n.split()[1]) - 1 for n in names
                              if n.startswith("layer ") and n.split()[1].isdigit())

    def clear_lesson_highlight(self) -> None:
        self.set_lesson_highlight(())

    def lesson_highlighted(self) -> set[str]:
        """The layers a lesson asked for that the function has ("layer 2")."""
        return {f"layer {depth + 1}" for depth in self.boxes.marked if depth < len(self.layer_lines)}

    def submit(self) -> None:
        """Derive what the field holds and remember it (Enter)."""
        self._model.submit(self.field.text(), remember=True)
        self.submitted.emit()

    def use_example(self, text: str) -> None:
        self.field.setText(text)
        self._model.submit(text, remember=True)

    def show_examples(self) -> None:
        self.examples_menu.popup(self.field.mapToGlobal(self.field.rect().bottomLeft()))
        self.examples_menu.setActiveAction(self.examples_menu.actions()[0])

    def _on_busy(self, busy: bool) -> None:
        if busy and self._model.problem is None:
            self.status.setText("<i>deriving…</i>")

    def _on_problem(self, problem: FormulaProblem | None) -> None:
        if problem is None:
            self.status.setText("")
            self.field.setStyleSheet("")
            return
        self.field.setStyleSheet("QLineEdit { border: 2px solid #c0392b; }")
        self.status.setText(self.problem_html(problem))

    @staticmethod
    def problem_html(problem: FormulaProblem) -> str:
        """The message, and the text with the offending span marked, like a compiler would."""
        text, start = problem.text, problem.position
        shown = ""
        if text and start is not None and 0 <= start <= len(text):
            end = problem.end if problem.end is not None and problem.end > start else start + 1
            head, bad, tail = text[:start], text[start:end] or " ", text[end:]
            clip = 60  # keep long input readable: show the neighbourhood of the problem
            head = ("…" + head[-clip:]) if len(head) > clip else head
            tail = (tail[:clip] + "…") if len(tail) > clip else tail
            shown = (f"<br><code>{html.escape(head)}<span style='background:#f9d6d2; color:#a01818;"
                     f" text-decoration: underline'>{html.escape(bad)}</span>{html.escape(tail)}</code>")
        return (f"<span style='color:#a01818; font-weight:600'>{html.escape(problem.message)}</span>{shown}"
                "<br><span style='color:#5b6478'>The last good function stays on screen.</span>")

    def _on_analysis(self) -> None:
        analysis = self._model.analysis
        if self.field.text() != self._model.text:
            self.field.setText(self._model.text)
        self.status.setText("")
        decomposition = analysis.decomposition
        self.layer_lines = [layer.latex for layer in decomposition.layers]
        # how each layer's derivative enters the product: dh/dx = dh/du · du/dx = (1/u)·(-sin x)
        self.product_line = decomposition.product_latex()
        if len(decomposition.layers) > 1:
            self.product_line += " = " + chain_product_latex(
                [layer.derivative_only_latex for layer in decomposition.layers])
        show_math(self.layers_label, r"\qquad ".join(self.layer_lines), 16)
        show_math(self.product_label, self.product_line, 16)
        self.boxes.set_layers(self.layer_lines + ["x"])
