"""The classification data sets: seeding, shapes, and the exact Bayes accuracy of gaussian_binary."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmpath.datasets import classification as cl
from llmpath.datasets import gaussian_binary, spirals, two_moons


def test_gaussian_binary_shapes_and_seeding() -> None:
    X, y, bayes = gaussian_binary(100, d=3, seed=4)
    assert X.shape == (100, 3) and X.dtype == np.float64
    assert y.shape == (100,) and y.dtype == np.int64 and set(np.unique(y)) <= {0, 1}
    X2, y2, _ = gaussian_binary(100, d=3, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _, _ = gaussian_binary(100, d=3, seed=5)
    assert not np.array_equal(X, X3)
    assert bayes == cl.gaussian_bayes_accuracy(2.5)


def test_bayes_accuracy_is_phi_of_half_the_distance() -> None:
    assert cl.gaussian_bayes_accuracy(0.0) == 0.5
    assert cl.gaussian_bayes_accuracy(2.5) == pytest.approx(0.894350226333, abs=1e-12)  # Phi(1.25)
    assert cl.gaussian_bayes_accuracy(2.0) == pytest.approx(0.841344746069, abs=1e-12)  # Phi(1)
    assert cl.normal_cdf(-1.96) == pytest.approx(0.024997895, abs=1e-9)
    with pytest.raises(ValueError):
        cl.gaussian_bayes_accuracy(-1.0)


@pytest.mark.parametrize(("d", "separation"), [(1, 1.0), (2, 2.5), (5, 3.0)])
def test_problem_has_the_stated_mahalanobis_distance(d: int, separation: float) -> None:
    pb = cl.gaussian_problem(d, separation)
    diff = pb["mu1"] - pb["mu0"]
    assert math.sqrt(diff @ np.linalg.solve(pb["cov"], diff)) == pytest.approx(separation, rel=1e-12)
    assert np.allclose(pb["factor"] @ pb["factor"].T, pb["cov"])
    w, b = cl.gaussian_bayes_rule(d, separation)
    # the Bayes rule's score is +-Delta^2/2 at the two means
    assert w @ pb["mu1"] + b == pytest.approx(separation**2 / 2)
    assert w @ pb["mu0"] + b == pytest.approx(-(separation**2) / 2)


@pytest.mark.parametrize(("d", "separation"), [(2, 2.5), (5, 1.5)])
def test_monte_carlo_agrees_with_the_exact_bayes_accuracy(d: int, separation: float) -> None:
    n = 200_000
    X, y, bayes = gaussian_binary(n, d=d, seed=11, separation=separation)
    empirical = cl.bayes_rule_accuracy(X, y, separation)
    se = math.sqrt(bayes * (1 - bayes) / n)
    assert abs(empirical - bayes) < 4 * se, (empirical, bayes, se)


def test_sample_moments_match_the_problem() -> None:
    X, y, _ = gaussian_binary(100_000, d=2, seed=3)
    pb = cl.gaussian_problem(2, 2.5)
    assert 0.49 < y.mean() < 0.51
    for label, mu in ((0, pb["mu0"]), (1, pb["mu1"])):
        rows = X[y == label]
        assert np.allclose(rows.mean(axis=0), mu, atol=0.03)
        assert np.allclose(np.cov(rows.T), pb["cov"], atol=0.05)


def test_no_rule_beats_the_bayes_rule_and_nearest_mean_is_far_below() -> None:
    X, y, bayes = gaussian_binary(100_000, d=2, seed=8)
    w, b = cl.gaussian_bayes_rule(2)
    best = cl.bayes_rule_accuracy(X, y)
    for angle in (0.1, -0.1, 0.3):
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        assert np.mean((X @ (rot @ w) + b > 0) == y) < best
    # the nearest-mean rule (the direction of the first gradient steps from w = 0) is far worse,
    # so a learner's train must actually converge to come within 2 points of Bayes
    pb = cl.gaussian_problem(2, 2.5)
    diff, mid = pb["mu1"] - pb["mu0"], (pb["mu1"] + pb["mu0"]) / 2
    nearest_mean = np.mean(((X - mid) @ diff > 0) == y)
    assert nearest_mean < bayes - 0.08


def _linear_fit_accuracy(X, y, Xt, yt, classes: int) -> float:
    A = np.hstack([X, np.ones((len(X), 1))])
    W, *_ = np.linalg.lstsq(A, np.eye(classes)[y], rcond=None)
    return float(np.mean((np.hstack([Xt, np.ones((len(Xt), 1))]) @ W).argmax(1) == yt))


def _nearest_neighbour_accuracy(X, y, Xt, yt) -> float:
    d2 = ((Xt[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    return float(np.mean(y[d2.argmin(1)] == yt))


def test_two_moons_needs_a_non_linear_rule() -> None:
    X, y = two_moons(600, noise=0.1, seed=0)
    Xt, yt = two_moons(1000, noise=0.1, seed=1)
    assert X.shape == (600, 2) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert np.array_equal(X, two_moons(600, noise=0.1, seed=0)[0])
    assert _linear_fit_accuracy(X, y, Xt, yt, 2) < 0.92
    assert _nearest_neighbour_accuracy(X, y, Xt, yt) > 0.97


def test_spirals_need_a_non_linear_rule() -> None:
    X, y = spirals(600, classes=3, noise=0.2, seed=0)
    Xt, yt = spirals(1000, classes=3, noise=0.2, seed=1)
    assert X.shape == (600, 2) and set(np.unique(y)) == {0, 1, 2}
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-12)
    assert _linear_fit_accuracy(X, y, Xt, yt, 3) < 0.7
    assert _nearest_neighbour_accuracy(X, y, Xt, yt) > 0.95


@pytest.mark.parametrize(
    "call",
    [lambda: gaussian_binary(0), lambda: gaussian_binary(5, d=0), lambda: two_moons(0), lambda: spirals(10, classes=1)],
)
def test_bad_arguments_raise(call) -> None:
    with pytest.raises(ValueError):
        call()
