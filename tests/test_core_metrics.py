import numpy as np
import pytest

import core


def test_binary_accuracy_thresholds_at_one_half():
    y_hat = np.array([[0.1], [0.6], [0.5], [0.49]])
    y = np.array([[0], [1], [0], [0]])
    assert core.accuracy(y_hat, y) == pytest.approx(0.75)  # 0.5 predicts class 1: the third is wrong


def test_multiclass_accuracy_takes_the_largest_output():
    y_hat = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
    y = np.eye(3)[[0, 2, 1]]
    assert core.accuracy(y_hat, y) == pytest.approx(2 / 3)


def test_accuracy_refuses_mismatched_shapes():
    with pytest.raises(ValueError):
        core.accuracy(np.zeros((3, 1)), np.zeros((4, 1)))
