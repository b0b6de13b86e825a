"""The reference's adapter.pt keys in this variant's layout: the same names (layer.A, layer.B)."""


def convert(adapter: dict) -> dict:
    return dict(adapter)
