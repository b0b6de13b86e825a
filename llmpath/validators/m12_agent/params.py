"""The parameters of the M12 checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParseParams(_Params):
    pass


class OutputsParams(_Params):
    per_kind: int = Field(5, ge=1, le=50, description="tasks of each kind (single, chain, no_tool, raises)")


class RobustParams(_Params):
    pass


class SuccessParams(_Params):
    n_tasks: int = Field(500, ge=20, le=20_000, description="held-out tasks, each run k times")
    k: int = Field(4, ge=1, le=16, description="runs per task; pass^k needs all k to succeed")
    max_steps: int = Field(8, ge=1, le=64, description="the step limit the agent is made with (sets the optimum)")
    z: float = Field(
        3.5, gt=0, le=10,
        description="the gate is the optimum ± z standard deviations of the measured rate (two-sided)",
    )


class ReportParams(_Params):
    tolerance: float = Field(
        0.0005, ge=0, le=0.1,
        description="a logged figure must equal the recomputed one within this (rounding to 3 decimals)",
    )
