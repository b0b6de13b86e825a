"""Variant: pre-norm with nn.MultiheadAttention, no biases anywhere, an additive -1e9 causal mask."""

import torch
from torch import nn


class TransformerBlock(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_ff: int | None = None, dropout: float = 0.0):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(f"{n_heads} heads do not divide d_model={d_model}")
        d_ff = d_ff if d_ff is not None else 4 * d_model
        self.ln_1 = nn.LayerNorm(d_model, bias=False)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, bias=False, batch_first=True)
        self.ln_2 = nn.LayerNorm(d_model, bias=False)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, d_ff, bias=False), nn.GELU(), nn.Linear(d_ff, d_model, bias=False), nn.Dropout(dropout)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.size(1)
        # nn.MultiheadAttention's float mask is added to the scores: -1e9 above the diagonal
        mask = torch.full((T, T), -1e9, dtype=x.dtype, device=x.device).triu(1)
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))
