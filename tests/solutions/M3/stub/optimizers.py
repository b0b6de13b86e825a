"""Fallback starter stub for M3 (used only while the packaged template is missing)."""

VARIANT = "adamw"


class SGD:
    def __init__(self, params, lr):
        raise NotImplementedError


class Momentum:
    def __init__(self, params, lr, beta=0.9):
        raise NotImplementedError


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        raise NotImplementedError


class AdamW:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        raise NotImplementedError
