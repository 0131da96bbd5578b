"""The session's surface plane, no widgets: one transaction each, the signal once with the new value,
snapshots carrying the full path only while a plane through all the parameters is chosen."""
import numpy as np
import pytest

from app.model import SessionModel
from tests.test_session_model import Recorder, emitted_once_in_order


@pytest.fixture
def model(qtbot):
    m = SessionModel(synchronous=True)
    yield m
    m.engine.shutdown()


def test_cycling_the_plane_emits_once_and_snapshots_follow(model):
    model.step(5)
    assert model.surface_plane == "axes" and model.snapshot.path_thetas is None
    rec = Recorder(model)
    model.cycle_surface_plane()
    assert "surfacePlaneChanged" in emitted_once_in_order(rec)
    assert [args for name, args in rec.calls if name == "surfacePlaneChanged"] == [("random", 0)]
    snap = model.snapshot
    assert snap.path_thetas.shape == (6, len(snap.names))
    np.testing.assert_array_equal(snap.path_thetas[-1], snap.theta)
    rec.clear()
    model.new_plane_seed()
    assert [args for name, args in rec.calls if name == "surfacePlaneChanged"] == [("random", 1)]
    model.cycle_surface_plane()
    assert model.surface_plane == "pca"
    model.cycle_surface_plane()
    assert model.surface_plane == "axes" and model.snapshot.path_thetas is None
    rec.clear()
    model.set_surface_plane("axes")          # no change: no signal
    assert "surfacePlaneChanged" not in rec.names


def test_new_random_directions_show_the_random_plane_and_bad_planes_are_refused(model):
    model.set_surface_plane("pca")
    model.new_plane_seed()
    assert (model.surface_plane, model.plane_seed) == ("random", 1)
    with pytest.raises(ValueError, match="unknown surface plane 'hessian'"):
        model.set_surface_plane("hessian")
    assert model.surface_plane == "random"
