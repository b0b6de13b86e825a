"""The parameters of the M13 checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SHAPES_HELP = "tasks of each of the 8 task shapes (at most 3: there are only four exchange-rate questions)"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleParams(_Params):
    """A small sample of cooperative tasks (one per shape: chains, singles of each role, a raise, no tool)."""

    per_shape: int = Field(1, ge=1, le=3, description=SHAPES_HELP)
    max_messages: int = Field(40, ge=8, le=200, description="the message bound the system is made with")
    timeout_s: float = Field(2.0, gt=0, le=30, description="the system's per-delivery time limit")


class RepliesParams(SampleParams):
    bounce_messages: int = Field(
        24, ge=8, le=200, description="the message bound of the ping-pong scenario (it must end there)")


class RolesParams(SampleParams):
    per_shape: int = Field(2, ge=1, le=3, description=SHAPES_HELP)


class FaultsParams(_Params):
    timeout_s: float = Field(
        0.5, gt=0, le=10,
        description="the system's time limit in the fault scenarios; a crash must end the run in half of it")
    hang_s: float = Field(30.0, gt=0, le=600, description="how long the hanging role blocks (released after)")
    deadline_s: float | None = Field(
        None, gt=0, le=600, description="how long llmpath waits for a run before calling it hung "
                                        "(default: max(5 s, 10 x timeout_s))")


class SuccessParams(_Params):
    n_tasks: int = Field(400, ge=20, le=20_000, description="held-out cooperative tasks, each run k times")
    k: int = Field(4, ge=1, le=16, description="runs per task; pass^k needs all k to succeed")
    role_steps: int = Field(8, ge=2, le=64, description="model calls per request of a role (sets the optimum)")
    max_messages: int = Field(40, ge=8, le=200, description="the message bound the system is made with")
    z: float = Field(
        3.5, gt=0, le=10,
        description="the gate is the optimum ± z standard deviations of the measured rate (two-sided)")


class ReportParams(_Params):
    tolerance: float = Field(
        0.0005, ge=0, le=0.1,
        description="a logged figure must equal the recomputed one within this (rounding to 3 decimals)")
