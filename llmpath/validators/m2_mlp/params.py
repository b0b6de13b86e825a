"""Parameter models of the M2 checks (``roadmap.yaml`` may override any default)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GradParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(3, ge=1, description="rows N (kept different from every layer width)")
    sizes: tuple[int, ...] = Field((5, 7, 4), min_length=2, description="the 2-layer net: D, H, C")
    deep_sizes: tuple[int, ...] = Field((5, 7, 6, 4), min_length=2, description="the 3-layer net")
    activations: tuple[str, ...] = Field(("relu", "tanh"))


class StabilityParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(6, ge=1)
    sizes: tuple[int, ...] = Field((5, 7, 4), min_length=2)
    activations: tuple[str, ...] = Field(("relu", "tanh"))
    logit_scale: float = Field(1000.0, gt=0, description="largest |logit|")


class TrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n_train: int = Field(600, ge=10, description="training points from spirals")
    n_test: int = Field(3000, ge=100, description="held-out points")
    classes: int = Field(3, ge=2)
    noise: float = Field(0.2, ge=0)
    hidden: tuple[int, ...] = Field((64,), description="hidden widths: sizes = [2, *hidden, classes]")
    activation: str = "relu"
    lr: float = Field(1.0, gt=0)
    epochs: int = Field(2000, ge=1)
    min_accuracy: float = Field(0.95, gt=0, le=1)
