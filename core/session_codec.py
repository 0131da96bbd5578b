"""The studio's pieces as JSON values and back: data, split, networks, runs with their whole
trajectories, the timeline and a race, the view and the Function lab.

Arrays are written as (nested) lists of numbers, not base64: the file stays readable and diffable
by a teacher and by any JSON tool, and Python writes a float as the shortest text that reads back to
the same bits, so a reopened run replays bit for bit (``theta_at(k)`` is exact). The cost is size
(about 20 bytes a number instead of 8), bounded by ``session_file.MAX_FILE_BYTES``.

Decoding checks every value against what the network and the data say it must be (shapes from the
network's sizes, steps from the trajectory's length, names from the parameter table) and builds the
core objects only from checked values; a ``SessionError`` names the field that is wrong.
"""
from __future__ import annotations

import math

import numpy as np

from .datasets import DATASETS, TASKS, Dataset, load_dataset, train_test_split
from .activations import ACTIVATIONS
from .losses import ALL_LOSSES
from .network import INITIALIZATIONS, Network
from .race import Entrant, Lane, Race
from .run import PARAMETER_LIMIT, Run
from .schedules import SCHEDULES, make_schedule
from .session_reader import Field, SessionError
from .timeline import MAX_BRANCHES, Branch, Timeline
from .trajectory import EVENT_KINDS, Event, Keyframe, Settings, Trajectory
from .update_rules import RULES, make_rule

__all__ = ["encode_state", "decode_state", "builtin_unchanged"]

MAX_POINTS = 1_000_000          # the CSV reader's own limit on rows
MAX_FEATURES = 1_000
MAX_LAYERS = 16                 # layer sizes listed (the studio draws 6 hidden layers)
MAX_LAYER_SIZE = 1_000
MAX_PARAMETERS = 1_000_000
MAX_STEPS = 100_000_000
MAX_EVENTS = 1_000_000
MAX_KEYFRAMES = 1_000_000
MAX_PATH_CAPACITY = 100_000
MAX_HISTORY = 1_000
MAX_RATE = 1e6


# ====================================================================== encoding
def _list(array) -> list:
    return np.asarray(array, dtype=np.float64).tolist()


def _column(array) -> list:
    """A float column; NaN (no test set, or a cost that could not be computed) is written as null."""
    return [v if math.isfinite(v) else None for v in np.asarray(array, dtype=np.float64).tolist()]


def builtin_unchanged(data: Dataset) -> bool:
    """True when ``data`` is exactly a built-in set drawn again from its name and parameters (the
    learner has not added or removed points): then the file stores the recipe, not the points."""
    if data.name not in DATASETS or data.size is None:
        return False
    try:
        again = load_dataset(data.name, **data.params)
    except ValueError:
        return False
    return np.array_equal(again.X, data.X) and np.array_equal(again.y, data.y)


def encode_dataset(data: Dataset) -> dict:
    if builtin_unchanged(data):
        return {"kind": "builtin", "name": data.name, "n": data.size, "seed": data.seed, "noise": data.noise}
    return {"kind": "points", "name": data.name, "title": data.title, "task": data.task,
            "description": data.description, "seed": data.seed, "noise": data.noise, "size": data.size,
            "classes": list(data.classes), "feature_names": list(data.feature_names),
            "target_name": data.target_name, "standardized": data.standardized,
            "X": _list(data.X), "y": _list(data.y)}


def encode_network(net: Network) -> dict:
    return {"sizes": list(net.sizes), "activations": list(net.activations), "loss": str(net.loss),
            "regularization": net.regularization, "regularization_rate": net.regularization_rate,
            "init": net.init, "seed": int(net.seed), "edits": int(net._edits),
            "parameters": _list(net.parameter_vector())}


def _hyper(values: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def encode_schedule(schedule) -> dict:
    return {"name": schedule.name, **_hyper(schedule.hyper)}


def encode_rule_state(state: dict) -> dict:
    return {k: _list(v) if isinstance(v, np.ndarray) else v for k, v in state.items()}


def encode_settings(s: Settings) -> dict:
    return {"learning_rate": s.learning_rate, "batch_size": s.batch_size,
            "only": None if s.only is None else list(s.only), "loss": str(s.loss),
            "regularization": s.regularization, "regularization_rate": s.regularization_rate,
            "schedule": encode_schedule(s.schedule)}


def encode_event_value(kind: str, value):
    if kind == "parameters":
        return _list(value)
    if kind == "only":
        return None if value is None else list(value)
    if kind == "regularization":
        return [value[0], value[1]]
    if kind == "schedule":
        return encode_schedule(value)
    if kind == "loss":
        return str(value)
    return value


def encode_trajectory(t: Trajectory) -> dict:
    e = t.export()
    path = e["path"]
    return {
        "keyframe_interval": e["keyframe_interval"], "keyframe_budget": e["keyframe_budget"],
        "columns": {name: _column(values) for name, values in e["columns"].items()},
        "keyframes": [{"step": f.step, "theta": _list(f.theta), "rule_state": encode_rule_state(f.rule_state),
                       "cursor": list(f.cursor), "settings": encode_settings(f.settings)} for f in e["keyframes"]],
        "events": [{"step": ev.step, "kind": ev.kind, "value": encode_event_value(ev.kind, ev.value)}
                   for ev in e["events"]],
        "path": {"capacity": path["capacity"], "stride": path["stride"], "appended": path["appended"],
                 "steps": path["steps"].tolist(), "ordinals": path["ordinals"].tolist(),
                 "costs": _column(path["costs"]), "test_costs": _column(path["test_costs"]),
                 "parameters": [] if path["parameters"] is None else _list(path["parameters"])},
    }


def encode_run_settings(run: Run) -> dict:
    """What a run trains and how: its network, rule, rate, schedule, batches and trained subset."""
    return {"network": encode_network(run.net), "optimizer": {"name": run.rule.name, **_hyper(run.rule.hyper)},
            "learning_rate": run.learning_rate, "schedule": encode_schedule(run.schedule),
            "batch_size": run.batch_size, "only": run.only, "shuffle_seed": run.shuffle_seed}


def encode_run(branch: Branch) -> dict:
    run = branch.run
    run.record()
    return {"id": branch.id, "parent": branch.parent, "fork_step": branch.fork_step, "title": branch.title,
            **encode_run_settings(run), "step": run.step_count, "cursor": list(run.cursor),
            "distance": run.distance, "rule_state": encode_rule_state(run.rule_state),
            "trajectory": encode_trajectory(run.trajectory)}


def encode_race(race: Race, timeline: Timeline) -> dict:
    ids = {id(b.run): b.id for b in timeline.branches}
    return {"template": encode_run_settings(race.template), "start": _list(race.start),
            "lanes": [{"run": ids.get(id(lane.run)), "optimizer": lane.entrant.optimizer,
                       "learning_rate": lane.entrant.learning_rate, "hyper": _hyper(dict(lane.entrant.hyper)),
                       "stopped": lane.stopped} for lane in race.lanes]}


def encode_state(state: dict) -> dict:
    """The JSON value of a session state (see ``session_file.save_session`` for its keys)."""
    timeline: Timeline = state["timeline"]
    view, lab = state["view"], state["function_lab"]
    return {
        "data": encode_dataset(state["dataset"]),
        "split": {"test_fraction": float(state["test_fraction"]), "seed": int(state["split_seed"])},
        "runs": [encode_run(b) for b in timeline.branches],
        "timeline": {"current": timeline.current_id, "cursor": timeline.cursor, "next_id": timeline.next_id,
                     "race": None if timeline.race is None else encode_race(timeline.race, timeline)},
        "view": {"selected": view["selected"], "axes": list(view["axes"]), "sample": int(view["sample"]),
                 "train_only_axes": bool(view["train_only_axes"]), "steps_per_tick": int(view["steps_per_tick"]),
                 "plane": view.get("plane", "axes"), "plane_seed": int(view.get("plane_seed", 0))},
        "function_lab": {"formula": lab["formula"], "x0": float(lab["x0"]), "history": list(lab["history"])},
    }


# ====================================================================== decoding
SURFACE_PLANES = ("axes", "random", "pca")   # as the window offers them (app/session_plane.py)

def _wrap(field: Field, make):
    """Run ``make()``; a ValueError from core's own checks becomes a SessionError at ``field``."""
    try:
        return make()
    except SessionError:
        raise
    except (ValueError, TypeError, IndexError) as exc:
        raise field.error(str(exc)) from None


def decode_dataset(f: Field) -> Dataset:
    kind = f.key("kind").text(choices=("builtin", "points"))
    if kind == "builtin":
        name = f.key("name").text(choices=tuple(DATASETS))
        n = f.key("n").integer(1, MAX_POINTS)
        seed = f.key("seed").integer(0, 2 ** 63 - 1)
        noise = f.key("noise").number(0, 1e6)
        return _wrap(f, lambda: load_dataset(name, n=n, seed=seed, noise=noise))
    task = f.key("task").text(choices=TASKS)
    X_field, y_field = f.key("X"), f.key("y")
    rows = len(X_field.items(MAX_POINTS, 2))
    first = X_field.value[0]
    if not isinstance(first, list) or not 1 <= len(first) <= MAX_FEATURES:
        raise Field(first, f"{X_field.path}[0]").fail(f"a list of 1 to {MAX_FEATURES} numbers")
    X = X_field.array((rows, len(first)))
    y_first = y_field.items(MAX_POINTS, 1)[0].value
    outputs = len(y_first) if isinstance(y_first, list) else -1
    if not 1 <= outputs <= MAX_FEATURES:
        raise Field(y_first, f"{y_field.path}[0]").fail(f"a list of 1 to {MAX_FEATURES} numbers")
    y = y_field.array((rows, outputs))
    name = f.key("name").text(100)
    return _wrap(f, lambda: Dataset(
        name=name, title=f.key("title").text(200), X=X, y=y, task=task,
        description=f.key("description").text(5000), seed=f.key("seed").integer(0, 2 ** 63 - 1),
        noise=f.key("noise").number(0, 1e6), classes=f.key("classes").texts(MAX_FEATURES),
        feature_names=f.key("feature_names").texts(MAX_FEATURES), target_name=f.key("target_name").text(200),
        size=f.key("size").integer(1, MAX_POINTS, null=True), standardized=f.key("standardized").boolean()))


def decode_network(f: Field, data: Dataset) -> Network:
    sizes = [s.integer(1, MAX_LAYER_SIZE) for s in f.key("sizes").items(MAX_LAYERS, 2)]
    if sizes[0] != data.n_inputs or sizes[-1] != data.n_outputs:
        raise f.key("sizes").error(f"the data has {data.n_inputs} input(s) and {data.n_outputs} output(s), "
                                   f"the network {sizes[0]} and {sizes[-1]}")
    activations = f.key("activations").items(len(sizes) - 1, len(sizes) - 1)
    names = tuple(a.text(choices=tuple(ACTIVATIONS)) for a in activations)
    loss = f.key("loss").text(choices=tuple(ALL_LOSSES))
    regularization = f.key("regularization").text(choices=(None, "l1", "l2"), null=True)
    rate = f.key("regularization_rate").number(0, 1e6)
    init = f.key("init").text(choices=INITIALIZATIONS)
    seed = f.key("seed").integer(0, 2 ** 63 - 1)
    count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if count > MAX_PARAMETERS:
        raise f.key("sizes").error(f"{count:,} parameters is more than the studio holds ({MAX_PARAMETERS:,})")
    net = _wrap(f, lambda: Network(sizes, names, loss, seed, regularization=regularization,
                                   regularization_rate=rate, init=init))
    net._edits = f.key("edits").integer(0, 2 ** 31)
    net.set_parameter_vector(_theta(f.key("parameters"), count))
    return net


def _theta(f: Field, count: int) -> np.ndarray:
    theta = f.array((count,))
    if np.any(np.abs(theta) > PARAMETER_LIMIT):
        i = int(np.argmax(np.abs(theta) > PARAMETER_LIMIT))
        raise Field(f.value[i], f"{f.path}[{i}]").fail(f"a number in [-{PARAMETER_LIMIT:g}, {PARAMETER_LIMIT:g}]")
    return theta


def decode_hyper(f: Field, name: str, exclude=("name",)) -> dict:
    hyper = {}
    for key, value in f.members(16).items():
        if key in exclude:
            continue
        if key == "betas":
            betas = value.value
            if not (isinstance(betas, list) and len(betas) == 2 and all(
                    isinstance(b, (int, float)) and not isinstance(b, bool) and 0 <= b < 1 for b in betas)):
                raise value.fail("two numbers in [0, 1)")
            hyper[key] = tuple(float(b) for b in betas)
        elif isinstance(value.value, bool):
            hyper[key] = value.value
        elif isinstance(value.value, int):   # whole-number settings (a schedule's step_size) stay whole
            hyper[key] = value.integer(-2 ** 53, 2 ** 53)
        else:
            hyper[key] = value.number()
    return hyper


def decode_rule(f: Field):
    name = f.key("name").text(choices=tuple(RULES))
    hyper = decode_hyper(f, name)
    return _wrap(f, lambda: make_rule(name, **hyper))


def decode_schedule(f: Field):
    name = f.key("name").text(choices=tuple(SCHEDULES))
    hyper = decode_hyper(f, name)
    return _wrap(f, lambda: make_schedule(name, **hyper))


def decode_rule_state(f: Field, rule, count: int) -> dict:
    expected = rule.init(np.zeros(count))
    members = f.members(16)
    if set(members) != set(expected):
        raise f.fail(f"the state of {rule.name}: {', '.join(sorted(expected)) or 'nothing'}")
    state = {}
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            state[key] = members[key].array((count,))
        else:
            state[key] = members[key].integer(0, MAX_STEPS) if isinstance(value, int) else members[key].number()
    return state


def decode_only(f: Field, names) -> tuple | None:
    only = f.texts(len(names), null=True)
    if only is not None:
        for i, name in enumerate(only):
            if name not in names:
                raise Field(name, f"{f.path}[{i}]").fail("a parameter name of the network")
    return only


def decode_settings(f: Field, names) -> Settings:
    return Settings(f.key("learning_rate").number(0, MAX_RATE), f.key("batch_size").integer(1, MAX_POINTS, null=True),
                    decode_only(f.key("only"), names), f.key("loss").text(choices=tuple(ALL_LOSSES)),
                    f.key("regularization").text(choices=(None, "l1", "l2"), null=True),
                    f.key("regularization_rate").number(0, 1e6), decode_schedule(f.key("schedule")))


def decode_event_value(f: Field, kind: str, names):
    if kind == "parameters":
        return _theta(f, len(names))
    if kind == "learning_rate":
        return f.number(0, MAX_RATE)
    if kind == "batch_size":
        return f.integer(1, MAX_POINTS, null=True)
    if kind == "only":
        return decode_only(f, names)
    if kind == "loss":
        return f.text(choices=tuple(ALL_LOSSES))
    if kind == "regularization":
        items = f.items(2, 2)
        return items[0].text(choices=(None, "l1", "l2"), null=True), items[1].number(0, 1e6)
    return decode_schedule(f)


def decode_trajectory(f: Field, net: Network, rule, steps: int) -> Trajectory:
    count, names = net.parameter_count, net.parameter_names()
    rows = steps + 1
    columns = f.key("columns")
    values = {name: columns.key(name).array((rows,), null_is_nan=name in ("cost", "test_cost"))
              for name in ("cost", "test_cost", "learning_rate", "epoch", "distance")}
    keyframes = []
    last = -1
    for k in f.key("keyframes").items(MAX_KEYFRAMES, 1):
        step = k.key("step").integer(0, steps)
        if step <= last:
            raise k.key("step").fail(f"a step after {last} (keyframes in step order)")
        last = step
        cursor = tuple(c.integer(0, 2 ** 62) for c in k.key("cursor").items(3, 3))
        keyframes.append(Keyframe(step, _theta(k.key("theta"), count), decode_rule_state(k.key("rule_state"), rule, count),
                                  cursor, decode_settings(k.key("settings"), names)))
    if keyframes[0].step != 0:
        raise f.key("keyframes").error("the first keyframe must be at step 0")
    events, last = [], 0
    for e in f.key("events").items(MAX_EVENTS):
        step = e.key("step").integer(last, steps)
        kind = e.key("kind").text(choices=EVENT_KINDS)
        events.append(Event(step, kind, decode_event_value(e.key("value"), kind, names)))
        last = step
    p = f.key("path")
    capacity = p.key("capacity").integer(8, MAX_PATH_CAPACITY)
    records = len(p.key("steps").items(capacity))
    path = {"capacity": capacity, "stride": p.key("stride").integer(1, 2 ** 62),
            "appended": p.key("appended").integer(records, 2 ** 62),
            "steps": p.key("steps").integers(records, 0, steps), "ordinals": p.key("ordinals").integers(records, 0, 2 ** 62),
            "costs": p.key("costs").array((records,), null_is_nan=True),
            "test_costs": p.key("test_costs").array((records,), null_is_nan=True),
            "parameters": p.key("parameters").array((records, count)) if records else None}
    exported = {"keyframe_interval": f.key("keyframe_interval").integer(1, MAX_STEPS),
                "keyframe_budget": f.key("keyframe_budget").integer(1, 2 ** 40), "parameter_count": count,
                "columns": values, "keyframes": keyframes, "events": events, "path": path}
    return _wrap(f, lambda: Trajectory.restore(exported))


def _split(data: Dataset, test_fraction: float, seed: int):
    train, test = train_test_split(data.X, data.y, data.task, test_fraction, seed)
    options = {} if not len(test) else {"X_test": data.X[test], "y_test": data.y[test]}
    return data.X[train], data.y[train], options


def decode_run_settings(f: Field, data: Dataset, split) -> Run:
    """A fresh run (at step 0) of the saved network, rule and settings on the session's data."""
    net = decode_network(f.key("network"), data)
    rule = decode_rule(f.key("optimizer"))
    X, y, options = split
    return _wrap(f, lambda: Run(net, X, y, f.key("learning_rate").number(0, MAX_RATE), rule=rule,
                                schedule=decode_schedule(f.key("schedule")),
                                only=decode_only(f.key("only"), net.parameter_names()),
                                batch_size=f.key("batch_size").integer(1, MAX_POINTS, null=True),
                                shuffle_seed=f.key("shuffle_seed").integer(0, 2 ** 62), copy=False, **options))


def decode_run(f: Field, data: Dataset, split) -> Branch:
    run = decode_run_settings(f, data, split)
    steps = f.key("step").integer(0, MAX_STEPS)
    cursor = [c.integer(0, 2 ** 62) for c in f.key("cursor").items(3, 3)]
    rule_state = decode_rule_state(f.key("rule_state"), run.rule, run.net.parameter_count)
    trajectory = decode_trajectory(f.key("trajectory"), run.net, run.rule, steps)
    distance = f.key("distance").number(0)
    _wrap(f, lambda: run.resume(rule_state, cursor, steps, distance, trajectory))
    parent = f.key("parent").integer(0, 2 ** 31, null=True)
    fork_step = f.key("fork_step").integer(0, MAX_STEPS, null=True)
    return Branch(f.key("id").integer(0, 2 ** 31), run, parent, fork_step, f.key("title").text(200, null=True))


def decode_race(f: Field, branches: list[Branch], data: Dataset, split) -> Race:
    template = decode_run_settings(f.key("template"), data, split)
    by_id = {b.id: b.run for b in branches}
    lanes = []
    for lane in f.key("lanes").items(7, 1):
        run_id = lane.key("run").integer(0, 2 ** 31)
        if run_id not in by_id:
            raise lane.key("run").fail("the id of one of the runs")
        hyper = decode_hyper(lane.key("hyper"), "")
        optimizer = lane.key("optimizer").text(choices=tuple(RULES))
        rate = lane.key("learning_rate").number(0, MAX_RATE, low_open=True)
        entrant = _wrap(lane, lambda: Entrant(optimizer, rate, tuple(hyper.items())))
        lanes.append(Lane(entrant, by_id[run_id], lane.key("stopped").text(2000, null=True)))
    start = _theta(f.key("start"), template.net.parameter_count)
    return _wrap(f, lambda: Race.restored(template, lanes, start))


def decode_state(root: Field) -> dict:
    """The session state a checked JSON document describes (see ``session_file.load_session``)."""
    data = decode_dataset(root.key("data"))
    split_field = root.key("split")
    test_fraction = split_field.key("test_fraction").number(0, 1, high_open=True)
    split_seed = split_field.key("seed").integer(0, 2 ** 62)
    split = _wrap(split_field, lambda: _split(data, test_fraction, split_seed))
    branches = [decode_run(r, data, split) for r in root.key("runs").items(MAX_BRANCHES * 2, 1)]
    t = root.key("timeline")
    race_field = t.key("race")
    race = None if race_field.value is None else decode_race(race_field, branches, data, split)
    timeline = _wrap(t, lambda: Timeline.restored(branches, t.key("current").integer(0, 2 ** 31),
                                                  t.key("cursor").integer(0, MAX_STEPS, null=True),
                                                  t.key("next_id").integer(0, 2 ** 31), race))
    names = timeline.run.net.parameter_names()
    v = root.key("view")
    selected = v.key("selected").text(choices=tuple(names))
    axes = v.key("axes").items(2, 2)
    axes = tuple(a.text(choices=tuple(names)) for a in axes)
    if axes[0] == axes[1]:
        raise v.key("axes").fail("two different parameter names")
    sample = v.key("sample").integer(0, len(split[0]) - 1)
    view = {"selected": selected, "axes": axes, "sample": sample,
            "train_only_axes": v.key("train_only_axes").boolean(),
            "steps_per_tick": v.key("steps_per_tick").integer(0, 1_000_000),
            # the surface's plane (two parameters, random directions, principal components): optional,
            # a file written before planes existed shows the two parameters
            "plane": v.optional("plane", "axes").text(choices=SURFACE_PLANES),
            "plane_seed": v.optional("plane_seed", 0).integer(0, 2 ** 31)}
    lab = root.key("function_lab")
    function_lab = {"formula": lab.key("formula").text(2000), "x0": lab.key("x0").number(-1e6, 1e6),
                    "history": list(lab.key("history").texts(MAX_HISTORY, 2000))}
    return {"dataset": data, "test_fraction": test_fraction, "split_seed": split_seed, "timeline": timeline,
            "view": view, "function_lab": function_lab}

