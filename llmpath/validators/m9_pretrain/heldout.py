"""llmpath's own evaluation of a checkpoint: fresh held-out stories, and nats per target by windows."""

from __future__ import annotations

import math


def fresh_text(seed: int, n_chars: int) -> str:
    """"\\n" then whole stories drawn from ``seed`` (not in any split), about ``n_chars`` characters.

    The leading newline ends an unseen previous story, so the first story's first word is
    predicted from a story boundary, as everywhere else in the stream.
    """
    from llmpath.datasets.corpus import sample_stories

    parts, size = ["\n"], 1
    for story, _nats in sample_stories(1 + n_chars // 120, 0x9_0000 + seed):
        parts.append(story)
        size += len(story)
        if size >= n_chars:
            break
    return "".join(parts)


def plan(n_ids: int, block: int) -> list[tuple[int, int, int]]:
    """Windows (start, length, first new position) of the contract: stride block // 2, new targets only.

    Window ids[s : s + L] predicts ids[s + 1 : s + L + 1]; positions before ``first new`` were
    scored by an earlier window. Every target t gets min(t, block // 2) tokens of context or more.
    """
    stride = max(1, block // 2)
    out, next_target, start = [], 1, 0
    while next_target < n_ids:
        length = min(block, n_ids - 1 - start)
        out.append((start, length, next_target - start - 1))
        next_target = start + 1 + length
        start += stride
    return out


def target_nats(model, ids: list[int], block: int, vocab_size: int, batch: int = 32):
    """(N - 1,) float64 nats of ids[1:], each from its window in ``plan`` (torch, no grad)."""
    import torch

    from llmpath.validators.m9_pretrain.loading import logits

    data = torch.tensor(ids, dtype=torch.long)
    out = torch.zeros(len(ids) - 1, dtype=torch.float64)
    windows = plan(len(ids), block)
    by_length: dict[int, list[tuple[int, int]]] = {}
    for start, length, first in windows:
        by_length.setdefault(length, []).append((start, first))
    with torch.no_grad():
        for length, group in by_length.items():
            for i in range(0, len(group), batch):
                part = group[i : i + batch]
                x = torch.stack([data[s : s + length] for s, _ in part])
                y = torch.stack([data[s + 1 : s + 1 + length] for s, _ in part])
                logp = torch.log_softmax(logits(model, x, vocab_size).double(), dim=-1)
                nll = -logp.gather(-1, y.unsqueeze(-1)).squeeze(-1)  # (B, length)
                for row, (s, first) in enumerate(part):
                    out[s + first : s + length] = nll[row, first:]
    return out.numpy()


def ratio_stats(nats, n_bytes, groups: int = 32) -> tuple[float, float]:
    """Bits per byte of contiguous groups of targets and its standard error (ratio estimator).

    r = sum(nats) / (ln 2 sum(bytes)); se = sqrt(sum((n_g - r' b_g)^2) / (G (G - 1))) / mean(b_g) / ln 2
    with r' in nats per byte (the delta method, as the corpus's floor is estimated).
    """
    import numpy as np

    nats, n_bytes = np.asarray(nats, dtype=np.float64), np.asarray(n_bytes, dtype=np.float64)
    r = float(nats.sum() / n_bytes.sum())
    k = min(groups, len(nats))
    g_nats = np.array([a.sum() for a in np.array_split(nats, k)])
    g_bytes = np.array([b.sum() for b in np.array_split(n_bytes, k)])
    if k < 2:
        return r / math.log(2), 0.0
    se = math.sqrt(float(((g_nats - r * g_bytes) ** 2).sum()) / (k * (k - 1))) / float(g_bytes.mean())
    return r / math.log(2), se / math.log(2)
