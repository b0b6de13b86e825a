import numpy as np
import pytest


@pytest.fixture
def quadratic():
    """A parameter, the gradient of 0.5 * |p - target|^2, and the target."""
    target = np.array([1.0, -2.0, 3.0])
    p = np.zeros(3)
    return p, (lambda: p - target), target
