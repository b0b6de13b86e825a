"""The parameters of the M11 checks, with the gates and where their values come from.

Gates come from the reference solution (tests/solutions/M11/README.md: BM25 with learned query
expansion and a pattern-learning extractive reader) measured on the judge's worlds of seeds 0-9,
set below its worst seed with a margin, so an honest simple system passes and a broken one fails.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricsParams(_Params):
    n_random: int = Field(
        30, ge=0, le=500, description="seeded random strings / pairs per function, besides the fixed ones"
    )


class RetrievalParams(_Params):
    split: str = Field("test", pattern="^(train|val|test)$", description="the split whose questions are asked")
    tolerance: float = Field(
        0.08,
        ge=0.0,
        le=1.0,
        description="pass when recall@5 >= BM25's recall@5 - tolerance on the same questions; plain word "
        "matching (scikit-learn TF-IDF, a pure-Python BM25) measured -0.005 to +0.05 of rank_bm25's figure",
    )


class AnswersParams(_Params):
    split: str = Field("test", pattern="^(train|val|test)$")
    min_exact_match: float = Field(
        0.5, ge=0.0, le=1.0, description="on answerable questions (reference: 0.64-0.82 over seeds 0-9)"
    )
    min_f1: float = Field(
        0.55, ge=0.0, le=1.0, description="on answerable questions (reference: 0.64-0.82 over seeds 0-9)"
    )
    min_abstain_precision: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="of the abstentions, the share on unanswerable questions (always 'unknown' scores ~0.14; "
        "reference 0.32-0.61)",
    )
    min_abstain_recall: float = Field(
        0.5, ge=0.0, le=1.0, description="of the unanswerable questions, the share abstained on (reference 0.85-1.0)"
    )


class GroundingParams(_Params):
    n_questions: int = Field(20, ge=4, le=60, description="questions per perturbation")
    min_follow: float = Field(0.75, ge=0.0, le=1.0, description="share of edited facts whose new value is answered")
    max_unchanged: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="share of answers that may survive removing their document or an unrelated retrieval",
    )
    min_shuffle_agreement: float = Field(0.9, ge=0.0, le=1.0, description="share of top-1 ids that follow a shuffle")


class EvalParams(_Params):
    metrics: tuple[str, ...] = Field(
        ("exact_match", "f1", "recall_at_5"), description="metrics the M11 experiment entry must report"
    )
    tolerance: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="largest |logged - recomputed| accepted: rounding to 2 decimals (0.005) plus a little",
    )
