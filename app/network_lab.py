"""The Network lab: the lesson's network with its diagram, chain rule, cost surface, slice, cost
curve, data and controls, and the commands that drive it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from . import value_commands
from .actions import ActionRegistry, ActionSpec
from .lab import DockLab, Panel
from .network_conditions import with_conditions
from .model import SessionModel
from .views.controls import ControlsPanel
from .views.curves import CostCurveView, DataView
from .views.diagram import NetworkDiagram
from .views.expression import ExpressionPanel
from .views.gradient_health import GradientHealthView
from .views.parameter_table import ParameterTablePanel  # parameter table panel
from .views.race_table import RaceTable
from .views.slice_view import CostSliceView
from .views.surface import CostSurfaceView
from .views.timeline import TimelineBar

NAME = "network"
TITLE = "Network lab"
PANEL_TITLES = {"diagram": "Network diagram", "expression": "Chain rule", "surface": "Cost surface",
                "slice": "Slice J(θ) and tangent", "cost": "Cost curve", "data": "Data and prediction",
                "controls": "Controls", "params": "Parameters", "timeline": "Timeline",
                "health": "Gradient health", "race": "Race"}


def action_specs(m: SessionModel, registry: ActionRegistry) -> list[ActionSpec]:
    def spec(*args, **kwargs) -> ActionSpec:
        return ActionSpec(*args, scope=NAME, **kwargs)

    def panel(panel_id: str):
        """A panel of the lab, shown and focused (the window exists by the time a command runs)."""
        window = registry.parent()
        window.focus_panel(panel_id)
        return window.network_lab.panels[panel_id]

    specs = [
        spec("restore_lesson", "Restart the lesson", "Ctrl+Shift+R", "File",
             "Back to the lesson exactly as it starts: its data, the 1 → 1 → 1 sigmoid network and its "
             "weights, squared error, η = 2, full batch, no test split, w2 selected", m.restore_lesson),
        # Open (Ctrl+O: sessions and CSVs alike) is the window's: app/session_files.py
        spec("step", "&Step", "S", "Training", "Take one gradient-descent step on the whole batch",
             lambda: m.step(1)),
        spec("run", "&Run", "Space", "Training", "Run gradient descent continuously, or pause it",
             m.toggle_running),
        spec("reset", "R&eset", "Ctrl+R", "Training",
             "Back to the starting parameters; clears the history and any divergence", m.reset),
        spec("lr_up", "Learning rate ×2", "L", "Training", "Double the learning rate η",
             lambda: m.scale_learning_rate(2.0)),
        spec("lr_down", "Learning rate ÷2", "Shift+L", "Training", "Halve the learning rate η",
             lambda: m.scale_learning_rate(0.5)),
        spec("train_only_axes", "Train only the surface parameters", "T", "Training",
             "Hold every other parameter so the path lies exactly on a fixed surface",
             lambda: m.set_train_only_axes(registry.action("train_only_axes").isChecked()), checkable=True),
        spec("cycle_cost", "Next cost function", "C", "Training",
             "Switch to the next cost that fits the output layer", m.cycle_loss),
        spec("cycle_dataset", "Next dataset", "D", "Data", "Switch to the next built-in dataset",
             m.cycle_dataset),
        spec("prev_dataset", "Previous dataset", "Shift+D", "Data",
             "Switch to the previous built-in dataset", lambda: m.cycle_dataset(-1)),
        spec("remove_sample", "Remove the ringed sample", "Delete", "Data",
             "Delete the data point the chain is shown for ([ and ] choose it)",
             lambda: m.remove_point(int(m.train_indices[m.sample]))),
        spec("batch_mode", "Next batch mode", "K", "Training",
             "Full batch → mini-batches of 32 → one sample at a time", m.cycle_batch_mode),
        spec("cycle_regularization", "Next regularization", "G", "Training",
             "No penalty → L1 → L2 on the weights", m.cycle_regularization),
        spec("cycle_init", "Next initialization", "I", "Network",
             "Start again from Xavier → He → small random → zero weights", m.cycle_init),
        spec("reinitialize", "New random start", "Shift+I", "Network",
             "Fresh random weights from the next seed", lambda: m.reinitialize()),
        spec("add_layer", "Add hidden layer", "H", "Network",
             "Insert a hidden layer after the selected parameter's layer", lambda: m.add_layer()),
        spec("remove_layer", "Remove hidden layer", "Shift+H", "Network",
             "Remove the selected parameter's hidden layer", lambda: m.remove_layer()),
        spec("add_neuron", "Add neuron", "=", "Network",
             "Add a neuron to the selected parameter's hidden layer", lambda: m.add_neuron()),
        spec("remove_neuron", "Remove neuron", "-", "Network",
             "Remove the last neuron of the selected parameter's hidden layer", lambda: m.remove_neuron()),
        spec("cycle_activation", "Next activation", "V", "Network",
             "Change the selected parameter's hidden layer to the next activation", lambda: m.cycle_activation()),
        spec("cycle_all_activations", "Next activation for every hidden layer", "Shift+V", "Network",
             "Switch every hidden layer to the next activation (sigmoid → tanh → ReLU …)", m.cycle_all_activations),
        spec("vanishing_example", "Vanishing-gradient example", "E", "Network",
             "Six sigmoid hidden layers on the circle data, the gradient health panel in front: see δ shrink",
             lambda: _vanishing_example(m, registry)),
        spec("next_param", "Select next parameter", "N", "Parameters",
             "Select the next parameter: its chain is shown and its path lit", lambda: m.select_relative(1)),
        spec("prev_param", "Select previous parameter", "Shift+N", "Parameters",
             "Select the previous parameter", lambda: m.select_relative(-1)),
        spec("nudge_up", "Nudge selected up", "Ctrl+Up", "Parameters",
             "Increase the selected parameter by 0.1", lambda: m.nudge(+1)),
        spec("nudge_down", "Nudge selected down", "Ctrl+Down", "Parameters",
             "Decrease the selected parameter by 0.1", lambda: m.nudge(-1)),
        spec("nudge_up_fine", "Nudge selected up (fine)", "Ctrl+Shift+Up", "Parameters",
             "Increase the selected parameter by 0.01", lambda: m.nudge(+1, fine=True)),
        spec("nudge_down_fine", "Nudge selected down (fine)", "Ctrl+Shift+Down", "Parameters",
             "Decrease the selected parameter by 0.01", lambda: m.nudge(-1, fine=True)),
        spec("next_path", "Single out the next path", "P", "Parameters",
             "Light one path from the selected parameter to the cost at a time, then all again",
             lambda: m.cycle_path(1)),
        spec("prev_path", "Single out the previous path", "Shift+P", "Parameters",
             "Step back through the selected parameter's paths", lambda: m.cycle_path(-1)),
        spec("next_sample", "Next sample", "]", "Parameters",
             "Show the chain and node values for the next data point", lambda: m.set_sample(m.sample + 1)),
        spec("prev_sample", "Previous sample", "[", "Parameters",
             "Show the chain and node values for the previous data point", lambda: m.set_sample(m.sample - 1)),
        # --- the timeline: rewind and branch real training ---
        spec("timeline_back", "Back one step", ",", "Timeline",
             "Show the previous step in every panel (pauses training; a change made there starts a new run)",
             lambda: m.step_back(1)),
        spec("timeline_forward", "Forward one step", ".", "Timeline",
             "Show the next step of the run in every panel", lambda: m.step_forward(1)),
        spec("timeline_back_10", "Back ten steps", "Ctrl+,", "Timeline",
             "Show the step ten steps earlier", lambda: m.step_back(10)),
        spec("timeline_forward_10", "Forward ten steps", "Ctrl+.", "Timeline",
             "Show the step ten steps later", lambda: m.step_forward(10)),
        spec("timeline_start", "To the start", "Home", "Timeline",
             "Show step 0, where the run began", m.to_start),
        spec("timeline_live", "To live", "End", "Timeline",
             "Show the newest step again; training goes on from there", m.to_live),
        spec("next_branch", "Next run", "O", "Timeline",
             "Show the next run of the timeline (a change made at a past step starts one)",
             lambda: m.cycle_branch(1)),
        spec("prev_branch", "Previous run", "Shift+O", "Timeline", "Show the previous run of the timeline",
             lambda: m.cycle_branch(-1)),
        spec("delete_branch", "Delete this run", "Shift+Delete", "Timeline",
             "Forget the shown run (the last one stays)", lambda: m.delete_branch()),
        # --- the race: optimizers side by side from one start ---
        spec("race", "&Race optimizers…", "R", "Race",
             "Pick optimizers, each with its learning rate, and race them from the shown parameters",
             lambda: _start_race(m, registry)),
        spec("race_table", "Go to the race table", "Ctrl+Alt+R", "Race",
             "Show the race table (step, cost, accuracy and distance of every optimizer) and focus it",
             lambda: registry.parent().focus_panel("race")),
        spec("narrate_step", "Narrate the next update", "U", "Training",
             "Explain the next update of the selected parameter in the chain panel, one sub-step per press "
             "(gradient → velocity or moments → bias correction → step); the last press takes the step",
             m.narrate_step),
        spec("end_race", "End the race", "Shift+R", "Race", "Keep the shown run alone and end the race",
             m.end_race),
        *[spec(f"race_start_{name}", f"Move the race's start {name}", f"Alt+{key}", "Race",
               f"Move the common start {text} on the cost surface; every run restarts from there "
               "(with the mouse: click the surface, or drag its start ring)",
               lambda da=da, db=db: m.move_race_start(da, db))
          for name, key, text, da, db in (("left", "Left", "left (first axis −)", -1, 0),
                                          ("right", "Right", "right (first axis +)", 1, 0),
                                          ("down", "Down", "down (second axis −)", 0, -1),
                                          ("up", "Up", "up (second axis +)", 0, 1))],
        # --- keys a panel handles while it has the focus (listed on the F1 sheet and in the menus) ---
        spec("edit_value", "Type a value…", "Enter", "Parameters",
             "Type a new value for the selected parameter (Enter again sets it, Escape cancels)",
             lambda: panel("diagram").edit_parameter(), panels=("diagram", "params")),
        spec("neuron_menu", "Neuron menu…", "Shift+F10", "Network",
             "The menu of the selected parameter's neuron: add or remove neurons and layers, change the "
             "activation (the Menu key too)", lambda: panel("diagram").show_selected_menu(), panels=("diagram",)),
        spec("move_cross", "Move the cross", "Arrows", "Data",
             "Move the cross over the data (Shift: smaller steps)",
             lambda: panel("data").move_cursor(0, 0), panels=("data",)),
        spec("add_point_at_cross", "Add a point at the cross", "Enter", "Data",
             "Add a data point where the cross is (Shift+Enter: class 1, Ctrl+Enter: class 2)",
             lambda: panel("data").add_at_cursor(0), panels=("data",)),
        spec("remove_point_at_cross", "Remove the point at the cross", "Backspace", "Data",
             "Remove the data point nearest the cross", lambda: panel("data").remove_at_cursor(),
             panels=("data",)),
        spec("timeline_arrows", "Step through the timeline", "Left / Right", "Timeline",
             "One step back or forward (Shift: ten), like , and .",
             lambda: panel_timeline(registry).setFocus(Qt.ShortcutFocusReason), panels=("timeline",)),
        spec("next_axes", "Next surface axes", "A", "Parameters",
             "Plot the cost surface over the next pair of parameters", lambda: m.cycle_axes(1)),
        spec("prev_axes", "Previous surface axes", "Shift+A", "Parameters",
             "Plot the cost surface over the previous pair of parameters", lambda: m.cycle_axes(-1)),
        # --- the cost surface's plane: two parameters, random directions, principal components ---
        spec("next_plane", "Next surface plane", "Y", "Surface",
             "Draw the cost surface over two parameters → two random filter-normalized directions → the "
             "first two principal components of the path", lambda: m.cycle_surface_plane(1)),
        spec("new_plane_seed", "New random directions", "Shift+Y", "Surface",
             "Draw the cost surface over two new random directions (the next seed)", m.new_plane_seed),
    ]
    # when each command can run, and the toggles' states: app/network_conditions.py
    return with_conditions(m, specs + value_commands.action_specs(m, registry))


def _vanishing_example(m: SessionModel, registry: ActionRegistry) -> None:
    m.load_vanishing_example()
    lab = getattr(registry.parent(), "network_lab", None)
    if lab is not None and "health" in lab.docks:
        lab.docks["health"].show()
        lab.docks["health"].raise_()


def _start_race(m: SessionModel, registry: ActionRegistry) -> None:
    """R: the race dialog (window-modal, not blocking the event loop); on Enter the race starts and
    its table comes forward."""
    from .views.race_dialog import RaceDialog

    window = registry.parent()
    dialog = RaceDialog(m.learning_rate, window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)

    def start() -> None:
        try:
            entrants = dialog.entrants()
        except ValueError as exc:
            m.set_message(f"Could not start the race: {exc}")
            return
        if not entrants:
            m.set_message("Tick at least one optimizer to race (R opens the choice again).")
            return
        if m.start_race(entrants):
            lab = getattr(window, "network_lab", None)
            if lab is not None and "race" in lab.docks:
                lab.docks["race"].show()
                lab.docks["race"].raise_()

    def back_to_the_lab(_result) -> None:
        """Keys go on working in the lab (without a window manager, focus would stay nowhere)."""
        window.activateWindow()
        lab = getattr(window, "network_lab", None)
        if lab is not None:
            lab.focus_main_panel()

    dialog.accepted.connect(start)
    dialog.finished.connect(back_to_the_lab)
    dialog.open()
def panel_timeline(registry: ActionRegistry):
    return registry.parent().network_lab.timeline


def _arrange(lab: DockLab) -> None:
    d = lab.docks
    lab.addDockWidget(Qt.TopDockWidgetArea, d["controls"])
    lab.splitDockWidget(d["controls"], d["diagram"], Qt.Horizontal)
    lab.splitDockWidget(d["diagram"], d["expression"], Qt.Horizontal)
    lab.addDockWidget(Qt.BottomDockWidgetArea, d["surface"])
    lab.splitDockWidget(d["surface"], d["slice"], Qt.Horizontal)
    lab.splitDockWidget(d["slice"], d["cost"], Qt.Horizontal)
    lab.splitDockWidget(d["cost"], d["data"], Qt.Horizontal)
    # --- parameter table: a tab beside the chain rule (Ctrl+8 brings it forward) ---
    lab.tabifyDockWidget(d["expression"], d["params"])
    d["expression"].raise_()
    # --- end parameter table ---
    lab.tabifyDockWidget(d["data"], d["race"])   # brought forward when a race starts
    d["data"].raise_()
    # gradient health: a tab beside the chain rule, whose factors it explains (Ctrl+9 brings it
    # forward); behind the diagram its tab bar would take the diagram's height
    lab.tabifyDockWidget(d["expression"], d["health"])
    d["expression"].raise_()


def _size(lab: DockLab) -> None:
    """Proportions that give the diagram and the derivation room."""
    d = lab.docks
    # the controls column is wide enough for its combo boxes' longest entries ("Binary cross-entropy")
    lab.resizeDocks([d["controls"], d["diagram"], d["expression"]], [300, 600, 540], Qt.Horizontal)
    lab.resizeDocks([d["surface"], d["slice"], d["cost"], d["data"]], [430, 340, 320, 350], Qt.Horizontal)
    lab.resizeDocks([d["diagram"], d["surface"]], [470, 390], Qt.Vertical)


def build(model: SessionModel, registry: ActionRegistry) -> DockLab:
    # The lower row of plots and the hidden parameter tab are built right after the first paint.
    panels = [
        Panel("diagram", PANEL_TITLES["diagram"], "Ctrl+1", NetworkDiagram(model, registry)),
        Panel("expression", PANEL_TITLES["expression"], "Ctrl+2", ExpressionPanel(model)),
        Panel("surface", PANEL_TITLES["surface"], "Ctrl+3", lambda: CostSurfaceView(model)),
        Panel("slice", PANEL_TITLES["slice"], "Ctrl+4", lambda: CostSliceView(model)),
        Panel("cost", PANEL_TITLES["cost"], "Ctrl+5", lambda: CostCurveView(model)),
        Panel("data", PANEL_TITLES["data"], "Ctrl+6", lambda: DataView(model)),
        Panel("controls", PANEL_TITLES["controls"], "Ctrl+7", ControlsPanel(model, registry)),
        Panel("params", PANEL_TITLES["params"], "Ctrl+8", lambda: ParameterTablePanel(model)),
        Panel("health", PANEL_TITLES["health"], "Ctrl+9", lambda: GradientHealthView(model)),
        Panel("race", PANEL_TITLES["race"], "Ctrl+Alt+R", lambda: RaceTable(model)),
    ]
    lab = DockLab(NAME, TITLE, panels, _arrange, _size, main_panel="diagram")
    # the timeline spans the lab's whole width, under the plots
    bar = QToolBar("Timeline", lab)
    bar.setObjectName("toolbar-timeline")
    bar.setMovable(False)
    lab.timeline = TimelineBar(model)
    bar.addWidget(lab.timeline)
    lab.addToolBar(Qt.BottomToolBarArea, bar)
    return lab
