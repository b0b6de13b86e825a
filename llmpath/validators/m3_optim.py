"""M3 validators: the learner's optimizers against torch.optim, the convergence run, the experiment log.

Checks:

* ``m3.optimizers`` — ``SGD``, ``Momentum`` and ``Adam`` (twice: defaults, and explicit non-default
  hyper-parameters) on fixed, seeded gradient sequences for three parameter tensors of different
  shapes, ``steps`` steps long; every parameter after every step must equal ``torch.optim`` in float64.
  Then two fresh instances are stepped in turn for a few steps: state kept on the class (or in a
  mutable default argument) shows up there.
* ``m3.variant`` — the class that ``VARIANT`` names (``AdamW``, ``RMSProp`` or ``Nesterov``), the same way.
* ``m3.convergence`` — runs the learner's optimizers on a fixed, ill-conditioned least-squares problem
  and returns the loss curves (``llmpath plot M3`` draws them); passes when every curve is finite and
  ends below where it started.
* ``m3.experiments`` (no probe) — the experiment log documents the comparison and an ablation:

  - at least 3 optimizers with a final loss, in entries tagged M3: either metrics named
    ``final_loss_<optimizer>`` (``final_loss_sgd``, ``final_loss_adam``, ...; ``<optimizer>_final_loss``
    is accepted too), or an entry per optimizer with a metric ``final_loss`` whose objective or setup
    names exactly one known optimizer (sgd, momentum, nesterov, adam, adamw, rmsprop);
  - an ablation: an M3 entry whose objective, setup or notes say "ablation", with at least 2 metrics
    (one hyper-parameter varied, e.g. ``final_loss_lr_0.1=...`` and ``final_loss_lr_0.01=...``).
    In an ablation entry only known optimizer names count toward the comparison (its
    ``final_loss_with`` / ``final_loss_lr_0.1`` name settings, not optimizers).

Tolerance. Parameters are compared with the error ``|got - torch| / max(|torch|, 1)`` (relative for
large entries, absolute near zero, where relative error is meaningless) and must stay below 1e-10.
Two algebraically equal arrangements of an update (torch's ``lr / (1 - beta1**t)`` step size with
``sqrt(v) / sqrt(1 - beta2**t) + eps`` against the textbook ``m_hat / (sqrt(v_hat) + eps)``) differ by a
few ulps (~1e-16) per step; over 50 steps of parameters of size <= ~10 that adds up to ~1e-13 at
most, 1000x under the tolerance. Any real difference in the formula is far above it: the gradient
tensor scaled by 1e-4 makes ``sqrt(v)`` ~1e-4, so even eps's placement changes the update by > 1e-3
relative. Every diagnosis is found by simulating the classic bug in numpy and matching it (1e-8).
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators.api import BadOutput, Check, ProbeContext, Verdict, VerdictContext

FILE = "optimizers.py"
SHAPES = ((3, 4), (5,), (2, 3, 2))
# Gradient scale per tensor: 1e-4 makes eps matter (sqrt(v) ~ 1e-4 against eps 1e-8..1e-6), 10 makes
# any lr mistake large. A drift of +0.3 makes successive gradients agree, so momentum builds up.
GRAD_SCALES = (1.0, 1e-4, 10.0)
PAIR_STEPS = 8
TOL = 1e-10
SIM_TOL = 1e-8  # a simulated bug "explains" the learner's trajectory within this
VARIANT_CLASSES = {"adamw": "AdamW", "rmsprop": "RMSProp", "nesterov": "Nesterov"}


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    steps: int = Field(50, ge=2, le=1000, description="steps of every trajectory")


# (label, class, kind, keyword arguments passed, full hyper-parameters). Non-default values catch
# hyper-parameters that are accepted but ignored; one Adam run relies on the contract's defaults.
_ADAM_DEFAULTS = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}
CORE_RUNS: tuple[tuple[str, str, str, dict, dict], ...] = (
    ("SGD(lr=0.05)", "SGD", "sgd", {"lr": 0.05}, {"lr": 0.05}),
    ("Momentum(lr=0.03, beta=0.8)", "Momentum", "momentum", {"lr": 0.03, "beta": 0.8}, {"lr": 0.03, "beta": 0.8}),
    ("Adam(lr=0.01)", "Adam", "adam", {"lr": 0.01}, {**_ADAM_DEFAULTS, "lr": 0.01}),
    (
        "Adam(lr=0.05, betas=(0.8, 0.95), eps=1e-06)",
        "Adam",
        "adam",
        {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6},
        {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6},
    ),
)
_ADAMW = {"lr": 0.02, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.05}
VARIANT_RUNS: dict[str, tuple[str, str, str, dict, dict]] = {
    "adamw": ("AdamW(lr=0.02, weight_decay=0.05)", "AdamW", "adamw", _ADAMW, _ADAMW),
    "rmsprop": (
        "RMSProp(lr=0.01, alpha=0.95, eps=1e-08)",
        "RMSProp",
        "rmsprop",
        {"lr": 0.01, "alpha": 0.95, "eps": 1e-8},
        {"lr": 0.01, "alpha": 0.95, "eps": 1e-8},
    ),
    "nesterov": ("Nesterov(lr=0.03, beta=0.8)", "Nesterov", "nesterov", {"lr": 0.03, "beta": 0.8}, {"lr": 0.03, "beta": 0.8}),
}


# ---------------------------------------------------------------------------------------------
# inputs (generated the same way in the child and in the verdict)


def _sequence(np: Any, seed: int, salt: int, steps: int) -> tuple[list, list[list]]:
    """Initial parameters and ``steps`` gradient lists for one optimizer instance."""
    rng = np.random.default_rng([seed, 3, salt])
    params = [rng.standard_normal(s) for s in SHAPES]
    grads = [[scale * (rng.standard_normal(s) + 0.3) for s, scale in zip(SHAPES, GRAD_SCALES)] for _ in range(steps)]
    return params, grads


def _problems(np: Any, seed: int, run: int, steps: int) -> tuple[tuple, list[tuple]]:
    """The main sequence of run ``run`` and the two short ones of its shared-state test."""
    main = _sequence(np, seed, 10 * run, steps)
    pair = [_sequence(np, seed, 10 * run + k, PAIR_STEPS) for k in (1, 2)]
    return main, pair


# ---------------------------------------------------------------------------------------------
# probes


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
    main, pair = _problems(np, ctx.seed, index, steps)
    first = _drive(np, cls, kwargs, [main])
    second = _drive(np, cls, kwargs, pair)
    return {"label": label, "main": first["traj"][0], "pair": second["traj"], "rebound": first["rebound"]}


def _probe_optimizers(ctx: ProbeContext) -> dict:
    import numpy as np

    params = Params.model_validate(ctx.params)
    module = ctx.load(FILE)
    return {"runs": [_run_probe(np, module, ctx, i, run, params.steps) for i, run in enumerate(CORE_RUNS)]}


def _probe_variant(ctx: ProbeContext) -> dict:
    import numpy as np

    params = Params.model_validate(ctx.params)
    module = ctx.load(FILE)
    variant = ctx.get(module, "VARIANT")
    key = variant.strip().lower() if isinstance(variant, str) else None
    if key not in VARIANT_RUNS:
        return {"variant": repr(variant), "runs": []}
    return {"variant": key, "runs": [_run_probe(np, module, ctx, 7, VARIANT_RUNS[key], params.steps)]}


# ---------------------------------------------------------------------------------------------
# references: torch.optim, and numpy simulations of the classic bugs


def _torch_run(kind: str, hp: dict, params0: list, grads: list) -> list:
    """torch.optim's trajectory, through its functional API when this torch has the known signatures.

    ``torch.optim.Adam(...)`` & co. import torch._dynamo on construction (``add_param_group`` is
    wrapped by ``torch._disable_dynamo``), ~1 s per check; the functional ``torch.optim.adam.adam``
    etc. that ``Optimizer.step`` itself calls do not. tests/test_validators_m3.py proves both paths
    give identical trajectories; on a torch whose functional signatures differ we use the classes.
    """
    try:
        return _torch_functional_run(kind, hp, params0, grads)
    except (TypeError, AttributeError, ImportError):
        return _torch_class_run(kind, hp, params0, grads)


def _torch_functional_run(kind: str, hp: dict, params0: list, grads: list) -> list:
    import numpy as np
    import torch
    from torch.optim import adam, adamw, rmsprop, sgd

    ps = [torch.tensor(p, dtype=torch.float64) for p in params0]
    n = len(ps)
    zeros = [torch.zeros_like(p) for p in ps]
    state = {
        "buf": [None] * n,
        "m": [z.clone() for z in zeros],
        "v": [z.clone() for z in zeros],
        "g_avg": [z.clone() for z in zeros],
        "steps": [torch.tensor(0.0) for _ in ps],
    }
    snaps = [[p.numpy().copy()] for p in ps]
    for gs in grads:
        gts = [torch.tensor(g, dtype=torch.float64) for g in gs]
        with torch.no_grad():
            if kind in ("sgd", "momentum", "nesterov"):
                sgd.sgd(
                    ps, gts, state["buf"], foreach=False, weight_decay=0.0,
                    momentum=0.0 if kind == "sgd" else hp["beta"], lr=hp["lr"], dampening=0.0,
                    nesterov=kind == "nesterov", maximize=False,
                )
            elif kind in ("adam", "adamw"):
                fn = adam.adam if kind == "adam" else adamw.adamw
                fn(
                    ps, gts, state["m"], state["v"], [], state["steps"], foreach=False, capturable=False,
                    differentiable=False, fused=None, grad_scale=None, found_inf=None, has_complex=False,
                    amsgrad=False, beta1=hp["betas"][0], beta2=hp["betas"][1], lr=hp["lr"],
                    weight_decay=hp.get("weight_decay", 0.0) if kind == "adamw" else 0.0, eps=hp["eps"], maximize=False,
                )
            elif kind == "rmsprop":
                rmsprop.rmsprop(
                    ps, gts, state["v"], state["g_avg"], [], state["steps"], foreach=False, maximize=False,
                    differentiable=False, capturable=False, has_complex=False, lr=hp["lr"], alpha=hp["alpha"],
                    eps=hp["eps"], weight_decay=0.0, momentum=0.0, centered=False,
                )
            else:  # pragma: no cover - the run tables name only these
                raise ValueError(kind)
        for k, p in enumerate(ps):
            snaps[k].append(p.numpy().copy())
    return [np.stack(s) for s in snaps]


def _torch_class_run(kind: str, hp: dict, params0: list, grads: list) -> list:
    import numpy as np
    import torch

    ps = [torch.tensor(p, dtype=torch.float64) for p in params0]
    opt: Any
    if kind == "sgd":
        opt = torch.optim.SGD(ps, lr=hp["lr"])
    elif kind == "momentum":
        opt = torch.optim.SGD(ps, lr=hp["lr"], momentum=hp["beta"])
    elif kind == "nesterov":
        opt = torch.optim.SGD(ps, lr=hp["lr"], momentum=hp["beta"], nesterov=True)
    elif kind == "adam":
        opt = torch.optim.Adam(ps, lr=hp["lr"], betas=hp["betas"], eps=hp["eps"])
    elif kind == "adamw":
        opt = torch.optim.AdamW(ps, lr=hp["lr"], betas=hp["betas"], eps=hp["eps"], weight_decay=hp["weight_decay"])
    elif kind == "rmsprop":
        opt = torch.optim.RMSprop(ps, lr=hp["lr"], alpha=hp["alpha"], eps=hp["eps"])
    else:  # pragma: no cover - the run tables name only these
        raise ValueError(kind)
    snaps = [[p.numpy().copy()] for p in ps]
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        for k, p in enumerate(ps):
            snaps[k].append(p.detach().numpy().copy())
    return [np.stack(s) for s in snaps]


def _simulate(kind: str, hp: dict, params0: list, grads: list, bug: str) -> list:
    """The trajectory of ``kind`` with the classic mistake ``bug`` (numpy, float64)."""
    import numpy as np

    ps = [p.copy() for p in params0]
    snaps = [[p.copy()] for p in ps]
    state: list[dict] = [{} for _ in ps]
    counter = 0
    lr = hp["lr"] ** 2 if bug == "lr_twice" else hp["lr"]
    for gs in grads:
        for k, (p, g) in enumerate(zip(ps, gs)):
            st = {} if bug == "reset" else state[k]
            if bug == "t_per_tensor":
                counter += 1
                t = counter
            else:
                st["t"] = st.get("t", 0) + 1
                t = 1 if bug == "t_fixed" else st["t"]
            p -= _sim_update(kind, hp, lr, p, g, st, t, bug)
        for k, p in enumerate(ps):
            snaps[k].append(p.copy())
    return [np.stack(s) for s in snaps]


def _sim_update(kind: str, hp: dict, lr: float, p: Any, g: Any, st: dict, t: int, bug: str) -> Any:
    """The amount subtracted from ``p`` by one step (updating ``st`` in place)."""
    import numpy as np

    if kind == "sgd":
        return {"ascent": -lr * g, "no_lr": g}.get(bug, lr * g)
    if kind in ("momentum", "nesterov"):
        beta = 0.9 if bug == "beta_default" else hp["beta"]
        old = st.get("v", np.zeros_like(g))
        if bug == "dampening":
            v = beta * old + (1 - beta) * g
        elif bug == "v_is_g":
            v = g
        else:
            v = beta * old + g
        st["v"] = v
        if bug == "update_first":
            return lr * old
        if bug == "v_is_g":
            return lr * (beta * old + g)
        nesterov = (kind == "nesterov") != (bug in ("nesterov", "plain"))
        return lr * (g + beta * v) if nesterov else lr * v
    if kind == "rmsprop":
        alpha, eps = hp["alpha"], hp["eps"]
        old = st.get("v", np.zeros_like(g))
        if bug == "no_one_minus":
            v = alpha * old + g * g
        elif bug == "alpha_swapped":
            v = (1 - alpha) * old + alpha * g * g
        else:
            v = alpha * old + (1 - alpha) * g * g
        st["v"] = v
        if bug == "bias_corrected":
            v = v / (1 - alpha**t)
        if bug == "eps_inside":
            return lr * g / np.sqrt(v + eps)
        if bug == "no_sqrt":
            return lr * g / (v + eps)
        return lr * g / (np.sqrt(v) + eps)
    # adam / adamw
    b1, b2 = hp["betas"]
    if bug == "betas_swapped":
        b1, b2 = b2, b1
    eps, wd = hp["eps"], hp.get("weight_decay", 0.0)
    if bug == "no_decay":
        wd = 0.0
    decay = np.zeros_like(p)
    if wd and bug == "coupled":
        g = g + wd * p
    elif wd and bug == "decay_no_lr":
        decay = wd * p
    elif wd and bug != "decay_after":
        decay = lr * wd * p
    m = b1 * st.get("m", np.zeros_like(g)) + (1 - b1) * g
    v = b2 * st.get("v", np.zeros_like(g)) + (1 - b2) * g * g
    st["m"], st["v"] = m, v
    bc1 = 1.0 if bug in ("no_bias", "no_bias1") else 1 - b1**t
    bc2 = 1.0 if bug in ("no_bias", "no_bias2") else 1 - b2**t
    if bug == "eps_early":  # Kingma's "efficient" form with the plain eps
        step = lr * math.sqrt(bc2) / bc1 * m / (np.sqrt(v) + eps)
    elif bug == "eps_inside":
        step = lr * (m / bc1) / np.sqrt(v / bc2 + eps)
    elif bug == "no_sqrt":
        step = lr * (m / bc1) / (v / bc2 + eps)
    else:
        step = lr * (m / bc1) / (np.sqrt(v / bc2) + eps)
    if wd and bug == "decay_after":
        return step + lr * wd * (p - step)
    return decay + step


def _diagnoses(kind: str, hp: dict) -> list[tuple[str, str]]:
    """(bug, what it means) for the simulations worth trying on ``kind``."""
    reset = (
        "the optimizer's state does not persist between steps (re-created inside `step`?): "
        "keep it on `self` and create it once"
    )
    if kind == "sgd":
        return [
            ("ascent", "the parameters move along +gradient: the update is p -= lr * g (gradient ascent?)"),
            ("lr_twice", "lr is applied twice (p -= lr * lr * g?)"),
            ("no_lr", "lr is not applied (p -= g?)"),
        ]
    if kind in ("momentum", "nesterov"):
        out = [
            ("reset", reset + "; without the velocity the trajectory equals plain SGD"),
            ("dampening", "v = beta*v + (1-beta)*g is an EMA with dampening; torch uses v = beta*v + g"),
            ("lr_twice", "lr is applied twice (v = beta*v + lr*g, then p -= lr*v?)"),
            ("update_first", "p is updated with the previous velocity: compute v = beta*v + g first, then p -= lr*v"),
            ("v_is_g", "the velocity keeps only the last gradient (v = g) instead of accumulating v = beta*v + g"),
            ("beta_default", "the `beta` argument is ignored (0.9 is used)"),
        ]
        if kind == "momentum":
            out.append(("nesterov", "this is Nesterov's update (p -= lr*(g + beta*v)); plain momentum is p -= lr*v"))
        else:
            out.append(("plain", "this is plain momentum (p -= lr*v, which is also p -= lr*(g + beta*v_old)); "
                        "Nesterov's update is p -= lr*(g + beta*v) with the new v = beta*v + g"))
        return out
    if kind == "rmsprop":
        return [
            ("eps_inside", "eps is inside the square root: torch divides by sqrt(v) + eps"),
            ("no_one_minus", "v = alpha*v + g**2 misses the (1 - alpha) factor"),
            ("alpha_swapped", "alpha and 1 - alpha are swapped: v = alpha*v + (1-alpha)*g**2"),
            ("bias_corrected", "v is bias-corrected: RMSProp (torch.optim.RMSprop) has no bias correction"),
            ("no_sqrt", "the square root is missing: divide by sqrt(v) + eps"),
            ("reset", reset),
            ("lr_twice", "lr is applied twice"),
        ]
    b1, b2 = hp["betas"]
    first = (1 - b1) / math.sqrt(1 - b2)
    out = [
        (
            "no_bias",
            f"the first step is {first:.3g}x torch's = (1-beta1)/sqrt(1-beta2) with betas={hp['betas']}: "
            "bias correction is missing (m_hat = m/(1-beta1**t), v_hat = v/(1-beta2**t))",
        ),
        ("no_bias1", f"the first step is {1 - b1:.3g}x torch's = 1-beta1: m is not bias-corrected (m_hat = m/(1-beta1**t))"),
        (
            "no_bias2",
            f"the first step is {1 / math.sqrt(1 - b2):.3g}x torch's = 1/sqrt(1-beta2): v is not bias-corrected "
            "(v_hat = v/(1-beta2**t))",
        ),
        ("eps_inside", "eps is inside the square root: torch divides by sqrt(v_hat) + eps"),
        (
            "eps_early",
            "eps is added to sqrt(v) before bias correction (Kingma's efficient form with plain eps): torch "
            "divides by sqrt(v)/sqrt(1-beta2**t) + eps",
        ),
        ("no_sqrt", "the square root of v_hat is missing"),
        ("reset", reset + "; every step then moves by lr*sign(g)"),
        ("t_fixed", "the step count t is not incremented: bias correction uses t=1 at every step"),
        ("t_per_tensor", "t is incremented once per parameter tensor instead of once per step"),
        ("betas_swapped", "beta1 and beta2 are swapped"),
        ("lr_twice", "lr is applied twice"),
    ]
    if kind == "adamw":
        out += [
            (
                "coupled",
                "weight decay is coupled (wd*p added to the gradient: Adam + L2); AdamW decays the weights "
                "directly: p -= lr*weight_decay*p, outside the adaptive step",
            ),
            ("decay_no_lr", "the decay misses the lr factor: p -= lr*weight_decay*p, not weight_decay*p"),
            ("decay_after", "the decay is applied after the Adam step; torch decays p before it"),
            ("no_decay", "weight_decay is ignored"),
        ]
    return out


# ---------------------------------------------------------------------------------------------
# verdicts


def _err(got: Any, exp: Any) -> float:
    import numpy as np

    with np.errstate(all="ignore"):
        e = np.abs(got - exp) / np.maximum(np.abs(exp), 1.0)
    if not np.all(np.isfinite(e)):
        return math.inf
    return float(e.max()) if e.size else 0.0


def _traj_err(got: list, exp: list) -> float:
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


def _judge_run(run: tuple, raw_run: Any, seed: int, index: int, steps: int) -> tuple[str, list[str], str | None] | None:
    """None when the run matches torch, else (summary, details, diagnosis)."""
    import numpy as np

    label, cls_name, kind, _kwargs, hp = run
    if not isinstance(raw_run, dict):
        raise BadOutput(f"{label}: malformed probe record")
    main, pair = _problems(np, seed, index, steps)
    got = _check_traj(raw_run.get("main"), steps, label)
    exp = _torch_run(kind, hp, *main)
    err = _traj_err(got, exp)
    where = f"{len(SHAPES)} tensors of shapes {', '.join(str(s) for s in SHAPES)}, seed {seed}"
    if err <= TOL:
        pairs = raw_run.get("pair")
        if not isinstance(pairs, (list, tuple)) or len(pairs) != 2:
            raise BadOutput(f"{label}: malformed shared-state record")
        pgot = [_check_traj(p, PAIR_STEPS, label) for p in pairs]
        perr = max(_traj_err(g, _torch_run(kind, hp, *prob)) for g, prob in zip(pgot, pair))
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
            else "`p = p - lr*g` makes a new array, and a copy of the parameters kept in __init__ is not the caller's array"
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
    for bug, meaning in _diagnoses(kind, hp):
        if _traj_err(got, _simulate(kind, hp, *main, bug)) <= SIM_TOL:
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
    judged = [(run, _judge_run(run, r, ctx.seed, i, steps)) for run, r, i in zip(runs, raw_runs, indices)]
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


def _verdict_optimizers(raw: dict, ctx: VerdictContext) -> Verdict:
    return _judge_runs(CORE_RUNS, raw, ctx, list(range(len(CORE_RUNS))), "SGD, Momentum and Adam")


def _verdict_variant(raw: dict, ctx: VerdictContext) -> Verdict:
    variant = raw.get("variant")
    if variant not in VARIANT_RUNS:
        return Verdict.failed(
            f"VARIANT = {variant} is not one of {', '.join(repr(v) for v in VARIANT_RUNS)}",
            "set VARIANT in optimizers.py to the variant you implemented, and define its class: "
            + ", ".join(f"{k!r} -> {v}" for k, v in VARIANT_CLASSES.items()),
        )
    return _judge_runs((VARIANT_RUNS[variant],), raw, ctx, [7], f"{VARIANT_CLASSES[variant]} ({variant!r})")


# ---------------------------------------------------------------------------------------------
# the convergence run (what `llmpath plot M3` draws)

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


def _verdict_convergence(raw: dict, ctx: VerdictContext) -> Verdict:
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


# ---------------------------------------------------------------------------------------------
# the experiment log

KNOWN_OPTIMIZERS = ("adamw", "adam", "rmsprop", "nesterov", "momentum", "sgd")
_FINAL = re.compile(r"^(?:final[_\-.]?loss[_\-.](?P<a>.+)|(?P<b>.+?)[_\-.]final[_\-.]?loss)$", re.IGNORECASE)
EXAMPLE = (
    'llmpath log experiment --milestone M3 --objective "compare SGD, Momentum and Adam" '
    '--setup "least squares, 200 steps" --metric final_loss_sgd=0.12 --metric final_loss_momentum=0.03 '
    "--metric final_loss_adam=0.01"
)
ABLATION_EXAMPLE = (
    'llmpath log experiment --milestone M3 --objective "ablation: Adam learning rate" '
    '--setup "lr in {0.1, 0.01}, everything else fixed" --metric final_loss_lr_0.1=0.02 --metric final_loss_lr_0.01=0.2'
)


def _named(text: str) -> list[str]:
    found = []
    for name in KNOWN_OPTIMIZERS:
        if re.search(rf"(?<![a-z]){name}(?![a-z])", text, re.IGNORECASE):
            found.append(name)
    return found


def _verdict_experiments(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.errors import LlmpathError

    try:
        from llmpath.logs import read_experiments
    except ImportError:
        return Verdict.error("the experiment log reader (llmpath.logs) is not available")
    try:
        entries = read_experiments(ctx.workspace, milestone=ctx.milestone)
    except LlmpathError as exc:
        return Verdict.failed(f"the experiment log cannot be read: {exc.message}")
    optimizers: dict[str, str] = {}  # optimizer -> entry id
    ablation = None
    for e in entries:
        text = " ".join(str(x or "") for x in (e.objective, e.setup))
        is_ablation = "ablation" in (text + " " + str(getattr(e, "notes", "") or "")).lower()
        for metric in e.metrics:
            m = _FINAL.match(metric)
            if m:
                name = (m.group("a") or m.group("b")).lower()
                # in an ablation, final_loss_with / final_loss_lr_0.1 name settings, not optimizers
                if not is_ablation or name in KNOWN_OPTIMIZERS:
                    optimizers.setdefault(name, str(e.id))
            elif metric.lower() == "final_loss" and len(named := _named(text)) == 1:
                optimizers.setdefault(named[0], str(e.id))
        if ablation is None and is_ablation and len(e.metrics) >= 2:
            ablation = str(e.id)
    missing = []
    if len(optimizers) < 3:
        have = ", ".join(f"{k} (entry {v})" for k, v in sorted(optimizers.items())) or "none"
        missing.append(
            f"the convergence comparison: final losses of at least 3 optimizers are needed, found {have}; "
            f"log them as metrics final_loss_<optimizer>, e.g. `{EXAMPLE}`"
        )
    if ablation is None:
        missing.append(
            "an ablation: an M3 entry whose objective or setup says 'ablation', with at least 2 metrics "
            f"(one hyper-parameter varied), e.g. `{ABLATION_EXAMPLE}`"
        )
    if missing:
        return Verdict.failed(
            f"{ctx.milestone} experiment log: {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, "
            f"{'something is' if len(missing) == 1 else 'two things are'} missing",
            *missing,
        )
    return Verdict.passed(
        f"experiments compare {len(optimizers)} optimizers ({', '.join(sorted(optimizers))}) and log an "
        f"ablation (entry {ablation})",
        metrics={"optimizers_compared": float(len(optimizers))},
    )


CHECKS: tuple[Check, ...] = (
    Check(
        name="m3.optimizers",
        description="SGD, Momentum and Adam follow torch.optim step for step",
        probe=_probe_optimizers,
        verdict=_verdict_optimizers,
        params=Params,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m3.variant",
        description="the optimizer named by VARIANT follows torch.optim step for step",
        probe=_probe_variant,
        verdict=_verdict_variant,
        params=Params,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m3.convergence",
        description="the optimizers reduce the loss of a least-squares problem",
        probe=_probe_convergence,
        verdict=_verdict_convergence,
        timeout_s=30,
        memory_mb=1024,
    ),
    Check(
        name="m3.experiments",
        description="experiment entries compare >= 3 optimizers and log an ablation",
        verdict=_verdict_experiments,
    ),
)
