"""The main window: every panel in a dock the learner can rearrange, menus and toolbar generated from the
action registry, a banner for messages that must not be missed, and a status bar with step, J and η.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QSizePolicy, QToolBar, QWidget

from .actions import ActionRegistry, ActionSpec
from .application import watch_first_paint
from .format import fmt
from .model import SessionModel
from .training_loop import TrainingLoop
from .views.controls import ControlsPanel
from .views.curves import CostCurveView, DataView
from .views.diagram import NetworkDiagram
from .views.expression import ExpressionPanel
from .views.shortcut_sheet import ShortcutSheet
from .views.slice_view import CostSliceView
from .views.surface import CostSurfaceView

SETTINGS_ORG = "chainrule-studio"
SETTINGS_APP = "chainrule-studio"
LAYOUT_VERSION = 1

PANELS = (  # id, dock title, focus key
    ("diagram", "Network diagram", "Ctrl+1"),
    ("expression", "Chain rule", "Ctrl+2"),
    ("surface", "Cost surface", "Ctrl+3"),
    ("slice", "Slice J(θ) and tangent", "Ctrl+4"),
    ("cost", "Cost curve", "Ctrl+5"),
    ("data", "Data and prediction", "Ctrl+6"),
    ("controls", "Controls", "Ctrl+7"),
)


def settings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


class MainWindow(QMainWindow):
    """The studio's main window; `model` is the single source of truth the panels observe."""

    def __init__(self, parent=None, model: SessionModel | None = None, persist_layout: bool = True):
        """`persist_layout=False` (self-test, screenshots) neither reads nor writes the user's layout."""
        super().__init__(parent)
        self._persist_layout = persist_layout
        self.setWindowTitle("Chain Rule Studio")
        self.setObjectName("main-window")
        self.model = model or SessionModel(parent=self)
        self.training = TrainingLoop(self.model, self)
        self.registry = ActionRegistry(self)
        self.registry.add_all(self._action_specs())
        self._build_panels()
        self.registry.build_menus(self.menuBar())
        self._build_toolbars()
        self._build_status_bar()
        self._connect_model()
        self._shortcut_sheet: ShortcutSheet | None = None
        self.resize(1440, 900)
        self._apply_default_sizes()
        self._default_state = self.saveState(LAYOUT_VERSION)
        self._layout_restored = persist_layout and self._restore_layout()
        self._show_message(self.model.message)  # a restored layout may carry a stale banner
        # Heavy first work (the surface grid, sympy and ziamath for the derivation) waits until the
        # window has painted once, so the learner sees the studio at once.
        self._first_paint_watch = watch_first_paint(self, self._start_panels)

    def _start_panels(self) -> None:
        self._first_paint_watch = None
        for panel in self._panels.values():
            if hasattr(panel, "start"):
                panel.start()

    # ------------------------------------------------------------------ actions
    def _action_specs(self) -> list[ActionSpec]:
        m = self.model
        specs = [
            ActionSpec("quit", "&Quit", QKeySequence.Quit, "File", "Close Chain Rule Studio", self.close),
            ActionSpec("step", "&Step", "S", "Training", "Take one gradient-descent step on the whole batch",
                       lambda: m.step(1)),
            ActionSpec("run", "&Run", "Space", "Training", "Run gradient descent continuously, or pause it",
                       m.toggle_running),
            ActionSpec("reset", "R&eset", "Ctrl+R", "Training",
                       "Back to the starting parameters; clears the history and any divergence", m.reset),
            ActionSpec("lr_up", "Learning rate ×2", "L", "Training", "Double the learning rate η",
                       lambda: m.scale_learning_rate(2.0)),
            ActionSpec("lr_down", "Learning rate ÷2", "Shift+L", "Training", "Halve the learning rate η",
                       lambda: m.scale_learning_rate(0.5)),
            ActionSpec("train_only_axes", "Train only the surface parameters", "T", "Training",
                       "Hold every other parameter so the path lies exactly on a fixed surface",
                       lambda: m.set_train_only_axes(self.registry.action("train_only_axes").isChecked()),
                       checkable=True),
            ActionSpec("cycle_cost", "Next cost function", "C", "Training",
                       "Switch between squared error and binary cross-entropy", m.cycle_loss),
            ActionSpec("cycle_dataset", "Next dataset", "D", "Training", "Switch to the next built-in dataset",
                       m.cycle_dataset),
            ActionSpec("next_param", "Select next parameter", "N", "Parameters",
                       "Select the next parameter: its chain is shown and its path lit", lambda: m.select_relative(1)),
            ActionSpec("prev_param", "Select previous parameter", "Shift+N", "Parameters",
                       "Select the previous parameter", lambda: m.select_relative(-1)),
            ActionSpec("nudge_up", "Nudge selected up", "Ctrl+Up", "Parameters",
                       "Increase the selected parameter by 0.1", lambda: m.nudge(+1)),
            ActionSpec("nudge_down", "Nudge selected down", "Ctrl+Down", "Parameters",
                       "Decrease the selected parameter by 0.1", lambda: m.nudge(-1)),
            ActionSpec("nudge_up_fine", "Nudge selected up (fine)", "Ctrl+Shift+Up", "Parameters",
                       "Increase the selected parameter by 0.01", lambda: m.nudge(+1, fine=True)),
            ActionSpec("nudge_down_fine", "Nudge selected down (fine)", "Ctrl+Shift+Down", "Parameters",
                       "Decrease the selected parameter by 0.01", lambda: m.nudge(-1, fine=True)),
            ActionSpec("next_sample", "Next sample", "]", "Parameters",
                       "Show the chain and node values for the next data point", lambda: m.set_sample(m.sample + 1)),
            ActionSpec("prev_sample", "Previous sample", "[", "Parameters",
                       "Show the chain and node values for the previous data point",
                       lambda: m.set_sample(m.sample - 1)),
            ActionSpec("next_axes", "Next surface axes", "A", "Parameters",
                       "Plot the cost surface over the next pair of parameters", lambda: m.cycle_axes(1)),
            ActionSpec("prev_axes", "Previous surface axes", "Shift+A", "Parameters",
                       "Plot the cost surface over the previous pair of parameters", lambda: m.cycle_axes(-1)),
        ]
        for panel_id, title, key in PANELS:
            specs.append(ActionSpec(f"focus_{panel_id}", f"Go to {title}", key, "View",
                                    f"Show the {title} panel and move the keyboard focus to it",
                                    lambda p=panel_id: self.focus_panel(p)))
        specs += [
            ActionSpec("reset_layout", "Restore default layout", "Ctrl+0", "View",
                       "Put every panel back where it started", self.restore_default_layout),
            ActionSpec("shortcuts", "&Keyboard shortcuts", QKeySequence.HelpContents, "Help",
                       "Show every command and its key", self.show_shortcut_sheet),
        ]
        return specs

    # ------------------------------------------------------------------ panels
    def _build_panels(self) -> None:
        m = self.model
        widgets = {
            "diagram": NetworkDiagram(m),
            "expression": ExpressionPanel(m),
            "surface": CostSurfaceView(m),
            "slice": CostSliceView(m),
            "cost": CostCurveView(m),
            "data": DataView(m),
            "controls": ControlsPanel(m, self.registry),
        }
        self._panels = widgets
        self.docks: dict[str, QDockWidget] = {}
        for panel_id, title, key in PANELS:
            dock = QDockWidget(f"{title}  ({key})", self)
            dock.setObjectName(f"dock-{panel_id}")
            dock.setWidget(widgets[panel_id])
            dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                             | QDockWidget.DockWidgetClosable)
            self.docks[panel_id] = dock
        placeholder = QWidget()
        placeholder.hide()  # every panel is a dock; a hidden central widget leaves them all the room
        self.setCentralWidget(placeholder)
        self.setDockNestingEnabled(True)
        d = self.docks
        self.addDockWidget(Qt.TopDockWidgetArea, d["controls"])
        self.splitDockWidget(d["controls"], d["diagram"], Qt.Horizontal)
        self.splitDockWidget(d["diagram"], d["expression"], Qt.Horizontal)
        self.addDockWidget(Qt.BottomDockWidgetArea, d["surface"])
        self.splitDockWidget(d["surface"], d["slice"], Qt.Horizontal)
        self.splitDockWidget(d["slice"], d["cost"], Qt.Horizontal)
        self.splitDockWidget(d["cost"], d["data"], Qt.Horizontal)

    def _apply_default_sizes(self) -> None:
        """Dock proportions that give the diagram and the derivation room; applied once shown, when
        the dock layout has real sizes to divide (before that, some platforms ignore it)."""
        d = self.docks
        self.resizeDocks([d["controls"], d["diagram"], d["expression"]], [270, 620, 550], Qt.Horizontal)
        self.resizeDocks([d["surface"], d["slice"], d["cost"], d["data"]], [430, 340, 320, 350], Qt.Horizontal)
        self.resizeDocks([d["diagram"], d["surface"]], [470, 390], Qt.Vertical)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored and not getattr(self, "_sized", False):
            self._sized = True
            self._apply_default_sizes()

    def panels(self) -> dict[str, QWidget]:
        """Name -> the widget each dock shows, for the self-test and screenshots."""
        return dict(self._panels)

    def is_settled(self) -> bool:
        """True when no panel is still computing: for screenshots, the self-test and tests."""
        return all(getattr(panel, "is_settled", lambda: True)() for panel in self._panels.values())

    def focus_panel(self, panel_id: str) -> None:
        dock = self.docks[panel_id]
        dock.show()
        dock.raise_()
        self._panels[panel_id].setFocus(Qt.ShortcutFocusReason)

    def _build_toolbars(self) -> None:
        bar = QToolBar("Training", self)
        bar.setObjectName("toolbar-training")
        bar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for action_id in ("step", "run", "reset", None, "lr_down", "lr_up", None, "next_param", None,
                          "shortcuts"):
            if action_id is None:
                bar.addSeparator()
            else:
                bar.addAction(self.registry.action(action_id))
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.banner_bar = QToolBar("Messages", self)
        self.banner_bar.setObjectName("toolbar-banner")
        self.banner_bar.setMovable(False)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.banner.setStyleSheet("QLabel { background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0;"
                                  " border-radius: 4px; padding: 6px 10px; font-weight: 600; }")
        self.banner_bar.addWidget(self.banner)
        self.addToolBar(Qt.TopToolBarArea, self.banner_bar)
        self.banner_bar.hide()

    def _build_status_bar(self) -> None:
        self.status_labels = {key: QLabel() for key in ("step", "cost", "rate", "selected")}
        for label in self.status_labels.values():
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

    # ------------------------------------------------------------------ model -> window
    def _connect_model(self) -> None:
        m = self.model
        for signal in (m.parametersChanged, m.learningRateChanged, m.selectionChanged, m.historyReset,
                       m.lossChanged, m.datasetChanged):
            signal.connect(self._update_status)
        m.messageChanged.connect(self._show_message)
        m.runningChanged.connect(self._on_running)
        m.trainOnlyAxesChanged.connect(self._on_train_only)
        self._update_status()

    def _update_status(self, *_args) -> None:
        m = self.model
        self.status_labels["step"].setText(f"Step {m.step_count}")
        self.status_labels["cost"].setText(f"J = {fmt(m.cost(), 5)}")
        self.status_labels["rate"].setText(f"η = {fmt(m.learning_rate)}")
        self.status_labels["selected"].setText(f"Selected: {m.selected}")

    def _show_message(self, text: str) -> None:
        self.banner.setText(text)
        self.banner_bar.setVisible(bool(text))
        if text:
            self.statusBar().showMessage(text, 8000)

    def _on_running(self, running: bool) -> None:
        action = self.registry.action("run")
        action.setText("&Pause" if running else "&Run")

    def _on_train_only(self, only: bool) -> None:
        action = self.registry.action("train_only_axes")
        action.blockSignals(True)
        action.setChecked(only)
        action.blockSignals(False)

    # ------------------------------------------------------------------ dialogs and layout
    def show_shortcut_sheet(self) -> None:
        if self._shortcut_sheet is None:
            self._shortcut_sheet = ShortcutSheet(self.registry, self)
        self._shortcut_sheet.show()
        self._shortcut_sheet.raise_()
        self._shortcut_sheet.activateWindow()

    def restore_default_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()
        self._apply_default_sizes()

    def _restore_layout(self) -> bool:
        """Geometry and dock layout from the last session; False when there was none to restore."""
        store = settings()
        geometry = store.value("window/geometry")
        state = store.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        return isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState(LAYOUT_VERSION))
        store.sync()

    def closeEvent(self, event) -> None:
        self.model.set_running(False)
        if self._persist_layout:
            self.save_layout()
        super().closeEvent(event)
