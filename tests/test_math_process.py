"""The chain panel's typesetting in a worker process (app/math_process.py): the images it caches are
those laid out here, a formula ziamath refuses comes back as failed, and nothing runs in this process."""
import os

from app import math_process, math_render

SIZE = 17.0


def test_worker_process_lays_out_what_this_process_would(qapp):
    latexes = [r"\frac{\partial J}{\partial w_{1,2,3}}" + r"\;" * k for k in range(1, 4)]
    latexes = [latex for latex in latexes if math_render.cached_image(latex, SIZE, ratio=1.0) is None]
    assert latexes, "every probe formula was cached already"
    failed = math_process.typeset(latexes, SIZE, 1.0)
    assert failed == set()
    pid = math_process.worker_pid()
    assert pid is not None and pid != os.getpid()
    for latex in latexes:
        image = math_render.cached_image(latex, SIZE, ratio=1.0)
        assert image is not None
        here = math_render.svg_image(math_render.latex_to_svg(latex, SIZE), 1.0)
        assert (image.width(), image.height()) == (here.width(), here.height())
        assert image == here


def test_a_formula_ziamath_refuses_is_reported_and_not_cached(qapp):
    good, bad = r"\delta_{7} = \hat{y} - y\;\;\;", r"\frac{1}{\notacommand{"
    failed = math_process.typeset([good, bad], SIZE, 1.0)
    assert failed == {bad}
    assert math_render.cached_image(bad, SIZE, ratio=1.0) is None
    assert math_render.cached_image(good, SIZE, ratio=1.0) is not None


def test_in_process_mode_gives_the_same_answers(qapp):
    good, bad = r"\delta_{8} = \hat{y} - y\;\;\;", r"\frac{2}{\notacommand{"
    assert math_process.typeset([good, bad], SIZE, 1.0, in_process=True) == {bad}
    assert math_render.cached_image(good, SIZE, ratio=1.0) is not None


def test_chain_formulas_from_the_worker_process_are_those_derived_here():
    import numpy as np

    import core

    net = core.Network([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=3)
    X, y = np.array([[0.5, -1.0]]), np.array([[1.0]])
    for name in ("w1.1.2", "b2"):
        here = math_process.chain_formulas(net, name, X, y, in_process=True)
        there = math_process.chain_formulas(net, name, X, y)
        assert there == here and all(isinstance(text, str) and text for text in here)
