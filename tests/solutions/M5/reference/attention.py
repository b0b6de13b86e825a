"""M5 reference: scaled dot-product attention with a bool mask (True = may attend)."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    """q (..., Lq, d), k (..., Lk, d), v (..., Lk, dv) -> out (..., Lq, dv), weights (..., Lq, Lk)."""
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = weights @ v  # (..., Lq, dv)
    return out, weights


def causal_mask(n):
    """(n, n) bool: row i may attend to columns j <= i."""
    return torch.tril(torch.ones(n, n, dtype=torch.bool))
