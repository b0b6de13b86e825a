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


class _BlockProbe:
    """The measurements of M6's probe, in the order they draw from one seeded generator."""

    def __init__(self, ctx: ProbeContext, torch: Any) -> None:
        self.torch = torch
        self.ctx = ctx
        self.p = BlockParams.model_validate(dict(ctx.params))
        self.Block = ctx.get(ctx.load(FILE), "TransformerBlock")
        self.gen = torch.Generator().manual_seed(ctx.seed)

    def build(self, **kwargs: Any):  # noqa: ANN201 - the learner's module
        self.torch.manual_seed(self.ctx.seed)
        return self.Block(self.p.d_model, self.p.n_heads, **kwargs)

    def randn(self, *shape: int, dtype: Any = None) -> Any:
        return self.torch.randn(*shape, dtype=dtype, generator=self.gen)

    def shapes(self) -> list:
        torch, D = self.torch, self.p.d_model
        m = self.build(d_ff=self.p.d_ff).eval()
        rows = []
        for b, t in ((self.p.batch, self.p.seq_len), (1, 1), (2, self.p.seq_len + 5)):
            with torch.no_grad():
                out = m(self.randn(b, t, D))
            if not isinstance(out, torch.Tensor):
                rows.append({"input": (b, t, D), "type": type(out).__name__})
                continue
            rows.append({"input": (b, t, D), "shape": tuple(out.shape), "dtype": str(out.dtype).replace("torch.", ""),
                         "finite": bool(torch.isfinite(out).all())})
        return rows

    def jacobian(self) -> dict:
        torch, (B, T, D, F) = self.torch, (self.p.batch, self.p.seq_len, self.p.d_model, self.p.d_ff)
        dtype_used, note = torch.float64, None
        try:
            m = self.build(d_ff=F).to(torch.float64)
            m(self.randn(B, T, D, dtype=torch.float64))
        except Exception as exc:  # noqa: BLE001 - fall back to float32: exact zeros survive there too
            dtype_used, note = torch.float32, f"{type(exc).__name__}: {exc}"[:300]
            m = self.build(d_ff=F)
        m.train()  # dropout is 0 here; train mode exposes batch statistics (BatchNorm)
        x = self.randn(B, T, D, dtype=dtype_used).requires_grad_(True)
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
                u = self.randn(D, dtype=dtype_used)
                (g,) = torch.autograd.grad((out[b, t] * u).sum(), x, retain_graph=True, allow_unused=True)
                if g is not None:
                    norms[b, t] = g.detach().double().norm(dim=-1)
        result["grad_norms"] = norms
        return result

    def gradients(self) -> list:
        m = self.build(d_ff=self.p.d_ff).train()
        out = m(self.randn(2, 5, self.p.d_model))
        (out * self.torch.randn(out.shape, generator=self.gen)).sum().backward()
        return [
            {"name": n, "shape": tuple(q.shape),
             "grad": None if q.grad is None else float(q.grad.detach().abs().max()) if q.numel() else 0.0}
            for n, q in m.named_parameters() if q.requires_grad
        ]

    def counts(self, model: Any) -> dict:
        listing = [(n, tuple(q.shape)) for n, q in model.named_parameters() if q.requires_grad]
        default = self.build()
        return {
            "default": sum(q.numel() for q in default.parameters() if q.requires_grad),
            "d_ff": sum(q.numel() for q in model.parameters() if q.requires_grad),
            "listing": listing,
            "default_listing": [(n, tuple(q.shape)) for n, q in default.named_parameters() if q.requires_grad],
        }

    def determinism(self) -> dict:
        m = self.build(d_ff=self.p.d_ff, dropout=0.5).eval()
        x = self.randn(self.p.batch, self.p.seq_len, self.p.d_model)
        with self.torch.no_grad():
            a, b = m(x), m(x)
        return {"first": a, "second": b}

    def bad_heads(self) -> list:
        bad = []
        for d, h in BAD_HEADS:
            try:
                self.Block(d, h)
                bad.append({"d_model": d, "n_heads": h, "raised": None, "message": ""})
            except Exception as exc:  # noqa: BLE001 - recorded: the verdict wants ValueError
                bad.append({"d_model": d, "n_heads": h, "raised": type(exc).__name__, "message": str(exc)[:200]})
        return bad


def _probe_block(ctx: ProbeContext) -> dict:
    import torch

    # tiny tensors: one thread is fastest, and on a busy machine intra-op threads spin-wait (seen: 100x slower)
    torch.set_num_threads(1)
    probe = _BlockProbe(ctx, torch)
    p = probe.p
    # unguarded: a stub's NotImplementedError, or a block that cannot even run, is reported as an error
    model = probe.build(d_ff=p.d_ff)
    model(probe.randn(p.batch, p.seq_len, p.d_model))
    return {
        "shapes": _attempt(probe.shapes),
        "jacobian": _attempt(probe.jacobian),
        "gradients": _attempt(probe.gradients),
        "counts": _attempt(lambda: probe.counts(model)),
        "eval": _attempt(probe.determinism),
        "bad_heads": probe.bad_heads(),
        "norms": _attempt(lambda: _norm_modules(model, p.d_model, probe.gen, torch)),
    }


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
