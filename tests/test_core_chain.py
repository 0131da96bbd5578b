"""The chain-rule breakdown: factor order, numbers, products, and formulas checked against sympy.diff."""
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core.symbolic import sigmoid as S

x, y, w1, b1, w2, b2, z1, z2, a1, a2 = sympy.symbols("x y w1 b1 w2 b2 z1 z2 a1 a2")


def lesson_problem(loss="squared_error"):
    data = core.load_dataset("lesson")
    return core.lesson_network(loss), data.X, data.y


def sample_cost_gradient(net, X, y, name, k, h=1e-6):
    """Finite-difference dJ_k/dθ for the loss of sample k alone."""
    base = net.get(name)
    net.set(name, base + h)
    plus = net.loss(X[k:k + 1], y[k:k + 1])
    net.set(name, base - h)
    minus = net.loss(X[k:k + 1], y[k:k + 1])
    net.set(name, base)
    return (plus - minus) / (2 * h)


def test_lesson_factor_order_labels_and_latex():
    net, X, Y = lesson_problem()
    chain = net.chain("w1", X, Y)
    assert [f.label for f in chain.factors] == ["dJ/da2", "da2/dz2", "dz2/da1", "da1/dz1", "dz1/dw1"]
    assert chain.factors[0].latex == r"\frac{\partial J}{\partial a_2}"
    assert chain.factors[4].latex == r"\frac{\partial z_1}{\partial w_1}"
    assert chain.nodes == [(2, 0), (1, 0)]
    assert chain.symbols["a2"] == "a_2" and chain.symbols["x"] == "x"
    assert chain.name == "w1" and chain.sample is None
    assert [f.label for f in net.chain("b2", X, Y).factors] == ["dJ/da2", "da2/dz2", "dz2/db2"]
    assert net.chain("b2", X, Y).nodes == [(2, 0)]
    assert [f.label for f in net.chain("b1", X, Y).factors] == [
        "dJ/da2", "da2/dz2", "dz2/da1", "da1/dz1", "dz1/db1"]
    assert [f.label for f in net.chain("w2", X, Y).factors] == ["dJ/da2", "da2/dz2", "dz2/dw2"]


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_lesson_chain_products_are_the_gradients(loss):
    net, X, Y = lesson_problem(loss)
    gradient = dict(zip(net.parameter_names(), net.gradient_vector(X, Y)))
    for name in net.parameter_names():
        chain = net.chain(name, X, Y)
        assert chain.product == pytest.approx(gradient[name], rel=1e-12, abs=1e-15)
        assert chain.gradient == pytest.approx(gradient[name], rel=1e-12, abs=1e-15)
        assert chain.per_sample_products.shape == (len(X),)
        np.testing.assert_allclose(np.prod([f.values for f in chain.factors], axis=0), chain.per_sample_products)
        for k in (0, 7, len(X) - 1):
            at_k = net.chain(name, X, Y, sample=k)
            assert at_k.sample == k
            assert at_k.product == pytest.approx(sample_cost_gradient(net, X, Y, name, k), rel=1e-6, abs=1e-10)
            assert at_k.product == pytest.approx(np.prod([f.values[k] for f in at_k.factors]), rel=1e-13)
            assert [f.value for f in at_k.factors] == pytest.approx([f.values[k] for f in at_k.factors])
            assert at_k.gradient == pytest.approx(gradient[name], rel=1e-12, abs=1e-15)


def test_product_of_factor_means_is_not_the_gradient():
    """The reason the app shows the chain per sample: a mean of products is not a product of means."""
    net, X, Y = lesson_problem()
    chain = net.chain("w1", X, Y)
    product_of_means = np.prod([f.value for f in chain.factors])
    assert abs(product_of_means - chain.gradient) > 0.1 * abs(chain.gradient)
    assert chain.factors[0].value == pytest.approx(chain.factors[0].values.mean())


def test_sample_out_of_range():
    net, X, Y = lesson_problem()
    with pytest.raises(IndexError):
        net.chain("w1", X, Y, sample=len(X))
    with pytest.raises(ValueError, match="unknown parameter"):
        net.chain("w9", X, Y)


DEEP = [
    ([1, 1, 1, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error"),
    ([1, 1, 1, 1], ["tanh", "relu", "sigmoid"], "binary_cross_entropy"),
    ([2, 1, 1], ["sigmoid", "sigmoid"], "binary_cross_entropy"),
    ([1, 3, 1], ["tanh", "linear"], "squared_error"),
    ([1, 3, 1, 1], ["sigmoid", "sigmoid", "sigmoid"], "squared_error"),
    ([2, 4, 3, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error"),  # w1.* aggregate through layer 2
    ([1, 2, 2], ["tanh", "sigmoid"], "binary_cross_entropy"),          # several outputs
]


@pytest.mark.parametrize("sizes,activations,loss", DEEP, ids=str)
def test_chain_products_equal_gradients_in_deeper_networks(sizes, activations, loss):
    rng = np.random.default_rng(sum(sizes))
    net = core.Network(sizes, activations, loss, seed=3)
    net.set_parameter_vector(rng.normal(0, 1, net.parameter_count))
    X = rng.normal(0, 1, (9, sizes[0]))
    Y = rng.integers(0, 2, (9, sizes[-1])).astype(float)
    gradient = dict(zip(net.parameter_names(), net.gradient_vector(X, Y)))
    for name in net.parameter_names():
        chain = net.chain(name, X, Y)
        assert chain.product == pytest.approx(gradient[name], rel=1e-10, abs=1e-14), name
        k = 4
        assert net.chain(name, X, Y, sample=k).product == pytest.approx(
            sample_cost_gradient(net, X, Y, name, k), rel=1e-6, abs=1e-9), name


def test_deep_unique_path_is_fully_expanded():
    net = core.Network([1, 1, 1, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error")
    data = core.load_dataset("lesson")
    chain = net.chain("w1", data.X, data.y)
    assert [f.label for f in chain.factors] == [
        "dJ/da3", "da3/dz3", "dz3/da2", "da2/dz2", "dz2/da1", "da1/dz1", "dz1/dw1"]
    assert [f.kind for f in chain.factors] == [
        "loss", "activation", "weight", "activation", "weight", "activation", "input"]
    assert chain.nodes == [(3, 0), (2, 0), (1, 0)]
    assert str(chain.factors[3].formula) == "1 - tanh(z2)**2"


def test_wide_layer_chain_uses_an_aggregated_factor():
    net = core.Network([2, 4, 3, 1], ["sigmoid", "tanh", "sigmoid"], "squared_error")
    X = np.array([[0.5, -1.0], [1.5, 0.2]])
    Y = np.array([[1.0], [0.0]])
    chain = net.chain("w1.2.3", X, Y)
    assert [f.label for f in chain.factors] == ["dJ/da1.3", "da1.3/dz1.3", "dz1.3/dw1.2.3"]
    assert chain.factors[0].kind == "aggregate"
    assert chain.nodes == [(1, 2)]
    assert chain.factors[0].formula == sympy.Symbol("dJ/da1.3")
    assert chain.factors[0].formula_latex == r"\frac{\partial J}{\partial a_{1,3}}"
    assert chain.factors[2].formula == sympy.Symbol("x2")
    bw = net.backward(X, Y)
    np.testing.assert_allclose(chain.factors[0].values, bw.dJ_da[0][:, 2])
    # a weight feeding the single output neuron expands fully through it
    chain = net.chain("w3.2.1", X, Y)
    assert [f.label for f in chain.factors] == ["dJ/da3", "da3/dz3", "dz3/dw3.2.1"]
    assert chain.factors[2].formula == sympy.Symbol("a2.2")
    assert chain.symbols["a2.2"] == "a_{2,2}"


def test_several_outputs_take_the_loss_factor_of_their_own_output():
    net = core.Network([1, 2, 2], ["tanh", "sigmoid"], "squared_error")
    X, Y = np.array([[0.3], [-0.8]]), np.array([[0.0, 1.0], [1.0, 0.5]])
    chain = net.chain("w2.1.2", X, Y)
    assert [f.label for f in chain.factors] == ["dJ/da2.2", "da2.2/dz2.2", "dz2.2/dw2.1.2"]
    assert chain.factors[0].formula == sympy.Symbol("a2.2") - sympy.Symbol("y2")
    np.testing.assert_allclose(chain.factors[0].values, net.predict(X)[:, 1] - Y[:, 1])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-4, 4), min_size=4, max_size=4), st.integers(0, 49),
       st.sampled_from(["squared_error", "binary_cross_entropy"]))
def test_chain_equals_gradient_for_random_parameters(params, sample, loss):
    net, X, Y = lesson_problem(loss)
    net.set_parameter_vector(params)
    gradient = net.gradient_vector(X, Y)
    for name, g in zip(net.parameter_names(), gradient):
        assert net.chain(name, X, Y).product == pytest.approx(g, rel=1e-9, abs=1e-13)
        per_sample = net.chain(name, X, Y, sample=sample)
        assert per_sample.product == pytest.approx(per_sample.per_sample_products[sample])


# ----------------------------------------------------------------------------- formulas
LOCAL_RELATIONS = {  # the lesson network's local relations, written out independently of core
    ("a2", "z2"): None,  # the activation; filled per test
    ("z2", "a1"): (w2 * a1 + b2, a1),
    ("z2", "w2"): (w2 * a1 + b2, w2),
    ("z2", "b2"): (w2 * a1 + b2, b2),
    ("z1", "w1"): (w1 * x + b1, w1),
    ("z1", "b1"): (w1 * x + b1, b1),
}


def is_zero(expr):
    return sympy.simplify(sympy.expand(expr.rewrite(sympy.exp))) == 0


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_each_factor_formula_is_the_derivative_of_its_local_relation(loss):
    net, X, Y = lesson_problem(loss)
    J = {"squared_error": sympy.Rational(1, 2) * (a2 - y) ** 2,
         "binary_cross_entropy": -(y * sympy.log(a2) + (1 - y) * sympy.log(1 - a2))}[loss]
    for name in net.parameter_names():
        for f in net.chain(name, X, Y).factors:
            if (f.top, f.bottom) == ("J", "a2"):
                expected = sympy.diff(J, a2)
            elif f.bottom in ("z1", "z2"):
                z = sympy.Symbol(f.bottom)
                expected = sympy.diff(1 / (1 + sympy.exp(-z)), z)
            else:
                expr, var = LOCAL_RELATIONS[(f.top, f.bottom)]
                expected = sympy.diff(expr, var)
            assert is_zero(f.formula - expected), (f.label, f.formula, expected)


@pytest.mark.parametrize("name", ["tanh", "relu", "linear", "sigmoid"])
def test_activation_symbolic_derivative_is_diff_of_symbolic(name):
    act = core.ACTIVATIONS[name]
    z = sympy.Symbol("z", real=True)
    difference = act.symbolic_derivative(z) - sympy.diff(act.symbolic(z), z)
    assert is_zero(difference)
    for value in (-1.3, 0.4, 2.0):
        numeric = float(act.symbolic_derivative(z).subs(z, value).evalf())
        assert numeric == pytest.approx(float(act.derivative(np.array(value), act.forward(np.array(value)))))


@pytest.mark.parametrize("name", ["squared_error", "binary_cross_entropy"])
def test_loss_symbolic_derivative_is_diff_of_symbolic(name):
    loss = core.LOSSES[name]
    assert is_zero(loss.symbolic_derivative(a2, y) - sympy.diff(loss.symbolic(a2, y), a2))
    value = float(loss.symbolic(a2, y).subs({a2: 0.7, y: 1.0}).evalf())
    assert value == pytest.approx(loss.value(np.array([[0.7]]), np.array([[1.0]]))[0])


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_product_of_formulas_is_the_derivative_of_the_composed_cost(loss):
    net, X, Y = lesson_problem(loss)
    forward = [(a2, S(z2)), (z2, w2 * a1 + b2), (a1, S(z1)), (z1, w1 * x + b1)]
    composed = core.LOSSES[loss].symbolic(a2, y)
    for old, new in forward:
        composed = composed.subs(old, new)
    rng = np.random.default_rng(0)
    for name in net.parameter_names():
        theta = sympy.Symbol(name)
        expected = sympy.diff(composed, theta)
        product = sympy.Mul(*[f.formula for f in net.chain(name, X, Y).factors])
        for old, new in forward:
            product = product.subs(old, new)
        for _ in range(4):
            point = dict(zip((x, y, w1, b1, w2, b2), rng.uniform(-2, 2, 6)))
            point[y] = float(rng.uniform(0.05, 0.95))
            got, want = float(product.subs(point).evalf()), float(expected.subs(point).evalf())
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15), name
    # and exactly, for one parameter: the difference simplifies to zero
    product = sympy.Mul(*[f.formula for f in net.chain("w1", X, Y).factors])
    for old, new in forward:
        product = product.subs(old, new)
    assert sympy.simplify((product - sympy.diff(composed, w1)).rewrite(sympy.exp)) == 0


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_factor_values_are_their_formulas_at_the_sample(loss):
    net, X, Y = lesson_problem(loss)
    trace = net.forward(X)
    for k in (0, 13, 31):
        nodes = {x: X[k, 0], y: Y[k, 0], z1: trace.zs[0][k, 0], a1: trace.activations[1][k, 0],
                 z2: trace.zs[1][k, 0], a2: trace.activations[2][k, 0],
                 w1: net.get("w1"), b1: net.get("b1"), w2: net.get("w2"), b2: net.get("b2")}
        for name in net.parameter_names():
            chain = net.chain(name, X, Y, sample=k)
            assert {sympy.Symbol(n): v for n, v in chain.values_at(k).items()} == pytest.approx(
                {s: nodes[s] for s in map(sympy.Symbol, chain.values_at(k))})
            for f in chain.factors:
                assert float(f.formula.subs(nodes).evalf()) == pytest.approx(f.value, rel=1e-12, abs=1e-15), f.label


def test_formula_latex_uses_node_names_and_sigma():
    net, X, Y = lesson_problem()
    factors = net.chain("w1", X, Y).factors
    assert factors[0].formula_latex == "a_2 - y"
    # the textbook order, sigma(z)(1 - sigma(z)), not sympy's canonical (1 - sigma(z)) sigma(z)
    assert factors[1].formula_latex == r"\sigma\left(z_2\right) \left(1 - \sigma\left(z_2\right)\right)"
    assert factors[2].formula_latex == "w_2"
    assert factors[4].formula_latex == "x"
    assert net.chain("b1", X, Y).factors[-1].formula_latex == "1"


def test_symbolic_sigmoid():
    t = sympy.Symbol("t")
    assert sympy.diff(S(t), t) == S(t) * (1 - S(t))
    assert sympy.latex(S(t)) == r"\sigma\left(t\right)"
    assert S(t).rewrite(sympy.exp) == 1 / (1 + sympy.exp(-t))
    assert float(S(sympy.Float(0.3)).evalf()) == pytest.approx(float(core.sigmoid(0.3)), rel=1e-15)
    assert float(S(2).evalf(30)) == pytest.approx(float(core.sigmoid(2.0)), rel=1e-15)
    assert S(0) == sympy.Rational(1, 2)
    f = sympy.lambdify(t, S(t) * (1 - S(t)), "numpy")
    np.testing.assert_allclose(f(np.array([0.0, 1.0])), [0.25, core.sigmoid(1.0) * (1 - core.sigmoid(1.0))])
    assert isinstance(core.ACTIVATIONS["sigmoid"].symbolic(t), S)


def test_activation_factors_carry_their_slopes_bound():
    """σ′ ≤ ¼ (tanh′ ≤ 1, ReLU′ ∈ {0, 1}) marked on each activation factor, so a deep sigmoid chain's
    shrinking gradient can be read off; the bound holds for every sample's value."""
    import numpy as np
    data = core.load_dataset("circle", n=30, seed=0)
    for activation, bound, most in (("sigmoid", r"\le \tfrac{1}{4}", 0.25), ("tanh", r"\le 1", 1.0),
                                    ("relu", r"\in \{0, 1\}", 1.0)):
        net = core.Network([2, 3, 3, 1], [activation, activation, "sigmoid"], "cross_entropy", seed=1)
        chain = net.chain("w1.1.1", data.X, data.y)
        hidden = [f for f in chain.factors if f.kind == "activation" and f.bottom.startswith("z1")]
        assert hidden and all(f.bound == bound for f in hidden)
        assert all(np.all(f.values <= most + 1e-12) for f in hidden)
        assert all(f.bound == "" for f in chain.factors if f.kind != "activation")
