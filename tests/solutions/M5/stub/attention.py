"""Stand-in for the M5 starter stub (used when llmpath/templates/milestones/M5/attention.py is absent)."""


def scaled_dot_product_attention(q, k, v, mask=None):
    raise NotImplementedError


def causal_mask(n):
    raise NotImplementedError
