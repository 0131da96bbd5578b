"""Session states of every kind, a comparison of two states down to every replayed step, and a
corpus of broken session files (each with the JSON path its refusal must name)."""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import numpy as np

import core
from core.session_file import MAX_FILE_BYTES

REALISTIC_CSV = Path(__file__).parent / "fixtures" / "csv" / "realistic.csv"
VIEW = {"selected": None, "axes": None, "sample": 1, "train_only_axes": False, "steps_per_tick": 5,
        "plane": "axes", "plane_seed": 0}
LAB = {"formula": "log(2 + cos(x))", "x0": 0.75, "history": ["sin(x^2)", "log(2 + cos(x))"]}


def state_of(data, timeline, test_fraction=0.0, split_seed=0, **view):
    names = timeline.run.net.parameter_names()
    view = {**VIEW, "selected": names[-1], "axes": (names[0], names[1]), **view}
    return {"dataset": data, "test_fraction": test_fraction, "split_seed": split_seed, "timeline": timeline,
            "view": view, "function_lab": dict(LAB)}


def split(data, test_fraction=0.0, seed=0):
    train, test = core.train_test_split(data.X, data.y, data.task, test_fraction, seed)
    options = {"X_test": data.X[test], "y_test": data.y[test]} if len(test) else {}
    return data.X[train], data.y[train], options


def trained_run(data, sizes, activations, loss, test_fraction=0.0, rule="sgd", steps=90, **options):
    """A run with events of every kind between its steps (rate, batch, schedule, cost, penalty, a
    hand edit, a trained subset), so replay has something to get wrong."""
    net = core.Network(sizes, activations, loss, seed=3)
    X, y, test = split(data, test_fraction)
    run = core.Run(net, X, y, 0.2, rule=rule, keyframe_interval=16, **test, **options)
    run.step(steps // 3)
    run.learning_rate = 0.1
    run.batch_size = 8
    run.schedule = core.make_schedule("step", step_size=10, gamma=0.9)
    run.step(steps // 3)
    run.set_regularization("l2", 0.001)
    names = run.net.parameter_names()
    run.set_parameter(names[0], 0.25)
    run.only = names[:3]
    run.step(steps // 6)
    run.only = None
    run.step(steps - 5 * (steps // 6))
    return run


def builtin_state():
    data = core.load_dataset("xor")
    return state_of(data, core.Timeline(trained_run(data, (2, 5, 1), ("tanh", "sigmoid"), "binary_cross_entropy")))


def edited_state():
    data = core.add_point(core.remove_point(core.load_dataset("lesson"), 4), [0.3], 1)
    return state_of(data, core.Timeline(trained_run(data, (1, 1, 1), "sigmoid", "squared_error", rule="momentum")))


def csv_state():
    table = core.load_csv(REALISTIC_CSV)
    tab = table.to_dataset(["bill_length_mm", "flipper_length_mm"], "species")
    data = core.dataset_from_tabular(tab, name="csv", title="realistic.csv")
    run = trained_run(data, (2, 6, 3), ("relu", "softmax"), "cross_entropy", test_fraction=0.25, rule="adam")
    return state_of(data, core.Timeline(run), test_fraction=0.25, split_seed=0, sample=7)


def deep_regression_state():
    data = core.load_dataset("regression2d", n=60, seed=4, noise=0.05)
    run = trained_run(data, (2, 4, 4, 3, 1), ("tanh", "relu", "sigmoid", "linear"), "squared_error",
                      rule="rmsprop")
    return state_of(data, core.Timeline(run), train_only_axes=True, steps_per_tick=0, plane="pca",
                    plane_seed=3)


def rewound_state():
    """Three branches: forked from the past twice, the cursor left on a past step of the last."""
    data = core.load_dataset("moons", n=80)
    timeline = core.Timeline(trained_run(data, (2, 3, 1), ("tanh", "sigmoid"), "binary_cross_entropy", rule="adamw"))
    timeline.cursor = 40
    timeline.branch_if_rewound()
    timeline.run.learning_rate = 0.05
    timeline.run.step(30)
    timeline.cursor = 12
    timeline.branch_if_rewound()
    timeline.run.step(25)
    timeline.switch(1)
    timeline.cursor = 50
    return state_of(data, timeline)


def race_state():
    data = core.load_dataset("blobs", n=90)
    template = trained_run(data, (2, 4, 3), ("tanh", "softmax"), "cross_entropy", steps=12)
    entrants = [core.Entrant("sgd", 0.3), core.Entrant("momentum", 0.03, (("momentum", 0.8),)),
                core.Entrant("adam", 0.01, (("betas", (0.85, 0.99)),)), core.Entrant("adagrad", 0.1)]
    race = core.Race(template, entrants, warm_steps=40)
    race.lanes[3].stopped = "AdaGrad η 0.1 stopped at step 40: an example of a stopped run"
    race.lanes[0].run.learning_rate = 0.25     # an event in a lane's history
    timeline = core.Timeline(template)
    timeline.start_race(race)
    race.step(15)
    timeline.switch(2)
    return state_of(data, timeline)


STATES = {"builtin": builtin_state, "edited points": edited_state, "csv": csv_state,
          "deep regression": deep_regression_state, "rewound branches": rewound_state, "race": race_state}


# ------------------------------------------------------------------------------ comparing
def assert_same_run(a: core.Run, b: core.Run, rng) -> None:
    assert a.net.sizes == b.net.sizes and a.net.activations == b.net.activations
    assert str(a.net.loss) == str(b.net.loss)
    assert (a.net.regularization, a.net.regularization_rate) == (b.net.regularization, b.net.regularization_rate)
    assert np.array_equal(a.net.parameter_vector(), b.net.parameter_vector())
    assert a.rule == b.rule and a.schedule == b.schedule
    assert (a.learning_rate, a.batch_size, a.only, a.shuffle_seed) == (b.learning_rate, b.batch_size, b.only,
                                                                       b.shuffle_seed)
    assert a.step_count == b.step_count and a.cursor == b.cursor and a.distance == b.distance
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert (a.X_test is None) == (b.X_test is None)
    if a.X_test is not None:
        assert np.array_equal(a.X_test, b.X_test)
    for key, value in a.rule_state.items():
        assert np.array_equal(value, b.rule_state[key]), key
    ta, tb = a.trajectory, b.trajectory
    for column in ("costs", "test_costs", "learning_rates", "epochs", "distances"):
        assert np.array_equal(getattr(ta, column)(), getattr(tb, column)(), equal_nan=True), column
    assert [f.step for f in ta.keyframes] == [f.step for f in tb.keyframes]
    assert [(e.step, e.kind) for e in ta.events] == [(e.step, e.kind) for e in tb.events]
    assert np.array_equal(ta.path.steps, tb.path.steps)
    assert np.array_equal(ta.path.parameters, tb.path.parameters)
    steps = sorted({0, a.step_count, *rng.integers(0, a.step_count + 1, size=12).tolist()})
    for k in steps:   # the whole history replays bit for bit
        assert np.array_equal(a.theta_at(k), b.theta_at(k)), f"theta_at({k})"


def assert_same_state(a: dict, b: dict, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    da, db = a["dataset"], b["dataset"]
    assert (da.name, da.title, da.task, da.classes, da.feature_names, da.standardized) == \
        (db.name, db.title, db.task, db.classes, db.feature_names, db.standardized)
    assert np.array_equal(da.X, db.X) and np.array_equal(da.y, db.y)
    assert (a["test_fraction"], a["split_seed"]) == (b["test_fraction"], b["split_seed"])
    assert dict(a["view"], axes=tuple(a["view"]["axes"])) == dict(b["view"], axes=tuple(b["view"]["axes"]))
    assert a["function_lab"] == b["function_lab"]
    ta, tb = a["timeline"], b["timeline"]
    assert (ta.current_id, ta.cursor, ta.next_id) == (tb.current_id, tb.cursor, tb.next_id)
    assert [(x.id, x.parent, x.fork_step, x.label) for x in ta.branches] == \
        [(x.id, x.parent, x.fork_step, x.label) for x in tb.branches]
    for x, y in zip(ta.branches, tb.branches):
        assert_same_run(x.run, y.run, rng)
    assert (ta.race is None) == (tb.race is None)
    if ta.race is not None:
        assert ta.race.entrants == tb.race.entrants
        assert [lane.stopped for lane in ta.race.lanes] == [lane.stopped for lane in tb.race.lanes]
        assert np.array_equal(ta.race.start, tb.race.start)
        ids_a = [next(br.id for br in ta.branches if br.run is lane.run) for lane in ta.race.lanes]
        ids_b = [next(br.id for br in tb.branches if br.run is lane.run) for lane in tb.race.lanes]
        assert ids_a == ids_b


# ------------------------------------------------------------------------------ broken files
def _set(doc, path, value):
    """doc with the value at a dotted path (list indices as numbers) replaced."""
    doc = copy.deepcopy(doc)
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    target[last] = value
    return doc


def _delete(doc, path):
    doc = copy.deepcopy(doc)
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    del target[last]
    return doc


def _json(doc) -> bytes:
    return json.dumps(doc).encode()


def broken_files(doc: dict) -> list[tuple[str, object, str]]:
    """(name, content, the path the refusal must name) for a valid race session ``doc``: content is
    bytes, or a function writing the file at a path (the huge one is sparse)."""
    text = _json(doc)
    run = doc["runs"][2]        # the Adam lane
    P = len(run["network"]["parameters"])
    rows = len(run["trajectory"]["columns"]["cost"])

    def huge(path):
        with open(path, "wb") as stream:
            stream.write(b'{"format": "chainrule-studio-session", "version": 2, "pad": "')
            stream.truncate(MAX_FILE_BYTES * 4)    # 1 GB: sparse, so written at once

    def nan_literal(path):
        Path(path).write_bytes(text.replace(b'"noise":', b'"noise": NaN, "was":', 1))

    r = ["runs", 2]
    t = r + ["trajectory"]
    cases = [
        ("truncated", text[: len(text) // 2], "the file"),
        ("binary junk", bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8)), "the file"),
        ("empty", b"", "the file"),
        ("not an object", b"[1, 2, 3]", "the file"),
        ("another format", _json(_set(doc, ["format"], "notes")), "format"),
        ("no format", _json(_delete(doc, ["format"])), "format"),
        ("newer version", _json(_set(doc, ["version"], 99)), "version"),
        ("version as text", _json(_set(doc, ["version"], "2")), "version"),
        ("deep nesting", b'{"format": "chainrule-studio-session", "version": 2, "x": ' + b"[" * 200_000
         + b"]" * 200_000 + b"}", "the file"),
        ("a gigabyte", huge, "the file"),
        ("unknown dataset", _json(_set(doc, ["data", "name"], "penguins")), "data.name"),
        ("negative size", _json(_set(doc, ["data", "n"], -90)), "data.n"),
        ("NaN noise", nan_literal, "data.noise"),
        ("test fraction 1.5", _json(_set(doc, ["split", "test_fraction"], 1.5)), "split.test_fraction"),
        ("no runs", _json(_set(doc, ["runs"], [])), "runs"),
        ("input size", _json(_set(doc, r + ["network", "sizes", 0], 3)), "runs[2].network.sizes"),
        ("negative layer", _json(_set(doc, r + ["network", "sizes", 1], -4)), "runs[2].network.sizes[1]"),
        ("unknown activation", _json(_set(doc, r + ["network", "activations", 0], "swish")),
         "runs[2].network.activations[0]"),
        ("unknown loss", _json(_set(doc, r + ["network", "loss"], "hinge")), "runs[2].network.loss"),
        ("parameters too few", _json(_set(doc, r + ["network", "parameters"], [0.1] * (P - 1))),
         "runs[2].network.parameters"),
        ("parameter as text", _json(_set(doc, r + ["network", "parameters", 2], "0.5")),
         "runs[2].network.parameters[2]"),
        ("parameter beyond the limit", _json(_set(doc, r + ["network", "parameters", 1], 1e300)),
         "runs[2].network.parameters[1]"),
        ("huge array", _json(_set(doc, r + ["network", "parameters"], [0.0] * 2_000_000)),
         "runs[2].network.parameters"),
        ("betas out of range", _json(_set(doc, r + ["optimizer", "betas"], [0.9, 1.5])), "runs[2].optimizer.betas"),
        ("one beta", _json(_set(doc, r + ["optimizer", "betas"], [0.9])), "runs[2].optimizer.betas"),
        ("unknown optimizer", _json(_set(doc, r + ["optimizer", "name"], "lion")), "runs[2].optimizer.name"),
        ("negative rate", _json(_set(doc, r + ["learning_rate"], -1)), "runs[2].learning_rate"),
        ("batch of 0", _json(_set(doc, r + ["batch_size"], 0)), "runs[2].batch_size"),
        ("negative step", _json(_set(doc, r + ["step"], -5)), "runs[2].step"),
        ("short cost column", _json(_set(doc, t + ["columns", "cost"], [0.5] * (rows - 1))),
         "runs[2].trajectory.columns.cost"),
        ("keyframe theta shape", _json(_set(doc, t + ["keyframes", 0, "theta"], [[0.0] * P])),
         "runs[2].trajectory.keyframes[0].theta"),
        ("keyframe state missing", _json(_delete(doc, t + ["keyframes", 1, "rule_state", "exp_avg_sq"])),
         "runs[2].trajectory.keyframes[1].rule_state"),
        ("first keyframe late", _json(_set(doc, t + ["keyframes", 0, "step"], 3)), "runs[2].trajectory.keyframes"),
        ("unknown event", _json(_set(doc, ["runs", 0, "trajectory", "events", 0, "kind"], "teleport")),
         "runs[0].trajectory.events[0].kind"),
        ("path shape", _json(_set(doc, t + ["path", "parameters"], [[0.0, 1.0]])),
         "runs[2].trajectory.path.parameters"),
        ("rule state NaN", _json(_set(doc, r + ["rule_state", "exp_avg", 0], None)), "runs[2].rule_state.exp_avg[0]"),
        ("negative distance", _json(_set(doc, r + ["distance"], -1.0)), "runs[2].distance"),
        ("unknown current run", _json(_set(doc, ["timeline", "current"], 42)), "timeline"),
        ("cursor beyond the run", _json(_set(doc, ["timeline", "cursor"], 10 ** 6)), "timeline"),
        ("lane of no run", _json(_set(doc, ["timeline", "race", "lanes", 1, "run"], 17)),
         "timeline.race.lanes[1].run"),
        ("lane rate 0", _json(_set(doc, ["timeline", "race", "lanes", 0, "learning_rate"], 0)),
         "timeline.race.lanes[0].learning_rate"),
        ("unknown selection", _json(_set(doc, ["view", "selected"], "w9")), "view.selected"),
        ("same axis twice", _json(_set(doc, ["view", "axes"], ["b2.1", "b2.1"])), "view.axes"),
        ("sample out of range", _json(_set(doc, ["view", "sample"], 10 ** 6)), "view.sample"),
        ("x0 as text", _json(_set(doc, ["function_lab", "x0"], "one")), "function_lab.x0"),
        ("history not a list", _json(_set(doc, ["function_lab", "history"], "sin(x)")), "function_lab.history"),
    ]
    return cases


def write_case(path, content) -> None:
    if callable(content):
        content(path)
    else:
        with open(path, "wb") as stream:
            stream.write(content)
    assert os.path.exists(path)
