"""The reference's adapter.pt keys in this variant's layout (A and B live in the weight's parametrization)."""


def convert(adapter: dict) -> dict:
    out = {}
    for key, value in adapter.items():
        layer, _, leaf = key.rpartition(".")  # "blocks.0.attn.query", "A"
        out[f"{layer}.base.parametrizations.weight.0.{leaf}"] = value
    return out
