"""Seeded inputs of the M1 checks: the probe feeds them to the learner, the verdict regenerates them."""

from __future__ import annotations

from typing import Any

from llmpath.validators.m1_logreg.params import TrainParams

_FIXED_Z = (0.0, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0, 5.0, -5.0, 20.0, -20.0, 36.0, -36.0, 40.0, -40.0,
            100.0, -100.0, 709.0, -709.0, 710.0, -710.0, 745.0, -745.0, 1000.0, -1000.0)

# The held-out sample uses seed + TEST_SEED_OFFSET: an independent draw of the same distribution.
TEST_SEED_OFFSET = 1_000_003


def sigmoid_inputs(seed: int, z_max: float) -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng([seed, 101])
    fixed = np.array([z for z in _FIXED_Z if abs(z) <= z_max] + [z_max, -z_max])
    flat = np.concatenate([fixed, rng.uniform(-z_max, z_max, 48), 6.0 * rng.standard_normal(48)])
    grid = rng.uniform(-min(z_max, 50.0), min(z_max, 50.0), (4, 8))
    return flat, grid


def lg_cases(seed: int, n: int, d: int, logit_scale: float) -> dict[str, tuple[Any, float, Any, Any]]:
    """name -> (w, b, X, y), all float64 (y int64)."""
    import numpy as np

    rng = np.random.default_rng([seed, 102])
    X = rng.standard_normal((n, d))
    y = rng.integers(0, 2, n)
    y[:2] = (0, 1)  # both classes present
    w = rng.standard_normal(d)
    b = float(rng.standard_normal())
    # large logits: scale so that max |z| = logit_scale; y is independent of z, so about half of
    # the rows are confidently wrong (loss ~ |z|) and half confidently right (loss ~ e^-|z|)
    z = X @ w
    w_big = w * (logit_scale / float(np.max(np.abs(z))))
    return {
        "random": (w, b, X, y),
        "zero": (np.zeros(d), 0.0, X, y),
        "large": (w_big, 0.0, X, y),
    }


def rotation(seed: int, d: int) -> Any:
    """A seeded orthogonal matrix R that turns *every* direction by more than 60 degrees (w·Rw < |w|²/2).

    The training check judges ``train`` on ``X @ R.T``: a rotation changes nothing about how gradient
    descent from w = 0 converges (its iterates rotate with the data), but the data set's own Bayes rule,
    which ``llmpath.datasets`` can compute for the unrotated data, is then far from the answer. So the
    check sees training, not a rule looked up. R = Q B Q^T: Q a random orthogonal basis, B made of 2x2
    rotations by angles in [60, 300] degrees (and -1 for an odd dimension), so w·Rw = sum |w'_i|² cos t_i.
    """
    import numpy as np

    rng = np.random.default_rng([seed, 103])
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))
    blocks = -np.eye(d)
    for i in range(0, d - 1, 2):
        t = np.deg2rad(rng.uniform(60.0, 300.0))
        blocks[i : i + 2, i : i + 2] = [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]
    return q @ blocks @ q.T


def train_data(seed: int, p: TrainParams) -> tuple[Any, Any, Any, Any, float]:
    """The training and held-out sets of m1.train: gaussian_binary rotated by ``rotation(seed, d)``."""
    from llmpath.datasets import gaussian_binary

    X, y, bayes = gaussian_binary(p.n_train, p.d, seed, p.separation)
    Xt, yt, _ = gaussian_binary(p.n_test, p.d, seed + TEST_SEED_OFFSET, p.separation)
    R = rotation(seed, p.d)
    X, Xt = X @ R.T, Xt @ R.T
    return X, y, Xt, yt, bayes
