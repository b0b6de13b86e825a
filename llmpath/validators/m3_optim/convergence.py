"""m3.convergence: the learner's optimizers on a least-squares problem (what `llmpath plot M3` draws)."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m3_optim.runs import FILE, VARIANT_CLASSES

CONVERGENCE_STEPS = 200
# lr chosen per optimizer for the problem below: the Hessian X^T X / N has eigenvalues in ~[0.01, 1].
CONVERGENCE_RUNS: tuple[tuple[str, str, dict], ...] = (
    ("SGD", "SGD", {"lr": 0.5}),
    ("Momentum", "Momentum", {"lr": 0.1, "beta": 0.9}),
    ("Adam", "Adam", {"lr": 0.05}),
)
CONVERGENCE_VARIANTS: dict[str, dict] = {
    "adamw": {"lr": 0.05, "weight_decay": 1e-2},
    "rmsprop": {"lr": 0.01},
    "nesterov": {"lr": 0.1, "beta": 0.9},
}


def quadratic_problem(np: Any, seed: int) -> tuple[Any, Any]:
    """Least squares with features scaled 1 .. 0.1: condition number ~100, minimum loss 0."""
    rng = np.random.default_rng([seed, 31])
    n, d = 100, 10
    X = rng.standard_normal((n, d)) * np.logspace(0, -1, d)
    y = X @ rng.standard_normal(d) + 0.5
    return X, y


def _probe_convergence(ctx: ProbeContext) -> dict:
    import numpy as np

    module = ctx.load(FILE)
    X, y = quadratic_problem(np, ctx.seed)
    runs = [(name, ctx.get(module, cls), kw) for name, cls, kw in CONVERGENCE_RUNS]
    variant = getattr(module, "VARIANT", None)
    key = variant.strip().lower() if isinstance(variant, str) else None
    if key in CONVERGENCE_VARIANTS and hasattr(module, VARIANT_CLASSES[key]):
        runs.append((VARIANT_CLASSES[key], getattr(module, VARIANT_CLASSES[key]), CONVERGENCE_VARIANTS[key]))
    curves = {}
    for name, cls, kw in runs:
        w, b = np.zeros(X.shape[1]), np.zeros(1)
        try:
            opt = cls([w, b], **kw)
            losses = []
            for _ in range(CONVERGENCE_STEPS):
                r = X @ w + b[0] - y
                losses.append(float(0.5 * np.mean(r * r)))
                opt.step([X.T @ r / len(y), np.array([r.mean()])])
        except NotImplementedError:
            if name in ("SGD", "Momentum", "Adam"):
                raise
            continue  # an unfinished variant is left out of the picture
        r = X @ w + b[0] - y
        losses.append(float(0.5 * np.mean(r * r)))
        curves[name] = losses
    return {"curves": curves, "hyper": {name: dict(kw) for name, _cls, kw in runs if name in curves}}


def read_curves(raw: dict) -> dict[str, list[float]]:
    """The loss curves of a convergence probe result, validated."""
    curves = raw.get("curves")
    if not isinstance(curves, dict) or not curves:
        raise BadOutput("the convergence probe returned no loss curves")
    out = {}
    for name, losses in curves.items():
        if not isinstance(name, str) or not isinstance(losses, list) or len(losses) != CONVERGENCE_STEPS + 1:
            raise BadOutput(f"malformed loss curve for {name!r}")
        out[name] = [float(x) if isinstance(x, (int, float)) else math.nan for x in losses]
    return out


def verdict_convergence(raw: dict, ctx: VerdictContext) -> Verdict:
    curves = read_curves(raw)
    metrics = {f"final_loss_{name.lower()}": c[-1] for name, c in curves.items()}
    bad = [
        f"{name}: loss {c[0]:.4g} -> {c[-1]:.4g}"
        for name, c in curves.items()
        if not all(math.isfinite(x) for x in c) or not c[-1] < c[0]
    ]
    summary = ", ".join(f"{name} {c[0]:.3g} -> {c[-1]:.3g}" for name, c in curves.items())
    if bad:
        return Verdict.failed(
            f"on the least-squares problem ({CONVERGENCE_STEPS} steps) some optimizer does not reduce the loss",
            *bad,
            metrics={k: v for k, v in metrics.items() if math.isfinite(v)},
        )
    return Verdict.passed(f"losses after {CONVERGENCE_STEPS} steps: {summary}", metrics=metrics)
