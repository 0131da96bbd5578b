"""The Export menu: panels as PNG or SVG, the chain rule or the derivation as LaTeX, the trajectory as
CSV, the network as JSON and the run as a PyTorch script — each to a file or to the clipboard.

The texts are made by core (core/exports.py, core/torch_export.py) and the pictures by
app/panel_export.py; this module only asks where to save, puts things on the clipboard and says
what happened. Every command is in the action registry, so it has a menu entry, a line on the F1
sheet and (for the everyday ones) a key; each panel's dock also offers the panel's two commands on
a right-click. ``Exports.export_panel(panel_id, path)`` and friends write without asking, for tests
and scripts.
"""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QDir, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget

import core

from .actions import ActionSpec
from .panel_export import DEFAULT_SCALE, export_panel, format_of, panel_image

PANEL_FILTERS = {"PNG image, 2× (*.png)": 2.0, "PNG image, 1× (*.png)": 1.0, "PNG image, 4× (*.png)": 4.0,
                 "SVG vector image (*.svg)": None}
TEXT_KINDS = {  # kind: (what, file filter, extension)
    "latex": ("LaTeX", "LaTeX (*.tex)", "tex"),
    "csv": ("the trajectory", "CSV table (*.csv)", "csv"),
    "json": ("the network", "JSON (*.json)", "json"),
    "torch": ("the PyTorch script", "Python script (*.py)", "py"),
}
TORCH_STEPS = 100


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "panel"


class Exports:
    """The export commands of one main window."""

    def __init__(self, window):
        self._window = window

    # ------------------------------------------------------------------ which panel
    def focused_panel(self) -> tuple[str, QWidget]:
        """(id, widget) of the panel holding the keyboard focus in the current lab, else the lab's
        main panel (the one its keys work in)."""
        lab = self._window.current_lab()
        focus = QApplication.focusWidget()
        for panel_id, widget in lab.panels.items():
            if focus is not None and (widget is focus or widget.isAncestorOf(focus)):
                return panel_id, widget
        return lab.main_panel, lab.panels[lab.main_panel]

    def _panel(self, panel_id: str) -> tuple[str, QWidget]:
        for lab in self._window.labs:
            if panel_id in lab.docks:
                return lab.docks[panel_id].windowTitle().split("  (")[0], lab.panels[panel_id]
        raise ValueError(f"no panel {panel_id!r}")

    # ------------------------------------------------------------------ without asking
    def export_panel(self, panel_id: str, path: str, scale: float = DEFAULT_SCALE) -> None:
        title, widget = self._panel(panel_id)
        export_panel(widget, path, scale, title=f"Chain Rule Studio: {title}")

    def text(self, kind: str) -> str:
        """The text of an export: "latex" (the chain rule in the Network lab, the derivation in the
        Function lab), "csv", "json" or "torch" (the Network lab's shown run at the shown step).
        ValueError with the reason when there is nothing to export."""
        window = self._window
        if kind == "latex" and window.current_lab() is not window.network_lab:
            analysis = window.function_model.analysis
            if analysis is None:
                raise ValueError("there is no derivative yet: type a formula first")
            return core.derivation_latex(analysis.derivation, analysis.text)
        model = window.model
        snapshot = model.snapshot
        if kind == "latex":
            return core.chain_latex(snapshot.network, model.selected, snapshot.X, snapshot.y, model.sample,
                                    step=snapshot.step)
        if kind == "json":
            return core.network_json(snapshot.network)
        run = model.run_at_shown_step()
        if kind == "csv":
            return core.trajectory_csv(run)
        if kind == "torch":
            return core.pytorch_script(run, steps=TORCH_STEPS, label=snapshot.label)
        raise ValueError(f"unknown export {kind!r}")

    def save_text(self, kind: str, path: str) -> None:
        Path(path).write_text(self.text(kind), encoding="utf-8")

    # ------------------------------------------------------------------ commands
    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)

    def _fail(self, what: str, error: Exception) -> None:
        self._window.model.set_message(f"Could not export {what}: {error}")

    def _ask(self, caption: str, name: str, filters: list[str]) -> tuple[str, str] | None:
        store = QSettings()
        folder = store.value("export/folder", QDir.homePath())
        path, chosen = QFileDialog.getSaveFileName(self._window, caption, str(Path(folder) / name), ";;".join(filters))
        if not path:
            return None
        store.setValue("export/folder", str(Path(path).parent))
        return path, chosen

    def ask_and_export_panel(self, panel_id: str | None = None) -> None:
        """Ask for a file (PNG at 2× by default; 1×, 4× or SVG by the filter or the extension) and
        write the panel — the focused one unless named."""
        panel_id = panel_id or self.focused_panel()[0]
        title, _widget = self._panel(panel_id)
        answer = self._ask(f"Export {title}", f"{_slug(title)}.png", list(PANEL_FILTERS))
        if answer is None:
            return
        path, chosen = answer
        scale = PANEL_FILTERS.get(chosen) or DEFAULT_SCALE
        if not Path(path).suffix:
            path += ".svg" if PANEL_FILTERS.get(chosen, 0) is None else ".png"
        try:
            kind = format_of(path)
            self.export_panel(panel_id, path, scale)
        except (ValueError, OSError) as error:
            self._fail(title, error)
            return
        self._say(f"Saved {title} as {kind.upper()}: {path}")

    def copy_panel_image(self, panel_id: str | None = None) -> None:
        panel_id = panel_id or self.focused_panel()[0]
        title, widget = self._panel(panel_id)
        QGuiApplication.clipboard().setImage(panel_image(widget, DEFAULT_SCALE))
        self._say(f"Copied {title} to the clipboard as an image")

    def copy_text(self, kind: str) -> None:
        what = TEXT_KINDS[kind][0]
        try:
            text = self.text(kind)
        except ValueError as error:
            self._fail(what, error)
            return
        QGuiApplication.clipboard().setText(text)
        self._say(f"Copied {what} to the clipboard")

    def ask_and_save_text(self, kind: str) -> None:
        what, file_filter, extension = TEXT_KINDS[kind]
        name = {"latex": "chain-rule" if self._window.current_lab() is self._window.network_lab else "derivative",
                "csv": "trajectory", "json": "network", "torch": "train_in_pytorch"}[kind]
        answer = self._ask(f"Save {what}", f"{name}.{extension}", [file_filter])
        if answer is None:
            return
        path = answer[0] if Path(answer[0]).suffix else f"{answer[0]}.{extension}"
        try:
            self.save_text(kind, path)
        except (ValueError, OSError) as error:
            self._fail(what, error)
            return
        self._say(f"Saved {what}: {path}")

    # ------------------------------------------------------------------ the docks' menus
    def install_dock_menus(self, lab) -> None:
        """A right-click on a panel's title bar (or where the panel has no menu of its own) offers
        the panel's export commands."""
        for panel_id, dock in lab.docks.items():
            dock.setContextMenuPolicy(Qt.CustomContextMenu)
            dock.customContextMenuRequested.connect(
                lambda pos, d=dock, p=panel_id: self.dock_menu(p).popup(d.mapToGlobal(pos)))

    def dock_menu(self, panel_id: str) -> QMenu:
        title, _widget = self._panel(panel_id)
        menu = QMenu(self._window)
        menu.setAttribute(Qt.WA_DeleteOnClose)
        menu.addAction(f"Export {title} as PNG or SVG…", lambda: self.ask_and_export_panel(panel_id))
        menu.addAction(f"Copy {title} as an image", lambda: self.copy_panel_image(panel_id))
        return menu


def export_specs(exports: Exports) -> list[ActionSpec]:
    """The Export menu's commands (global: the LaTeX and panel commands work in both labs)."""
    def spec(*args, **kwargs) -> ActionSpec:
        return ActionSpec(*args, **kwargs)

    def network(*args) -> ActionSpec:
        return ActionSpec(*args, scope="network")

    return [
        spec("export_panel", "Export the focused panel…", "Ctrl+Shift+E", "Export",
             "Save the panel you are in as a PNG image (2× by default, 1× or 4× by the file type) or an SVG "
             "figure with its text as text", lambda: exports.ask_and_export_panel()),
        spec("copy_panel_image", "Copy the focused panel as an image", "Ctrl+Shift+C", "Export",
             "Put the panel you are in on the clipboard as a 2× image", lambda: exports.copy_panel_image()),
        spec("copy_latex", "Copy as LaTeX", "Ctrl+Shift+L", "Export",
             "The chain rule of the selected parameter (Network lab) or the step-by-step derivative "
             "(Function lab) as a ready align* block, on the clipboard", lambda: exports.copy_text("latex")),
        spec("save_latex", "Save as LaTeX…", "Ctrl+Alt+L", "Export",
             "The chain rule or the step-by-step derivative as a .tex file", lambda: exports.ask_and_save_text("latex")),
        network("copy_csv", "Copy the trajectory as CSV", "Ctrl+Shift+T", "Export",
                "Step, epoch, costs, learning rate, distance and every parameter of the shown run up to the "
                "shown step, on the clipboard", lambda: exports.copy_text("csv")),
        network("save_csv", "Save the trajectory as CSV…", "Ctrl+Alt+T", "Export",
                "The shown run up to the shown step as a .csv table", lambda: exports.ask_and_save_text("csv")),
        network("copy_json", "Copy the network as JSON", "Ctrl+Shift+J", "Export",
                "Layers, activations, cost and every weight and bias of the shown step, on the clipboard",
                lambda: exports.copy_text("json")),
        network("save_json", "Save the network as JSON…", "Ctrl+Alt+J", "Export",
                "The network of the shown step as a .json file, readable without the studio",
                lambda: exports.ask_and_save_text("json")),
        network("copy_torch", "Copy as a PyTorch script", "Ctrl+Shift+Y", "Export",
                "A runnable script with the same network, weights, data, cost and optimizer: it prints the "
                "cost of the shown step and trains on", lambda: exports.copy_text("torch")),
        network("save_torch", "Save as a PyTorch script…", "Ctrl+Alt+Y", "Export",
                "The same PyTorch script as a .py file", lambda: exports.ask_and_save_text("torch")),
    ]

