"""Seeded inputs of the M2 checks: the probe feeds them to the learner, the verdict regenerates them."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.m2_mlp.params import GradParams, StabilityParams, TrainParams
from llmpath.validators.m2_mlp.reference import mlp_forward

TEST_SEED_OFFSET = 1_000_003


def case(
    seed: int, tag: int, sizes: tuple[int, ...], activation: str, n: int, logit_scale: float | None = None
) -> dict[str, Any]:
    """Seeded X, y and parameter values; relu pre-activations at least 1e-3 away from 0."""
    import numpy as np

    rng = np.random.default_rng([seed, 202, tag])
    for _ in range(1000):
        X = rng.standard_normal((n, sizes[0]))
        y = rng.integers(0, sizes[-1], n)
        params: dict[str, Any] = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{i}"] = rng.standard_normal((fan_in, fan_out)) * math.sqrt(1.5 / fan_in)
            params[f"b{i}"] = 0.5 * rng.standard_normal(fan_out)
        _, cache = mlp_forward(params, X, activation)
        if all(np.min(np.abs(h)) > 1e-3 for _, h in cache[:-1]):  # off relu's kink (tanh too: harmless)
            break
    if logit_scale is not None:
        last = len(sizes) - 1
        logits, _ = mlp_forward(params, X, activation)
        factor = logit_scale / float(np.max(np.abs(logits)))
        params[f"W{last}"] = params[f"W{last}"] * factor
        params[f"b{last}"] = params[f"b{last}"] * factor
    return {"X": X, "y": y, "params": params, "sizes": list(sizes), "activation": activation}


def grad_cases(seed: int, p: GradParams) -> list[dict[str, Any]]:
    cases = []
    for j, sizes in enumerate((p.sizes, p.deep_sizes)):
        for k, act in enumerate(p.activations):
            cases.append(case(seed, 10 * j + k, sizes, act, p.n))
    return cases


def stability_cases(seed: int, p: StabilityParams) -> list[dict[str, Any]]:
    return [case(seed, 100 + k, p.sizes, act, p.n, p.logit_scale) for k, act in enumerate(p.activations)]


def train_data(seed: int, p: TrainParams) -> tuple[Any, Any, Any, Any]:
    from llmpath.datasets import spirals

    X, y = spirals(p.n_train, p.classes, p.noise, seed)
    Xt, yt = spirals(p.n_test, p.classes, p.noise, seed + TEST_SEED_OFFSET)
    return X, y, Xt, yt
