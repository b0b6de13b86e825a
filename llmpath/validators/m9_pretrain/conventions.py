"""The contract's exact numbers for a text, the tolerance, and what popular conventions give instead.

Contract (README of M9): the targets are ids[1..N-1]; target t is scored once, from a window that
gives it min(t, block_size // 2) tokens of context or more; loss = total nats / (N - 1);
perplexity = exp(loss); bits_per_byte = total nats / (ln 2 * UTF-8 bytes of the text).

Accepted within the tolerance, because each differs from the contract by one token's share and
vanishes as the text grows (they are what well-known evaluation code does):
* the first token scored too, from a prepended end-of-text token (N targets; GPT-2's convention);
* the strided loop of a popular perplexity guide that counts each window's mean loss times its
  target length and divides by the token count, which miscounts one target;
* bits per byte over the predicted tokens' bytes only (the first token's bytes left out).
So the tolerance is one token's share: |d loss| <= l_max / (N - 1) and |d bpb| <= l_max / (ln 2 *
bytes) + bpb * b_max / (bytes - b_max), where l_max is the largest nats the model gives any target
of the text (with or without context, or the first token after any token) and b_max the most
bytes of one token; plus 1e-5 relative for float32 arithmetic. Rejected, and named when they
reproduce the learner's number: per-window perplexities averaged, bits instead of nats, characters
or tokens instead of bytes, overlapping windows counted twice, too little context (windows cut
without overlap), padding scored, a mean of per-window means, and random batches.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from llmpath.validators.m9_pretrain.windows import Located, scored_positions

if TYPE_CHECKING:
    import numpy as np

LN2 = math.log(2)
FLOAT_RTOL = 1e-5  # float32 logits, log-softmax and sums over < 2,000 targets


@dataclasses.dataclass(frozen=True)
class Exact:
    loss: float
    perplexity: float
    bits_per_byte: float
    total: float  # nats over the N - 1 targets
    n_ids: int
    n_bytes: int
    n_chars: int
    tol_loss: float
    tol_bpb: float


def target_nats(ids: np.ndarray, warm: int, bigram: np.ndarray, unigram: np.ndarray) -> np.ndarray:
    """(N,) nats of each target under the contract (index 0 unused: ids[0] is not a target)."""
    import numpy as np

    out = np.zeros(len(ids))
    t = np.arange(1, len(ids))
    with_context = -bigram[ids[:-1], ids[1:]].astype(np.float64)
    without = -unigram[ids[1:]].astype(np.float64)
    out[1:] = np.where(t >= warm, with_context, without)  # target t has min(t, warm) tokens of context
    return out


def exact(text: str, ids: np.ndarray, warm: int, bigram, unigram, token_bytes: list[int]) -> Exact:
    nats = target_nats(ids, warm, bigram, unigram)
    total = float(nats.sum())
    n, n_bytes = len(ids), len(text.encode("utf-8"))
    loss = total / (n - 1)
    bpb = total / (LN2 * n_bytes)
    worst = max(
        float((-bigram[ids[:-1], ids[1:]]).max()),
        float((-unigram[ids[1:]]).max()),
        float((-bigram[:, ids[0]]).max()),  # the first token after any prepended token
        float(-unigram[ids[0]]),
    )
    b_max = max(token_bytes)
    return Exact(
        loss=loss,
        perplexity=math.exp(loss),
        bits_per_byte=bpb,
        total=total,
        n_ids=n,
        n_bytes=n_bytes,
        n_chars=len(text),
        tol_loss=worst / (n - 1) + FLOAT_RTOL * loss,
        tol_bpb=worst / (LN2 * n_bytes) + bpb * b_max / (n_bytes - b_max) + FLOAT_RTOL * bpb,
    )


def windowing_facts(loc: Located, warm: int, bigram, unigram) -> dict:
    """How the learner's windows cover the targets: coverage, least context, padding, prepended token."""
    import numpy as np

    n = len(loc.stream)
    first = 2 if loc.bos is not None else 1  # the text's own first token is ids[0]
    best = np.zeros(n, dtype=np.int64)  # the most context any window gives each target
    for target, context, _ in scored_positions(loc, warm, bigram, unigram):
        real = target >= 0
        np.maximum.at(best, target[real], context[real])
    need = np.minimum(np.arange(n) - (first - 1), warm)
    uncovered = [t for t in range(first, n) if best[t] == 0]
    starved = [t for t in range(first, n) if 0 < best[t] < need[t]]
    return {"uncovered": uncovered, "starved": starved, "best": best, "need": need}


def candidates(loc: Located, warm: int, bigram, unigram, n_targets: int) -> dict[str, float]:
    """Loss (nats per token) each way of scoring the learner's own windows would give."""
    import numpy as np

    per_window = scored_positions(loc, warm, bigram, unigram)
    out: dict[str, float] = {}
    seen: set[int] = set()
    first_sums, first_counts = [], []
    for target, _context, nats in per_window:  # each target once, in the first window that has it
        new = np.array([t >= 0 and t not in seen for t in target], dtype=bool)
        seen.update(int(t) for t in target[new])
        first_sums.append(float(nats[new].sum()))
        first_counts.append(int(new.sum()))
    all_real = [(nats[target >= 0].sum(), int((target >= 0).sum())) for target, _, nats in per_window]
    with_pads = [(nats.sum(), len(nats)) for _, _, nats in per_window]
    total_first, count_first = sum(first_sums), sum(first_counts)
    if count_first:
        out["first"] = total_first / max(n_targets, 1)
        out["first/scored"] = total_first / count_first
        means = [s / c for s, c in zip(first_sums, first_counts, strict=True) if c]
        out["mean of window means"] = float(np.mean(means))
    real_count = sum(c for _, c in all_real)
    if real_count:
        out["all"] = sum(s for s, _ in all_real) / real_count
        out["all/targets"] = sum(s for s, _ in all_real) / max(n_targets, 1)
        out["mean of window means (all)"] = float(np.mean([s / c for s, c in all_real if c]))
    pad_count = sum(c for _, c in with_pads)
    if loc.padded and pad_count:
        out["pads"] = sum(s for s, _ in with_pads) / pad_count
        out["pads/targets"] = sum(s for s, _ in with_pads) / max(n_targets, 1)
    return out


def window_perplexities(loc: Located, warm: int, bigram, unigram) -> float | None:
    """The mean over the learner's windows of exp(mean nats of the window's new targets)."""
    import numpy as np

    seen: set[int] = set()
    ppl = []
    for target, _context, nats in scored_positions(loc, warm, bigram, unigram):
        new = np.array([t >= 0 and t not in seen for t in target], dtype=bool)
        seen.update(int(t) for t in target[new])
        if new.any():
            ppl.append(math.exp(float(nats[new].mean())))
    return float(np.mean(ppl)) if ppl else None
