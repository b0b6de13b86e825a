"""The verdicts of m3.optimizers and m3.variant: every step against torch.optim, then the likely bug."""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m3_optim.diagnose import diagnoses, simulate
from llmpath.validators.m3_optim.reference import torch_run
from llmpath.validators.m3_optim.runs import (
    PAIR_STEPS,
    SHAPES,
    SIM_TOL,
    TOL,
    VARIANT_CLASSES,
    VARIANT_RUNS,
    problems,
    selected_runs,
)


def _err(got: Any, exp: Any) -> float:
    import numpy as np

    with np.errstate(all="ignore"):
        e = np.abs(got - exp) / np.maximum(np.abs(exp), 1.0)
    if not np.all(np.isfinite(e)):
        return math.inf
    return float(e.max()) if e.size else 0.0


def traj_err(got: list, exp: list) -> float:
    return max(_err(g, e) for g, e in zip(got, exp))


def _check_traj(value: Any, steps: int, label: str) -> list:
    import numpy as np

    if not isinstance(value, (list, tuple)) or len(value) != len(SHAPES):
        raise BadOutput(f"{label}: the probe returned no trajectory for the {len(SHAPES)} tensors")
    out = []
    for arr, shape in zip(value, SHAPES):
        if not isinstance(arr, np.ndarray) or arr.shape != (steps + 1, *shape) or arr.dtype.kind != "f":
            raise BadOutput(f"{label}: a trajectory of shape {(steps + 1, *shape)} was expected")
        out.append(arr.astype(np.float64))
    return out


def _first_bad(got: list, exp: list) -> tuple[int, int]:
    """(step, tensor) of the first entry over the tolerance."""
    for t in range(got[0].shape[0]):
        for k in range(len(got)):
            if _err(got[k][t], exp[k][t]) > TOL:
                return t, k
    return -1, -1


def judge_run(run: tuple, raw_run: Any, seed: int, index: int, steps: int) -> tuple[str, list[str], str | None] | None:
    """None when the run matches torch, else (summary, details, diagnosis)."""
    import numpy as np

    label, cls_name, kind, _kwargs, hp = run
    if not isinstance(raw_run, dict):
        raise BadOutput(f"{label}: malformed probe record")
    main, pair = problems(np, seed, index, steps)
    got = _check_traj(raw_run.get("main"), steps, label)
    exp = torch_run(kind, hp, *main)
    err = traj_err(got, exp)
    where = f"{len(SHAPES)} tensors of shapes {', '.join(str(s) for s in SHAPES)}, seed {seed}"
    if err <= TOL:
        pairs = raw_run.get("pair")
        if not isinstance(pairs, (list, tuple)) or len(pairs) != 2:
            raise BadOutput(f"{label}: malformed shared-state record")
        pgot = [_check_traj(p, PAIR_STEPS, label) for p in pairs]
        perr = max(traj_err(g, torch_run(kind, hp, *prob)) for g, prob in zip(pgot, pair))
        if perr <= TOL:
            return None
        return (
            f"{label}: two instances stepped in turn do not follow torch.optim (error {perr:.2e}), "
            "although one instance alone does",
            [f"two fresh {cls_name} instances on different parameters, {PAIR_STEPS} steps each, stepped alternately"],
            "state is shared between instances: a class attribute, a module-level variable or a mutable "
            "default argument (def __init__(..., state={})) holds it; create it in __init__ on self",
        )
    details = [f"{steps} steps on {where}; error = |got - torch| / max(|torch|, 1), tolerance {TOL:g}"]
    if all(np.array_equal(g[t], g[0]) for g in got for t in range(steps + 1)):
        diagnosis = "the parameters never change: update them in place (p -= lr*g or p[...] = ...); "
        diagnosis += (
            "`self.params[i] = p - lr*g` rebinds the list entry and leaves the caller's array untouched"
            if raw_run.get("rebound")
            else (
                "`p = p - lr*g` makes a new array, and a copy of the parameters kept in __init__ is not the "
                "caller's array"
            )
        )
        return f"{label}: the parameters are unchanged after {steps} steps", details, diagnosis
    t, k = _first_bad(got, exp)
    a, b = got[k][t], exp[k][t]
    details.append(
        f"first difference after step {t}, tensor #{k} {SHAPES[k]}: max abs error "
        f"{float(np.max(np.abs(a - b))):.3e}, error {_err(a, b):.3e}"
    )
    details.append(f"expected (torch.optim) {np.array2string(b.ravel()[:4], precision=8)} ...")
    details.append(f"got                    {np.array2string(a.ravel()[:4], precision=8)} ...")
    if not np.all(np.isfinite(a)):
        details.append("the parameters became NaN or infinite")
    diagnosis = None
    for bug, meaning in diagnoses(kind, hp):
        if traj_err(got, simulate(kind, hp, *main, bug)) <= SIM_TOL:
            diagnosis = meaning
            break
    if diagnosis is None and t == 1:
        with np.errstate(all="ignore"):
            ratio = (a - main[0][k]) / (b - main[0][k])
        ratio = ratio[np.isfinite(ratio)]
        if ratio.size and np.allclose(ratio, ratio[0], rtol=1e-6):
            diagnosis = f"the first step is {float(ratio[0]):.4g}x torch's step"
    elif diagnosis is None and t > 1:
        diagnosis = (
            f"the first {t - 1} step(s) match, then the trajectory drifts: state (velocity, moments or step "
            "count) is not carried between steps the way torch.optim carries it"
        )
    return f"{label} does not follow torch.optim (error {err:.2e} > {TOL:g})", details, diagnosis


def _judge_runs(runs: tuple, raw: dict, ctx: VerdictContext, indices: list[int], what: str) -> Verdict:
    raw_runs = raw.get("runs")
    if not isinstance(raw_runs, list) or len(raw_runs) != len(runs):
        raise BadOutput("the probe returned no result for some optimizer")
    steps = ctx.params.steps
    judged = [(run, judge_run(run, r, ctx.seed, i, steps)) for run, r, i in zip(runs, raw_runs, indices)]
    failures = [f for _run, f in judged if f is not None]
    for run, f in judged:
        explicit_ok = any(o is None and other[1] == run[1] and set(other[3]) == set(other[4]) for other, o in judged)
        if f is not None and set(run[3]) != set(run[4]) and explicit_ok:
            defaults = ", ".join(f"{k}={v}" for k, v in run[4].items() if k not in run[3])
            i = failures.index(f)
            failures[i] = (f[0], f[1], f"{run[1]} matches torch with explicit arguments but not with its defaults: "
                           f"the defaults must be {defaults}")
    if not failures:
        names = ", ".join(run[0] for run in runs)
        return Verdict.passed(
            f"{what}: every step of {names} matches torch.optim within {TOL:g} over {steps} steps, "
            "and state is kept per instance"
        )
    summary, details, diagnosis = failures[0]
    more = [f"also: {f[0]}" + (f" ({f[2]})" if f[2] else "") for f in failures[1:]]
    return Verdict.failed(summary, *details, *more, diagnosis=diagnosis)


def verdict_optimizers(raw: dict, ctx: VerdictContext) -> Verdict:
    chosen = selected_runs(ctx.params)
    names = list(dict.fromkeys(run[1] for _, run in chosen))
    what = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    return _judge_runs(tuple(run for _, run in chosen), raw, ctx, [i for i, _ in chosen], what)


def verdict_variant(raw: dict, ctx: VerdictContext) -> Verdict:
    variant = raw.get("variant")
    if variant not in VARIANT_RUNS:
        return Verdict.failed(
            f"VARIANT = {variant} is not one of {', '.join(repr(v) for v in VARIANT_RUNS)}",
            "set VARIANT in optimizers.py to the variant you implemented, and define its class: "
            + ", ".join(f"{k!r} -> {v}" for k, v in VARIANT_CLASSES.items()),
        )
    return _judge_runs((VARIANT_RUNS[variant],), raw, ctx, [7], f"{VARIANT_CLASSES[variant]} ({variant!r})")
