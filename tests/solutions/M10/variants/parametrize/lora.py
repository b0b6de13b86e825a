"""LoRA written as a torch parametrization: the base layer's weight *is* W + (alpha / r) B A, computed on access.

A correct variant for the tests: the layer calls its base nn.Linear, whose ``weight`` torch
rebuilds from the frozen original and the adapter at every forward. Dropout on the adapter's input
cannot live inside a weight, so in training with dropout > 0 the update runs as a separate branch.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils import parametrize


class LowRankDelta(nn.Module):
    """weight -> weight + scaling * B @ A (the parametrization; A and B live here)."""

    def __init__(self, out_features: int, in_features: int, r: int, scaling: float, like: torch.Tensor) -> None:
        super().__init__()
        self.scaling = scaling
        self.A = nn.Parameter(torch.empty(r, in_features, dtype=like.dtype, device=like.device))
        self.B = nn.Parameter(torch.zeros(out_features, r, dtype=like.dtype, device=like.device))
        bound = 1 / math.sqrt(in_features)
        nn.init.uniform_(self.A, -bound, bound)
        self.enabled = True

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + self.scaling * (self.B @ self.A) if self.enabled else weight


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        base.weight.requires_grad_(False)
        if base.bias is not None:
            base.bias.requires_grad_(False)
        self.r, self.alpha, self.p = r, alpha, dropout
        delta = LowRankDelta(base.out_features, base.in_features, r, alpha / r, base.weight)
        parametrize.register_parametrization(base, "weight", delta)
        self.base = base

    @property
    def delta(self) -> LowRankDelta:
        return self.base.parametrizations.weight[0]

    @property
    def A(self) -> nn.Parameter:
        return self.delta.A

    @property
    def B(self) -> nn.Parameter:
        return self.delta.B

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.p > 0:
            self.delta.enabled = False
            try:
                plain = self.base(x)
            finally:
                self.delta.enabled = True
            dropped = nn.functional.dropout(x, self.p, training=True)
            return plain + self.delta.scaling * nn.functional.linear(nn.functional.linear(dropped, self.A), self.B)
        return self.base(x)


def merge(layer: LoRALinear) -> nn.Linear:
    base = layer.base
    out = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None,
                    dtype=base.parametrizations.weight.original.dtype)
    with torch.no_grad():
        out.weight.copy_(base.weight)  # the parametrized weight: W + (alpha / r) B A
        if base.bias is not None:
            out.bias.copy_(base.bias)
    return out


def apply_lora(model: nn.Module, r: int, alpha: float, targets: list[str], dropout: float = 0.0) -> nn.Module:
    model.requires_grad_(False)

    def suffix_of(full: str, target: str) -> bool:  # whole dotted components at the end
        parts = target.split(".")
        return full.split(".")[-len(parts) :] == parts

    def visit(module: nn.Module, prefix: str) -> None:
        for name, child in list(module.named_children()):
            full = f"{prefix}{name}"
            if isinstance(child, nn.Linear) and any(suffix_of(full, t) for t in targets):
                setattr(module, name, LoRALinear(child, r, alpha, dropout))
            elif not isinstance(child, LoRALinear):
                visit(child, full + ".")

    visit(model, "")
    return model


def count_trainable(model: nn.Module) -> int:
    seen: dict[int, int] = {}
    for p in model.parameters():
        if p.requires_grad:
            seen[id(p)] = p.numel()
    return sum(seen.values())
