"""LoRA: a trainable low-rank update beside a frozen linear layer (Hu et al., 2021, arXiv:2106.09685).

    y = base(x) + (alpha / r) * dropout(x) @ A.T @ B.T        A (r, in) random, B (out, r) zero

Freezing happens in two places: a LoRALinear freezes its own base (weight and bias), and
apply_lora freezes every other parameter of the model, so only the A and B of adapted layers train.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class LoRALinear(nn.Module):
    """``base`` (an nn.Linear, frozen) plus a rank-``r`` update scaled by ``alpha / r``."""

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        if r < 1:
            raise ValueError(f"rank r must be >= 1, got {r}")
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.r, self.alpha, self.scaling = r, alpha, alpha / r
        kw = {"dtype": base.weight.dtype, "device": base.weight.device}
        self.A = nn.Parameter(torch.empty(r, base.in_features, **kw))
        self.B = nn.Parameter(torch.zeros(base.out_features, r, **kw))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))  # as nn.Linear and peft initialise lora_A
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (..., in) -> (..., out); the update costs O(r (in + out)) per row instead of O(in out)
        return self.base(x) + self.scaling * (self.dropout(x) @ self.A.T @ self.B.T)


def merge(layer: LoRALinear) -> nn.Linear:
    """A new nn.Linear computing what ``layer`` computes in eval mode: W + (alpha / r) B A, same bias."""
    base = layer.base
    merged = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None,
                       dtype=base.weight.dtype, device=base.weight.device)
    with torch.no_grad():
        merged.weight.copy_(base.weight + layer.scaling * (layer.B @ layer.A))  # (out, r) @ (r, in)
        if base.bias is not None:
            merged.bias.copy_(base.bias)
    return merged


def matches(name: str, targets: list[str]) -> bool:
    """peft's rule: a target names a module by its full name or by a suffix after a dot."""
    return any(name == t or name.endswith("." + t) for t in targets)


def apply_lora(model: nn.Module, r: int, alpha: float, targets: list[str], dropout: float = 0.0) -> nn.Module:
    """Wrap every nn.Linear whose name matches ``targets`` in a LoRALinear; freeze everything else."""
    for p in model.parameters():
        p.requires_grad_(False)
    chosen = [name for name, m in model.named_modules() if isinstance(m, nn.Linear) and matches(name, targets)]
    for name in chosen:  # collected first: swapping while iterating would visit the new modules
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), r, alpha, dropout))
    return model


def count_trainable(model: nn.Module) -> int:
    """Parameters that an optimizer would update (each shared tensor once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
