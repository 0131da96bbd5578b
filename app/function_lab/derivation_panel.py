"""The step-by-step derivative: a collapsible tree of rules, each step rendered like a textbook with
the rule named in words; the selected step's explanation below."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..typesetter import show_math
from .model import FunctionLabModel

STEP_ROLE = Qt.UserRole + 1


class DerivationPanel(QWidget):
    def __init__(self, model: FunctionLabModel, parent=None):
        super().__init__(parent)
        self.setObjectName("derivation-panel")
        self.setAccessibleName("Step-by-step derivative")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.answer = QLabel()
        self.answer.setObjectName("derivative-answer")
        layout.addWidget(self.answer)
        self.tree = QTreeWidget()
        self.tree.setObjectName("derivation-tree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Rule", "Step"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(self._on_current)
        layout.addWidget(self.tree, 1)
        self.explanation = QLabel()
        self.explanation.setObjectName("step-explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.PlainText)
        self.explanation.setStyleSheet("padding: 4px; color: #1d2433; background: #f5f7fb; border-radius: 4px;")
        layout.addWidget(self.explanation)
        self.rule_formula = QLabel()  # the general rule this step applies, e.g. (f/g)' = (f'g - fg')/g^2
        self.rule_formula.setObjectName("rule-formula")
        layout.addWidget(self.rule_formula)
        self.setFocusProxy(self.tree)
        model.analysisChanged.connect(self.refresh)

    def refresh(self) -> None:
        analysis = self._model.analysis
        self.tree.clear()
        derivation = analysis.derivation
        show_math(self.answer, rf"h'(x) = {derivation.result_latex}", 18)
        self._add(self.tree.invisibleRootItem(), derivation.root)
        self.tree.expandAll()
        self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _add(self, parent: QTreeWidgetItem, step) -> None:
        item = QTreeWidgetItem(parent, [step.title, ""])
        item.setData(0, STEP_ROLE, step)
        item.setToolTip(0, step.explanation)
        label = QLabel()
        show_math(label, step.equation_latex, 14)
        label.setToolTip(step.explanation)
        label.setContentsMargins(4, 3, 4, 3)
        self.tree.setItemWidget(item, 1, label)
        for child in step.children:
            self._add(item, child)

    def _on_current(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        step = item.data(0, STEP_ROLE) if item is not None else None
        if step is None:
            self.explanation.clear()
            self.rule_formula.clear()
            return
        self.explanation.setText(f"{step.title}: {step.explanation}")
        show_math(self.rule_formula, step.rule_latex, 14)

    def svg_blocks(self) -> list:
        """The derivation as the lines of a vector figure (app/math_svg): each step's rule as text and
        its equation typeset, indented by depth, then the result."""
        from ..math_svg import Block

        analysis = self._model.analysis
        if analysis is None:
            return [Block("text", "No derivative yet: type a formula.")]
        derivation = analysis.derivation
        blocks = [Block("math", rf"h'(x) = {derivation.result_latex}", size=17)]
        for depth, step in derivation.walk():
            blocks += [Block("text", f"{step.title}: {step.explanation}", indent=18 * depth),
                       Block("math", step.equation_latex, indent=18 * depth + 12, size=14)]
        return blocks

    def rules_shown(self) -> list[str]:
        """Every rule in the tree, depth first: for tests and the learner's overview."""
        rules, stack = [], [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())][::-1]
        while stack:
            item = stack.pop()
            rules.append(item.data(0, STEP_ROLE).rule)
            stack.extend(item.child(i) for i in reversed(range(item.childCount())))
        return rules
