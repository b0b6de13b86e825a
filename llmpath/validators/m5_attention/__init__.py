"""M5 validators: scaled dot-product attention and the causal mask (``milestones/M5/attention.py``).

``m5.attention`` calls ``scaled_dot_product_attention(q, k, v, mask=None)`` on seeded inputs: plain 2-D
matrices, batched (B, H, L, d) tensors, Lq != Lk, d != dv, float32 and float64, no mask, a causal
mask, a key-padding mask broadcast over heads and queries, and random masks (full-shape and broadcast
2-D). Every mask row keeps at least one key: a fully masked row has no defined softmax (a correct
implementation may give nan there), so the judge never asks for one. The verdict recomputes
softmax(q k^T / sqrt(d_k)) v in float64 and compares ``out`` and ``weights`` with torch.testing's
default tolerances for the input dtype; masked weights must be exactly 0 and rows must sum to 1.

``m5.causal_mask`` compares ``causal_mask(n)`` with the lower triangle, diagonal included, exactly.
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m5_attention.cases import CASES, FILE, MASK_SIZES, TOLERANCES, make_cases, reference
from llmpath.validators.m5_attention.probes import _probe_attention, _probe_causal_mask
from llmpath.validators.m5_attention.verdicts import verdict_attention, verdict_causal_mask

# the checks, and the names that tests import from the package
__all__ = [
    "ATTENTION",
    "CASES",
    "CAUSAL_MASK",
    "CHECKS",
    "FILE",
    "MASK_SIZES",
    "TOLERANCES",
    "verdict_attention",
    "verdict_causal_mask",
    "make_cases",
    "reference",
]

ATTENTION = Check(
    name="m5.attention",
    description="scaled_dot_product_attention matches a float64 reference (batched, masks, float32/float64)",
    probe=_probe_attention,
    verdict=verdict_attention,
    timeout_s=60,
    memory_mb=2048,
)

CAUSAL_MASK = Check(
    name="m5.causal_mask",
    description="causal_mask(n) is the bool lower triangle, diagonal included",
    probe=_probe_causal_mask,
    verdict=verdict_causal_mask,
    timeout_s=30,
    memory_mb=2048,
)

CHECKS: tuple[Check, ...] = (ATTENTION, CAUSAL_MASK)
