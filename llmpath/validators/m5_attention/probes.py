"""M5's probes: they call the learner's ``attention.py`` in the sandboxed child and return raw results."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m5_attention.cases import FILE, MASK_SIZES, make_cases


def _probe_attention(ctx: ProbeContext) -> dict:
    import torch

    # tiny tensors: one thread is fastest, and on a busy machine intra-op threads spin-wait (seen: 100x slower)
    torch.set_num_threads(1)
    module = ctx.load(FILE)
    fn = ctx.get(module, "scaled_dot_product_attention")
    results = []
    for i, case in enumerate(make_cases(ctx.seed)):
        q, k, v = (torch.from_numpy(case[x]) for x in "qkv")
        mask = None if case["mask"] is None else torch.from_numpy(case["mask"])
        originals = [t.clone() for t in (q, k, v)] + ([mask.clone()] if mask is not None else [])
        if i == 0:
            # the first call is not guarded: a stub's NotImplementedError (or any crash on plain
            # matrices) is the learner's error, reported as such
            got = fn(q, k, v)
        else:
            try:
                got = fn(q, k, v, mask=mask) if mask is not None else fn(q, k, v)
            except Exception as exc:  # noqa: BLE001 - recorded: the verdict names the likely cause
                results.append({"error": f"{type(exc).__name__}: {exc}"})
                continue
        inputs = (q, k, v) + ((mask,) if mask is not None else ())
        mutated = [n for n, t, o in zip("qkvm", inputs, originals) if not torch.equal(t, o)]
        results.append({"result": _raw_pair(got, torch), "mutated": mutated})
    return {"cases": results}


def _raw_pair(got: Any, torch: Any) -> Any:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return {"type": type(got).__name__, "len": len(got) if isinstance(got, (tuple, list)) else None}
    return [x.detach().cpu() if isinstance(x, torch.Tensor) else {"type": type(x).__name__} for x in got]


def _probe_causal_mask(ctx: ProbeContext) -> dict:
    import torch

    module = ctx.load(FILE)
    fn = ctx.get(module, "causal_mask")
    out = []
    for n in MASK_SIZES:
        m = fn(n)
        if isinstance(m, torch.Tensor):
            out.append({"type": "tensor", "dtype": str(m.dtype).replace("torch.", ""), "value": m.detach().cpu()})
        else:
            out.append({"type": type(m).__name__, "dtype": None, "value": None})
    return {"masks": out}
