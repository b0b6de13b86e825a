"""The known-loss model of ``m9.metrics``: a bigram table that needs ``warm`` tokens of context.

At window position p (0-based) the model predicts the next token from the token at p alone:
with the smoothed bigram table P(b | a) when p >= warm - 1 (the position has at least ``warm``
tokens of context), with the unigram P(b) before that (too little context: it does not use it).
So the loss of every target is known exactly for any windowing, and an evaluation that gives a
token less context than the contract's rule scores it with the unigram, which shows.

The model behaves like a learner's GPT where the contract needs it to: ``forward(idx (B, T))``
returns logits (B, T, V); a window longer than ``block_size`` raises; its logits pass through
dropout (p = 0.5) in train mode; it records every call (windows, train mode) for the diagnosis.
"""

from __future__ import annotations

import functools
from typing import Any

SMOOTHING = 20.0  # pseudo-counts toward the unigram in each row of the bigram table
DROPOUT = 0.5


def tables(train_ids, vocab_size: int):
    """(bigram log-probs (V, V), unigram log-probs (V,)) as float32, counted on ``train_ids``.

    Float32 because the model's logits are float32; the verdict reads the same rounded numbers
    back in float64, so its exact losses are the model's own to ~1e-7 relative.
    """
    import numpy as np

    ids = np.asarray(train_ids, dtype=np.int64)
    uni = np.bincount(ids, minlength=vocab_size).astype(np.float64) + 1.0  # add-one: every token possible
    uni /= uni.sum()
    pairs = np.zeros((vocab_size, vocab_size))
    np.add.at(pairs, (ids[:-1], ids[1:]), 1.0)
    bigram = (pairs + SMOOTHING * uni[None, :]) / (pairs.sum(1, keepdims=True) + SMOOTHING)
    return np.log(bigram).astype(np.float32), np.log(uni).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _model_class() -> Any:
    import torch
    from torch import nn

    class KnownLossModel(nn.Module):
        """A bigram-table language model with a warm-up; see the module's docstring."""

        def __init__(self, bigram, unigram, block_size: int, warm: int) -> None:
            super().__init__()
            self.block_size = block_size
            self.warm = warm
            self.register_buffer("bigram", torch.from_numpy(bigram))
            self.register_buffer("unigram", torch.from_numpy(unigram))
            self.scale = nn.Parameter(torch.ones(()))  # a parameter, so next(model.parameters()) works
            self.drop = nn.Dropout(DROPOUT)
            self.calls: list[dict] = []

        def forward(self, idx: torch.Tensor) -> torch.Tensor:
            if not isinstance(idx, torch.Tensor) or idx.dim() != 2:
                shape = tuple(idx.shape) if isinstance(idx, torch.Tensor) else type(idx).__name__
                raise ValueError(f"the model takes idx of shape (B, T); got {shape}")
            T = idx.shape[1]
            self.calls.append({"windows": idx.detach().cpu().long().numpy().copy(), "training": self.training})
            if T > self.block_size:
                raise ValueError(f"a window of {T} tokens is longer than block_size={self.block_size}")
            if T == 0:
                raise ValueError("an empty window (T = 0)")
            logits = self.bigram[idx]  # (B, T, V)
            early = min(T, self.warm - 1)  # positions with fewer than warm tokens of context
            if early > 0:
                logits = torch.cat([self.unigram.expand(idx.shape[0], early, -1), logits[:, early:]], dim=1)
            return self.drop(logits * self.scale)

    return KnownLossModel


def known_model(bigram, unigram, block_size: int, warm: int):
    """A fresh KnownLossModel in train mode (the learner's evaluate must switch to eval mode)."""
    model = _model_class()(bigram, unigram, block_size, warm)
    model.train()
    return model
