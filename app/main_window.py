"""The main window: a tab per lab (each lab's panels are docks the learner can rearrange), menus and
toolbar generated from the action registry, a banner for messages that must not be missed, and a status
bar with step, J and η.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSizePolicy, QTabWidget, QToolBar, QWidget

from .actions import ActionRegistry, ActionSpec
from .exports import Exports, export_specs
from core.naming import to_unicode

from .format import fmt
from .key_routing import FieldKeys, field_of
from . import network_lab
from .function_lab import lab as function_lab
from .function_lab.model import FunctionLabModel
from .lab import DockLab
from .model import SessionModel
from . import network_conditions
from .autosave import Autosave
from .session_files import SessionFiles, dropped_paths
from .undo import UndoHistory
from .views.banner import MessageBanner
from .views.command_palette import CommandPalette
from .views.shortcut_sheet import ShortcutSheet

SETTINGS_ORG = "chainrule-studio"
SETTINGS_APP = "chainrule-studio"
MAX_PANELS_PER_LAB = 9
#: How long after start-up the Function lab's lesson function is derived in the background.
PREFETCH_DELAY_MS = 1000
LAB_NAMES = (network_lab.NAME, function_lab.NAME)
LAB_TITLES = (network_lab.TITLE, function_lab.TITLE)
PANEL_TITLES = {**network_lab.PANEL_TITLES, **function_lab.PANEL_TITLES}


def settings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


class MainWindow(QMainWindow):
    """The studio's main window: one tab per lab, shared menus, toolbar, banner and status bar.

    `model` (the Network lab's session) is the single source of truth its panels observe."""

    def __init__(self, parent=None, model: SessionModel | None = None, persist_layout: bool = True,
                 guard_session: bool = False):
        """`persist_layout=False` (self-test, screenshots) neither reads nor writes the user's layout.
        `guard_session=True` (the real app) autosaves for crash recovery and asks before closing with
        unsaved changes."""
        super().__init__(parent)
        self._persist_layout = persist_layout
        self.setObjectName("main-window")
        self.setAnimated(False)   # see DockLab: no animated re-layout while training redraws
        self.model = model or SessionModel(parent=self)
        self.registry = ActionRegistry(self)
        self.registry.add_all(self._global_specs() + network_lab.action_specs(self.model, self.registry))
        self.function_model = FunctionLabModel(self)
        function_lab.register_actions(self.function_model, self.registry, lambda: self.function_lab)
        self.undo = UndoHistory(self.model, self.function_model, self)   # the Edit menu (app/undo.py)
        self.undo.install(self.registry)
        self.exports = Exports(self)   # the Export menu (app/exports.py)
        self.registry.add_all(export_specs(self.exports))
        self.session_files = SessionFiles(self, settings)
        self.registry.add_all(self.session_files.action_specs())
        self.undo.applied.connect(self.session_files.undo_applied)
        from .lessons import Lessons   # guided lessons: their panel is built when first opened

        self.lessons = Lessons(self, settings)
        self.registry.add_all(self.lessons.action_specs())
        # The labs built so far; the Function lab is built when first opened (start-up stays light).
        self.labs: list[DockLab] = [network_lab.build(self.model, self.registry)]
        self.exports.install_dock_menus(self.network_lab)
        self._function_lab: function_lab.FunctionLab | None = None
        self._pending_function_state = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("labs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.network_lab, self.network_lab.title)
        self.tabs.addTab(QWidget(), function_lab.TITLE)  # placeholder until first opened
        for index, title in enumerate(LAB_TITLES):
            self.tabs.setTabToolTip(index, f"{title} (F{index + 2})")
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_lab_changed)
        menus = self.registry.build_menus(self.menuBar())
        self.session_files.build_recent_menu(menus["File"])
        self._build_toolbars()
        self._build_status_bar()
        self._connect_model()
        self.command_palette = CommandPalette(self.registry, self.tabs, self)
        self.registry.argumentWanted.connect(self.command_palette.ask)
        self._shortcut_sheet: ShortcutSheet | None = None
        self.resize(1440, 900)
        if persist_layout:
            self._restore_layout()
        self._on_lab_changed(self.tabs.currentIndex())
        self._show_message(self.model.message)  # a restored layout may carry a stale banner
        # Heavy first work (the surface grid, sympy and ziamath for the derivation) waits until the
        # window has painted once, so the learner sees the studio at once.
        # (A filter on the tab widget alone: an application-wide one would see every start-up event.)
        self.tabs.installEventFilter(self)
        self.setAcceptDrops(True)  # drop a session or a .csv/.tsv/.txt file on the window to open it
        self._guard_session = guard_session
        self.autosave = Autosave(self, self.session_files) if guard_session else None
        self.field_keys = FieldKeys(self, self.registry, lambda _field: self.leave_field())

    @property
    def network_lab(self) -> DockLab:
        return self.labs[0]

    @property
    def function_lab(self) -> "function_lab.FunctionLab":
        """The Function lab, built on first use in place of its placeholder tab."""
        if self._function_lab is None:
            lab = self._function_lab = function_lab.FunctionLab(self.function_model)
            lab.restore_layout(self._pending_function_state)
            current = self.tabs.currentIndex()
            self.tabs.blockSignals(True)
            placeholder = self.tabs.widget(1)
            self.tabs.removeTab(1)
            placeholder.deleteLater()
            self.tabs.insertTab(1, lab, lab.title)
            self.tabs.setTabToolTip(1, f"{lab.title} (F3)")
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            self.labs.append(lab)
            self.exports.install_dock_menus(lab)
        return self._function_lab

    def has_function_lab(self) -> bool:
        """True once the Function lab is built (asking for `function_lab` builds it)."""
        return self._function_lab is not None

    @property
    def docks(self):
        """The Network lab's docks (kept for the tests and tools that predate the Function lab)."""
        return self.network_lab.docks

    def open_lab(self, name: str) -> None:
        self.tabs.setCurrentIndex(LAB_NAMES.index(name))

    def _lab_at(self, index: int) -> DockLab:
        return self.network_lab if index == 0 else self.function_lab

    def current_lab(self) -> DockLab:
        return self._lab_at(self.tabs.currentIndex())

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tabs and event.type() == QEvent.Type.Paint:
            self.tabs.removeEventFilter(self)
            QTimer.singleShot(0, self._start_panels)
        return super().eventFilter(watched, event)

    def _start_panels(self) -> None:
        self.network_lab.build_deferred()
        for panel in self._all_panels().values():
            if hasattr(panel, "start"):
                panel.start()
        # The Function lab's first visit shows the lesson's function at once: derived in the
        # background once the Network lab has settled, then waiting in the lab's cache.
        self.function_model.prefetch(delay_ms=PREFETCH_DELAY_MS)
        from .typesetter import typesetter   # the learner's formulas are typeset in a worker

        QTimer.singleShot(PREFETCH_DELAY_MS, self, typesetter().warm_up)
        from . import process_jobs           # the views' heavy jobs run in worker processes
        from .workers import LatestOnlyWorker

        lanes = () if LatestOnlyWorker.synchronous_default else process_jobs.VIEW_LANES
        if not self.model.engine.synchronous:   # training steps in a worker process too
            lanes = (process_jobs.TRAINING, *lanes)
        if lanes:
            process_jobs.warm_up(lanes)

    # ------------------------------------------------------------------ actions
    def _global_specs(self) -> list[ActionSpec]:
        specs = [ActionSpec("quit", "&Quit", QKeySequence.Quit, "File", "Close Chain Rule Studio", self.close)]
        specs += [ActionSpec(f"lab_{index}", title, f"F{index + 2}", "View", f"Switch to the {title}",
                             lambda i=index: self.tabs.setCurrentIndex(i))
                  for index, title in enumerate(LAB_TITLES)]
        specs += [ActionSpec(f"focus_{n}", f"Go to panel {n}", f"Ctrl+{n}", "View",
                             f"Show panel {n} of the current lab and move the keyboard focus to it",
                             lambda n=n: self.focus_panel_number(n),
                             enabled_when=lambda n=n: self._has_panel(n))
                  for n in range(1, MAX_PANELS_PER_LAB + 1)]
        specs += [
            ActionSpec("reset_layout", "Restore default layout", "Ctrl+0", "View",
                       "Put every panel of the current lab back where it started", self.restore_default_layout),
            ActionSpec("shortcuts", "&Keyboard shortcuts", QKeySequence.HelpContents, "Help",
                       "Show every command and its key", self.show_shortcut_sheet),
            ActionSpec("command_palette", "Command palette…", "Ctrl+Shift+P", "View",
                       "Find any command by typing part of its name or help, and run it (it shows each key)",
                       lambda: self.command_palette.open()),
            ActionSpec("leave_field", "Leave the field", "Escape", "View",
                       "Back from a text or number field to the lab's main panel, where every key works "
                       "(in a number field, command keys work anyway)", self.leave_field, panels=("fields",)),
        ]
        return specs

    def _has_panel(self, n: int):
        """Ctrl+n's condition: the shown lab has an n-th panel."""
        lab = self._lab_at(self.tabs.currentIndex())
        return (True, "") if n <= len(lab.docks) else (False, f"The {lab.title} has {len(lab.docks)} panels.")

    def _scope_reason(self, scope: str) -> str:
        """Why a lab's command cannot run while another lab is shown."""
        index = LAB_NAMES.index(scope) if scope in LAB_NAMES else None
        return "" if index is None else f"Works in the {LAB_TITLES[index]} only: F{index + 2} opens it."

    def keyPressEvent(self, event) -> None:
        """A key no widget took: if it is a command's that cannot run now, say why (its action is
        disabled, so Qt did not run it). A Network-lab refusal goes to the banner, as the session's
        own refusals do; another lab's key or a global one only to the status bar."""
        command = self.registry.command_for_key(QKeySequence(event.keyCombination()))
        if command is not None:
            can_run, reason = self.registry.availability(command)
            if not can_run:
                scope = self.registry.spec(command).scope
                if scope == network_lab.NAME and self.current_lab() is self.network_lab:
                    self.model.set_message(reason)
                key = self.registry.shortcut_text(command)
                self.statusBar().showMessage(f"{self.registry.title(command)} ({key}): not now. {reason}", 6000)
                event.accept()
                return
        super().keyPressEvent(event)

    def leave_field(self) -> None:
        """Escape in a field: the focus back to the current lab's main panel."""
        self.current_lab().focus_main_panel()

    def in_field(self) -> bool:
        """True while the keyboard focus is in a text or number field of the window."""
        field = field_of(QApplication.focusWidget())
        return field is not None and self.isAncestorOf(field)

    def where_text(self, spec: ActionSpec) -> str:
        """Where a command's key works, for the F1 sheet: everywhere, a lab, or a panel of a lab."""
        if spec.panels == ("fields",):
            return "In a text or number field"
        lab = {network_lab.NAME: network_lab.TITLE, function_lab.NAME: function_lab.TITLE}.get(spec.scope)
        if spec.panels:
            titles = [PANEL_TITLES.get(panel, panel) for panel in spec.panels]
            return f"{lab} ▸ {' or '.join(titles)}" if lab else " or ".join(titles)
        return lab or "Everywhere"

    def _on_lab_changed(self, index: int) -> None:
        lab = self._lab_at(index)
        ids = list(lab.docks)
        for n in range(1, MAX_PANELS_PER_LAB + 1):
            self.registry.action(f"focus_{n}").setText(
                f"Go to {lab.docks[ids[n - 1]].windowTitle().split('  (')[0]}" if n <= len(ids) else f"Go to panel {n}")
        self.registry.enable_scope(lab.name)   # each command's availability, for this lab
        lab.focus_main_panel()   # where the lab's single keys work, not a field that would take them
        network = lab is self.network_lab
        self.training_bar.setVisible(network)
        for label in self.status_labels.values():
            label.setVisible(network)
        self.function_status.setVisible(not network)

    # ------------------------------------------------------------------ panels
    def _all_panels(self) -> dict[str, QWidget]:
        panels = {}
        for lab in self.labs:
            for panel_id, widget in lab.panels.items():
                panels[panel_id if lab is self.network_lab else f"{lab.name}_{panel_id}"] = widget
        return panels

    def panels(self) -> dict[str, QWidget]:
        """Name -> the widget each dock shows, in every lab, for the self-test and screenshots."""
        return self._all_panels()

    def each_lab(self):
        """Show each lab in turn, yielding its panels (named as in `panels()`): for the self-test."""
        for index in range(len(LAB_NAMES)):
            self.tabs.setCurrentIndex(index)
            lab = self.current_lab()
            names = {id(widget): name for name, widget in self._all_panels().items()}
            yield {names[id(widget)]: widget for widget in lab.panels.values()}
        self.tabs.setCurrentIndex(0)

    def is_settled(self) -> bool:
        """True when no panel is still computing: for screenshots, the self-test and tests."""
        return all(lab.is_settled() for lab in self.labs)

    def focus_panel(self, panel_id: str, lab: DockLab | None = None) -> None:
        lab = lab or self.network_lab
        self.tabs.setCurrentWidget(lab)
        lab.focus_panel(panel_id)

    def show_only_panels(self, panel_ids) -> None:
        """Show these panels of the Network lab and hide the others (a lesson hides what would
        distract); None shows every panel again."""
        for panel_id, dock in self.network_lab.docks.items():
            dock.setVisible(panel_ids is None or panel_id in panel_ids)

    def focus_panel_number(self, n: int) -> None:
        lab = self.current_lab()
        ids = list(lab.docks)
        if n <= len(ids):
            lab.focus_panel(ids[n - 1])

    def _build_toolbars(self) -> None:
        bar = self.training_bar = QToolBar("Training", self)
        bar.setObjectName("toolbar-training")
        bar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for action_id in ("step", "run", "reset", None, "lr_down", "lr_up", None, "next_param", None,
                          "shortcuts"):
            if action_id is None:
                bar.addSeparator()
            else:
                bar.addAction(self.registry.action(action_id))
        self.addToolBar(Qt.TopToolBarArea, bar)
        # messages float over the labs (app/views/banner.py): showing one never resizes a dock
        self.banner_bar = MessageBanner(self.tabs, self)
        self.banner = self.banner_bar.label

    def _build_status_bar(self) -> None:
        self.status_labels = {key: QLabel() for key in ("step", "epoch", "cost", "rate", "selected")}
        self.function_status = QLabel()
        # Fixed sizes for the labels that change every frame: a label whose size may change re-lays
        # out the whole main window (every dock) each time its text does.
        widest = {"step": "Step 1,000,000 of 1,000,000 (rewound)", "epoch": "Epoch 100000.0 (one sample per step)",
                  "cost": "J = -0.000000000", "rate": "η = 0.0001"}
        for key, label in [*self.status_labels.items(), ("function", self.function_status)]:
            label.setContentsMargins(8, 0, 8, 0)
            if key in widest:
                metrics = label.fontMetrics()
                label.setFixedSize(metrics.horizontalAdvance(widest[key]) + 16, metrics.height() + 4)
            self.statusBar().addPermanentWidget(label)

    # ------------------------------------------------------------------ model -> window
    def _connect_model(self) -> None:
        m = self.model
        for signal in (m.parametersChanged, m.learningRateChanged, m.selectionChanged, m.historyReset,
                       m.lossChanged, m.datasetChanged, m.trainingOptionsChanged, m.timelineChanged):
            signal.connect(self._update_status)
        m.messageChanged.connect(self._show_message)
        m.runningChanged.connect(self._on_running)
        # when commands can run and the toggles' states follow the session (app/network_conditions.py)
        self.registry.scope_reason = self._scope_reason
        network_conditions.watch(m, self.registry)
        self._update_status()
        f = self.function_model
        for signal in (f.analysisChanged, f.x0Changed):
            signal.connect(self._update_function_status)

    def _update_function_status(self, *_args) -> None:
        f = self.function_model
        if f.compiled is not None:
            h0, slope = f.compiled.at(f.x0)   # a number only where h(x0) is one
            value = fmt(h0) if math.isfinite(h0) else "undefined"
            derivative = fmt(slope) if math.isfinite(slope) else "undefined"
            self.function_status.setText(f"h = {f.text}   x0 = {fmt(f.x0)}   h(x0) = {value}   "
                                         f"h′(x0) = {derivative}")

    def _update_status(self, *_args) -> None:
        m = self.model
        self.status_labels["step"].setText(f"Step {m.step_count}" if m.live else
                                           f"Step {m.step_count} of {m.live_step} (rewound)")
        full = m.batch_size is None or m.batch_size >= len(m.X)
        batch = "full batch" if full else ("one sample per step" if m.batch_size == 1
                                           else f"mini-batches of {m.batch_size}")
        self.status_labels["epoch"].setText(f"Epoch {m.epoch:.1f} ({batch})")
        self.status_labels["cost"].setText(f"J = {fmt(m.cost(), 5)}")
        self.status_labels["rate"].setText(f"η = {fmt(m.learning_rate)}")
        self.status_labels["selected"].setText(f"Selected: {to_unicode(m.selected)}")

    def _show_message(self, text: str) -> None:
        self.banner_bar.show_message(text)
        if text:
            self.statusBar().showMessage(text, 8000)
        else:   # what the message described is over: the status bar's copy goes too
            self.statusBar().clearMessage()

    def _on_running(self, running: bool) -> None:
        action = self.registry.action("run")
        action.setText("&Pause" if running else "&Run")

    # ------------------------------------------------------------------ dialogs and layout
    @property
    def shortcut_sheet(self) -> ShortcutSheet | None:
        """The F1 sheet once it has been opened."""
        return self._shortcut_sheet

    def show_shortcut_sheet(self) -> None:
        if self._shortcut_sheet is None:
            self._shortcut_sheet = ShortcutSheet(self.registry, self.where_text, self)
        self.registry.refresh()
        self._shortcut_sheet.show_availability()
        self._shortcut_sheet.show()
        self._shortcut_sheet.raise_()
        self._shortcut_sheet.activateWindow()

    def restore_default_layout(self) -> None:
        self.current_lab().restore_default_layout()

    def _restore_layout(self) -> None:
        """Geometry, the open lab and each lab's dock layout from the last session."""
        store = settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.network_lab.restore_layout(store.value(f"labs/{network_lab.NAME}/state"))
        self._pending_function_state = store.value(f"labs/{function_lab.NAME}/state")
        index = store.value("window/lab", 0, type=int)
        if 0 <= index < len(LAB_NAMES):
            self.tabs.setCurrentIndex(index)

    def save_layout(self) -> None:
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/lab", self.tabs.currentIndex())
        for lab in self.labs:
            store.setValue(f"labs/{lab.name}/state", lab.layout_state())
        store.sync()

    # --- drag and drop: a session file or a CSV ---
    def _dropped_csv(self, event) -> str | None:
        mime = event.mimeData()
        paths = dropped_paths(mime.urls()) if mime is not None and mime.hasUrls() else []
        return paths[0] if paths else None

    def dragEnterEvent(self, event) -> None:
        if self._dropped_csv(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._dropped_csv(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        path = self._dropped_csv(event)
        if not path:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.session_files.open_path(path)
    # --- end drag and drop ---

    def closeEvent(self, event) -> None:
        if self._guard_session:
            if not self.session_files.confirm_close():
                event.ignore()
                return
            self.autosave.discard()   # ended properly: nothing to recover at the next start
        self.session_files.io.wait()
        self.model.set_running(False)
        self.model.engine.shutdown()
        self.function_model.close()
        if self._persist_layout:
            self.save_layout()
        super().closeEvent(event)
