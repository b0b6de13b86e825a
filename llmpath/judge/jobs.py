"""What the judge asks of its child and what comes back: jobs, their errors and outcomes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Job:
    id: str
    validator: str
    params: dict[str, Any]
    seed: int
    timeout_s: float
    memory_mb: int


@dataclasses.dataclass(frozen=True)
class JobError:
    kind: str  # contract, not_implemented, exception, memory, timeout, crash, exit, bad_output, no_result,
    # protocol (a malformed or unasked-for frame), reference (the code reached llmpath's internals)
    message: str
    traceback: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class JobOutcome:
    id: str
    raw: bytes | None  # the encoded probe result (decode with llmpath.judge.codec) when it ran
    error: JobError | None
    output: str  # the tail of what the learner's code printed during this job
    elapsed_s: float
    notes: tuple[str, ...] = ()  # what llmpath did about the job (e.g. processes it stopped)


# (event, job id[, detail]): "plan" (detail: how many checks will run), "start", "progress" (detail:
# what the probe says it is doing), "done"
EventFn = Callable[..., None]
