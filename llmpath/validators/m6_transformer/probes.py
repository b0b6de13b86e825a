"""M6's probe: it builds the learner's ``TransformerBlock`` in the sandboxed child and measures facts about it."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import ProbeContext
from llmpath.validators.m6_transformer.params import BAD_HEADS, FILE, BlockParams


def _attempt(fn):  # noqa: ANN001, ANN202
    """Run a measurement; a learner exception becomes a record the verdict can report."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}


def _error_of(section: Any) -> str | None:
    """The message of a section that ``_attempt`` recorded as an error (read by the verdict), else None."""
    return section["error"] if isinstance(section, dict) and "error" in section else None


def _probe_block(ctx: ProbeContext) -> dict:
    import torch

    # tiny tensors: one thread is fastest, and on a busy machine intra-op threads spin-wait (seen: 100x slower)
    torch.set_num_threads(1)
    p = BlockParams.model_validate(dict(ctx.params))
    module = ctx.load(FILE)
    Block = ctx.get(module, "TransformerBlock")
    D, H, F, B, T = p.d_model, p.n_heads, p.d_ff, p.batch, p.seq_len
    gen = torch.Generator().manual_seed(ctx.seed)

    def build(**kwargs: Any):  # noqa: ANN202
        torch.manual_seed(ctx.seed)
        return Block(D, H, **kwargs)

    # unguarded: a stub's NotImplementedError, or a block that cannot even run, is reported as an error
    model = build(d_ff=F)
    model(torch.randn(B, T, D, generator=gen))

    raw: dict[str, Any] = {}

    def shapes() -> list:
        m = build(d_ff=F).eval()
        rows = []
        for b, t in ((B, T), (1, 1), (2, T + 5)):
            with torch.no_grad():
                out = m(torch.randn(b, t, D, generator=gen))
            if not isinstance(out, torch.Tensor):
                rows.append({"input": (b, t, D), "type": type(out).__name__})
                continue
            rows.append({"input": (b, t, D), "shape": tuple(out.shape), "dtype": str(out.dtype).replace("torch.", ""),
                         "finite": bool(torch.isfinite(out).all())})
        return rows

    raw["shapes"] = _attempt(shapes)

    def jacobian() -> dict:
        dtype_used, note = torch.float64, None
        try:
            m = build(d_ff=F).to(torch.float64)
            m(torch.randn(B, T, D, dtype=torch.float64, generator=gen))
        except Exception as exc:  # noqa: BLE001 - fall back to float32: exact zeros survive there too
            dtype_used, note = torch.float32, f"{type(exc).__name__}: {exc}"[:300]
            m = build(d_ff=F)
        m.train()  # dropout is 0 here; train mode exposes batch statistics (BatchNorm)
        x = torch.randn(B, T, D, dtype=dtype_used, generator=gen).requires_grad_(True)
        out = m(x)
        if not isinstance(out, torch.Tensor):
            return {"type": type(out).__name__}
        result = {"dtype": str(dtype_used).replace("torch.", ""), "double_error": note,
                  "out_shape": tuple(out.shape), "finite": bool(torch.isfinite(out).all())}
        if tuple(out.shape) != (B, T, D):
            return result
        norms = torch.zeros(B, T, B, T, dtype=torch.float64)
        for b in range(B):
            for t in range(T):
                # one random direction u: u^T J is zero only where the Jacobian block J is (for a generic u).
                # A scalar output also keeps autograd from importing sympy for grad_outputs (0.5 s).
                u = torch.randn(D, dtype=dtype_used, generator=gen)
                (g,) = torch.autograd.grad((out[b, t] * u).sum(), x, retain_graph=True, allow_unused=True)
                if g is not None:
                    norms[b, t] = g.detach().double().norm(dim=-1)
        result["grad_norms"] = norms
        return result

    raw["jacobian"] = _attempt(jacobian)

    def gradients() -> list:
        m = build(d_ff=F).train()
        out = m(torch.randn(2, 5, D, generator=gen))
        (out * torch.randn(out.shape, generator=gen)).sum().backward()
        return [
            {"name": n, "shape": tuple(q.shape),
             "grad": None if q.grad is None else float(q.grad.detach().abs().max()) if q.numel() else 0.0}
            for n, q in m.named_parameters() if q.requires_grad
        ]

    raw["gradients"] = _attempt(gradients)

    def counts() -> dict:
        listing = [(n, tuple(q.shape)) for n, q in model.named_parameters() if q.requires_grad]
        return {
            "default": sum(q.numel() for q in build().parameters() if q.requires_grad),
            "d_ff": sum(q.numel() for q in model.parameters() if q.requires_grad),
            "listing": listing,
        }

    raw["counts"] = _attempt(counts)

    def determinism() -> dict:
        m = build(d_ff=F, dropout=0.5).eval()
        x = torch.randn(B, T, D, generator=gen)
        with torch.no_grad():
            a, b = m(x), m(x)
        return {"first": a, "second": b}

    raw["eval"] = _attempt(determinism)

    bad = []
    for d, h in BAD_HEADS:
        try:
            Block(d, h)
            bad.append({"d_model": d, "n_heads": h, "raised": None, "message": ""})
        except Exception as exc:  # noqa: BLE001 - recorded: the verdict wants ValueError
            bad.append({"d_model": d, "n_heads": h, "raised": type(exc).__name__, "message": str(exc)[:200]})
    raw["bad_heads"] = bad

    raw["norms"] = _attempt(lambda: _norm_modules(model, D, gen, torch))
    return raw


def _norm_modules(model: Any, D: int, gen: Any, torch: Any) -> list:
    """Run each leaf module whose class name mentions "norm" alone on a (2, 4, D) input; perturb one
    token and record which output tokens change (a per-token LayerNorm changes only that token)."""
    import copy

    rows = []
    for name, mod in model.named_modules():
        if "norm" not in type(mod).__name__.lower() or next(mod.children(), None) is not None:
            continue
        rec: dict[str, Any] = {"name": name, "class": type(mod).__name__}
        try:
            m = copy.deepcopy(mod).float().train()
            z = torch.randn(2, 4, D, generator=gen)
            z2 = z.clone()
            z2[1, 3] += torch.randn(D, generator=gen)
            with torch.no_grad():
                y1, y2 = m(z), m(z2)
            rec["changed"] = (y1 != y2).reshape(2, 4, -1).any(dim=-1)
        except Exception as exc:  # noqa: BLE001
            rec["error"] = f"{type(exc).__name__}: {exc}"[:200]
        rows.append(rec)
    return rows
