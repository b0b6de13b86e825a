"""Seeded classification sets for M1 and M2, with their optimum known where it can be.

``gaussian_binary`` draws two Gaussian classes with a shared covariance and equal priors. Its
Bayes rule is linear (logistic regression can represent it exactly) and its accuracy has a closed
form, so a learner's logistic regression can be compared with the best any classifier can do.

``two_moons`` and ``spirals`` are the usual non-linear toy sets (no linear rule does well on them),
for the MLP of M2.

In every generator the *distribution* is fixed by the arguments other than ``seed``; ``seed`` only
draws the sample. Two seeds therefore give independent samples of the same problem: train on one,
test on another.

    >>> from llmpath.datasets import gaussian_binary
    >>> X, y, bayes = gaussian_binary(1000, d=2, seed=0)   # bayes = Phi(2.5 / 2) = 0.894
"""

from __future__ import annotations

import math
from typing import Any

# The class means and the covariance of gaussian_binary come from this fixed stream (mixed with d),
# never from ``seed``, so that every seed samples the same distribution.
_PROBLEM_SEED = 20240607


def normal_cdf(x: float) -> float:
    """Phi(x), the standard normal CDF, via the error function: Phi(x) = (1 + erf(x / sqrt 2)) / 2."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def gaussian_bayes_accuracy(separation: float) -> float:
    """Exact accuracy of the Bayes rule for two equal-prior Gaussians with a shared covariance.

    ``separation`` is the Mahalanobis distance Delta between the means. The Bayes rule thresholds the
    linear score s(x) = w.x + b with w = S^-1 (mu1 - mu0) and b = -w.(mu0 + mu1)/2 at 0; given the
    class, s is normal with mean +-Delta^2/2 and variance Delta^2, so each class is classified
    correctly with probability Phi(Delta/2). This is the classical result for the Bayes error of
    two normal classes with equal covariance (e.g. Fukunaga, *Introduction to Statistical Pattern
    Recognition*, 2nd ed., 1990, ch. 3; Duda, Hart & Stork, *Pattern Classification*, 2001, ch. 2):
    error = Phi(-Delta/2).
    """
    if separation < 0:
        raise ValueError("separation (a distance) must be >= 0")
    return normal_cdf(separation / 2.0)


def gaussian_problem(d: int, separation: float) -> dict[str, Any]:
    """Means, covariance factor and Bayes rule of the gaussian_binary distribution (fixed by d, separation)."""
    import numpy as np

    if d < 1:
        raise ValueError("d must be >= 1")
    rng = np.random.default_rng([_PROBLEM_SEED, d])
    # shared covariance S = Q diag(lam) Q^T: a random rotation of variances spread from 0.25 to 4,
    # so the features are correlated and unequally scaled but of order 1 (no standardization needed).
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))  # a uniformly random orthogonal matrix
    lam = np.geomspace(0.25, 4.0, d) if d > 1 else np.ones(1)
    cov = (q * lam) @ q.T
    factor = q * np.sqrt(lam)  # factor @ factor.T == cov
    # The mean difference has twice as much length along the highest-variance axis as along the
    # lowest, so the Bayes direction S^-1 (mu1 - mu0) is far from mu1 - mu0 itself: the nearest-mean
    # rule (about what a few gradient steps from w = 0 give) is ~14 points below Bayes in 2-D, and
    # only a converged fit gets close. Scaled so the Mahalanobis length is `separation`.
    u = np.zeros(d)
    u[0] = 1.0
    u[-1] = 2.0 if d > 1 else 1.0
    v = q @ u
    cov_inv_v = np.linalg.solve(cov, v)
    diff = v * (separation / math.sqrt(float(v @ cov_inv_v)))
    center = rng.uniform(-1.0, 1.0, size=d)  # off the origin, so the bias matters
    mu0, mu1 = center - diff / 2, center + diff / 2
    w = np.linalg.solve(cov, mu1 - mu0)
    b = -float(w @ (mu0 + mu1)) / 2
    return {"mu0": mu0, "mu1": mu1, "cov": cov, "factor": factor, "w": w, "b": b}


def gaussian_binary(n: int, d: int = 2, seed: int = 0, separation: float = 2.5) -> tuple[Any, Any, float]:
    """Two Gaussian classes, shared covariance, equal priors: ``(X (n, d) float64, y (n,) int64 0/1, bayes_accuracy)``.

    ``bayes_accuracy`` is the exact population accuracy of the best possible classifier,
    Phi(separation / 2) (see ``gaussian_bayes_accuracy``); with the default separation 2.5 it is
    0.8944. The means and covariance depend only on ``d`` and ``separation``; ``seed`` draws the
    sample. The log-odds of this distribution are exactly linear in x, so logistic regression's
    model is correct here and, with enough data, reaches the Bayes accuracy.
    ``bayes_rule_accuracy(X, y, separation=...)`` says how the Bayes rule scores on a given sample.
    """
    import numpy as np

    if n < 1:
        raise ValueError("n must be >= 1")
    problem = gaussian_problem(d, separation)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    noise = rng.standard_normal((n, d)) @ problem["factor"].T
    X = np.where(y[:, None] == 1, problem["mu1"], problem["mu0"]) + noise
    return X, y.astype(np.int64), gaussian_bayes_accuracy(separation)


def gaussian_bayes_rule(d: int = 2, separation: float = 2.5) -> tuple[Any, float]:
    """``(w, b)`` of the Bayes rule of ``gaussian_binary(., d, ., separation)``: predict 1 iff w.x + b > 0.

    These are also the exact log-odds: P(y=1 | x) = sigmoid(w.x + b).
    """
    problem = gaussian_problem(d, separation)
    return problem["w"].copy(), problem["b"]


def bayes_rule_accuracy(X: Any, y: Any, separation: float = 2.5) -> float:
    """Accuracy of the Bayes rule on the sample ``(X, y)`` drawn by ``gaussian_binary`` (d = X.shape[1])."""
    import numpy as np

    X = np.asarray(X, dtype=np.float64)
    w, b = gaussian_bayes_rule(X.shape[1], separation)
    return float(np.mean((X @ w + b > 0) == (np.asarray(y) == 1)))


def two_moons(n: int, noise: float = 0.1, seed: int = 0) -> tuple[Any, Any]:
    """Two interleaving half circles in 2-D: ``(X (n, 2) float64, y (n,) int64 0/1)``.

    Class 0 lies on the upper unit half circle, class 1 on a lower half circle shifted to
    (1, 0.5) (the layout of scikit-learn's ``make_moons``); each point gets isotropic Gaussian noise
    of standard deviation ``noise``. The angle is uniform on [0, pi] and the labels are fair coin
    flips, so every row is an independent draw. No line separates the classes well (about 88%
    at best for small noise); a small MLP reaches over 97% at noise 0.1.
    """
    import numpy as np

    if n < 1:
        raise ValueError("n must be >= 1")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    t = rng.uniform(0.0, math.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    return X, y.astype(np.int64)


def spirals(n: int, classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[Any, Any]:
    """``classes`` interleaved spiral arms in 2-D: ``(X (n, 2) float64, y (n,) int64 in [0, classes))``.

    The CS231n toy set, drawn i.i.d.: a point of class k at radius r ~ U(0, 1) has angle
    2 pi k / classes + 4 r (each arm turns by 4 radians) plus Gaussian noise of standard deviation
    ``noise`` on the angle. A linear classifier does little better than chance.
    """
    import numpy as np

    if n < 1 or classes < 2:
        raise ValueError("n must be >= 1 and classes >= 2")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    r = rng.uniform(0.0, 1.0, size=n)
    theta = 2 * math.pi * y / classes + 4.0 * r + noise * rng.standard_normal(n)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return X, y.astype(np.int64)
