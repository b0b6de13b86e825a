"""M10: LoRA, low-rank adapters around frozen linear layers (torch).

A LoRA layer computes base(x) + (alpha / r) * x A^T B^T with A (r, in_features) and
B (out_features, r); only A and B are trained.
"""

from __future__ import annotations

import torch
from torch import nn


class LoRALinear(nn.Module):
    """Wraps `base` (an nn.Linear, frozen) with a trainable rank-r update scaled by alpha / r.

    B starts at zero, so a fresh LoRALinear computes exactly what `base` does.
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float) -> None:
        super().__init__()
        raise NotImplementedError(
            "LoRALinear.__init__: keep base (requires_grad False), create A (r, in) random and B (out, r) zeros"
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (..., in_features) -> (..., out_features)."""
        raise NotImplementedError("LoRALinear.forward: base(x) + (alpha / r) * (x @ A.T @ B.T)")


def apply_lora(model: nn.Module, r: int, alpha: float, targets: list[str]) -> nn.Module:
    """Replace every nn.Linear of `model` whose qualified name contains one of `targets` by a
    LoRALinear around it, freeze every other parameter, and return the model (changed in place)."""
    raise NotImplementedError("apply_lora: walk named_modules, swap matching nn.Linear children, freeze the rest")


def count_trainable(model: nn.Module) -> int:
    """The number of parameters with requires_grad=True."""
    raise NotImplementedError("count_trainable: sum(p.numel() for p in model.parameters() if p.requires_grad)")
