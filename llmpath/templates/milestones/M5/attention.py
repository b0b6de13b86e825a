"""M5: scaled dot-product attention and the causal mask (torch).

Shapes: `...` is any number of leading batch/head dimensions (possibly none); Lq queries, Lk keys,
d the query/key size, dv the value size. `mask` is a bool tensor broadcastable to (..., Lq, Lk)
where True means "may attend" (the meaning torch.nn.functional.scaled_dot_product_attention uses).
"""

from __future__ import annotations

import torch


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d) with masked scores removed) v.

    q: (..., Lq, d); k: (..., Lk, d); v: (..., Lk, dv); mask: None or bool, broadcastable to
    (..., Lq, Lk). Returns (out (..., Lq, dv), weights (..., Lq, Lk)): each row of weights sums
    to 1 and masked entries are exactly 0. Keep the dtype of the inputs.
    """
    raise NotImplementedError("scaled_dot_product_attention: scores, mask, softmax over keys, weighted sum of values")


def causal_mask(n: int) -> torch.Tensor:
    """A (n, n) bool tensor, True on and below the diagonal: position i may attend to j <= i."""
    raise NotImplementedError("causal_mask: the lower triangle (diagonal included) as a bool tensor")
