"""The probes of m3.optimizers and m3.variant: step the learner's classes on the seeded inputs."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m3_optim.runs import FILE, VARIANT_RUNS, CoreParams, Params, problems, selected_runs


def _drive(np: Any, cls: Any, kwargs: dict, problems: list[tuple]) -> dict:
    """Step one instance per problem, in turn; snapshot the caller's arrays after every step."""
    arrays = [[p.copy() for p in params] for params, _ in problems]
    handed = [list(a) for a in arrays]  # the optimizer gets its own list: rebinding an entry is visible
    opts = [cls(h, **kwargs) for h in handed]
    snaps = [[[a.copy()] for a in arrs] for arrs in arrays]
    for t in range(len(problems[0][1])):
        for i, opt in enumerate(opts):
            opt.step([g.copy() for g in problems[i][1][t]])
            for k, a in enumerate(arrays[i]):
                snaps[i][k].append(a.copy())
    rebound = any(h[k] is not arrays[i][k] for i, h in enumerate(handed) for k in range(len(h)))
    return {"traj": [[np.stack(s) for s in inst] for inst in snaps], "rebound": rebound}


def _run_probe(np: Any, module: Any, ctx: ProbeContext, index: int, run: tuple, steps: int) -> dict:
    label, cls_name, _kind, kwargs, _hp = run
    cls = ctx.get(module, cls_name)
    main, pair = problems(np, ctx.seed, index, steps)
    first = _drive(np, cls, kwargs, [main])
    second = _drive(np, cls, kwargs, pair)
    return {"label": label, "main": first["traj"][0], "pair": second["traj"], "rebound": first["rebound"]}


def _probe_optimizers(ctx: ProbeContext) -> dict:
    import numpy as np

    params = CoreParams.model_validate(ctx.params)
    module = ctx.load(FILE)
    return {"runs": [_run_probe(np, module, ctx, i, run, params.steps) for i, run in selected_runs(params)]}


def _probe_variant(ctx: ProbeContext) -> dict:
    import numpy as np

    params = Params.model_validate(ctx.params)
    module = ctx.load(FILE)
    variant = ctx.get(module, "VARIANT")
    key = variant.strip().lower() if isinstance(variant, str) else None
    if key not in VARIANT_RUNS:
        return {"variant": repr(variant), "runs": []}
    return {"variant": key, "runs": [_run_probe(np, module, ctx, 7, VARIANT_RUNS[key], params.steps)]}
