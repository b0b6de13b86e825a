"""Toy validators for testing the judge and the gates without any milestone's real checks.

Each probe calls a function of the learner's ``toy.py`` in the milestone folder; the verdicts
compare against values computed here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from llmpath.validators.api import Check, ProbeContext, Verdict, VerdictContext


class AnswerParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    function: str = "answer"
    expected: int = 42


def _probe_answer(ctx: ProbeContext) -> dict:
    module = ctx.load("toy.py")
    fn = ctx.get(module, ctx.params.get("function", "answer"))
    return {"value": fn()}


def _verdict_answer(raw: dict, ctx: VerdictContext) -> Verdict:
    expected = ctx.params.expected
    got = raw.get("value")
    if got == expected:
        return Verdict.passed(f"{ctx.params.function}() returned {expected}")
    diagnosis = "off by one?" if isinstance(got, int) and abs(got - expected) == 1 else None
    return Verdict.failed(f"{ctx.params.function}() returned {got!r}, expected {expected}", diagnosis=diagnosis)


ANSWER = Check(
    name="toy.answer",
    description="toy: a function returns the expected integer",
    probe=_probe_answer,
    verdict=_verdict_answer,
    params=AnswerParams,
    timeout_s=10,
    memory_mb=512,
)


def _verdict_always(raw: dict, ctx: VerdictContext) -> Verdict:
    path = ctx.milestone_dir / "done.txt"
    if path.is_file():
        return Verdict.passed("done.txt exists")
    return Verdict.failed("done.txt is missing", f"create {path}")


FILE = Check(name="toy.file", description="toy: done.txt exists", verdict=_verdict_always)


def _probe_vector(ctx: ProbeContext) -> dict:
    module = ctx.load("toy.py")
    return {"value": ctx.get(module, ctx.params.get("function", "vector"))()}


def _verdict_vector(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    expected = np.arange(5, dtype=np.float64)
    got = np.asarray(raw.get("value"), dtype=np.float64)
    # np.allclose runs here, in llmpath's process: the learner cannot have patched it.
    if got.shape == expected.shape and np.allclose(got, expected, rtol=0, atol=1e-12):
        return Verdict.passed("vector() equals arange(5)")
    return Verdict.failed("vector() differs from arange(5)", f"got {got!r}")


class VectorParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    function: str = "vector"


VECTOR = Check(
    name="toy.vector",
    description="toy: a function returns arange(5)",
    probe=_probe_vector,
    verdict=_verdict_vector,
    params=VectorParams,
    timeout_s=10,
    memory_mb=1024,
)


def _probe_none(ctx: ProbeContext) -> None:  # type: ignore[return-value] - deliberately not a dict
    return ctx.get(ctx.load("toy.py"), ctx.params.get("function", "answer"))()


def _verdict_none(raw: dict, ctx: VerdictContext) -> Verdict:
    if raw.get("value") is None:
        return Verdict.failed(f"{ctx.params.function}() returned None")
    return Verdict.passed(f"{ctx.params.function}() returned a value")


NONE = Check(
    name="toy.none",
    description="toy: a probe whose raw value is not a dict",
    probe=_probe_none,  # type: ignore[arg-type]
    verdict=_verdict_none,
    params=AnswerParams,
    timeout_s=10,
    memory_mb=512,
)


def _probe_double(ctx: ProbeContext) -> dict:
    fn = ctx.get(ctx.load("toy.py"), "double")
    return {"value": fn(3 * ctx.seed + 1)}  # an input the learner's code sees only when it runs


def _verdict_double(raw: dict, ctx: VerdictContext) -> Verdict:
    x = 3 * ctx.seed + 1
    if raw.get("value") == 2 * x:
        return Verdict.passed(f"double({x}) returned {2 * x}")
    return Verdict.failed(f"double({x}) returned {raw.get('value')!r}, expected {2 * x}")


DOUBLE = Check(
    name="toy.double",
    description="toy: doubles an input drawn from the seed",
    probe=_probe_double,
    verdict=_verdict_double,
    timeout_s=10,
    memory_mb=512,
)


def _verdict_future(raw: dict, ctx: VerdictContext) -> Verdict:
    return Verdict.error("toy.future is not implemented in this version of llmpath")


# a check a roadmap may name but this version cannot judge (like llmpath.validators.future's)
FUTURE = Check(name="toy.future", description="toy: not judged yet", verdict=_verdict_future, available=False)


def _probe_slow(ctx: ProbeContext) -> dict:
    import time

    for i in range(3):
        ctx.progress(f"step {i + 1} of 3")
        time.sleep(0.6)
    return {"value": 42}


# a check that takes about two seconds and says what it is doing (the progress display's test)
SLOW = Check(
    name="toy.slow",
    description="toy: a slow probe that reports its progress",
    probe=_probe_slow,
    verdict=lambda raw, ctx: Verdict.passed("slow, but done"),
    timeout_s=20,
    memory_mb=512,
)
