"""LoRA in peft's shape: the adapter's matrices are bias-free nn.Linear modules lora_A (in -> r) and lora_B (r -> out).

A correct variant for the tests; its adapter.pt was trained on a GPT whose query, key and value are
one fused nn.Linear ("c_attn", M7's fused_qkv variant), with targets c_attn, c_proj, fc_in, fc_out.
The contract's A (r, in) and B (out, r) are lora_A.weight and lora_B.weight.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        self.base = base.requires_grad_(False)
        kw = {"bias": False, "dtype": base.weight.dtype, "device": base.weight.device}
        self.lora_A = nn.Linear(base.in_features, r, **kw)  # weight (r, in): kaiming-uniform, nn.Linear's default
        self.lora_B = nn.Linear(r, base.out_features, **kw)  # weight (out, r)
        nn.init.zeros_(self.lora_B.weight)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        self.lora_dropout = nn.Dropout(dropout)
        self.scaling = alpha / r

    @property
    def A(self) -> nn.Parameter:
        return self.lora_A.weight

    @property
    def B(self) -> nn.Parameter:
        return self.lora_B.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.lora_B(self.lora_A(self.lora_dropout(x))) * self.scaling


@torch.no_grad()
def merge(layer: LoRALinear) -> nn.Linear:
    base = layer.base
    out = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None,
                    dtype=base.weight.dtype, device=base.weight.device)
    out.weight.copy_(torch.addmm(base.weight, layer.B, layer.A, alpha=layer.scaling))
    if base.bias is not None:
        out.bias.copy_(base.bias)
    return out


def apply_lora(model: nn.Module, r: int, alpha: float, targets: list[str], dropout: float = 0.0) -> nn.Module:
    for param in model.parameters():
        param.requires_grad = False
    wanted = set()
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear) and any(("." + name).endswith("." + t) for t in targets):
            wanted.add(name)
    for name in sorted(wanted):
        owner_name, _, attr = name.rpartition(".")
        owner = model.get_submodule(owner_name)
        owner.add_module(attr, LoRALinear(getattr(owner, attr), r, alpha, dropout))
    return model


def count_trainable(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
