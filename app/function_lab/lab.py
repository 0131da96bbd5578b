"""The Function lab's panels, layout and commands."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer

from ..actions import ActionRegistry, ActionSpec
from ..lab import DockLab, Panel
from .model import FunctionLabModel

NAME = "function"
TITLE = "Function lab"
PANEL_TITLES = {"formula": "Formula and its layers", "derivation": "Step-by-step derivative",
                "plot": "h, h′ and the tangent", "graph": "Computation graph"}


def action_specs(m: FunctionLabModel, registry: ActionRegistry, lab: Callable[[], "FunctionLab"]
                 ) -> list[ActionSpec]:
    """`lab()` gives the lab, building it if need be: the commands exist before the lab does."""
    def spec(*args, **kwargs) -> ActionSpec:
        return ActionSpec(*args, scope=NAME, **kwargs)

    def more_to_walk():
        if m.analysis is None:
            return False, "No function is derived yet."
        return (True, "") if m.graph_step < m.graph_step_count() else (
            False, "Both passes are complete: Shift+B steps back.")

    def walked():
        return (True, "") if m.graph_step > 0 else (False, "The walk through the graph is at its start: B steps it.")

    return [
        spec("edit_formula", "Edit the formula", "Ctrl+L", "Function",
             "Put the cursor in the formula field (Up/Down there walk the history)",
             lambda: lab().edit_formula()),
        spec("examples", "Examples…", "Ctrl+E", "Function", "Pick a function to study from a list",
             lambda: lab().formula.show_examples()),
        spec("x0_left", "Move x0 left", "Ctrl+Left", "Function", "Move the point x0 left by 0.1",
             lambda: m.move_x0(-1)),
        spec("x0_right", "Move x0 right", "Ctrl+Right", "Function", "Move the point x0 right by 0.1",
             lambda: m.move_x0(+1)),
        spec("x0_left_fine", "Move x0 left (fine)", "Ctrl+Shift+Left", "Function",
             "Move the point x0 left by 0.01", lambda: m.move_x0(-1, fine=True)),
        spec("x0_right_fine", "Move x0 right (fine)", "Ctrl+Shift+Right", "Function",
             "Move the point x0 right by 0.01", lambda: m.move_x0(+1, fine=True)),
        spec("graph_step", "Step the graph", "B", "Function",
             "Evaluate the next node: the forward pass first, then the backward pass", lambda: m.step_graph(1),
             enabled_when=more_to_walk),
        spec("graph_back", "Step the graph back", "Shift+B", "Function", "Undo the last graph step",
             lambda: m.step_graph(-1), enabled_when=walked),
        spec("graph_all", "Complete the passes", "Ctrl+B", "Function",
             "Run the forward and backward passes to the end", m.finish_graph, enabled_when=more_to_walk),
        spec("forward_mode", "Forward mode", "M", "Function",
             "Show forward-mode differentiation (tangents dv/dx) instead of the backward pass",
             lambda: m.set_forward_mode(registry.action("forward_mode").isChecked()), checkable=True,
             checked=lambda: m.forward_mode),
        # --- keys a panel handles while it has the focus ---
        spec("derive_formula", "Derive the formula", "Enter", "Function",
             "In the formula field: derive what is typed, remember it, and leave the field so B, M … work",
             lambda: lab().formula.submit(), panels=("formula",)),
        spec("formula_history", "Earlier formulas", "Up / Down", "Function",
             "In the formula field: walk through the formulas entered before", lambda: lab().edit_formula(),
             panels=("formula",)),
        spec("plot_x0", "Move x0 on the plot", "Left / Right", "Function",
             "With the plot focused: move x0 by 0.1 (Shift: 0.01)", lambda: lab().focus_panel("plot"),
             panels=("plot",)),
    ]


def _arrange(lab: DockLab) -> None:
    d = lab.docks
    lab.addDockWidget(Qt.TopDockWidgetArea, d["formula"])
    lab.splitDockWidget(d["formula"], d["plot"], Qt.Horizontal)
    lab.addDockWidget(Qt.BottomDockWidgetArea, d["derivation"])
    lab.splitDockWidget(d["derivation"], d["graph"], Qt.Horizontal)


def _size(lab: DockLab) -> None:
    d = lab.docks
    lab.resizeDocks([d["formula"], d["plot"]], [600, 840], Qt.Horizontal)
    lab.resizeDocks([d["derivation"], d["graph"]], [600, 840], Qt.Horizontal)
    lab.resizeDocks([d["formula"], d["derivation"]], [380, 440], Qt.Vertical)


class FunctionLab(DockLab):
    def __init__(self, model: FunctionLabModel, parent=None):
        # The panels' modules load with the lab, when it is first opened, not at start-up.
        from .derivation_panel import DerivationPanel
        from .formula_panel import FormulaPanel
        from .graph_panel import GraphPanel
        from .plot_panel import FunctionPlotPanel

        self.model = model
        self.formula = FormulaPanel(model)
        panels = [
            Panel("formula", PANEL_TITLES["formula"], "Ctrl+1", self.formula),
            Panel("derivation", PANEL_TITLES["derivation"], "Ctrl+2", DerivationPanel(model)),
            Panel("plot", PANEL_TITLES["plot"], "Ctrl+3", FunctionPlotPanel(model)),
            Panel("graph", PANEL_TITLES["graph"], "Ctrl+4", GraphPanel(model)),
        ]
        # The graph is where B, Shift+B and M show their work; the formula field would take the letters.
        super().__init__(NAME, TITLE, panels, _arrange, _size, parent, main_panel="graph")
        self.formula.submitted.connect(self.focus_main_panel)   # Enter derives, then the keys are the lab's

    def edit_formula(self) -> None:
        self.focus_panel("formula")
        self.formula.field.setFocus(Qt.ShortcutFocusReason)
        self.formula.field.selectAll()

    _started = False

    def showEvent(self, event) -> None:
        """The worker process starts when the learner first opens this lab, not at start-up."""
        super().showEvent(event)
        if not self._started:
            self._started = True
            QTimer.singleShot(0, self.model.start)

    def is_settled(self) -> bool:
        m = self.model
        return not self._started or ((m.analysis is not None or m.problem is not None) and not m.busy)


def register_actions(model: FunctionLabModel, registry: ActionRegistry, lab: Callable[[], FunctionLab]) -> None:
    registry.add_all(action_specs(model, registry, lab))
    # the conditions above and forward mode's checked state follow the lab's model
    registry.watch(model.analysisChanged, model.graphStepChanged, model.forwardModeChanged)
