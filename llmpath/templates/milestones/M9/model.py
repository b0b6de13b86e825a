"""M9: your GPT. Replace this file with your milestones/M7/model.py (the judge imports it from here).

The contract is M7's: GPT(vocab_size, block_size, n_layer, n_head, d_model, dropout=0.0),
forward(idx (B, T)) -> logits (B, T, vocab_size), generate(idx, max_new_tokens, temperature, top_k).
vocab_size is now your tokenizer's: 256 bytes + one id per merge.
"""

from __future__ import annotations

import torch
from torch import nn


class GPT(nn.Module):
    """Token + position embeddings, n_layer causal transformer blocks, a final LayerNorm and a
    linear head to vocabulary logits.

    `train.py` saves these constructor arguments as checkpoint["config"]; the judge rebuilds the
    model with GPT(**config) and loads checkpoint["model"] into it.
    """

    def __init__(
        self, vocab_size: int, block_size: int, n_layer: int, n_head: int, d_model: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        raise NotImplementedError("GPT.__init__: embeddings (vocab_size and block_size rows), blocks, final norm, head")

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx: (B, T) long token ids -> logits (B, T, V) for the next token at every position."""
        raise NotImplementedError("GPT.forward: embed tokens and positions, run the blocks, norm, project to logits")

    @torch.no_grad()
    def generate(
        self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None
    ) -> torch.Tensor:
        """Extend idx (B, T) by sampling max_new_tokens tokens -> (B, T + max_new_tokens).

        At each step use the last block_size tokens as context, take the logits of the last
        position divided by temperature, keep the top_k largest when top_k is set, and sample.
        """
        raise NotImplementedError("GPT.generate: crop the context, scale the last logits, optional top-k, sample, append")
