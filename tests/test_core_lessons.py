"""The lesson format (core.lessons): the shipped lessons read cleanly, a malformed corpus gets
messages naming the line, and answers are judged against numbers computed here by hand from the
network's forward pass."""
import math
import re
from pathlib import Path

import numpy as np
import pytest
import sympy

import core
from core.lessons import (LessonError, Vocabulary, check_answer, evaluate, network_quantities, read_lesson,
                          read_lesson_file, read_number)
from core.lessons.quantities import compile_expression

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "resources" / "lessons").glob("*.lesson"))
MALFORMED = sorted((ROOT / "tests" / "fixtures" / "lessons").glob("*.lesson"))
# The app's names, as far as the corpus needs them (the UI test reads them from the real registry).
VOCABULARY = Vocabulary(actions=frozenset({"step", "run", "next_param", "lr_up", "restore_lesson"}),
                        panels=frozenset({"diagram", "expression", "controls", "surface"}),
                        datasets=frozenset(core.DATASETS))


def expectations(path):
    """(line, words) pairs from the file's '# expect line N: words' comments."""
    return [(int(m.group(1)), m.group(2).strip())
            for m in re.finditer(r"^# expect line (\d+): (.+)$", path.read_text(), re.M)]


def test_shipped_lessons_read_cleanly():
    assert SHIPPED, "no lesson in resources/lessons"
    for path in SHIPPED:
        lesson = read_lesson_file(path)
        assert lesson.title and lesson.steps and lesson.name == path.stem


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.stem)
def test_malformed_lessons_name_the_line(path):
    expected = expectations(path)
    assert expected, f"{path.name} lists no '# expect line N:' comment"
    with pytest.raises(LessonError) as caught:
        read_lesson_file(path, VOCABULARY)
    messages = caught.value.lines()
    for line, words in expected:
        assert any(f"{path.name}, line {line}:" in m and words in m for m in messages), (line, words, messages)
    assert len(messages) == len(expected), messages


def test_chain_rule_lesson_has_the_issues_path():
    lesson = read_lesson_file(ROOT / "resources" / "lessons" / "chain-rule.lesson")
    kinds = [s.task.kind for s in lesson.steps]
    assert {"select", "choice", "formula", "answer", "action"} <= set(kinds)
    product = lesson.steps[lesson.index_of("product")].task
    assert [f.label for f in product.factors] == ["∂J/∂a2", "∂a2/∂z2", "∂z2/∂w2"]
    assert lesson.steps[lesson.index_of("function-lab")].task.argument == "log(2 + cos(x))"


def lesson_snapshot():
    net = core.lesson_network(loss="squared_error")
    data = core.load_dataset("lesson")
    return core.take_snapshot(core.Run(net, data.X, data.y, 2.0)), net, data


def by_hand(net, data, n):
    """The lesson's nodes at sample n from the weights themselves (not the network's forward pass)."""
    w1, b1 = float(net.weights[0][0, 0]), float(net.biases[0][0])
    w2, b2 = float(net.weights[1][0, 0]), float(net.biases[1][0])
    x, y = float(data.X[n, 0]), float(np.ravel(data.y)[n])
    sig = lambda z: 1 / (1 + math.exp(-z))
    z1 = w1 * x + b1
    a1 = sig(z1)
    z2 = w2 * a1 + b2
    a2 = sig(z2)
    return dict(x=x, y=y, z1=z1, a1=a1, z2=z2, a2=a2, w1=w1, b1=b1, w2=w2, b2=b2)


@pytest.mark.parametrize("sample", [0, 7, 31])
def test_quantities_are_the_networks_numbers(sample):
    snapshot, net, data = lesson_snapshot()
    values = network_quantities(snapshot, sample)
    for name, value in by_hand(net, data, sample).items():
        assert values[name] == pytest.approx(value, rel=1e-12), name
    # dJ_dw2 is the batch mean of the per-sample chain products (squared error: J = ½(a2 − y)²)
    products = [(h["a2"] - h["y"]) * h["a2"] * (1 - h["a2"]) * h["a1"]
                for h in (by_hand(net, data, n) for n in range(len(data.X)))]
    assert values["dJ_dw2"] == pytest.approx(np.mean(products), rel=1e-9)
    assert values["eta"] == 2.0 and values["J"] == pytest.approx(snapshot.cost)


def test_the_product_answer_matches_sympy_and_finite_differences():
    snapshot, net, data = lesson_snapshot()
    hand = by_hand(net, data, 0)
    values = network_quantities(snapshot, 0)
    answer = compile_expression("(a2 - y)*a2*(1 - a2)*a1", 1)
    # the same derivative by sympy.diff of the sample's cost, and by central differences
    w2 = sympy.Symbol("w2")
    a1, b2, y = hand["a1"], hand["b2"], hand["y"]
    cost = sympy.Rational(1, 2) * (1 / (1 + sympy.exp(-(w2 * a1 + b2))) - y) ** 2
    symbolic = float(sympy.diff(cost, w2).subs(w2, hand["w2"]))
    f = lambda v: 0.5 * (1 / (1 + math.exp(-(v * a1 + b2))) - y) ** 2
    h = 1e-6
    central = (f(hand["w2"] + h) - f(hand["w2"] - h)) / (2 * h)
    assert evaluate(answer, values) == pytest.approx(symbolic, rel=1e-10)
    assert evaluate(answer, values) == pytest.approx(central, rel=1e-6)


def product_task():
    lesson = read_lesson_file(ROOT / "resources" / "lessons" / "chain-rule.lesson")
    return lesson.steps[lesson.index_of("product")].task


def test_right_answers_within_tolerance_and_as_arithmetic():
    values = {"a2": 0.815, "y": 0.0, "a1": 0.992}
    right = 0.815 * 0.815 * 0.185 * 0.992
    task = product_task()
    assert check_answer(task, f"{right:.4f}", values, 0).correct
    assert check_answer(task, "0.815*0.150775*0.992", values, 0).correct
    assert check_answer(task, f"{right:.4f}".replace(".", ","), values, 0).correct   # a decimal comma
    assert not check_answer(task, f"{right * 1.03:.4f}", values, 0).correct          # 3 % off: 1 % allowed


@pytest.mark.parametrize("typed, named", [
    ("0.815*0.992", "the factor ∂a2/∂z2 was left out"),          # σ′(z2) forgotten
    ("0.815*0.815*0.992", "Your ∂a2/∂z2 looks like a2"),         # σ(z2) for σ′(z2)
    ("-0.815*0.150775*0.992", "Check the sign of ∂J/∂a2"),       # y − a2
])
def test_a_wrong_product_names_the_factor(typed, named):
    verdict = check_answer(product_task(), typed, {"a2": 0.815, "y": 0.0, "a1": 0.992}, 0)
    assert not verdict.correct and not verdict.solution_given
    assert named in verdict.message


def test_a_wrong_factor_is_taken_only_for_a_quantity_the_exercise_uses():
    """A factor whose wrong value happens to equal an unrelated live number (η, the step count) is
    not "taken for" it; a quantity of the exercise (a2 for a2(1 - a2)) is."""
    values = {"a2": 0.815, "y": 0.0, "a1": 0.992, "eta": 2.0, "step": 7.0}
    as_eta = 0.815 * 2.0 * 0.992            # ∂a2/∂z2 replaced by η
    verdict = check_answer(product_task(), f"{as_eta:.6f}", values, 0)
    assert "eta" not in verdict.message and "step" not in verdict.message
    as_a2 = 0.815 * 0.815 * 0.992           # ∂a2/∂z2 replaced by a2
    verdict = check_answer(product_task(), f"{as_a2:.6f}", values, 0)
    assert "looks like a2" in verdict.message


def test_second_wrong_answer_gets_the_solution_with_each_factor():
    verdict = check_answer(product_task(), "5", {"a2": 0.815, "y": 0.0, "a1": 0.992}, 1)
    assert verdict.solution_given and not verdict.correct
    assert "The answer is 0.1219" in verdict.message and "(0.815) · (0.1508) · (0.992)" in verdict.message


def test_known_mistakes_are_hinted():
    lesson = read_lesson("lesson: T\nstep: s\ntitle: S\ntext:\n    t\ntask: answer a2*(1 - a2)\nhints:\n"
                         "    a2: That is σ(z2) itself.\n")
    verdict = check_answer(lesson.steps[0].task, "0.8", {"a2": 0.8}, 0)
    assert verdict.message.endswith("That is σ(z2) itself.")


@pytest.mark.parametrize("text", ["", "abc", "__import__('os')", "1/0", "x + 1", "9" * 200])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        read_number(text)


def test_expressions_never_reach_eval():
    with pytest.raises(ValueError, match="unknown function '__import__'"):
        compile_expression("__import__('os').system('true')", 1)
