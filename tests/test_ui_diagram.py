"""The network diagram at every size: items per shape, tooltips, the inline editor by keys and mouse,
the structure menu, the neurons' pictures and every path from a parameter to the cost."""
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.format import fmt
from app.model import SessionModel
from app.views.diagram import FIELD_INTERVAL_S, NetworkDiagram
from app.views.value_editor import parse_value


def grow(model: SessionModel, hidden) -> None:
    """Reshape the model's network to these hidden sizes through the model's own edits."""
    while len(model.hidden_layers()) < len(hidden):
        model.add_layer()
    for k, size in enumerate(hidden):
        while model.hidden_layers()[k] < size:
            model.add_neuron(k)
        while model.hidden_layers()[k] > size:
            model.remove_neuron(k)


@pytest.fixture
def model():
    return SessionModel()


def shown_diagram(qtbot, model) -> NetworkDiagram:
    diagram = NetworkDiagram(model)
    qtbot.addWidget(diagram)
    diagram.resize(700, 500)
    diagram.show()
    qtbot.waitExposed(diagram)
    diagram.setFocus()
    qtbot.waitUntil(diagram.is_settled)   # the neuron pictures come from a worker
    return diagram


def expected_counts(sizes) -> dict:
    return {"nodes": sum(sizes), "edges": sum(a * b for a, b in zip(sizes, sizes[1:])),
            "biases": sum(sizes[1:]), "pictures": sum(sizes[1:-1]), "captions": len(sizes)}


def test_the_biggest_network_builds_with_one_item_per_part(qtbot, model):
    model.set_dataset("blobs")
    grow(model, [16] * 6)
    assert model.network.sizes == (2, 16, 16, 16, 16, 16, 16, 3)
    diagram = shown_diagram(qtbot, model)
    assert not diagram.detailed
    assert diagram.item_counts() == expected_counts(model.network.sizes)
    drawn = set(diagram._edges) | set(diagram._biases)
    assert drawn == set(model.parameter_names())
    assert len(diagram.field_images) == 16 * 6  # every hidden neuron has its picture
    captions = [diagram._captions[layer].text() for layer in range(8)]
    assert captions[2] == "hidden 2\ntanh\n16 neurons"
    assert captions[-1].startswith("output\nsoftmax")
    assert "cross-entropy" in diagram._cost_value.text()
    # everything fits the view
    view_rect = diagram.mapToScene(diagram.viewport().rect()).boundingRect()
    assert view_rect.contains(diagram.scene().itemsBoundingRect())


def test_the_lesson_network_keeps_its_numbers_on_the_edges(qtbot, model):
    diagram = shown_diagram(qtbot, model)
    assert diagram.detailed
    value_item, grad_item, _mid = diagram._edge_labels["w1"]
    assert value_item.text() == f"w₁ = {fmt(model.network.get('w1'))}"
    assert grad_item.text() == f"∂J/∂w₁ = {fmt(model.gradient('w1'))}"
    assert diagram.item_counts() == expected_counts((1, 1, 1))


def test_structure_changes_rebuild_and_value_changes_do_not(qtbot, model):
    diagram = shown_diagram(qtbot, model)
    builds = diagram.build_count
    model.set_parameter("w1", 0.25)
    model.select("b2")
    assert diagram.build_count == builds
    model.add_layer()
    assert diagram.build_count == builds + 1
    assert diagram.item_counts() == expected_counts(model.network.sizes)
    assert set(diagram._edges) | set(diagram._biases) == set(model.parameter_names())
    model.add_neuron(0)
    assert diagram.item_counts() == expected_counts(model.network.sizes)
    assert not diagram.detailed  # 1-2-1-1: compact, numbers on hover


def test_hover_text_has_the_value_and_the_gradient(qtbot, model):
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    net = model.network
    grad = dict(zip(model.parameter_names(), net.gradient_vector(model.X, model.y)))
    edge = diagram._edges["w2.3.1"]
    text = edge.toolTip()
    assert "w₂,₃,₁ = " + fmt(net.get("w2.3.1"), 5) in text
    assert "∂J/∂w₂,₃,₁ = " + fmt(grad["w2.3.1"], 5) in text
    assert "from a₁,₃ to a₂,₁" in text
    bias = diagram._biases["b1.2"]
    assert fmt(net.get("b1.2"), 5) in bias.toolTip() and fmt(grad["b1.2"], 5) in bias.toolTip()
    model.set_parameter("w2.3.1", 1.2345)  # the text follows the model at once
    assert "w₂,₃,₁ = 1.2345" in edge.toolTip()
    node = diagram._nodes[(1, 0)]
    assert "z = " in node.toolTip() and "tanh" in node.toolTip()


def test_enter_edits_the_selected_value_and_bad_text_keeps_it(qtbot, model):
    diagram = shown_diagram(qtbot, model)
    model.select("w2")
    qtbot.keyClick(diagram, Qt.Key_Return)
    editor = diagram.editor
    assert editor is not None and editor.isVisible() and editor.parameter == "w2"
    assert float(editor.text()) == pytest.approx(model.network.get("w2"))
    qtbot.waitUntil(editor.hasFocus)
    editor.selectAll()
    qtbot.keyClicks(editor, "abc")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert model.network.get("w2") == 2.0  # unchanged
    assert "not a number" in model.message and "w₂" in model.message
    assert diagram.editor is editor and editor.isVisible()  # still open to correct
    editor.selectAll()
    qtbot.keyClicks(editor, "-0.75")  # '-' is also a key of the window: typed text wins
    qtbot.keyClick(editor, Qt.Key_Return)
    assert model.network.get("w2") == -0.75
    assert model.message == "" and diagram.editor is None
    qtbot.waitUntil(diagram.hasFocus)
    # Escape cancels
    qtbot.keyClick(diagram, Qt.Key_Enter)
    editor = diagram.editor
    editor.selectAll()
    qtbot.keyClicks(editor, "5")
    qtbot.keyClick(editor, Qt.Key_Escape)
    assert model.network.get("w2") == -0.75 and diagram.editor is None


def test_double_click_on_an_edge_opens_its_editor(qtbot, model):
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    edge = diagram._edges["w3.2.1"]
    pos = diagram.mapFromScene(edge.path().pointAtPercent(0.5))
    qtbot.mouseDClick(diagram.viewport(), Qt.LeftButton, pos=pos)
    qtbot.mouseRelease(diagram.viewport(), Qt.LeftButton, pos=pos)  # QTest's double click leaves it down
    assert model.selected == "w3.2.1"
    editor = diagram.editor
    assert editor is not None and editor.parameter == "w3.2.1"
    editor.selectAll()
    qtbot.keyClicks(editor, "0.5")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert model.network.get("w3.2.1") == 0.5


def test_parse_value_accepts_numbers_only():
    assert parse_value(" -1.5 ") == -1.5
    assert parse_value("2e-3") == 0.002
    assert parse_value("−0.25") == -0.25
    assert parse_value("0,5") == 0.5
    for bad in ("", "abc", "1+1", "__import__('os')", "nan", "inf", "1e999", "1" * 100):
        with pytest.raises(ValueError):
            parse_value(bad)


def _action(menu, name):
    for action in menu.actions():
        if action.objectName() == name:
            return action
        if action.menu() is not None:
            found = _action(action.menu(), name)
            if found is not None:
                return found
    return None


def test_neuron_menu_edits_the_structure_through_the_model(qtbot, model):
    model.set_dataset("xor")  # 2-4-4-1
    diagram = shown_diagram(qtbot, model)
    net = model.network
    keep = np.delete(net.biases[1], 1)
    menu = diagram.context_menu(2, 1)
    names = {a.objectName() for a in menu.actions()}
    assert {"add_neuron", "remove_neuron", "add_layer_after", "add_layer_before", "remove_layer"} <= names
    _action(menu, "remove_neuron").trigger()
    assert model.network.sizes == (2, 4, 3, 1)
    assert np.array_equal(model.network.biases[1], keep)  # that neuron, not the last, went
    _action(diagram.context_menu(2, 0), "add_neuron").trigger()
    assert model.network.sizes == (2, 4, 4, 1)
    _action(diagram.context_menu(1, 0), "add_layer_after").trigger()
    assert model.network.sizes == (2, 4, 4, 4, 1)
    relu = _action(diagram.context_menu(2), "activation_relu")
    assert relu is not None and not relu.isChecked()
    relu.trigger()
    assert model.network.activations[1] == "relu"
    assert _action(diagram.context_menu(2), "activation_relu").isChecked()
    _action(diagram.context_menu(3), "remove_layer").trigger()
    assert model.network.sizes == (2, 4, 4, 1)
    _action(diagram.context_menu(0, 0), "add_layer_after").trigger()
    assert model.network.sizes == (2, 4, 4, 4, 1)
    assert diagram.item_counts() == expected_counts(model.network.sizes)
    one = model.network
    single = diagram.context_menu(1, 0)
    assert one.sizes[1] == 4 and _action(single, "remove_neuron").isEnabled()


def test_neuron_pictures_follow_the_parameters(qtbot, model):
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    before = diagram.field_images[(1, 0)].copy()
    untouched = diagram.field_images[(1, 1)].copy()
    model.set_parameter("w1.1.1", model.network.get("w1.1.1") + 2.0)
    qtbot.waitUntil(lambda: diagram.is_settled() and diagram.field_images[(1, 0)] != before)
    after = diagram.field_images[(1, 0)]
    assert after.size() == before.size() and after != before
    assert diagram.field_images[(1, 1)] == untouched  # another neuron's input weights did not change


def test_one_input_neurons_draw_curves_that_follow_the_parameters(qtbot, model):
    grow(model, [3])
    diagram = shown_diagram(qtbot, model)
    path = diagram.field_paths[(1, 2)]
    model.set_parameter("w1.1.3", model.network.get("w1.1.3") - 3.0)
    qtbot.waitUntil(lambda: diagram.is_settled() and diagram.field_paths[(1, 2)] != path)
    assert len(diagram.field_paths) == 3


def test_pictures_are_throttled_while_training(qtbot, model):
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    count = diagram.field_updates
    snapshots = []
    model.snapshotChanged.connect(snapshots.append)
    started = time.monotonic()
    model.set_running(True)   # the training worker: a snapshot every frame
    qtbot.waitUntil(lambda: len(snapshots) >= 30, timeout=10000)
    model.set_running(False)
    elapsed = time.monotonic() - started
    assert count < diagram.field_updates <= count + elapsed / FIELD_INTERVAL_S + 2 < count + len(snapshots)


def _paths(sizes, layer, j):
    """Every path (as edges) from neuron j of node layer `layer` to the output layer, by DFS."""
    if layer == len(sizes) - 1:
        return [[]]
    out = []
    for k in range(sizes[layer + 1]):
        for rest in _paths(sizes, layer + 1, k):
            out.append([(layer, j, layer + 1, k)] + rest)
    return out


def test_a_deep_weight_lights_every_path_to_the_cost(qtbot, model):
    model.set_dataset("blobs")   # 2-4-4-3
    grow(model, [4, 3, 2])
    sizes = model.network.sizes
    assert sizes == (2, 4, 3, 2, 3)
    diagram = shown_diagram(qtbot, model)
    model.select("w2.4.2")   # from a1.4 into a2.2
    paths = _paths(sizes, 2, 1)
    assert len(paths) == 2 * 3
    on_paths = {diagram._weight_name(l_hi, i, k) for path in paths for (_l, i, l_hi, k) in path}
    lit_edges = {item[5:] for item in diagram.highlighted if item.startswith("edge:")}
    assert lit_edges == on_paths | {"w2.4.2"}
    lit_nodes = {item[5:] for item in diagram.highlighted if item.startswith("node:")}
    assert lit_nodes == {"2.1", "3.0", "3.1", "4.0", "4.1", "4.2", "J"}
    assert "edge:w1.1.4" not in diagram.highlighted and "edge:w2.3.2" not in diagram.highlighted
    model.select("b4.3")  # an output bias: its own neuron and the cost only
    assert diagram.highlighted == {"node:4.2", "node:J", "bias:b4.3"}


def test_a_real_hover_shows_the_numbers(qtbot, model):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    edge = diagram._edges["w3.4.1"]
    pos = diagram.mapFromScene(edge.path().pointAtPercent(0.5))
    event = QHelpEvent(QEvent.ToolTip, pos, diagram.viewport().mapToGlobal(pos))
    QApplication.sendEvent(diagram.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == edge.toolTip()
    assert f"w₃,₄,₁ = {fmt(model.network.get('w3.4.1'), 5)}" in QToolTip.text()
    QToolTip.hideText()


def test_the_menu_key_opens_the_selected_neurons_menu(qtbot, model, monkeypatch):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    shown = []
    monkeypatch.setattr(NetworkDiagram, "_show_menu", lambda self, layer, j, where: shown.append((layer, j)))
    model.select("w2.3.4")
    QApplication.sendEvent(diagram, QContextMenuEvent(QContextMenuEvent.Keyboard, QPoint(5, 5), QPoint(5, 5)))
    assert shown == [(2, 3)]
    model.select("b3")  # the output's bias: the last hidden layer's menu
    QApplication.sendEvent(diagram, QContextMenuEvent(QContextMenuEvent.Keyboard, QPoint(5, 5), QPoint(5, 5)))
    assert shown[-1] == (2, None)
    # a right-click on a neuron selects its bias, so the keys act on its layer, then shows its menu
    pos = diagram.mapFromScene(diagram._nodes[(1, 2)].sceneBoundingRect().center())
    QApplication.sendEvent(diagram.viewport(), QContextMenuEvent(QContextMenuEvent.Mouse, pos, pos))
    assert shown[-1] == (1, 2) and model.selected == "b1.3"


def test_a_network_without_hidden_layers(qtbot, model):
    diagram = shown_diagram(qtbot, model)
    model.remove_layer(0)
    assert model.network.sizes == (1, 1)
    assert diagram.item_counts() == expected_counts((1, 1))
    assert diagram.highlighted >= {"node:1.0", "node:J"}
    menu = diagram.context_menu(0, 0)
    _action(menu, "add_layer_after").trigger()
    assert model.network.sizes == (1, 4, 1)  # the model's default width for a first hidden layer


def test_hovering_an_edge_outlines_it(qtbot, model):
    grow(model, [3])
    diagram = shown_diagram(qtbot, model)
    diagram.activateWindow()  # a scene sends hover events only while its window is active
    qtbot.waitUntil(diagram.isActiveWindow)
    edge = diagram._edges["w2.3.1"]
    pos = diagram.mapFromScene(edge.path().pointAtPercent(0.5))
    away = type(pos)(pos.x(), pos.y() + 60)  # off the edge, below the lowest neuron
    assert not any(isinstance(item, type(edge)) for item in diagram.items(away))
    qtbot.mouseMove(diagram.viewport(), away)  # (a move to where the cursor already is is dropped)
    qtbot.mouseMove(diagram.viewport(), pos)
    qtbot.waitUntil(lambda: diagram.hovered == "w2.3.1")
    qtbot.mouseMove(diagram.viewport(), away)
    qtbot.waitUntil(lambda: diagram.hovered == "")


def test_typing_in_the_editor_inside_the_window_does_not_fire_single_key_shortcuts(qtbot, monkeypatch):
    from tests.windows import shown
    from app.workers import LatestOnlyWorker
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    window = shown(qtbot, focus=True, persist_layout=False)
    diagram = window.panels()["diagram"]
    model = window.model
    model.select("b2")
    qtbot.keyClick(diagram, Qt.Key_Return)
    editor = diagram.editor
    qtbot.waitUntil(editor.hasFocus)
    editor.selectAll()
    qtbot.keyClicks(editor, "-1.5e-1")   # '-' removes a neuron and 'e'... only outside the editor
    qtbot.keyClick(editor, Qt.Key_Return)
    assert model.network.get("b2") == -0.15
    assert model.network.sizes == (1, 1, 1) and model.step_count == 0
    window.close()


def test_right_click_reaches_a_neuron_under_its_picture_or_title(qtbot, model, monkeypatch):
    from PySide6.QtGui import QContextMenuEvent
    grow(model, [3])   # 1-3-1: curves drawn over the hidden neurons, a title over the output
    diagram = shown_diagram(qtbot, model)
    shown = []
    monkeypatch.setattr(NetworkDiagram, "_show_menu", lambda self, layer, j, where: shown.append((layer, j)))
    for key in ((1, 1), (2, 0), (0, 0)):
        pos = diagram.mapFromScene(diagram._nodes[key].sceneBoundingRect().center())
        QApplication.sendEvent(diagram.viewport(), QContextMenuEvent(QContextMenuEvent.Mouse, pos, pos))
        assert shown[-1] == key


def test_clicking_a_neuron_selects_its_bias(qtbot, model):
    model.set_dataset("xor")
    diagram = shown_diagram(qtbot, model)
    pos = diagram.mapFromScene(diagram._nodes[(2, 3)].sceneBoundingRect().center())
    qtbot.mouseClick(diagram.viewport(), Qt.LeftButton, pos=pos)
    assert model.selected == "b2.4" and model.focused_layer == 1
    pos = diagram.mapFromScene(diagram._nodes[(0, 1)].sceneBoundingRect().center())
    qtbot.mouseClick(diagram.viewport(), Qt.LeftButton, pos=pos)
    assert model.selected == "b2.4"  # an input has no parameter of its own


def test_looking_under_the_mouse_leaves_the_scene_owning_its_items(qtbot, model):
    """Regression: walking parentItem() from an item made by scene.addPath() handed it to Python,
    and the garbage collector later freed it a second time (a segfault in an unrelated test)."""
    import gc
    from PySide6.QtCore import QCoreApplication, QEvent
    from app.views.diagram import NodeItem
    grow(model, [3])
    diagram = NetworkDiagram(model)
    diagram.resize(700, 500)
    diagram.show()
    qtbot.waitExposed(diagram)
    pos = diagram.mapFromScene(diagram._nodes[(1, 1)].sceneBoundingRect().center())
    assert diagram._item_at(pos, (NodeItem,)) is diagram._nodes[(1, 1)]  # found under its curve
    diagram.close()
    diagram.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    del diagram
    gc.collect()  # used to crash here


def _edge_colour(diagram, name):
    """The hue family of an edge's pen: "gold" on the chain's paths, else "red" or "blue" by sign
    (pens are faded towards white, so compare which channel dominates)."""
    colour = diagram.edge_pen(name).color()
    r, g, b = colour.red(), colour.green(), colour.blue()
    if r > b and g > b + 40:
        return "gold"
    return "red" if r > b else "blue"


def test_every_edge_follows_its_weight_as_training_and_edits_change_it(qtbot, model):
    """Edges are updated only where their look changed: after steps, a hand edit and a new
    selection, every one of the 16x3 network's 560 edges still shows its own weight's sign (gold
    on the selected parameter's paths), and a larger |w| is drawn at least as wide."""
    model.set_dataset("spiral")
    model.set_hidden_layers([16, 16, 16], "tanh")
    diagram = shown_diagram(qtbot, model)
    net = model.network

    def check():
        diagram.refresh()
        # the selected weight keeps its sign colour (over a gold halo); the rest of its paths are gold
        lit = {item[5:] for item in diagram.highlighted if item.startswith("edge:")} - {model.selected}
        weights = [n for n in model.parameter_names() if n.startswith("w")]
        for name in weights:
            expected = "gold" if name in lit else ("red" if model.network.get(name) >= 0 else "blue")
            assert _edge_colour(diagram, name) == expected, name
        off_path = sorted((abs(model.network.get(n)), diagram.edge_pen(n).widthF()) for n in weights if n not in lit)
        assert all(w1 <= w2 for (_a, w1), (_b, w2) in zip(off_path, off_path[1:]))

    check()
    model.step(25)
    check()
    flipped = "w3.4.5"
    model.set_parameter(flipped, -3.0 * np.sign(net.get(flipped) or 1.0))
    check()
    model.select("w2.7.9")
    check()
    model.select("w1.1.1")
    check()
