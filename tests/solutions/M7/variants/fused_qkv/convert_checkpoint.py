"""Re-arrange the reference checkpoint's state_dict into this variant's layout (used by the tests)."""

import torch

RENAME = {"tok_emb": "wte", "pos_emb": "wpe", "ln_f": "norm_out", "head": "lm_head"}
LAYER = {"ln1": "norm_attn", "ln2": "norm_mlp", "attn.proj": "c_proj", "mlp.0": "fc_in", "mlp.2": "fc_out"}


def convert(state):
    out = {}
    n_layer = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("blocks."))
    for key, value in state.items():
        top, _, rest = key.partition(".")
        if top in RENAME:
            out[f"{RENAME[top]}.{rest}"] = value
    for i in range(n_layer):
        p = f"blocks.{i}."
        for old, new in LAYER.items():
            for leaf in ("weight", "bias"):
                out[f"h.{i}.{new}.{leaf}"] = state[f"{p}{old}.{leaf}"]
        for leaf in ("weight", "bias"):
            out[f"h.{i}.c_attn.{leaf}"] = torch.cat([state[f"{p}attn.{n}.{leaf}"] for n in ("query", "key", "value")])
    return out
