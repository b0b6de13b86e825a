"""The parameters of the M8 checks: how much text each one trains on, and the vocab_size."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Train(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    train_chars: int = Field(3000, ge=500, description="characters of corpus text to train on (+1/8 tricky text)")
    vocab_size: int = Field(300, ge=260, le=50_000, description="vocab_size passed to train()")


class RoundtripParams(_Train):
    n_random: int = Field(40, ge=0, description="seeded random strings of up to 40 code points")
    long_chars: int = Field(6000, ge=1, description="length of the very long repeats")


class MergesParams(_Train):
    vocab_size: int = Field(320, ge=260, le=50_000)


class ReplayParams(_Train):
    train_chars: int = Field(6000, ge=500)
    vocab_size: int = Field(356, ge=260, le=50_000)


class _Heldout(_Train):
    heldout_chars: int = Field(4000, ge=100, description="characters of validation text to encode")


class EncodeParams(_Heldout):
    train_chars: int = Field(4000, ge=500)
    vocab_size: int = Field(340, ge=260, le=50_000)


class CompressionParams(_Heldout):
    train_chars: int = Field(6000, ge=500)
    vocab_size: int = Field(356, ge=260, le=50_000)
    heldout_chars: int = Field(4000, ge=100)
    tolerance: float = Field(
        0.05, ge=0.0, le=1.0,
        description="pass when bytes/token >= (1 - tolerance) x the reference trainer's on the same split; "
        "tie-breaks alone move it by about 1%",
    )


class DocsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field("VOCAB.md", description="the vocabulary document, relative to milestones/M8/")
    min_words: int = Field(150, ge=0, description="a starter prompt is shorter than this")
    min_merge_examples: int = Field(5, ge=0, description="lines showing a learned merge, like `th + e -> the`")
