"""M10: LoRA, low-rank adapters beside frozen linear layers (torch). See README.md for the contract.

A LoRA layer computes base(x) + (alpha / r) * dropout(x) @ A.T @ B.T with A (r, in_features) random
and B (out_features, r) zero at the start; only A and B are trained.
"""

from __future__ import annotations

import torch
from torch import nn


class LoRALinear(nn.Module):
    """Wraps ``base`` (an nn.Linear) with a trainable rank-r update scaled by alpha / r.

    Freezes base.weight and base.bias (requires_grad=False); keeps ``self.base``; creates the
    nn.Parameters ``self.A`` (r, in_features), random, and ``self.B`` (out_features, r), zeros, in
    the base weight's dtype and device. ``dropout`` applies to the adapter's input in training only.
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        raise NotImplementedError("LoRALinear.__init__: freeze base, create A (r, in) random and B (out, r) zeros")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (..., in_features) -> (..., out_features)."""
        raise NotImplementedError("LoRALinear.forward: base(x) + (alpha / r) * (dropout(x) @ A.T @ B.T)")


def merge(layer: LoRALinear) -> nn.Linear:
    """A new nn.Linear computing what ``layer`` computes in eval mode: weight W + (alpha / r) B @ A, same bias.

    ``layer`` itself is left unchanged.
    """
    raise NotImplementedError("merge: nn.Linear with weight base.weight + (alpha / r) * B @ A and the base's bias")


def apply_lora(model: nn.Module, r: int, alpha: float, targets: list[str], dropout: float = 0.0) -> nn.Module:
    """Replace every nn.Linear of ``model`` whose qualified name matches one of ``targets`` by a
    LoRALinear around it, freeze every other parameter, and return the model (changed in place).

    A target matches a module named ``name`` when ``name == target`` or ``name.endswith("." + target)``
    (peft's rule): "query" matches "blocks.0.attn.query"; "attn.query" too; "uery" matches nothing.
    """
    raise NotImplementedError("apply_lora: freeze everything, then swap each matching nn.Linear for a LoRALinear")


def count_trainable(model: nn.Module) -> int:
    """The number of parameters with requires_grad=True (a tensor shared by two modules counts once)."""
    raise NotImplementedError("count_trainable: sum(p.numel() for p in model.parameters() if p.requires_grad)")
