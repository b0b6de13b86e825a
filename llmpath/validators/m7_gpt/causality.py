"""m7.causality: the logits at position t never change when a later token changes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from llmpath.validators.api import BadOutput, ProbeContext, Verdict, VerdictContext
from llmpath.validators.m7_gpt.loading import _logits, _OneThread, _Problem, _problem, _problem_verdict


class CausalityParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    vocab_size: int = 48
    block_size: int = 16
    n_layer: int = 2
    n_head: int = 2
    d_model: int = 32
    lengths: tuple[int, ...] = (16, 11)  # a full block and a shorter sequence
    weight_std: float = 0.3  # parameters are redrawn so every path carries an O(1) signal


def _probe_causality(ctx: ProbeContext) -> dict:
    with _OneThread():
        return _probe_causality_inner(ctx)


def _probe_causality_inner(ctx: ProbeContext) -> dict:
    import torch

    p = CausalityParams.model_validate(ctx.params)
    GPT = ctx.get(ctx.load("model.py"), "GPT")
    torch.manual_seed(ctx.seed)
    model = GPT(
        vocab_size=p.vocab_size,
        block_size=p.block_size,
        n_layer=p.n_layer,
        n_head=p.n_head,
        d_model=p.d_model,
        dropout=0.0,
    )
    model.eval()
    with torch.no_grad():
        # whatever the learner's initialisation (zeros, tiny std), make the signal clearly visible
        for param in model.parameters():
            param.copy_(torch.randn_like(param) * p.weight_std)
    gen = torch.Generator().manual_seed(ctx.seed)
    out: dict[str, Any] = {"runs": []}
    with torch.no_grad():
        for T in p.lengths:
            idx = torch.randint(p.vocab_size, (2, T), generator=gen)
            try:
                base = _logits(model, idx, p.vocab_size)
            except _Problem as exc:
                return _problem(exc)
            diffs = torch.zeros(T, T, dtype=torch.float64)  # [t, s]: change at position t when token s changes
            for s in range(T):
                other = idx.clone()
                other[:, s] = (other[:, s] + torch.randint(1, p.vocab_size, (2,), generator=gen)) % p.vocab_size
                diffs[:, s] = (_logits(model, other, p.vocab_size) - base).abs().amax(dim=(0, 2)).double()
            out["runs"].append({"T": T, "diffs": diffs.numpy(), "scale": float(base.abs().max())})
    return out


def _verdict_causality(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    if (v := _problem_verdict(raw, "GPT.forward")) is not None:
        return v
    p = ctx.params
    config = (
        f"GPT(vocab_size={p.vocab_size}, block_size={p.block_size}, n_layer={p.n_layer}, n_head={p.n_head}, "
        f"d_model={p.d_model}) with N(0, {p.weight_std}^2) weights"
    )
    checked = []
    for run in raw.get("runs", []):
        T = int(run["T"])
        diffs = np.asarray(run["diffs"], dtype=np.float64)
        if diffs.shape != (T, T):
            raise BadOutput(f"dependency matrix of shape {diffs.shape}, expected ({T}, {T})")
        # float32 logits recomputed on identical shapes: unchanged positions differ by 0 (or a few ulps)
        tol = 1e-4 * max(1.0, float(run["scale"]))
        future = np.triu(diffs, k=1) > tol  # [t, s] with s > t
        if future.any():
            ts, ss = np.nonzero(future)
            offsets = sorted(set((ss - ts).tolist()))
            t0, s0 = int(ts[0]), int(ss[0])
            if offsets[0] == 1 and offsets[-1] <= p.n_layer < T - 1:
                # one step ahead per layer: layer 2 reads position t+1, which already read t+2
                diagnosis = (
                    "off-by-one in the causal mask: each position also sees the next token, and through "
                    f"{p.n_layer} layers up to {p.n_layer} tokens ahead (tril with diagonal=1, or a mask shifted "
                    "by one)"
                )
            elif future.sum() == T * (T - 1) // 2:
                diagnosis = (
                    "no causal mask: every position sees every later token (is the mask applied to the scores "
                    "before the softmax, and the softmax taken over the keys, dim=-1?)"
                )
            else:
                diagnosis = (
                    "the mask lets some positions see later tokens (softmax over the wrong axis, or a mask of the "
                    "wrong size?)"
                )
            return Verdict.failed(
                f"forward is not causal: changing token {s0} changed the logits at position {t0} by "
                f"{diffs[t0, s0]:.3g}",
                f"{int(future.sum())} of {T * (T - 1) // 2} (position, later token) pairs leak, at distances "
                f"{offsets[:8]}",
                f"input: 2 random sequences of length T={T}; {config}; tolerance {tol:.1e}",
                diagnosis=diagnosis,
            )
        own = np.diag(diffs) > tol
        if not own.all():
            t0 = int(np.nonzero(~own)[0][0])
            return Verdict.failed(
                f"the logits at position {t0} do not depend on the token at position {t0}",
                f"input: 2 random sequences of length T={T}; {config}",
                diagnosis="the mask also hides the current token (tril with diagonal=-1?), or the embeddings are "
                "not used",
            )
        checked.append(T)
    if not checked:
        raise BadOutput("no sequences were checked")
    return Verdict.passed(
        f"the logits at position t never change when a later token changes (T = {', '.join(map(str, checked))})",
        f"each token changed in turn on 2 random sequences; {config}",
    )
