"""m10.lora's probe: builds the learner's LoRALinear and apply_lora on llmpath's layers and models, records facts.

It decides nothing: outputs, gradients, shapes and flags go back to the verdict, which recomputes
every expected value from the same seed. Each section runs on its own (a learner exception in one
becomes a record, and the others still run); the first construction is unguarded so that a stub's
NotImplementedError reads as "not implemented".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m10_lora import cases as c

FILE = "lora.py"


def attempt(fn: Callable[[], Any]) -> Any:
    """Run one measurement; a learner exception becomes {"error": ...} for the verdict to report."""
    try:
        return fn()
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        return {"error": f"{type(exc).__name__}: {exc}"[:400]}


def set_ab(layer: Any, A: Any, B: Any) -> bool:
    """Copy known values into layer.A (r, in) and layer.B (out, r); True when they are stored transposed."""
    import torch

    a, b = layer.A, layer.B
    with torch.no_grad():
        if tuple(a.shape) == tuple(A.shape) and tuple(b.shape) == tuple(B.shape):
            a.copy_(A)
            b.copy_(B)
            return False
        if tuple(a.shape) == tuple(A.T.shape) and tuple(b.shape) == tuple(B.T.shape):
            a.copy_(A.T)
            b.copy_(B.T)
            return True
    raise ValueError(
        f"A has shape {tuple(a.shape)} and B {tuple(b.shape)}; expected A {tuple(A.shape)}, B {tuple(B.shape)}"
    )


def sgd_step(params: Any, lr: float) -> None:
    """One plain SGD step, p -= lr * p.grad, over every parameter that has a gradient.

    Written out rather than torch.optim.SGD: the first step of a torch.optim optimizer imports
    torch._dynamo (seconds of start-up for a probe that otherwise takes milliseconds).
    """
    import torch

    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad


def _grad(p: Any) -> Any:
    return None if p.grad is None else p.grad.detach().clone()


def _layer(LoRALinear: type, merge: Callable, t: dict) -> dict:
    """A fresh layer on (3, 5, 12) inputs: identity at start, frozen base, gradients, one SGD step, a merge."""
    import torch
    from torch.nn import functional as F

    base = c.linear(t["W"], t["b"])
    weight, bias = base.weight, base.bias  # the judge's own Parameter objects, whatever the layer does with them
    layer = LoRALinear(base, c.R, c.ALPHA)
    rec: dict[str, Any] = {"attrs": [n for n in ("A", "B", "base") if hasattr(layer, n)]}
    if not {"A", "B"} <= set(rec["attrs"]):
        return rec
    A, B = layer.A, layer.B
    rec.update(
        A_shape=tuple(A.shape),
        B_shape=tuple(B.shape),
        dtype=str(A.dtype).replace("torch.", ""),
        A=A.detach().clone(),
        B=B.detach().clone(),
        trainable=[(n, tuple(p.shape)) for n, p in layer.named_parameters() if p.requires_grad],
        weight_trainable=weight.requires_grad,
        bias_trainable=bias.requires_grad,
        base_out=F.linear(t["x"], t["W"], t["b"]),
    )

    def train_step() -> dict:
        out = layer(t["x"])
        (out * t["G"]).sum().backward()
        step = {"out": out.detach(), "A_grad": _grad(A), "B_grad": _grad(B), "weight_grad": _grad(weight)}
        sgd_step(layer.parameters(), lr=0.5)
        with torch.no_grad():
            step.update(
                weight_same=bool(torch.equal(weight, t["W"])),
                bias_same=bool(torch.equal(bias, t["b"])),
                A_after=A.detach().clone(),
                B_after=B.detach().clone(),
                out_after=layer(t["x"]),
            )
        return step

    rec["step"] = attempt(train_step)
    rec["merge"] = attempt(lambda: _merge(layer, merge, t["x"]))
    return rec


def _merge(layer: Any, merge: Callable, x: Any) -> dict:
    import torch
    from torch import nn

    with torch.no_grad():
        before = layer(x)
        merged = merge(layer)
        rec: dict[str, Any] = {
            "type": type(merged).__name__,
            "is_linear": isinstance(merged, nn.Linear),
            "before": before,
        }
        if rec["is_linear"]:
            rec.update(
                weight=merged.weight.detach().clone(),
                out=merged(x),
                layer_after=layer(x),
                bias=None if merged.bias is None else merged.bias.detach().clone(),
            )
    return rec


def _known(LoRALinear: type, merge: Callable, t: dict) -> dict:
    """Known A and B on a square layer: the update and the merge; the same in float32."""
    import torch

    layer = LoRALinear(c.linear(t["W2"], t["b2"]), c.R, c.ALPHA)
    rec: dict[str, Any] = {"transposed": set_ab(layer, t["A2"], t["B2"])}
    with torch.no_grad():
        rec["out"] = layer(t["x2"])
    rec["merge"] = attempt(lambda: _merge(layer, merge, t["x2"]))

    def float32() -> dict:
        t32 = {k: v.float() for k, v in t.items() if v.is_floating_point()}
        layer32 = LoRALinear(c.linear(t32["W2"], t32["b2"]), c.R, c.ALPHA)
        set_ab(layer32, t32["A2"], t32["B2"])
        return _merge(layer32, merge, t32["x2"])

    rec["float32"] = attempt(float32)
    return rec


def _dropout(LoRALinear: type, t: dict, seed: int) -> dict:
    """dropout=0.5: none in eval mode, some in train mode, and never on the base layer's path."""
    import torch

    layer = LoRALinear(c.linear(t["W3"], t["b3"]), c.R, c.ALPHA, dropout=c.DROPOUT)
    set_ab(layer, t["A3"], t["B3"])
    with torch.no_grad():
        layer.eval()
        rec = {"eval": [layer(t["x"]), layer(t["x"])]}
        layer.train()
        torch.manual_seed(seed)
        rec["train"] = [layer(t["x"]), layer(t["x"])]
        layer.B.zero_()
        rec["train_b0"] = layer(t["x"])
    return rec


def _apply(LoRALinear: type, apply_lora: Callable, count: Callable, t: dict, seed: int) -> dict:
    """apply_lora on llmpath's toy model: which layers were wrapped, what trains, one optimizer step."""
    import torch
    from torch import nn
    from torch.nn.utils import parametrize

    model = c.toy_model(seed)
    originals = {n: (p, p.detach().clone()) for n, p in model.named_parameters()}
    with torch.no_grad():
        before = model(t["idx"])
    torch.manual_seed(seed + 1)
    returned = apply_lora(model, c.TOY_R, c.TOY_ALPHA, list(c.TARGETS))
    model = model if returned is None else returned
    kinds: dict[str, str] = {}
    adapter_ids: set[int] = set()
    for name, *_ in c.toy_linears():
        try:
            m = model.get_submodule(name)
        except AttributeError:
            kinds[name] = "missing"
            continue
        if isinstance(m, LoRALinear):
            kinds[name] = "lora"
            adapter_ids |= {id(getattr(m, "A", None)), id(getattr(m, "B", None))}
        elif type(m) is nn.Linear and not parametrize.is_parametrized(m):
            kinds[name] = "linear"
        else:
            kinds[name] = type(m).__name__ + (" (parametrized)" if parametrize.is_parametrized(m) else "")
    rec: dict[str, Any] = {
        "returned_none": returned is None,
        "kinds": kinds,
        "trainable": [(n, p.numel(), id(p) in adapter_ids) for n, p in model.named_parameters() if p.requires_grad],
    }
    with torch.no_grad():
        rec["fresh_diff"] = float((model(t["idx"]) - before).abs().max())
    rec["count"] = attempt(lambda: int(count(model)))

    def step() -> dict:
        out = model(t["idx"])
        (out * t["Gt"]).sum().backward()
        sgd_step(model.parameters(), lr=0.5)
        changed = sorted(n for n, (p, old) in originals.items() if not torch.equal(p, old))
        with torch.no_grad():
            moved = float((model(t["idx"]) - before).abs().max())
        return {"changed": changed, "moved": moved}

    rec["step"] = attempt(step)
    return rec


def probe_lora(ctx: ProbeContext) -> dict:
    import torch

    torch.set_num_threads(1)  # tiny tensors: one thread is fastest, and never spins on a busy machine
    module = ctx.load(FILE)
    LoRALinear = ctx.get(module, "LoRALinear")
    apply_lora, count, merge = (ctx.get(module, n) for n in ("apply_lora", "count_trainable", "merge"))
    t = {k: torch.from_numpy(v) for k, v in c.tensors(ctx.seed).items()}
    torch.manual_seed(ctx.seed)
    LoRALinear(c.linear(t["W"], t["b"]), c.R, c.ALPHA)  # unguarded: a stub says "not implemented" here
    return {
        "layer": attempt(lambda: _layer(LoRALinear, merge, t)),
        "known": attempt(lambda: _known(LoRALinear, merge, t)),
        "dropout": attempt(lambda: _dropout(LoRALinear, t, ctx.seed)),
        "apply": attempt(lambda: _apply(LoRALinear, apply_lora, count, t, ctx.seed)),
        "count_tied": attempt(lambda: int(count(c.tied_model()))),
    }
