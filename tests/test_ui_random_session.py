"""A learner who tries everything in a random order: commands, datasets, a CSV, splits, batch sizes,
absurd learning rates and steps. Nothing may raise anywhere in the window (pytest-qt fails the test
on an exception in any slot or event handler), and the model stays consistent with its data."""
import random
from pathlib import Path

import numpy as np
import pytest

import core
from app.workers import LatestOnlyWorker
from tests.windows import shown

REALISTIC = Path(__file__).resolve().parent / "fixtures" / "csv" / "realistic.csv"


@pytest.mark.parametrize("seed", [3])
def test_a_random_session_never_raises(qtbot, monkeypatch, seed):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    window = shown(qtbot, persist_layout=False)
    model = window.model
    rng = random.Random(seed)
    # every command of the lab, but those that ask in a dialog (a title ending in "…": a file to save,
    # the race's optimizers) — a modal dialog would wait for an answer no one gives
    commands = [s.id for s in window.registry.specs()
                if s.scope == "network" and s.id != "open_csv" and not s.title.endswith("…")]
    table = core.load_csv(REALISTIC)
    for _ in range(60):
        r = rng.random()
        if r < 0.6:
            window.registry.action(rng.choice(commands)).trigger()
        elif r < 0.7:
            model.set_dataset(rng.choice(list(core.DATASETS)))
        elif r < 0.75:
            features = rng.choice([["bill_length_mm"], ["bill_length_mm", "flipper_length_mm"]])
            data = table.to_dataset(features=features, target=rng.choice(["species", "body_mass_g", "sex"]),
                                    missing=rng.choice(["drop", "fill"]))
            model.load_tabular(data, "realistic.csv", rng.choice([0, 0.3]), 1)
        elif r < 0.8:
            model.set_split(rng.choice([0, 0.2, 0.4]), rng.randint(0, 3))
        elif r < 0.85:
            model.set_batch_size(rng.choice([None, 1, 7, 32]))
        elif r < 0.9:
            model.set_learning_rate(rng.choice([0.01, 0.5, 5, 1e6]))
        else:
            model.step(rng.randint(1, 20))
        qtbot.wait(1)
        model.set_running(False)
        net, data = model.network, model.dataset
        assert net.sizes[0] == data.X.shape[1] and net.sizes[-1] == data.y.shape[1]
        assert model.selected in model.parameter_names() and set(model.axes) <= set(model.parameter_names())
        assert 0 <= model.sample < len(model.X)
        assert np.isfinite(net.parameter_vector()).all()
        assert len(model.history.parameters[-1]) == net.parameter_count
