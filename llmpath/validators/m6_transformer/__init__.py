"""M6 validator: the transformer block (``milestones/M6/transformer.py``).

The verdict cannot rebuild the learner's block, so the probe measures facts about it in the child and
the verdict judges them:

* shapes: ``forward`` maps (B, T, d_model) to (B, T, d_model) for several B and T (T = 1 included);
* causality, by a Jacobian test: in float64, for every batch item b and position t, the gradient of
  ``out[b, t]`` (contracted with a random direction) with respect to every input position: the probe
  returns the (B, T, B, T) matrix of gradient norms. It must be exactly 0 for later positions and for
  other batch items, and non-zero for earlier positions (the block mixes positions: it is not a
  per-token MLP). A masked softmax weight is exactly 0 whether the scores were filled with -inf or
  with -1e9 (exp(-1e9) underflows to 0.0), so a correct block gives exact zeros either way;
* every parameter receives a gradient (a random weighted sum of the outputs: a plain sum would give
  zero gradients through a final LayerNorm, whose outputs sum to a constant);
* ``ValueError`` when d_model % n_heads != 0;
* two forward passes in eval mode with dropout = 0.5 are identical;
* the trainable parameter count is that of the standard block (4 d^2 attention weights, 2 d d_ff MLP
  weights, two LayerNorms) with or without each bias, for the default d_ff = 4 d and an explicit d_ff.

Normalisation modules are also run alone on (B, T, d) inputs, to name the culprit when positions or
batch items leak into each other (LayerNorm over the wrong axis, BatchNorm).
"""

from __future__ import annotations

from llmpath.validators.api import Check
from llmpath.validators.m6_transformer.params import BAD_HEADS, FILE, BlockParams, count_ok, expected_counts
from llmpath.validators.m6_transformer.probes import _probe_block
from llmpath.validators.m6_transformer.verdicts import verdict_block

# the checks, and the names that tests import from the package
__all__ = [
    "BAD_HEADS",
    "BLOCK",
    "CHECKS",
    "FILE",
    "BlockParams",
    "count_ok",
    "verdict_block",
    "expected_counts",
]

BLOCK = Check(
    name="m6.block",
    description="TransformerBlock: shapes, causality (Jacobian test), gradients, ValueError, eval determinism, "
    "parameter count",
    probe=_probe_block,
    verdict=verdict_block,
    params=BlockParams,
    timeout_s=90,
    memory_mb=2048,
)

CHECKS: tuple[Check, ...] = (BLOCK,)
