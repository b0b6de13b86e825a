"""Stack the reference checkpoint's per-layer weights into this variant's tensors (used by the tests)."""

import torch


def convert(state):
    n_layer = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("blocks."))
    layer = lambda name: torch.stack([state[f"blocks.{i}.{name}"] for i in range(n_layer)])
    return {
        "embed": state["tok_emb.weight"],
        "position": state["pos_emb.weight"],
        "norm": torch.stack([layer("ln1.weight"), layer("ln2.weight")], dim=1),
        "norm_bias": torch.stack([layer("ln1.bias"), layer("ln2.bias")], dim=1),
        "w_qkv": torch.stack([layer(f"attn.{n}.weight") for n in ("query", "key", "value")], dim=1),
        "b_qkv": torch.stack([layer(f"attn.{n}.bias") for n in ("query", "key", "value")], dim=1),
        "w_o": layer("attn.proj.weight"),
        "b_o": layer("attn.proj.bias"),
        "w_up": layer("mlp.0.weight"),
        "b_up": layer("mlp.0.bias"),
        "w_down": layer("mlp.2.weight"),
        "b_down": layer("mlp.2.bias"),
        "final_norm": torch.stack([state["ln_f.weight"], state["ln_f.bias"]]),
        "unembed": state["head.weight"],
        "unembed_bias": state["head.bias"],
    }
