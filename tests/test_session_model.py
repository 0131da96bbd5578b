"""The session model alone, no widgets: every command as one transaction — what it emits (each signal
once, after the whole change, only what really changed) and how it refuses, with the message."""
import pytest

import core
from app.model import SIGNAL_ORDER, SessionModel


class Recorder:
    """Every signal of the model, in the order it arrived."""

    def __init__(self, model):
        self.calls = []
        for name in SIGNAL_ORDER:
            getattr(model, name).connect(lambda *args, name=name: self.calls.append((name, args)))

    @property
    def names(self):
        return [name for name, _args in self.calls]

    def clear(self):
        self.calls.clear()


@pytest.fixture
def model(qtbot):
    m = SessionModel(synchronous=True)
    yield m
    m.engine.shutdown()


def emitted_once_in_order(recorder):
    names = recorder.names
    assert len(names) == len(set(names)), names                     # each signal once
    assert names == sorted(names, key=SIGNAL_ORDER.index), names     # in the model's order
    return set(names)


def test_a_step_emits_the_new_snapshot_once(model):
    rec = Recorder(model)
    assert model.step(3)
    assert emitted_once_in_order(rec) == {"snapshotChanged", "parametersChanged", "stepped", "timelineChanged"}
    assert dict(rec.calls)["stepped"] == (3, model.cost())
    assert model.step_count == 3 and model.snapshot.step == 3


def test_learning_rate_emits_only_its_change_and_refuses_nonsense(model):
    rec = Recorder(model)
    model.set_learning_rate(1.0)
    assert emitted_once_in_order(rec) == {"learningRateChanged", "snapshotChanged", "parametersChanged"}
    assert dict(rec.calls)["learningRateChanged"] == (1.0,)
    rec.clear()
    model.set_learning_rate(1.0)   # the same value: nothing changed, nothing said
    assert rec.names == []
    model.set_learning_rate(-2.0)
    assert rec.names == ["messageChanged"] and "positive number" in model.message
    assert model.learning_rate == 1.0


def test_new_data_is_one_transaction(model):
    rec = Recorder(model)
    model.set_dataset("circle")   # 2 inputs: the network is reshaped, the cost and rate follow
    names = emitted_once_in_order(rec)
    assert {"structureChanged", "datasetChanged", "historyReset", "lossChanged", "learningRateChanged",
            "snapshotChanged", "parametersChanged", "timelineChanged"} <= names
    # when the first signal arrives, the model is already complete
    assert model.network.sizes[0] == 2 and model.snapshot.network is model.network
    assert dict(rec.calls)["lossChanged"] == ("binary_cross_entropy",)


def test_settings_that_did_not_change_are_not_announced(model):
    rec = Recorder(model)
    model.step(4)
    model.goto(2)
    rec.clear()
    model.goto(model.live_step)   # back to live: the cursor moved, and the run did not change
    assert "learningRateChanged" not in rec.names and "historyReset" not in rec.names
    rec.clear()
    model.reset()                 # a new start with every setting as it was
    assert "learningRateChanged" not in rec.names and "lossChanged" not in rec.names


@pytest.mark.parametrize("command, message", [
    (lambda m: m.set_dataset("circle", n=1), "Could not make the circle dataset"),
    (lambda m: m.set_loss("cross_entropy"), "does not fit"),
    (lambda m: m.remove_neuron(), "keeps at least one neuron"),
    (lambda m: m.set_split(1.5), "test fraction"),
    (lambda m: m.set_batch_size(0), "at least one sample"),
    (lambda m: m.set_regularization("l2", -1.0), "regularization rate"),
    (lambda m: m.set_axes("w1", "w1"), "two different parameters"),
    (lambda m: m.set_parameter("w1", float("nan")), "finite number"),
    (lambda m: m.cycle_branch(), "only one run"),
    (lambda m: m.delete_branch(), "only run cannot be deleted"),
])
def test_refusals_say_why_and_change_nothing(model, command, message):
    theta, step, data = model.network.parameter_vector(), model.step_count, model.dataset
    rec = Recorder(model)
    command(model)
    assert rec.names == ["messageChanged"] and message in model.message
    assert (model.network.parameter_vector() == theta).all() and model.step_count == step
    assert model.dataset is data


def test_too_many_layers_are_refused(model):
    while len(model.hidden_layers()) < 6:
        model.add_layer()
    assert model.message == ""
    rec = Recorder(model)
    model.add_layer()
    assert rec.names == ["messageChanged"] and "at most 6 hidden layers" in model.message


def test_unknown_parameters_raise(model):
    with pytest.raises(ValueError, match="unknown parameter"):
        model.select("w9")


def test_goto_shows_a_past_step_and_a_change_there_branches(model):
    model.step(10)
    rec = Recorder(model)
    model.goto(4)
    assert emitted_once_in_order(rec) == {"snapshotChanged", "parametersChanged", "stepped", "timelineChanged"}
    assert model.step_count == 4 and not model.live and model.live_step == 10
    rec.clear()
    model.set_learning_rate(0.5)
    assert emitted_once_in_order(rec) == {"learningRateChanged", "snapshotChanged", "parametersChanged",
                                          "stepped", "timelineChanged"}
    assert model.live and model.step_count == 4 and len(model.branches()) == 2
    model.step(2)
    assert model.step_count == 6
    first, second = model.branches()
    assert first[2] == 10 and second[2] == 6 and "at step 4" in second[1]
    rec.clear()
    model.switch_branch(first[0])
    assert model.step_count == 10 and model.branch_id == first[0]
    assert model.learning_rate == 2.0 and ("learningRateChanged", (2.0,)) in rec.calls  # the run's own η
    model.delete_branch(second[0])
    assert len(model.branches()) == 1


def test_structure_edits_start_a_new_problem(model):
    revision = model.revision
    rec = Recorder(model)
    model.add_neuron() if model.hidden_layers() != [1] else model.add_layer()
    names = emitted_once_in_order(rec)
    assert {"structureChanged", "historyReset", "snapshotChanged", "parametersChanged"} <= names
    assert model.revision == revision + 1 and model.step_count == 0 and model.live_step == 0


def test_the_model_reads_only_snapshots(model):
    """The views' numbers come from the shown snapshot, which no one changes afterwards."""
    model.step(5)
    snap = model.snapshot
    theta = snap.theta.copy()
    model.step(5)
    assert (snap.theta == theta).all() and snap.step == 5 and model.snapshot.step == 10
    assert isinstance(snap, core.Snapshot) and not snap.theta.flags.writeable
