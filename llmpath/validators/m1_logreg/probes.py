"""M1 probes: run in the sandboxed child beside the learner's code and return raw values only."""

from __future__ import annotations

import time
from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m1_logreg.inputs import lg_cases, sigmoid_inputs, train_data
from llmpath.validators.m1_logreg.params import LossGradParams, SigmoidParams, TrainParams

FILE = "logistic_regression.py"


def _probe_sigmoid(ctx: ProbeContext) -> dict:
    import warnings

    params = SigmoidParams.model_validate(ctx.params)
    sigmoid = ctx.get(ctx.load(FILE), "sigmoid")
    flat, grid = sigmoid_inputs(ctx.seed, params.z_max)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = sigmoid(flat.copy())
        out_grid = sigmoid(grid.copy())
    notes = sorted({str(w.message) for w in caught})[:3]
    return {"out": out, "out_grid": out_grid, "warnings": notes}


def _probe_loss_and_grad(ctx: ProbeContext) -> dict:
    params = LossGradParams.model_validate(ctx.params)
    loss_and_grad = ctx.get(ctx.load(FILE), "loss_and_grad")
    cases = lg_cases(ctx.seed, params.n, params.d, params.logit_scale)
    out: dict[str, Any] = {}
    for name, (w, b, X, y) in cases.items():
        out[name] = loss_and_grad(w.copy(), b, X.copy(), y.copy())
    # the learner's own loss around the random point, for centered finite differences
    w, b, X, y = cases["random"]
    h = params.fd_step
    plus, minus = [], []
    for j in range(params.d + 1):
        wp, wm, bp, bm = w.copy(), w.copy(), b, b
        if j < params.d:
            wp[j] += h
            wm[j] -= h
        else:
            bp, bm = b + h, b - h
        plus.append(_first(loss_and_grad(wp, bp, X.copy(), y.copy())))
        minus.append(_first(loss_and_grad(wm, bm, X.copy(), y.copy())))
    out["fd"] = {"plus": plus, "minus": minus}
    return out


def _first(result: Any) -> Any:
    return result[0] if isinstance(result, (tuple, list)) and result else result


def _probe_train(ctx: ProbeContext) -> dict:
    params = TrainParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    train, predict_proba = ctx.get(module, "train"), ctx.get(module, "predict_proba")
    X, y, Xt, _, _ = train_data(ctx.seed, params)
    started = time.perf_counter()
    result = train(X, y)  # the contract's defaults: lr = 0.1, epochs = 1000
    seconds = time.perf_counter() - started
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return {"train_returned": repr(result)[:200]}
    w, b = result
    return {"w": w, "b": b, "proba": predict_proba(w, b, Xt), "train_seconds": seconds}
