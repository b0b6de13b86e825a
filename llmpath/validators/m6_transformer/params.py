"""M6's parameters: the sizes of the blocks the judge builds, the head counts that must be refused, and the
parameter count of the standard block of those sizes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

FILE = "transformer.py"
BAD_HEADS = ((10, 4), (16, 3))  # (d_model, n_heads) pairs that must raise ValueError


class BlockParams(BaseModel):
    """Sizes of the blocks the judge builds (small: the Jacobian test runs B·T backward passes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    d_model: int = Field(16, ge=2, le=256)
    n_heads: int = Field(4, ge=2, le=64)  # >= 2: with one head, a reshape without transpose is harmless
    d_ff: int = Field(24, ge=1, le=1024)  # explicit d_ff, != 4 * d_model so that ignoring it shows
    batch: int = Field(3, ge=2, le=8)  # >= 2: mixing between sequences must be observable
    seq_len: int = Field(6, ge=3, le=32)

    @model_validator(mode="after")
    def _divisible(self) -> BlockParams:
        if self.d_model % self.n_heads:
            raise ValueError("d_model must be divisible by n_heads")
        if self.d_ff == 4 * self.d_model:
            raise ValueError("d_ff must differ from 4 * d_model, so that a block that ignores d_ff is caught")
        return self


def expected_counts(d: int, f: int) -> dict[str, int]:
    """Parameter counts of the standard block, by which biases it has (LayerNorms always have weights)."""
    base = 4 * d * d + 2 * d * f + 2 * d  # W_q, W_k, W_v, W_o; two MLP matrices; two LayerNorm weights
    return {
        "all biases": base + 4 * d + f + d + 2 * d,
        "no biases": base,
        "no Linear biases, LayerNorm biases": base + 2 * d,
        "Linear biases, no LayerNorm biases": base + 4 * d + f + d,
    }


def count_ok(n: int, d: int, f: int) -> bool:
    """Any subset of the 6 Linear biases (q, k, v, out, fc2: d each; fc1: f) and of the 2 LayerNorm biases."""
    extra = n - (4 * d * d + 2 * d * f + 2 * d)
    return any(extra - c * f == m * d for c in (0, 1) for m in range(0, 8))
