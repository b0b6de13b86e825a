"""The contract's exact numbers for a text, the conventions accepted, and what rejected ones give.

Contract (README of M9): the targets are ids[1..N-1]; target t is scored once, from a window that
gives it min(t, block_size // 2) tokens of context or more; loss = total nats / (N - 1);
perplexity = exp(loss); bits_per_byte = total nats / (ln 2 * UTF-8 bytes of the text).

Accepted, each computed exactly on the learner's own windows, because it differs from the contract
by one token's share, which vanishes as the text grows (well-known evaluation code does these):
* N in the denominator instead of N - 1 (the unpredicted first token counted);
* the first token scored too, after a prepended end-of-text token (GPT-2's convention; N targets);
* a popular perplexity guide's strided loop, which multiplies each window's mean by its target
  length and divides by N: the first window's mean is counted once too many;
* bits per byte over the predicted tokens' bytes only (the first token's bytes left out).
Tolerance: 1e-4 relative (float32 logits and sums of < 2,000 terms err by < 1e-5).
Rejected, and named when one reproduces the learner's number: bits instead of nats, per-window
perplexities averaged, characters or tokens instead of bytes, ln 2 missing or doubled, overlapping
windows counted twice, too little context (windows cut without overlap), padding scored, a mean of
per-window means, random batches, targets never predicted.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from llmpath.validators.m9_pretrain.windows import Located, scored_positions

if TYPE_CHECKING:
    import numpy as np

LN2 = math.log(2)
RTOL = 1e-4


@dataclasses.dataclass(frozen=True)
class Exact:
    loss: float
    perplexity: float
    bits_per_byte: float
    total: float  # nats over the N - 1 targets
    nats: np.ndarray  # (N,) per target; [0] unused
    n_ids: int
    n_bytes: int
    n_chars: int
    first_bytes: int  # bytes of ids[0], the token that is not predicted


def target_nats(ids: np.ndarray, warm: int, bigram, unigram) -> np.ndarray:
    """(N,) nats of each target under the contract (index 0 unused: ids[0] is not a target)."""
    import numpy as np

    out = np.zeros(len(ids))
    t = np.arange(1, len(ids))
    with_context = -bigram[ids[:-1], ids[1:]].astype(np.float64)
    without = -unigram[ids[1:]].astype(np.float64)
    out[1:] = np.where(t >= warm, with_context, without)  # target t has min(t, warm) tokens of context
    return out


def exact(text: str, ids: np.ndarray, warm: int, bigram, unigram, first_bytes: int) -> Exact:
    nats = target_nats(ids, warm, bigram, unigram)
    total = float(nats.sum())
    n, n_bytes = len(ids), len(text.encode("utf-8"))
    loss = total / (n - 1)
    return Exact(loss, math.exp(loss), total / (LN2 * n_bytes), total, nats, n, n_bytes, len(text), first_bytes)


def first_cover(loc: Located, warm: int, bigram, unigram) -> list[tuple[float, int]]:
    """Per window (in call order): (nats, count) of the targets no earlier window had."""
    import numpy as np

    seen: set[int] = set()
    out = []
    for target, _context, nats in scored_positions(loc, warm, bigram, unigram):
        new = np.array([t >= 0 and int(t) not in seen for t in target], dtype=bool)
        seen.update(int(t) for t in target[new])
        out.append((float(nats[new].sum()), int(new.sum())))
    return out


def windowing_facts(loc: Located, warm: int, bigram, unigram) -> dict:
    """How the learner's windows cover the targets: never predicted, or with too little context."""
    import numpy as np

    n = len(loc.stream)
    first = 2 if loc.bos is not None else 1  # the text's own first token is ids[0]
    best = np.zeros(n, dtype=np.int64)  # the most context any window gives each target
    for target, context, _ in scored_positions(loc, warm, bigram, unigram):
        real = target >= 0
        np.maximum.at(best, target[real], context[real])
    need = np.minimum(np.arange(n), warm)  # target t needs min(t, warm); a prepended token counts as context
    uncovered = [t for t in range(first, n) if best[t] == 0]
    starved = [t for t in range(1, n) if 0 < best[t] < need[t]]
    return {"uncovered": uncovered, "starved": starved, "best": best, "need": need}


def accepted(ex: Exact, loc: Located, facts: dict, warm: int, bigram, unigram) -> tuple[dict, dict]:
    """({name: loss}, {name: bits per byte}) of the contract and the accepted conventions."""
    n, nbytes = ex.n_ids, ex.n_bytes
    totals = {"the contract": ex.total}
    losses = {"the contract": ex.total / (n - 1), "N in the denominator (one token's share)": ex.total / n}
    first = loc.windows[0] if loc.windows else None
    if first is not None and first.start == 0 and loc.bos is None and len(first.row) > 1:
        m1 = float(ex.nats[1 : len(first.row)].mean())  # the first window's mean, counted once too many
        totals["the strided loop of a popular perplexity guide"] = ex.total + m1
        losses["the strided loop of a popular perplexity guide"] = (ex.total + m1) / n
    if loc.bos is not None and not facts["uncovered"] and not facts["starved"]:
        total = sum(s for s, _ in first_cover(loc, warm, bigram, unigram))
        totals["the first token scored after a prepended token"] = total
        losses["the first token scored after a prepended token"] = total / n
    bpbs = {}
    for name, total in totals.items():
        bpbs[name] = total / (LN2 * nbytes)
        bpbs[f"{name}, over the predicted tokens' bytes"] = total / (LN2 * (nbytes - ex.first_bytes))
    return losses, bpbs


def rejected(ex: Exact, loc: Located, facts: dict, warm: int, bigram, unigram) -> dict[str, float]:
    """Loss (nats per token) each rejected way of scoring the learner's own windows would give."""
    import numpy as np

    n_targets = ex.n_ids - 1
    out: dict[str, float] = {"bits": ex.loss / LN2}
    per_window = scored_positions(loc, warm, bigram, unigram)
    fc = [(s, c) for s, c in first_cover(loc, warm, bigram, unigram) if c]
    if fc:
        total = sum(s for s, _ in fc)
        out["first"] = total / n_targets
        out["first/scored"] = total / sum(c for _, c in fc)
        out["mean of window means"] = float(np.mean([s / c for s, c in fc]))
    real = [(float(nats[t >= 0].sum()), int((t >= 0).sum())) for t, _, nats in per_window]
    real = [(s, c) for s, c in real if c]
    if sum(c for _, c in real) > sum(c for _, c in fc):  # some target is in several windows
        out["all"] = sum(s for s, _ in real) / sum(c for _, c in real)
        out["all/targets"] = sum(s for s, _ in real) / n_targets
        out["mean of window means (all)"] = float(np.mean([s / c for s, c in real]))
    if loc.padded:
        pads = [(float(nats.sum()), len(nats)) for _, _, nats in per_window if len(nats)]
        out["pads"] = sum(s for s, _ in pads) / sum(c for _, c in pads)
        out["pads/targets"] = sum(s for s, _ in pads) / n_targets
    return out


def window_perplexities(loc: Located, warm: int, bigram, unigram) -> float | None:
    """The mean over the learner's windows of exp(mean nats of the window's new targets)."""
    ppl = [math.exp(s / c) for s, c in first_cover(loc, warm, bigram, unigram) if c]
    return sum(ppl) / len(ppl) if ppl else None


def nearest(values: dict[str, float], got: float, rtol: float, first_wins: bool = False) -> str | None:
    """The name whose value is closest to ``got`` (relative), if within ``rtol``.

    ``first_wins``: the first name within ``rtol`` (so the contract is named when it matches).
    """
    scored = [(abs(v - got) / max(abs(v), 1e-12), name) for name, v in values.items()]
    if first_wins:
        return next((name for d, name in scored if d <= rtol), None)
    best = min(scored, default=None)
    return best[1] if best is not None and best[0] <= rtol else None
