"""LoRA as a subclass of nn.Linear (loralib's shape), sharing the base's frozen weight and bias tensors.

A correct variant for the tests: written with F.linear, regex target matching, and a count that
deduplicates parameters by identity.
"""

from __future__ import annotations

import re

import torch
from torch import nn
from torch.nn import functional as F


class LoRALinear(nn.Linear):
    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0) -> None:
        nn.Module.__init__(self)
        self.in_features, self.out_features = base.in_features, base.out_features
        self.weight = base.weight  # the very same (frozen) tensors: nothing is copied
        self.bias = base.bias
        self.weight.requires_grad = False
        if self.bias is not None:
            self.bias.requires_grad = False
        self.base = base
        self.scaling = alpha / r
        self.A = nn.Parameter(torch.randn(r, self.in_features, dtype=base.weight.dtype) * 0.01)
        self.B = nn.Parameter(torch.zeros(self.out_features, r, dtype=base.weight.dtype))
        self.drop = nn.Dropout(p=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frozen = F.linear(x, self.weight, self.bias)
        return frozen + F.linear(F.linear(self.drop(x), self.A), self.B) * self.scaling


def merge(layer: LoRALinear) -> nn.Linear:
    out = nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None, dtype=layer.weight.dtype)
    out.weight.data = (layer.weight + layer.scaling * torch.mm(layer.B, layer.A)).detach().clone()
    if layer.bias is not None:
        out.bias.data = layer.bias.detach().clone()
    return out


def apply_lora(model: nn.Module, r: int, alpha: float, targets: list[str], dropout: float = 0.0) -> nn.Module:
    patterns = [re.compile(r"(?:.*\.)?" + re.escape(t)) for t in targets]
    found = [(n, m) for n, m in model.named_modules() if type(m) is nn.Linear and any(p.fullmatch(n) for p in patterns)]
    for p in model.parameters():
        p.requires_grad = False
    for name, module in found:
        *path, last = name.split(".")
        parent = model
        for part in path:
            parent = getattr(parent, part)
        setattr(parent, last, LoRALinear(module, r, alpha, dropout))
    return model


def count_trainable(model: nn.Module) -> int:
    unique = {id(p): p for p in model.parameters() if p.requires_grad}
    return sum(p.numel() for p in unique.values())
