"""``llmpath check``: run a milestone's criteria through the judge and record the results."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from llmpath.commands.context import Context
from llmpath.errors import GateError
from llmpath.fsutil import utc_now
from llmpath.workspace import checklist, gates
from llmpath.workspace.progress import CheckRecord, Progress, fingerprint
from llmpath.workspace.roadmap import Criterion, Milestone

SCHEMA_VERSION = 1
# (event, check id, detail): "start" / "done" a check, "progress" with what it is doing (from the probe)
EventFn = Callable[..., None]


@dataclasses.dataclass(frozen=True)
class CriterionResult:
    id: str
    text: str
    status: str  # passed / failed / error
    checks: tuple[Any, ...]  # llmpath.judge.run.CheckResult

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "status": self.status, "checks": [c.to_json() for c in self.checks]}


@dataclasses.dataclass(frozen=True)
class CheckReport:
    milestone: str
    title: str
    preview: bool
    recorded: bool
    fingerprint: str
    commit: str | None
    criteria: tuple[CriterionResult, ...]
    scaffolded: tuple[str, ...] = ()
    next_command: str | None = None  # what to run next, as `status` says it (None for a preview)
    next_why: str = ""
    warnings: tuple[str, ...] = ()  # e.g. a change to llmpath's state that was refused

    @property
    def status(self) -> str:
        return combine([c.status for c in self.criteria])

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "milestone": self.milestone,
            "title": self.title,
            "status": self.status,
            "preview": self.preview,
            "recorded": self.recorded,
            "fingerprint": self.fingerprint,
            "commit": self.commit,
            "criteria": [c.to_json() for c in self.criteria],
            "counts": {s: sum(c.status == s for c in self.criteria) for s in ("passed", "failed", "error")},
            "next": {"command": self.next_command, "why": self.next_why},
            "warnings": list(self.warnings),
        }


def combine(statuses: Sequence[str]) -> str:
    if "error" in statuses:
        return "error"
    if "failed" in statuses:
        return "failed"
    return "passed"


def milestone_fingerprint(ctx: Context, mid: str) -> str:
    folder = ctx.workspace.milestone_dir(mid)
    if not folder.exists():
        return "absent"
    # llmpath ticks the README's checklist itself: that is not the learner's work (see evidence.learner_changes)
    return fingerprint([p for p in folder.iterdir() if p.name != checklist.README], ctx.root)


def is_doc_only(criterion: Criterion) -> bool:
    """Criteria judged from logs and files only (no learner code runs): always cheap to re-run."""
    from llmpath.validators.registry import resolve

    return all(resolve(c.validator).probe is None for c in criterion.checks)


def run_criteria(
    ctx: Context,
    milestone: Milestone,
    criteria: Sequence[Criterion],
    *,
    seed: int | None = None,
    on_event: EventFn | None = None,
) -> list[CriterionResult]:
    from llmpath.judge.run import CheckSpec, run_checks

    specs = []
    for criterion in criteria:
        for i, decl in enumerate(criterion.checks):
            specs.append(
                CheckSpec(
                    id=f"{criterion.id}#{i}",
                    criterion=criterion.id,
                    validator=decl.validator,
                    params=dict(decl.params),
                    seed=decl.seed if seed is None else seed,
                    timeout_s=decl.timeout,
                    memory_mb=decl.memory_mb,
                )
            )
    folder = ctx.workspace.milestone_dir(milestone.id)
    results = run_checks(milestone.id, folder, ctx.root, specs, on_event=on_event)
    out = []
    for criterion in criteria:
        mine = tuple(r for r in results if r.criterion == criterion.id)
        out.append(CriterionResult(criterion.id, criterion.text, combine([r.status for r in mine]), mine))
    return out


def same_result(old: CheckRecord, new: CheckRecord) -> bool:
    """The same verdict on the same files: only when (and since when) it was obtained differs."""
    if (old.status, old.summary, old.fingerprint, old.seed) != (new.status, new.summary, new.fingerprint, new.seed):
        return False
    if old.metrics.keys() != new.metrics.keys():
        return False
    # a re-run may differ in the last bits (thread scheduling in BLAS reductions): not a new result
    return all(math.isclose(old.metrics[k], new.metrics[k], rel_tol=1e-9, abs_tol=1e-12) for k in old.metrics)


def record(
    ctx: Context,
    milestone: Milestone,
    results: Sequence[CriterionResult],
    fp: str,
    commit: str | None,
    seed: int | None,
) -> Progress:
    """Store the results in the progress file and tick the README checklist.

    A result equal to the recorded one is left exactly as it is (its time and commit say since when
    it holds), so that re-checking unchanged work leaves the committed progress file unchanged; the
    time of the last run goes to the untracked cache (``views.note_last_check``).
    """
    from llmpath.workspace.scaffold import update_checklist
    from llmpath.workspace.views import note_last_check

    now = utc_now()

    def apply(progress: Progress) -> None:
        state = progress.milestones.setdefault(milestone.id, progress.state(milestone.id))
        for res in results:
            summary = "; ".join(c.summary for c in res.checks if c.status != "passed") or "; ".join(
                c.summary for c in res.checks
            )
            metrics = {k: v for c in res.checks for k, v in c.metrics.items()}
            new = CheckRecord(
                status=res.status,
                summary=summary[:500],
                at=now,
                fingerprint=fp,
                commit=commit,
                seed=seed or 0,
                metrics=metrics,
            )
            old = state.checks.get(res.id)
            if old is None or not same_result(old, new):
                state.checks[res.id] = new

    progress = ctx.store.update(apply)
    note_last_check(ctx.root, milestone.id, now)
    ticked = {
        cid: rec.status == "passed" and rec.fingerprint == fp
        for cid, rec in progress.state(milestone.id).checks.items()
    }
    update_checklist(milestone, ctx.workspace.milestone_dir(milestone.id), ticked)
    return progress


def check(
    ctx: Context,
    mid: str,
    *,
    preview: bool = False,
    seed: int | None = None,
    on_event: EventFn | None = None,
) -> CheckReport:
    """Run every criterion of ``mid``; refuses a locked milestone unless ``preview``."""
    from llmpath.workspace import evidence
    from llmpath.workspace.scaffold import scaffold_milestone

    milestone = ctx.milestone(mid)
    progress = ctx.progress()
    reasons = gates.blockers(ctx.roadmap, progress, milestone.id)
    if reasons and not preview:
        raise GateError(
            f"{milestone.id} ({milestone.title}) is locked",
            missing=reasons,
            hint=f"`llmpath check {milestone.id} --preview` runs its checks without recording anything",
        )
    folder = ctx.workspace.milestone_dir(milestone.id)
    scaffolded: list[str] = []
    if not folder.exists():
        scaffolded = [ctx.workspace.rel(p) for p in scaffold_milestone(milestone, folder)]
    fp = milestone_fingerprint(ctx, milestone.id)
    results = run_criteria(ctx, milestone, milestone.criteria, seed=seed, on_event=on_event)
    report = CheckReport(milestone.id, milestone.title, preview, False, fp, None, tuple(results), tuple(scaffolded),
                         warnings=tuple(ctx.store.warnings))
    if preview:
        return report
    commit = evidence.current(ctx.root).commit
    progress = record(ctx, milestone, results, fp, commit, seed)
    command, why = next_step(ctx, report, progress)
    return dataclasses.replace(report, recorded=True, commit=commit, next_command=command, next_why=why,
                               warnings=tuple(ctx.store.warnings))


def next_step(ctx: Context, report: CheckReport, progress: Progress) -> tuple[str | None, str]:
    """(command, why) after a recorded check, as ``status`` would say it, with the exact git command."""
    from llmpath.workspace import evidence

    mid = report.milestone
    failing = [c for c in report.criteria if c.status != "passed"]
    current = gates.current(ctx.roadmap, progress)
    if failing:
        target = "llmpath hint" if mid == current else f"llmpath hint {mid}"
        return target, f"shows a hint for {failing[0].id}, the first criterion still to pass"
    if mid != current:
        return "llmpath status", f"{mid} is complete and still passes on your current code"
    # git status after recording: the progress file just written is part of what to commit
    command = evidence.commit_command(mid, report.title, evidence.current(ctx.root).dirty_files)
    unlock = "llmpath unlock next"
    if command is None:
        return unlock, f"every criterion of {mid} passed and your work is committed: complete {mid}"
    why = f"every criterion of {mid} passed: commit your work with its record, then complete {mid}"
    return f"{command} && {unlock}", why


def check_all(
    ctx: Context, *, seed: int | None = None, on_event: EventFn | None = None
) -> list[CheckReport]:
    """Re-verify every completed milestone on the current code (the end-of-course re-check)."""
    progress = ctx.progress()
    reports = []
    for milestone in ctx.roadmap.milestones():
        if gates.is_complete(progress, milestone.id):
            reports.append(check(ctx, milestone.id, seed=seed, on_event=on_event))
    return reports


def roadmap_changes(ctx: Context) -> dict[str, Any] | None:
    """How roadmap.yaml differs from the roadmap the workspace's progress is judged against (None: it does not)."""
    from llmpath.workspace.roadmap_hash import diff

    changes = diff(ctx.roadmap, ctx.progress())
    return None if changes is None else changes.to_json() | {"lines": changes.lines()}
