"""Independent references for the tests: central finite differences of a network's batch cost."""
import numpy as np


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
