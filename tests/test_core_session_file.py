"""Session files in core: every kind of state survives a save and a load down to every replayed
step, old versions are migrated, newer ones refused, writes are atomic, and each of a corpus of broken
files is refused quickly with a message naming the bad field."""
import json
import os
import time

import numpy as np
import pytest

import core
from core import session_file
from core.session_file import FORMAT, VERSION, load_session, read_session_document, save_session
from tests.sessions import STATES, assert_same_state, broken_files, race_state, write_case


@pytest.mark.parametrize("kind", list(STATES))
def test_every_kind_of_state_round_trips_with_its_whole_history(kind, tmp_path):
    state = STATES[kind]()
    path = tmp_path / "s.crstudio"
    save_session(path, state)
    loaded = load_session(path)
    assert_same_state(state, loaded, seed=len(kind))
    # and the reopened runs go on exactly as the originals do
    for a, b in zip(state["timeline"].branches, loaded["timeline"].branches):
        a.run.step(7)
        b.run.step(7)
        assert np.array_equal(a.run.net.parameter_vector(), b.run.net.parameter_vector())


def test_a_builtin_set_is_stored_by_name_until_its_points_change(tmp_path):
    save_session(tmp_path / "a.crstudio", STATES["builtin"]())
    save_session(tmp_path / "b.crstudio", STATES["edited points"]())
    a = json.loads((tmp_path / "a.crstudio").read_text("utf-8"))
    b = json.loads((tmp_path / "b.crstudio").read_text("utf-8"))
    assert a["data"] == {"kind": "builtin", "name": "xor", "n": 200, "seed": 0, "noise": 0.2}
    assert b["data"]["kind"] == "points" and len(b["data"]["X"]) == 50
    assert (a["format"], a["version"]) == (FORMAT, VERSION)


def test_a_csv_session_opens_without_the_csv(tmp_path):
    state = STATES["csv"]()
    save_session(tmp_path / "c.crstudio", state)
    loaded = load_session(tmp_path / "c.crstudio")
    data = loaded["dataset"]
    assert data.feature_names == ("bill_length_mm", "flipper_length_mm")
    assert data.target_name == "species" and data.classes == state["dataset"].classes
    assert len(loaded["timeline"].run.X_test) > 0


def _downgrade_to_version_1(doc: dict) -> dict:
    """What the first format looked like (formula and x0 at the top, the optimizer a name with its
    hyper-parameters beside it): the migration must bring it back."""
    doc = json.loads(json.dumps(doc))
    lab = doc.pop("function_lab")
    doc.update(version=1, formula=lab["formula"], x0=lab["x0"])
    for run in doc["runs"]:
        optimizer = run.pop("optimizer")
        run["optimizer"] = optimizer.pop("name")
        run["hyper"] = optimizer
    return doc


def test_a_version_1_file_is_migrated(tmp_path):
    state = race_state()
    save_session(tmp_path / "v2.crstudio", state)
    old = _downgrade_to_version_1(json.loads((tmp_path / "v2.crstudio").read_text("utf-8")))
    assert old["runs"][2]["optimizer"] == "adam" and old["runs"][2]["hyper"]["betas"] == [0.85, 0.99]
    (tmp_path / "v1.crstudio").write_text(json.dumps(old), "utf-8")
    loaded = load_session(tmp_path / "v1.crstudio")
    state["function_lab"]["history"] = []     # version 1 kept no formula history
    assert_same_state(state, loaded)
    assert read_session_document(tmp_path / "v1.crstudio")["version"] == VERSION


def test_a_newer_version_is_refused_clearly(tmp_path):
    save_session(tmp_path / "s.crstudio", STATES["builtin"]())
    doc = json.loads((tmp_path / "s.crstudio").read_text("utf-8"))
    doc["version"] = VERSION + 1
    (tmp_path / "s.crstudio").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(core.SessionError, match="newer Chain Rule Studio.*Update the studio"):
        load_session(tmp_path / "s.crstudio")


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "s.crstudio"
    save_session(path, STATES["builtin"]())
    before = path.read_bytes()

    def crash(*_args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        save_session(path, STATES["race"]())
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["s.crstudio"]     # no temporary file left behind


def test_a_new_file_gets_ordinary_permissions(tmp_path):
    save_session(tmp_path / "s.crstudio", STATES["builtin"]())
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "s.crstudio").st_mode & 0o777 == 0o666 & ~umask


def test_the_depth_scan_agrees_with_the_parser(monkeypatch):
    rng = np.random.default_rng(5)

    def value(depth=0):
        r = rng.random()
        if depth > 6 or r < 0.3:
            return "".join(rng.choice(list('[]{}"\\ab')) for _ in range(rng.integers(0, 6)))
        if r < 0.65:
            return [value(depth + 1) for _ in range(rng.integers(0, 4))]
        return {value(99): value(depth + 1) for _ in range(rng.integers(0, 4))}

    def depth(v):
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        return 0 if children is None else 1 + max((depth(c) for c in children), default=0)

    for chunk in (3, 7, 1 << 20):    # strings and escapes across chunk boundaries too
        monkeypatch.setattr(session_file, "_SCAN_CHUNK", chunk)
        for _ in range(300):
            v = value()
            assert session_file._max_depth(json.dumps(v).encode()) == depth(v)


@pytest.fixture(scope="module")
def race_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("race") / "race.crstudio"
    save_session(path, race_state())
    return json.loads(path.read_text("utf-8"))


def test_the_corpus_is_large(race_document):
    assert len(broken_files(race_document)) >= 30


@pytest.mark.parametrize("index", range(46))
def test_each_broken_file_is_refused_naming_the_field(index, race_document, tmp_path):
    cases = broken_files(race_document)
    if index >= len(cases):
        pytest.skip("fewer cases")
    name, content, where = cases[index]
    path = tmp_path / "broken.crstudio"
    write_case(path, content)
    started = time.perf_counter()
    with pytest.raises(core.SessionError) as refused:
        load_session(path)
    assert time.perf_counter() - started < 5, name
    message = str(refused.value)
    assert message.startswith(where), f"{name}: {message}"
    assert len(message) < 400, message


def test_the_example_message_of_the_issue(race_document, tmp_path):
    doc = json.loads(json.dumps(race_document))
    doc["runs"][1]["optimizer"]["name"] = "adam"
    doc["runs"][1]["optimizer"]["betas"] = [0.9, 1.0]
    path = tmp_path / "b.crstudio"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(core.SessionError, match=r"^runs\[1\]\.optimizer\.betas: expected two numbers in "
                                                r"\[0, 1\), got \[0\.9, 1\.0\]$"):
        load_session(path)
