"""One notation: every view of a 2-3-2 network (and of the lesson's 1-1-1) names each parameter and node
the same way — layer first, then neurons (w₂,₁,₃ in text, w_{2,1,3} typeset) — never w2.1.3 in one
place, w^{(2)}_{1,3} in another and w⁽²⁾₁,₃ in a third. θ is never used for the step function."""
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsSimpleTextItem

import core
from app.format import fmt
from app.model import SessionModel
from app.views.parameter_table import NAME
from app.workers import LatestOnlyWorker
from tests.windows import shown

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
PLAIN_DOTTED = re.compile(r"\b[wbaz]\d+\.\d+(\.\d+)?\b")          # w2.1.3, a1.2: identifiers, not text
SUPERSCRIPT_LAYER = re.compile(r"[wbazδW]\s*(\^\{\(|⁽)|\\delta\^\{\(|[WwazE]\^\{\(")   # w^{(2)}, w⁽²⁾, δ^{(1)}
UNICODE_PARAM = re.compile(r"(?<![\w∂])([wb])([₀-₉]+(?:,[₀-₉]+)*)")
LATEX_PARAM = re.compile(r"(?<![\\a-zA-Z])([wb])_(\{[0-9,]+\}|[0-9])")


def two_class_data() -> core.Dataset:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    labels = (X[:, 0] + X[:, 1] > 0).astype(int)
    return core.Dataset("two", "Two classes, one-hot", X, np.eye(2)[labels], "multiclass", "two one-hot classes")


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(LatestOnlyWorker, "synchronous_default", True)
    model = SessionModel(synchronous=True)
    win = shown(qtbot, focus=True, persist_layout=False, model=model)
    qtbot.waitUntil(win.is_settled, timeout=30000)
    return win


def expected_text(plain: str) -> str:
    """An independent spelling of the scheme: w2.1.3 -> w₂,₁,₃ (the plain name is the identifier)."""
    return plain[0] + plain[1:].replace(".", ",").translate(SUB)


def expected_latex(plain: str) -> str:
    index = plain[1:].replace(".", ",")
    return f"{plain[0]}_{index}" if len(index) == 1 else f"{plain[0]}_{{{index}}}"


def every_text(window) -> tuple[list[str], list[str]]:
    """(texts Qt draws, LaTeX the chain panel typesets) of every view that names parameters."""
    panels = window.panels()
    diagram, expression, table = panels["diagram"], panels["expression"], panels["params"]
    texts = [item.text() for item in diagram.scene().items() if isinstance(item, QGraphicsSimpleTextItem)]
    texts += [item.toolTip() for item in diagram.scene().items() if getattr(item, "parameter", None)]
    texts += expression.caption_lines + list(expression.value_texts)
    texts += [row.label for row in expression.path_bars.rows]
    if expression.path_bars.total is not None:
        texts.append(expression.path_bars.total.label)
    texts += table.shown_texts()
    texts += [table.proxy.index(row, NAME).data(Qt.ToolTipRole) for row in range(table.proxy.rowCount())]
    texts += [label.text() for label in window.status_labels.values()]
    for panel in ("surface", "slice"):
        plot = panels[panel].plot.getPlotItem()
        texts += [plot.getAxis("bottom").labelText, plot.getAxis("left").labelText]
    texts += [panels["surface"].caption.text(), panels["slice"].caption.text()]
    return texts, list(expression.latex_lines)


def spellings(texts, latex) -> dict[str, set[str]]:
    """Every parameter-like name found, grouped by the parameter it names (as a plain identifier)."""
    found: dict[str, set[str]] = {}
    sub_to_digit = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
    for text in texts:
        for kind, index in UNICODE_PARAM.findall(text):
            found.setdefault(kind + index.translate(sub_to_digit).replace(",", "."), set()).add(kind + index)
    for line in latex:
        for kind, index in LATEX_PARAM.findall(line):
            found.setdefault(kind + index.strip("{}").replace(",", "."), set()).add(f"{kind}_{index}")
    return found


def check_one_scheme(window) -> dict[str, set[str]]:
    texts, latex = every_text(window)
    for text in texts:
        assert not PLAIN_DOTTED.search(text), f"an identifier shown as text: {text!r}"
        assert not SUPERSCRIPT_LAYER.search(text), f"a layer superscript in {text!r}"
        assert "θ(" not in text
    for line in latex:
        assert not SUPERSCRIPT_LAYER.search(line), f"a layer superscript in {line!r}"
        assert r"\theta" not in line and "θ" not in line
    found = spellings(texts, latex)
    names = window.model.parameter_names()
    for plain, forms in found.items():
        assert plain in names, f"{forms} names no parameter of {names}"
        allowed = {expected_text(plain), expected_latex(plain)}
        assert forms <= allowed, f"{plain} is written {forms}, the scheme allows only {allowed}"
    return found


def test_every_view_of_a_2_3_2_network_names_each_parameter_one_way(window, qtbot):
    model = window.model
    model.set_data(two_class_data())
    model.set_hidden_layers([3], "relu")
    assert model.network.sizes == (2, 3, 2)
    diagram = window.panels()["diagram"]
    window.panels()["params"].show()
    seen: dict[str, set[str]] = {}
    for _ in range(len(model.parameter_names())):     # every parameter selected in turn, by keys
        qtbot.waitUntil(window.is_settled, timeout=30000)
        for plain, forms in check_one_scheme(window).items():
            seen.setdefault(plain, set()).update(forms)
        qtbot.keyClick(diagram, Qt.Key_N)
    names = model.parameter_names()
    assert set(seen) == set(names)                    # every parameter was seen somewhere
    for plain in names:                               # ... in the text form at least (table, diagram)
        assert expected_text(plain) in seen[plain]
    # the selected weight's chain is typeset in the same scheme
    model.select("w2.3.1")
    qtbot.waitUntil(window.is_settled, timeout=30000)
    latex = " ".join(window.panels()["expression"].latex_lines)
    assert r"\partial w_{2,3,1}" in latex and r"a_{1,3}" in latex
    # ReLU's derivative is the step 1[z > 0], written without θ (w1.2.1 feeds hidden neuron 1)
    model.select("w1.2.1")
    qtbot.waitUntil(window.is_settled, timeout=30000)
    assert any(r"\mathbb{1}\left[z_{1,1} > 0\right]" in line for line in window.panels()["expression"].latex_lines)


def test_the_lesson_keeps_its_names(window, qtbot):
    model = window.model
    assert model.network.sizes == (1, 1, 1)
    found = check_one_scheme(window)
    assert set(found) == {"w1", "b1", "w2", "b2"}
    texts, latex = every_text(window)
    joined = " ".join(latex)
    for node in ("z_{1}", "a_{1}", "z_{2}", "a_{2}"):    # the recursion writes the lesson's scalars
        assert node in joined or node.replace("{", "").replace("}", "") in joined
    assert "Selected: w₂" in texts        # the lesson starts on w2
    assert r"\;\le \tfrac{1}{4}" in joined      # σ′ ≤ ¼ marked on the sigmoid's factor


def test_a_bias_value_is_written_once(window, qtbot):
    model = window.model
    qtbot.keyClick(window.panels()["diagram"], Qt.Key_N, Qt.ShiftModifier)   # from w2 back to b1
    assert model.selected == "b1"
    qtbot.waitUntil(window.is_settled, timeout=30000)
    values = window.panels()["expression"].value_texts
    delta = core.backward_recursion(model.network, "b1", model.X, model.y, sample=model.sample).final.value
    assert values, "the chain panel shows numbers"
    for text in values:
        numbers = [part.strip() for part in text.split("=")]
        assert len(numbers) == len(set(numbers)), f"a value repeated: {text!r}"
    assert fmt(delta) in values          # dJ/db1 = δ₁: its number alone, not "= x = x"
    assert "1" not in values             # ∂z₁/∂b₁ = 1 is not followed by "= 1"
