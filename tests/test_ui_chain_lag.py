"""The chain panel after N while the 16x3 network trains, on the real worker threads and processes:
it says at once that it is catching up (and whose picture it still shows) until it shows the new
parameter, and the numbers it finally shows are the snapshot's."""
import pytest
from PySide6.QtCore import Qt

from app.format import fmt
from core.naming import to_unicode
from tests.windows import with_every_panel_started

SETTLE_MS = 30000


@pytest.fixture
def window(qtbot):
    win = with_every_panel_started(qtbot)
    yield win
    win.model.set_running(False)


def test_after_n_the_chain_says_it_is_catching_up_until_it_shows_the_new_parameter(window, qtbot):
    model, panels = window.model, window.panels()
    diagram, chain = panels["diagram"], panels["expression"]
    model.set_dataset("spiral")
    model.set_hidden_layers([16, 16, 16], "tanh")
    model.set_steps_per_tick(0)
    qtbot.keyClick(diagram, Qt.Key_Space)
    assert model.running
    qtbot.waitUntil(lambda: model.step_count >= 20 and chain.shown_parameter == model.selected
                    and not chain.catching_up, timeout=SETTLE_MS)
    before = chain.shown_parameter

    qtbot.keyClick(diagram, Qt.Key_N)
    after = model.selected
    assert after != before
    # at once, before any worker has answered: the old picture stays, dimmed, and the badge says whose it is
    assert chain.catching_up and chain.shown_parameter == before
    assert chain.lag_badge.isVisible()
    assert f"∂J/∂{to_unicode(before)}" in chain.lag_badge.text() and "catching up" in chain.lag_badge.text()

    states = []

    def shows_new_parameter():
        states.append((chain.shown_parameter, chain.catching_up))
        return chain.shown_parameter == after

    qtbot.waitUntil(shows_new_parameter, timeout=SETTLE_MS)
    assert model.running
    # catching up for as long as the old parameter was shown, and not once the new one is
    assert all(catching for name, catching in states if name == before)
    assert not chain.catching_up
    assert "catching up" not in (chain.lag_badge.text() if chain.lag_badge.isVisible() else "")

    qtbot.keyClick(diagram, Qt.Key_Space)
    assert not model.running
    qtbot.waitUntil(chain.is_settled, timeout=SETTLE_MS)
    assert not chain.catching_up and not chain.typesetting and not chain.lag_badge.isVisible()
    request, snapshot = chain.shown_request, model.snapshot
    assert request.snapshot.key == snapshot.key and request.name == after
    net, X, y, sample = snapshot.network, snapshot.X, snapshot.y, model.sample
    shown_chain = net.chain(after, X, y, sample=sample)
    column = snapshot.names.index(after)
    one_sample = net.gradient_vector(X[sample:sample + 1], y[sample:sample + 1])[column]
    assert shown_chain.product == pytest.approx(one_sample, rel=1e-12, abs=1e-15)
    assert shown_chain.gradient == pytest.approx(snapshot.gradient_of(after), rel=1e-12, abs=1e-15)
    # the panel's numbers are those: the product's, and the batch gradient's
    assert any(text.endswith(f"= {fmt(shown_chain.product)}") for text in chain.value_texts)
    assert fmt(snapshot.gradient_of(after)) in chain.value_texts
