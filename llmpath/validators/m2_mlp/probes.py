"""M2 probes: run in the sandboxed child beside the learner's code and return raw values only."""

from __future__ import annotations

import time
from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m2_mlp.inputs import grad_cases, stability_cases, train_data
from llmpath.validators.m2_mlp.params import GradParams, StabilityParams, TrainParams
from llmpath.validators.m2_mlp.reference import param_shapes

FILE = "mlp.py"


def _run_case(module: Any, ctx: ProbeContext, case: dict[str, Any]) -> dict[str, Any]:
    """Build the learner's MLP, load the judge's values into its params in place, call forward and loss_and_grads."""
    import numpy as np

    MLP = ctx.get(module, "MLP")
    model = MLP(list(case["sizes"]), case["activation"], ctx.seed)
    params = getattr(model, "params", None)
    if not isinstance(params, dict):
        return {"params_problem": f"model.params is {type(params).__name__}, not a dict of arrays"}
    shapes = {str(k): tuple(np.shape(v)) for k, v in params.items()}
    expected = param_shapes(case["sizes"])
    if shapes != expected or not all(isinstance(params[k], np.ndarray) for k in expected):
        return {"shapes": shapes}
    before = model.forward(case["X"].copy())
    for name, value in case["params"].items():
        params[name][...] = value  # in place: the learner may hold other references to these arrays
    logits = model.forward(case["X"].copy())
    result = model.loss_and_grads(case["X"].copy(), case["y"].copy())
    return {"logits": logits, "logits_before": before, "result": result,
            "dtypes": {k: str(params[k].dtype) for k in expected}}


def _probe_gradients(ctx: ProbeContext) -> dict:
    p = GradParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    return {"cases": [_run_case(module, ctx, case) for case in grad_cases(ctx.seed, p)]}


def _probe_stability(ctx: ProbeContext) -> dict:
    p = StabilityParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    return {"cases": [_run_case(module, ctx, case) for case in stability_cases(ctx.seed, p)]}


def _probe_train(ctx: ProbeContext) -> dict:
    import numpy as np

    p = TrainParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    MLP, train = ctx.get(module, "MLP"), ctx.get(module, "train")
    X, y, Xt, _ = train_data(ctx.seed, p)
    model = MLP([2, *p.hidden, p.classes], p.activation, ctx.seed)
    params = getattr(model, "params", {})
    init_std = (
        {str(k): float(np.std(v)) for k, v in params.items() if str(k).startswith("W")}
        if isinstance(params, dict)
        else {}
    )
    started = time.perf_counter()
    losses = train(model, X, y, p.lr, p.epochs)
    seconds = time.perf_counter() - started
    return {"losses": losses, "logits": model.forward(Xt), "init_std": init_std, "train_seconds": seconds}
