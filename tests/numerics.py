"""Independent references for the tests: central finite differences of a network's batch cost, and
random networks with data to check them on."""
import numpy as np

import core


def numeric_gradient(net, X, y, h=1e-6):
    """Central finite differences of net.cost (data term plus any penalty), in parameter_names order."""
    base = net.parameter_vector()
    grad = np.empty_like(base)
    for k in range(base.size):
        v = base.copy()
        v[k] = base[k] + h
        net.set_parameter_vector(v)
        plus = net.cost(X, y)
        v[k] = base[k] - h
        net.set_parameter_vector(v)
        minus = net.cost(X, y)
        grad[k] = (plus - minus) / (2 * h)
    net.set_parameter_vector(base)
    return grad


def network_problem(sizes, activations, loss, n=40, seed=0, **network_kwargs):
    """A network with random biases (so no unit sits at a symmetric point) and n random samples with
    targets that suit ``loss`` (one-hot for cross-entropy, 0/1 for binary cross-entropy)."""
    rng = np.random.default_rng(seed)
    net = core.Network(sizes, activations, loss, seed=seed, **network_kwargs)
    for b in net.biases:
        b[...] = rng.normal(0, 0.3, b.shape)
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    if loss == "cross_entropy":
        y = np.eye(k)[rng.integers(0, k, n)]
    elif loss == "binary_cross_entropy":
        y = rng.integers(0, 2, (n, k)).astype(float)
    else:
        y = rng.normal(size=(n, k))
    return net, X, y
