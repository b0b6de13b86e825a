import numpy as np
import pytest
from spiral.optim import Adam


def test_first_step_moves_each_coordinate_by_lr(quadratic):
    p, grad, _ = quadratic
    Adam([p], lr=0.1).step([grad()])
    # bias-corrected m_hat / sqrt(v_hat) = sign(g) on the first step
    assert np.allclose(p, [0.1, -0.1, 0.1], atol=1e-6)


def test_converges_on_a_quadratic(quadratic):
    p, grad, target = quadratic
    opt = Adam([p], lr=0.05)
    for _ in range(500):
        opt.step([grad()])
    assert np.allclose(p, target, atol=1e-2)
    assert opt.t == 500


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_matches_the_update_rule(betas):
    p = np.array([0.5])
    opt = Adam([p], lr=0.01, betas=betas, eps=1e-8)
    g1, g2 = np.array([2.0]), np.array([-1.0])
    opt.step([g1])
    opt.step([g2])
    b1, b2 = betas
    m = (1 - b1) * b1 * g1 + (1 - b1) * g2
    v = (1 - b2) * b2 * g1**2 + (1 - b2) * g2**2
    step2 = 0.01 * (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + 1e-8)
    assert p[0] == pytest.approx(0.5 - 0.01 - step2[0], rel=1e-9)
