"""The chain-rule panel on grown networks: the backward recursion and the path bars show numbers that
add up to the gradient (checked against central finite differences on the chosen sample), and the
network is grown by keys while training goes on."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.windows import settled
from tests.numerics import numeric_gradient


@pytest.fixture
def window(qtbot, monkeypatch):
    return settled(qtbot, monkeypatch, focus=True)


def press(window, qtbot, key, modifier=Qt.NoModifier):
    qtbot.keyClick(window.panels()["diagram"], key, modifier)


def sample_gradient(model, name):
    """dJ_n/dθ on the panel's sample alone, by central differences (penalty included)."""
    n = model.sample
    grad = numeric_gradient(model.network, model.X[n:n + 1], model.y[n:n + 1])
    return grad[model.parameter_names().index(name)]


def test_keys_grow_the_network_and_training_continues(window, qtbot):
    model = window.model
    press(window, qtbot, Qt.Key_S)
    assert model.network.sizes == (1, 1, 1)
    press(window, qtbot, Qt.Key_H)                      # a hidden layer after layer 1
    assert model.network.sizes == (1, 1, 1, 1)
    press(window, qtbot, Qt.Key_Equal)                  # neurons go to the new (focused) layer
    press(window, qtbot, Qt.Key_Equal)
    assert model.network.sizes == (1, 1, 3, 1)
    press(window, qtbot, Qt.Key_V)                      # its activation: sigmoid -> tanh
    assert model.network.activations[1] == "tanh"
    before = model.cost()
    for _ in range(20):
        press(window, qtbot, Qt.Key_S)
    assert model.step_count == 20                        # a fresh run for the new shape
    assert model.cost() < before
    assert len(model.history.parameters[-1]) == model.network.parameter_count
    press(window, qtbot, Qt.Key_Minus)
    assert model.network.sizes == (1, 1, 2, 1)
    press(window, qtbot, Qt.Key_H, Qt.ShiftModifier)
    assert model.network.sizes == (1, 1, 1)


def test_refusals_are_shown_not_raised(window, qtbot):
    model = window.model
    press(window, qtbot, Qt.Key_Minus)                   # the lesson's hidden layer has one neuron
    assert "at least one neuron" in window.banner.text()
    for _ in range(7):
        press(window, qtbot, Qt.Key_H)
    assert len(model.hidden_layers()) == 6
    assert "at most 6 hidden layers" in window.banner.text()


@pytest.mark.parametrize("regularization", [None, "l2"])
def test_recursion_and_paths_add_up_to_the_gradient(window, qtbot, regularization):
    model = window.model
    model.set_dataset("lesson")
    for _ in range(2):
        model.add_layer(size=3, activation="tanh")
    model.set_regularization(regularization, 0.05)
    model.select("w1")
    model.set_sample(7)
    panel = window.panels()["expression"]
    panel.refresh_now()
    expected = sample_gradient(model, "w1")
    bars = panel.path_bars
    assert bars.isVisible()
    assert len(bars.rows) == 9                           # 3 x 3 routes through the two hidden layers
    assert sum(r.value for r in bars.rows) + (model.network.regularization_rate * model.network.get("w1")
                                              if regularization else 0.0) == pytest.approx(expected, rel=1e-5,
                                                                                           abs=1e-9)
    assert bars.total.value == pytest.approx(expected, rel=1e-5, abs=1e-9)
    # the recursion's last line ends with the same number
    assert any("Backward recursion" in c for c in panel.caption_lines)
    assert panel.value_texts[-1].endswith(window_fmt(bars.total.value))


def window_fmt(value):
    from app.format import fmt
    return fmt(value)


def test_too_many_paths_are_counted_not_listed(window, qtbot):
    model = window.model
    for _ in range(3):
        model.add_layer(size=4, activation="relu")
    model.select("w1")
    panel = window.panels()["expression"]
    panel.refresh_now()
    assert not panel.path_bars.isVisible()
    assert any("64 paths" in c and "too many" in c for c in panel.caption_lines)


def test_two_inputs_three_classes(window, qtbot):
    model = window.model
    rng = np.random.default_rng(0)
    import core
    X = rng.normal(size=(30, 2))
    labels = np.arange(30) % 3
    Y = np.eye(3)[labels]
    data = core.Dataset("blobs-test", "three classes", X, Y, "multiclass", "test data",
                        classes=("a", "b", "c"))
    model.set_data(data)
    assert model.network.sizes[0] == 2 and model.network.sizes[-1] == 3
    assert model.network.activations[-1] == "softmax" and model.loss_name == "cross_entropy"
    name = model.parameter_names()[0]
    model.select(name)
    panel = window.panels()["expression"]
    panel.refresh_now()
    assert panel.path_bars.total.value == pytest.approx(sample_gradient(model, name), rel=1e-5, abs=1e-9)


def test_delete_removes_the_ringed_sample(window, qtbot):
    model = window.model
    model.set_sample(3)
    doomed = model.X[3].copy()
    count = len(model.dataset)
    press(window, qtbot, Qt.Key_Delete)
    assert len(model.dataset) == count - 1
    assert not any(np.array_equal(row, doomed) for row in model.dataset.X)


def test_an_aggregated_factor_is_written_as_the_sum_the_recursion_computes(window, qtbot):
    model = window.model
    model.add_layer(size=3, activation="tanh")          # 1 -> 1 -> 3 -> 1: a1 feeds three neurons
    model.select("w1")
    panel = window.panels()["expression"]
    panel.refresh_now()
    assert r"= \sum_k w_{2,1,k}\, \delta_{2,k}" in panel.latex_lines
    rec = __import__("core").backward_recursion(model.network, "w1", model.X, model.y, sample=model.sample)
    delta2 = next(step.delta for step in rec.steps if step.layer == 2)
    expected = float(model.network.weights[1][0] @ delta2)
    chain = model.chain("w1")
    assert chain.factors[0].kind == "aggregate"
    assert chain.factors[0].value == pytest.approx(expected, rel=1e-9)


def test_a_network_reshaped_for_new_data_starts_from_a_gentler_rate(window, qtbot):
    model = window.model
    assert model.learning_rate == 2.0
    model.set_dataset("regression")              # same 1-1-1 sigmoid network: the lesson's rate stays
    assert model.learning_rate == 2.0
    model.set_dataset("circle")                   # 2 inputs: a new shape
    assert model.network.sizes == (2, 4, 4, 1) and model.learning_rate == 0.5
    assert "0.5" in window.status_labels["rate"].text()


def test_p_singles_out_one_path_on_the_diagram_and_in_the_bars(window, qtbot):
    import core

    model = window.model
    model.add_layer(size=3, activation="tanh")          # 1 -> 1 -> 3 -> 1: three paths from w1
    model.select("w1")
    diagram, panel = window.panels()["diagram"], window.panels()["expression"]
    every = {e for e in diagram.highlighted if e.startswith("edge:")}
    assert every == {"edge:w1", "edge:w2.1.1", "edge:w2.1.2", "edge:w2.1.3", "edge:w3.1.1", "edge:w3.2.1",
                     "edge:w3.3.1"}
    press(window, qtbot, Qt.Key_P)
    press(window, qtbot, Qt.Key_P)                       # the second path: through neuron 2 of layer 2
    second = core.path_nodes(model.network, "w1")[1]
    assert model.focused_path == second == ((3, 0), (2, 1), (1, 0))
    assert {e for e in diagram.highlighted if e.startswith("edge:")} == {"edge:w1", "edge:w2.1.2", "edge:w3.2.1"}
    panel.refresh_now()
    assert [r.focused for r in panel.path_bars.rows] == [False, True, False]
    press(window, qtbot, Qt.Key_P, Qt.ShiftModifier)   # back to the first
    assert model.focused_path == core.path_nodes(model.network, "w1")[0]
    # a click on a bar singles that path out; another selection shows every path again
    qtbot.mouseClick(panel.path_bars, Qt.LeftButton, pos=panel.path_bars.rect().topLeft() + QPoint(20, 3 + 36 * 2 + 10))
    assert model.focused_path == core.path_nodes(model.network, "w1")[2]
    model.select("b1")
    assert model.focused_path is None


def test_too_many_paths_to_step_through_says_so(window, qtbot):
    model = window.model
    for _ in range(3):
        model.add_layer(size=4, activation="relu")
    model.select("w1")
    press(window, qtbot, Qt.Key_P)
    assert model.focused_path is None and "64 paths" in window.banner.text()


def test_training_only_the_surface_parameters_keeps_the_run_and_its_epochs(window, qtbot):
    model = window.model
    model.set_dataset("circle")
    model.set_batch_size(32)
    model.step(5)
    epoch, steps = model.epoch, model.step_count
    press(window, qtbot, Qt.Key_T)
    assert model.train_only_axes and model.epoch == epoch and model.step_count == steps
    before = model.network.parameter_vector()
    model.step(1)
    changed = {n for n, a, b in zip(model.parameter_names(), before, model.network.parameter_vector()) if a != b}
    assert changed <= set(model.axes) and changed


def test_removing_the_last_hidden_layer_selects_in_the_one_before(window, qtbot):
    model = window.model
    model.set_hidden_layers([3, 3])
    model.select("w2.1.1")
    press(window, qtbot, Qt.Key_H, Qt.ShiftModifier)
    assert model.network.sizes == (1, 3, 1)
    assert model.network.locate(model.selected).layer == 0   # hidden, not the output layer


def test_a_refused_edit_changes_nothing(window, qtbot):
    model = window.model
    model.set_hidden_layers([2])
    before = (model.network.sizes, model.network.parameter_vector().copy())

    def half_then_fail(net):
        net.add_neuron(0)
        raise ValueError("refused halfway")

    model._edit(half_then_fail, select_layer=None)
    assert "refused halfway" in window.banner.text()
    assert model.network.sizes == before[0] and np.array_equal(model.network.parameter_vector(), before[1])
