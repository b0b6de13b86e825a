"""The parameters of the M9 checks; each gate's value says which measured runs it comes from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MetricsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    long_tokens: int = Field(600, ge=100, le=5_000, description="tokens of the long text evaluate is run on")


class PretrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Fresh stories drawn from ctx.seed: about 4,000 tokens of a 512-token BPE (stderr ~0.006 bits/byte).
    eval_chars: int = Field(12_000, ge=2_000)
    # Gate on bits per byte (tests/solutions/M9/README.md): set between the reference's measured
    # runs (0.33-0.34 over seeds) and a run of a fifth of its steps (0.48); floor 0.304.
    max_bits_per_byte: float = Field(0.42, gt=0.304)
    min_bytes_per_token: float = Field(1.5, gt=1.0, description="a trained BPE compresses the corpus this much")
    batch: int = Field(32, ge=1)


class SamplesParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n_samples: int = Field(16, ge=1)
    sample_tokens: int = Field(96, ge=8)
    # Gate on the grammatical rate (tests/solutions/M9/README.md): the reference's runs sample
    # 88-95 % grammatical sentences; a run of a fifth of its steps about 40 %.
    min_grammatical: float = Field(0.75, ge=0.0, le=1.0)
    min_sentences: int = Field(30, ge=1)


class ReportParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    report_chars: int = Field(20_000, ge=1_000, description="the report's text: load_corpus('test', report_chars)")
    # Reported bits_per_byte and ln(perplexity) must be within this relative difference of
    # llmpath's recomputation: accepted conventions (< 0.1 %), float32 or GPU arithmetic (< 0.2 %)
    # and rounding to 3 significant digits (< 0.17 %).
    rtol: float = Field(0.005, gt=0.0, lt=0.5)
    min_sample_sentences: int = Field(2, ge=0)
