"""M6: a transformer block (torch): causal multi-head self-attention + MLP, residuals, LayerNorm.

B batch, T sequence length, d_model the model width, n_heads heads of size d_model // n_heads.
"""

from __future__ import annotations

import torch
from torch import nn


class TransformerBlock(nn.Module):
    """One pre-norm (or post-norm) decoder block.

    d_ff: the MLP's hidden size, 4 * d_model when None. Raise ValueError when d_model is not
    divisible by n_heads. Position t of the output may depend only on positions <= t of the
    same sequence.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int | None = None, dropout: float = 0.0) -> None:
        super().__init__()
        raise NotImplementedError(
            "TransformerBlock.__init__: check d_model % n_heads, then create LayerNorms, the q/k/v and output "
            "projections, the MLP and dropout"
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, T, d_model) -> (B, T, d_model)."""
        raise NotImplementedError(
            "TransformerBlock.forward: x + attention(norm(x)), then x + mlp(norm(x)), causally masked"
        )
