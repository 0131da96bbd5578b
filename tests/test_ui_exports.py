"""Exports from the shown window by their keys: panels as PNG and SVG, the chain rule and the derivation
as LaTeX, the trajectory as CSV, the network as JSON and the PyTorch script — the file dialog answered
by a monkeypatch, every file read back."""
import csv
import io
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog

import core
from tests.windows import press, settled

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def window(qtbot, monkeypatch):
    return settled(qtbot, monkeypatch)


def answer_dialog(monkeypatch, path, chosen_filter):
    """The save dialog answers with ``path`` and ``chosen_filter``; returns the questions asked."""
    asked = []

    def fake(parent, caption, directory, filters):
        asked.append((caption, directory, filters))
        return str(path), chosen_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return asked


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(element.itertext()).strip() for element in root.iter(f"{SVG}text")]


def test_ctrl_shift_e_saves_the_focused_plot_as_a_png_twice_its_size(window, qtbot, monkeypatch, tmp_path):
    press(qtbot, Qt.Key_5, Qt.ControlModifier)             # the cost curve
    cost = window.network_lab.panels["cost"]
    qtbot.waitUntil(lambda: cost.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is cost)
    asked = answer_dialog(monkeypatch, tmp_path / "cost.png", "PNG image, 2× (*.png)")
    press(qtbot, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    assert asked and asked[0][0] == "Export Cost curve" and asked[0][1].endswith("cost-curve.png")
    image = QImage(str(tmp_path / "cost.png"))
    assert not image.isNull()
    assert image.width() == 2 * cost.plot.width()
    assert abs(image.height() - 2 * cost.plot.height()) <= 2
    assert "Saved Cost curve as PNG" in window.statusBar().currentMessage()


def test_the_svg_of_a_plot_keeps_its_axis_labels_as_text(window, qtbot, monkeypatch, tmp_path):
    press(qtbot, Qt.Key_5, Qt.ControlModifier)
    answer_dialog(monkeypatch, tmp_path / "cost.svg", "SVG vector image (*.svg)")
    press(qtbot, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    texts = svg_texts(tmp_path / "cost.svg")
    assert "step" in texts and "J" in texts                 # the axes' labels
    assert any(t.isdigit() for t in texts)                  # tick labels as text, not bitmaps


def test_the_chain_panel_exports_as_vector_maths_with_its_captions_as_text(window, qtbot, monkeypatch, tmp_path):
    press(qtbot, Qt.Key_2, Qt.ControlModifier)
    answer_dialog(monkeypatch, tmp_path / "chain", "SVG vector image (*.svg)")   # no extension: the filter's
    press(qtbot, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    root = ET.parse(tmp_path / "chain.svg").getroot()
    texts = svg_texts(tmp_path / "chain.svg")
    assert any("∂J/∂w₂ by the chain rule" in t for t in texts)
    equations = [e for e in root.iter(f"{SVG}svg") if e is not root]
    assert len(equations) >= 8 and all(list(e.iter(f"{SVG}path")) for e in equations)   # glyphs as paths
    # the first equation is the panel's first formula, the chain-rule product, typeset by ziamath
    from app.math_render import latex_to_svg

    product = ET.fromstring(latex_to_svg(window.network_lab.panels["expression"].latex_lines[0], size=15))
    assert equations[0].get("width") == product.get("width")


def test_the_diagram_exports_its_whole_scene_from_its_docks_menu(window, qtbot, monkeypatch, tmp_path):
    answer_dialog(monkeypatch, tmp_path / "diagram.svg", "SVG vector image (*.svg)")
    menu = window.exports.dock_menu("diagram")
    export = next(a for a in menu.actions() if a.text().startswith("Export Network diagram"))
    export.trigger()
    texts = svg_texts(tmp_path / "diagram.svg")
    assert any("w₂" in t for t in texts) and any("J" in t for t in texts)
    window.exports.export_panel("diagram", str(tmp_path / "diagram.png"), scale=1.0)
    scene = window.network_lab.panels["diagram"].scene().itemsBoundingRect()
    image = QImage(str(tmp_path / "diagram.png"))
    assert (image.width(), image.height()) == (round(scene.width() + 20), round(scene.height() + 20))


def test_a_file_name_that_is_not_png_or_svg_is_refused_in_the_window(window, qtbot, monkeypatch, tmp_path):
    press(qtbot, Qt.Key_3, Qt.ControlModifier)
    answer_dialog(monkeypatch, tmp_path / "surface.jpg", "PNG image, 2× (*.png)")
    press(qtbot, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    assert "Could not export Cost surface: choose a .png or .svg file name" in window.banner.text()
    assert not (tmp_path / "surface.jpg").exists()


def test_ctrl_shift_c_copies_the_focused_panel_as_an_image(window, qtbot):
    press(qtbot, Qt.Key_4, Qt.ControlModifier)
    press(qtbot, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
    image = QGuiApplication.clipboard().image()
    assert image.width() == 2 * window.network_lab.panels["slice"].plot.width()


def test_ctrl_shift_l_copies_the_chain_rule_as_an_align_block(window, qtbot):
    press(qtbot, Qt.Key_S)
    press(qtbot, Qt.Key_BracketRight)     # sample 2
    press(qtbot, Qt.Key_L, Qt.ControlModifier | Qt.ShiftModifier)
    text = QGuiApplication.clipboard().text()
    assert text.count(r"\begin{align*}") == 1 and text.rstrip().endswith(r"\end{align*}")
    chain = window.model.chain("w2", sample=1)
    for factor in chain.factors:
        assert factor.latex in text and f"{abs(factor.value):.6g}" in text
    assert "step 1, sample 2 of" in text
    assert "Copied LaTeX" in window.statusBar().currentMessage()


def test_ctrl_shift_j_t_and_y_copy_the_network_the_trajectory_and_a_pytorch_script(window, qtbot):
    for _ in range(3):
        press(qtbot, Qt.Key_S)
    press(qtbot, Qt.Key_J, Qt.ControlModifier | Qt.ShiftModifier)
    rebuilt = core.network_from_dict(json.loads(QGuiApplication.clipboard().text()))
    np.testing.assert_array_equal(rebuilt.parameter_vector(), window.model.network.parameter_vector())

    press(qtbot, Qt.Key_Comma)            # back to step 2: the table stops at the shown step
    qtbot.waitUntil(lambda: window.model.step_count == 2)
    press(qtbot, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    rows = list(csv.reader(io.StringIO(QGuiApplication.clipboard().text())))
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    assert float(rows[-1][2]) == window.model.cost()
    names = rows[0][6:]
    assert [float(rows[-1][6 + names.index(n)]) for n in names] == \
        [window.model.snapshot.value(n) for n in names]

    press(qtbot, Qt.Key_Y, Qt.ControlModifier | Qt.ShiftModifier)
    script = QGuiApplication.clipboard().text()
    compile(script, "export.py", "exec")
    assert "torch.optim.SGD(model.parameters(), lr=2.0" in script
    assert repr(window.model.cost()) in script     # the cost the studio shows at that step


def test_the_function_lab_copies_its_derivation_as_latex_and_exports_its_panels(window, qtbot, monkeypatch, tmp_path):
    press(qtbot, Qt.Key_F3)
    model = window.function_model
    qtbot.waitUntil(lambda: model.analysis is not None and not model.busy, timeout=30000)
    press(qtbot, Qt.Key_L, Qt.ControlModifier | Qt.ShiftModifier)
    text = QGuiApplication.clipboard().text()
    assert r"\begin{align*}" in text and r"\text{Chain rule}" in text and "log(2 + cos(x))" in text
    press(qtbot, Qt.Key_2, Qt.ControlModifier)      # the step-by-step derivative
    answer_dialog(monkeypatch, tmp_path / "derivation.svg", "SVG vector image (*.svg)")
    press(qtbot, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    assert any(t.startswith("Chain rule") for t in svg_texts(tmp_path / "derivation.svg"))
    press(qtbot, Qt.Key_4, Qt.ControlModifier)      # the computation graph
    answer_dialog(monkeypatch, tmp_path / "graph.png", "PNG image, 4× (*.png)")
    press(qtbot, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    scene = window.function_lab.panels["graph"].view.scene().itemsBoundingRect()
    assert QImage(str(tmp_path / "graph.png")).width() == round(4 * (scene.width() + 20))
