"""The inputs of m10.lora: seeded tensors and llmpath's own small models (the probe and the verdict share them).

Sizes are chosen so every classic mistake shows as a different number: in != out (a transposed
A or B cannot hide), r = 4 and alpha = 8 (alpha / r = 2, alpha = 8, alpha / sqrt(r) = 4 and
r / alpha = 0.5 are all different), and a square layer on which a transposed merge still runs.

torch is imported inside functions: the registry imports this package when roadmap.yaml loads.
"""

from __future__ import annotations

from typing import Any

IN, OUT, SQ = 12, 10, 10  # the non-square layer (in, out) and the square layer's size
R, ALPHA = 4, 8.0  # scaling alpha / r = 2
DROPOUT = 0.5
X_SHAPE = (3, 5)  # (B, T) rows of every input: LoRALinear must take (..., in)
FLOAT32_TOL = 1e-5  # merged vs unmerged in float32, times (1 + max |output|): rounding is ~1e-7 relative
FLOAT64_TOL = 1e-10  # float64 rounding on these sizes is ~1e-15; every bug moves outputs by > 1e-2

# llmpath's model for apply_lora: (name, in, out, bias) of every nn.Linear, in module order.
# Decoys: "mlp.fc2" contains "mlp.fc", "aux_head" ends with "head" (no dot), "memory.v_proj" ends
# with "v_proj" but not with "attn.v_proj".
D, HID, VOCAB, AUX, LAYERS, SEQ = 16, 24, 20, 3, 2, 6
TARGETS = ["q_proj", "attn.v_proj", "mlp.fc", "head"]
TOY_R, TOY_ALPHA = 2, 6.0


def toy_linears() -> list[tuple[str, int, int, bool]]:
    rows = []
    for i in range(LAYERS):
        p = f"blocks.{i}."
        rows += [
            (p + "attn.q_proj", D, D, True),
            (p + "attn.k_proj", D, D, True),
            (p + "attn.v_proj", D, D, True),
            (p + "attn.out_proj", D, D, False),
            (p + "memory.v_proj", D, D, True),
            (p + "mlp.fc", D, HID, True),
            (p + "mlp.fc2", HID, D, True),
        ]
    return rows + [("head", D, VOCAB, True), ("aux_head", D, AUX, True)]


def toy_other_params() -> dict[str, int]:
    """numel of the toy model's parameters that are not nn.Linear weights or biases."""
    out = {"tok.weight": VOCAB * D, "pos": SEQ * D}
    for i in range(LAYERS):
        out[f"blocks.{i}.ln.weight"] = D
        out[f"blocks.{i}.ln.bias"] = D
    return out


def tensors(seed: int) -> dict[str, Any]:
    """Every judge-chosen array, float64 (idx int64), from numpy's generator seeded by ``seed``.

    numpy, not torch: the verdict regenerates them in llmpath's process, which never imports torch
    for M10. The probe turns them into tensors (``torch.from_numpy``).
    """
    import numpy as np

    rng = np.random.default_rng([0x10A, seed])

    def rnd(*shape: int) -> Any:
        return rng.standard_normal(shape)

    return {
        "W": rnd(OUT, IN) / IN**0.5, "b": rnd(OUT), "x": rnd(*X_SHAPE, IN), "G": rnd(*X_SHAPE, OUT),
        "W2": rnd(SQ, SQ) / SQ**0.5, "b2": rnd(SQ), "x2": rnd(*X_SHAPE, SQ),
        "A2": rnd(R, SQ), "B2": rnd(SQ, R),
        "W3": rnd(OUT, IN) / IN**0.5, "b3": rnd(OUT), "A3": rnd(R, IN), "B3": rnd(OUT, R),
        "idx": rng.integers(0, VOCAB, (2, SEQ)), "Gt": rnd(2, SEQ, VOCAB + AUX),
    }


def linear(W: Any, b: Any) -> Any:
    """An nn.Linear holding copies of W (out, in) and b (None: no bias), in W's dtype."""
    import torch
    from torch import nn

    layer = nn.Linear(W.shape[1], W.shape[0], bias=b is not None, dtype=W.dtype)
    with torch.no_grad():
        layer.weight.copy_(W)
        if b is not None:
            layer.bias.copy_(b)
    return layer


def toy_model(seed: int) -> Any:
    """llmpath's small model for apply_lora (float64): a transformer-shaped tree of named nn.Linear layers."""
    import torch
    from torch import nn

    class Attn(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q_proj, self.k_proj, self.v_proj = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)
            self.out_proj = nn.Linear(D, D, bias=False)

        def forward(self, h: torch.Tensor) -> torch.Tensor:
            return self.out_proj(torch.sigmoid(self.q_proj(h)) * self.k_proj(h) + self.v_proj(h))

    class Memory(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.v_proj = nn.Linear(D, D)

    class Mlp(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc, self.fc2 = nn.Linear(D, HID), nn.Linear(HID, D)

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln, self.attn, self.memory, self.mlp = nn.LayerNorm(D), Attn(), Memory(), Mlp()

        def forward(self, h: torch.Tensor) -> torch.Tensor:
            h = h + self.attn(self.ln(h)) + 0.5 * torch.tanh(self.memory.v_proj(h))
            return h + self.mlp.fc2(torch.tanh(self.mlp.fc(h)))

    class Toy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = nn.Embedding(VOCAB, D)
            self.pos = nn.Parameter(torch.zeros(SEQ, D))
            self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
            self.head, self.aux_head = nn.Linear(D, VOCAB), nn.Linear(D, AUX)
            self.register_buffer("scale", torch.ones(D))

        def forward(self, idx: torch.Tensor) -> torch.Tensor:
            h = self.tok(idx) + self.pos[: idx.shape[1]]
            for block in self.blocks:
                h = block(h) * self.scale
            return torch.cat([self.head(h), self.aux_head(h)], dim=-1)  # (B, T, VOCAB + AUX)

    torch.manual_seed(seed)
    model = Toy().to(torch.float64)
    with torch.no_grad():  # LayerNorm and the biases away from their defaults, so freezing them shows
        for name, p in model.named_parameters():
            if "ln" in name or name.endswith("bias") or name == "pos":
                p.add_(0.1 * torch.randn_like(p))
    return model


# count_trainable's own case: an embedding tied to the head, a frozen layer, a LayerNorm, a buffer.
TIED_V, TIED_D = 20, 8


def tied_counts() -> dict[str, int]:
    """What count_trainable(tied_model()) returns under each rule (the right one is "unique")."""
    emb, ln, frozen, buf = TIED_V * TIED_D, 2 * TIED_D, TIED_D * TIED_D + TIED_D, TIED_D
    return {
        "unique": emb + ln,
        "tied_twice": 2 * emb + ln,  # named_parameters(remove_duplicate=False), or a state_dict
        "with_frozen": emb + ln + frozen,
        "state_dict": 2 * emb + ln + frozen + buf,  # every state_dict entry: tied twice, frozen, buffers
    }


def tied_model() -> Any:
    import torch
    from torch import nn

    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(TIED_V, TIED_D)
            self.ln = nn.LayerNorm(TIED_D)
            self.frozen = nn.Linear(TIED_D, TIED_D)
            self.head = nn.Linear(TIED_D, TIED_V, bias=False)
            self.head.weight = self.emb.weight  # weight tying, as GPT-2 does
            self.register_buffer("running", torch.zeros(TIED_D))
            for p in self.frozen.parameters():
                p.requires_grad_(False)

    return Tied()
