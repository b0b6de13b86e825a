"""The trusted reference: torch.optim's trajectory in float64."""

from __future__ import annotations

from typing import Any


def torch_run(kind: str, hp: dict, params0: list, grads: list) -> list:
    """torch.optim's trajectory, through its functional API when this torch has the known signatures.

    ``torch.optim.Adam(...)`` & co. import torch._dynamo on construction (``add_param_group`` is
    wrapped by ``torch._disable_dynamo``), ~1 s per check; the functional ``torch.optim.adam.adam``
    etc. that ``Optimizer.step`` itself calls do not. tests/test_validators_m3.py proves both paths
    give identical trajectories; on a torch whose functional signatures differ we use the classes.
    """
    try:
        return torch_functional_run(kind, hp, params0, grads)
    except (TypeError, AttributeError, ImportError):
        return torch_class_run(kind, hp, params0, grads)


def torch_functional_run(kind: str, hp: dict, params0: list, grads: list) -> list:
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


def torch_class_run(kind: str, hp: dict, params0: list, grads: list) -> list:
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
