"""Parameter models of the M1 checks (``roadmap.yaml`` may override any default)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SigmoidParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    z_max: float = Field(1000.0, gt=0, description="largest |z| fed to sigmoid")


class LossGradParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(13, ge=2, description="rows N (kept different from D so that shape bugs show)")
    d: int = Field(5, ge=1, description="features D")
    logit_scale: float = Field(1000.0, gt=0, description="largest |logit| in the stability case")
    fd_step: float = Field(1e-5, gt=0, description="step h of the centered finite differences")


class TrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n_train: int = Field(500, ge=10, description="training rows from gaussian_binary")
    d: int = Field(2, ge=1, description="features")
    separation: float = Field(2.5, gt=0, description="Mahalanobis distance between the class means")
    n_test: int = Field(20000, ge=100, description="held-out rows (standard error of the accuracy ~0.002)")
    tolerance: float = Field(0.02, gt=0, lt=1, description="allowed accuracy gap below the Bayes accuracy")


class DerivationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_words: int = Field(150, ge=0, description="words of prose and formulas, headings and comments excluded")
    file: str = Field("derivation.md", description="file inside milestones/M1/")
