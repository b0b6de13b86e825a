"""Run a milestone's checks: probes in the sandbox, verdicts here; returns results as data."""

from __future__ import annotations

import dataclasses
import importlib
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from llmpath.judge import codec
from llmpath.judge.sandbox import EventFn, Job, JobError, JobOutcome, run_jobs
from llmpath.judge.text import strip_terminal_codes
from llmpath.validators.api import BadOutput, Check, Verdict, VerdictContext
from llmpath.validators.registry import resolve


@dataclasses.dataclass(frozen=True)
class CheckSpec:
    """One check to run, as the roadmap declares it."""

    id: str  # unique within the run, e.g. "M1.gradient#0"
    criterion: str
    validator: str
    params: dict[str, Any]
    seed: int = 0
    timeout_s: float | None = None  # None: the validator's default
    memory_mb: int | None = None


@dataclasses.dataclass(frozen=True)
class CheckResult:
    id: str
    criterion: str
    validator: str
    status: str  # passed / failed / error
    summary: str
    details: tuple[str, ...] = ()
    diagnosis: str | None = None
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    output: str = ""  # the learner's printed output (tail), shown on failure
    seed: int = 0
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = ()  # what llmpath did about the run, shown whatever the status

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"details": list(self.details), "notes": list(self.notes)}


_TRACE_HEADER = {
    "timeout": "Where your code was when it was stopped:",
    "memory": "Where your code was when it was stopped:",
    "syntax": "Python could not read your file:",
}


def _warm(modules: Sequence[str]) -> threading.Thread | None:
    """Import the verdicts' heavy modules (numpy, torch) while the child runs the probes."""
    if not modules:
        return None

    def work() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:
                pass

    thread = threading.Thread(target=work, name="llmpath-warm", daemon=True)
    thread.start()
    return thread


def _error_result(spec: CheckSpec, error: JobError, output: str, elapsed: float) -> CheckResult:
    details = list(error.traceback)
    if details:
        details.insert(0, _TRACE_HEADER.get(error.kind, "Traceback (your code):"))
    return CheckResult(
        spec.id,
        spec.criterion,
        spec.validator,
        "error",
        strip_terminal_codes(error.message),
        tuple(strip_terminal_codes(d) for d in details),
        None,
        {},
        strip_terminal_codes(output),
        spec.seed,
        elapsed,
    )


def _judge(spec: CheckSpec, check: Check, ctx: VerdictContext, raw: dict, output: str, elapsed: float) -> CheckResult:
    try:
        verdict = check.verdict(raw, ctx)
    except BadOutput as exc:
        verdict = Verdict.failed(f"{check.description}: the returned value cannot be judged", str(exc))
    except Exception as exc:  # noqa: BLE001 - judging values the learner's code returned must not crash llmpath
        # The probe's values come from the learner's interpreter, so what crashes a verdict may be
        # bad input (exit 3 is for llmpath's own bugs): an error result that names both possibilities.
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        verdict = Verdict.error(
            f"{check.description}: llmpath could not judge what your code returned ({type(exc).__name__}: {exc})",
            "If your code follows the contract in the milestone README, this is a bug in llmpath: please report it "
            f"with this message{where}.",
        )
    return _result(spec, verdict, output, elapsed)


def _result(spec: CheckSpec, verdict: Verdict, output: str, elapsed: float) -> CheckResult:
    """A verdict as a CheckResult; the learner's output is kept only where it helps (not on a pass)."""
    # numbers and texts from the learner's process may carry terminal colour codes: never shown raw
    return CheckResult(
        spec.id,
        spec.criterion,
        spec.validator,
        verdict.status,
        strip_terminal_codes(verdict.summary),
        tuple(strip_terminal_codes(d) for d in verdict.details),
        strip_terminal_codes(verdict.diagnosis) if verdict.diagnosis else None,
        {k: float(v) for k, v in verdict.metrics.items()},
        strip_terminal_codes(output) if verdict.status != "passed" else "",
        spec.seed,
        elapsed,
    )


def _judge_outcome(spec: CheckSpec, check: Check, ctx: VerdictContext, outcome: JobOutcome) -> CheckResult:
    """The result of a probed check: the child's error, or the verdict on its decoded output."""
    if outcome.error is not None:
        if outcome.error.kind != "bad_output":
            result = _error_result(spec, outcome.error, outcome.output, outcome.elapsed_s)
        else:
            result = _unjudgeable(spec, check, outcome, outcome.error.message)
        return _with_notes(result, outcome.notes)
    assert outcome.raw is not None
    try:
        raw = codec.decode(outcome.raw)
    except codec.CodecError as exc:  # the child's codec wrote it: only a forged frame can be malformed
        error = JobError("protocol", f"the probe's result is malformed ({exc}): it cannot be trusted")
        return _with_notes(_error_result(spec, error, outcome.output, outcome.elapsed_s), outcome.notes)
    result = _judge(spec, check, ctx, raw if isinstance(raw, dict) else {"value": raw}, outcome.output,
                    outcome.elapsed_s)
    return _with_notes(result, outcome.notes)


def _with_notes(result: CheckResult, notes: Sequence[str]) -> CheckResult:
    """What llmpath did about the job (processes it stopped), shown whatever the verdict."""
    return dataclasses.replace(result, notes=tuple(notes)) if notes else result


def _unjudgeable(spec: CheckSpec, check: Check, outcome: JobOutcome, why: str) -> CheckResult:
    verdict = Verdict.failed(f"{check.description}: the returned value cannot be judged ({why})")
    return _result(spec, verdict, outcome.output, outcome.elapsed_s)


class ProbeFailed(Exception):
    """A probe run for its raw data (``run_probe``) crashed, hung or returned nothing usable."""

    def __init__(self, message: str, traceback: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.traceback = tuple(traceback)


def run_probe(
    milestone: str,
    milestone_dir: Path,
    workspace: Path,
    validator: str,
    params: dict[str, Any] | None = None,
    seed: int = 0,
) -> dict:
    """Run one check's probe in the sandbox and return its raw output, decoded, without a verdict.

    For pictures of the learner's code at work (``llmpath plot``): the learner's code still runs only
    in the child. Raises ProbeFailed with the child's message when no usable output came back.
    """
    check = resolve(validator)
    if check.probe is None:
        raise ProbeFailed(f"{validator} has no probe to run")
    job = Job(f"{milestone}.{validator}", validator, dict(params or {}), seed, check.timeout_s, check.memory_mb)
    outcome = run_jobs(milestone, milestone_dir, workspace, [job])[job.id]
    if outcome.error is not None or outcome.raw is None:
        error = outcome.error
        raise ProbeFailed(error.message if error else "no result came back", error.traceback if error else ())
    try:
        raw = codec.decode(outcome.raw)
    except codec.CodecError as exc:
        raise ProbeFailed(str(exc)) from None
    return raw if isinstance(raw, dict) else {"value": raw}


def run_checks(
    milestone: str,
    milestone_dir: Path,
    workspace: Path,
    specs: Sequence[CheckSpec],
    *,
    on_event: EventFn | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run every check; each gets a result (passed / failed / error). Never prints."""
    checks = {spec.id: resolve(spec.validator) for spec in specs}
    contexts = {
        spec.id: VerdictContext(
            milestone, milestone_dir, workspace, checks[spec.id].params.model_validate(spec.params), spec.seed
        )
        for spec in specs
    }
    probed = [s for s in specs if checks[s.id].probe is not None]
    jobs = [
        Job(
            s.id,
            s.validator,
            dict(s.params),
            s.seed,
            float(s.timeout_s or checks[s.id].timeout_s),
            int(s.memory_mb or checks[s.id].memory_mb),
        )
        for s in probed
    ]
    if on_event:
        on_event("plan", milestone, str(len(specs)))
    warm_modules = sorted({m for s in probed for m in _WARM.get(s.validator.split(".")[0], ())})
    warmer = _warm(warm_modules)
    outcomes = run_jobs(milestone, milestone_dir, workspace, jobs, on_event=on_event) if jobs else {}
    if warmer is not None:
        warmer.join()

    results: list[CheckResult] = []
    for spec in specs:
        check = checks[spec.id]
        ctx = contexts[spec.id]
        if check.probe is None:
            started = time.perf_counter()
            if on_event:
                on_event("start", spec.id)
            result = _judge(spec, check, ctx, {}, "", 0.0)
            result = dataclasses.replace(result, elapsed_s=time.perf_counter() - started)
            if on_event:
                on_event("done", spec.id)
        else:
            result = _judge_outcome(spec, check, ctx, outcomes[spec.id])
        if on_result:
            on_result(result)
        results.append(result)
    return results


# Heavy modules each milestone's verdicts need, imported in a thread while the child works.
_WARM: dict[str, tuple[str, ...]] = {
    "m1": ("numpy",),
    "m2": ("numpy",),
    "m3": ("numpy", "torch"),
    "m4": ("numpy", "torch"),
    "m5": ("numpy", "torch"),
    "m6": ("numpy", "torch"),
    "m7": ("numpy",),  # its verdicts use numpy only; importing torch here would compete with the child
    "m8": ("numpy",),
    "m9": ("numpy",),
    "m10": ("numpy",),
    "m11": ("numpy", "rank_bm25"),
}
