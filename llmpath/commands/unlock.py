"""``llmpath unlock next``: complete the current milestone and open the next one, if the gates allow."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from llmpath.commands.check import (
    CriterionResult,
    is_doc_only,
    milestone_fingerprint,
    record,
    run_criteria,
)
from llmpath.commands.context import Context
from llmpath.errors import GateError, LlmpathError, UsageError
from llmpath.fsutil import utc_now
from llmpath.workspace import gates
from llmpath.workspace.progress import Progress
from llmpath.workspace.roadmap import Milestone


@dataclasses.dataclass(frozen=True)
class UnlockReport:
    completed: str
    unlocked: str | None
    commit: str | None
    dirty: bool
    tag: str | None
    rerun: tuple[CriterionResult, ...]
    scaffolded: tuple[str, ...]
    phase_completed: str | None
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "unlocked": self.unlocked,
            "commit": self.commit,
            "dirty": self.dirty,
            "tag": self.tag,
            "rerun": [c.to_json() for c in self.rerun],
            "scaffolded": list(self.scaffolded),
            "phase_completed": self.phase_completed,
            "warnings": list(self.warnings),
        }


def stale_criteria(ctx: Context, progress: Progress, mid: str, fp: str) -> list:
    """Criteria whose recorded result does not hold for the files as they are now."""
    records = progress.state(mid).checks
    stale = []
    for criterion in ctx.milestone(mid).criteria:
        rec = records.get(criterion.id)
        if is_doc_only(criterion) or rec is None or rec.fingerprint != fp:
            stale.append(criterion)
    return stale


def _milestone_to_complete(ctx: Context, progress: Progress, target: str) -> tuple[str, str | None]:
    """The milestone in progress and the one after it; refuses any target but the next one."""
    mid = gates.current(ctx.roadmap, progress)
    if mid is None:
        raise GateError("every milestone is already complete", hint="`llmpath check --all` re-verifies them all")
    nxt = gates.following(ctx.roadmap, mid)
    if target.lower() != "next":
        wanted = ctx.milestone(target).id
        if wanted != nxt:
            reasons = gates.blockers(ctx.roadmap, progress, wanted) if wanted != mid else []
            raise GateError(
                f"cannot unlock {wanted}: milestones unlock strictly in order, and the next one is "
                f"{nxt or 'none'} (after completing {mid})",
                missing=reasons or [f"{mid} is the milestone in progress"],
                hint="run `llmpath unlock next`; `llmpath check M# --preview` tries a later milestone without "
                "unlocking it",
            )
    return mid, nxt


def _refuse_uncommitted(mid: str, dirty_files: list[str], allow_dirty: bool) -> None:
    if dirty_files and not allow_dirty:
        listed = ", ".join(dirty_files[:8]) + (" ..." if len(dirty_files) > 8 else "")
        raise GateError(
            f"{mid} has uncommitted changes: {listed}",
            missing=["commit your milestone files so the evidence points at them"],
            hint=f"git add milestones/{mid} && git commit -m '{mid} done'  (or pass --allow-dirty)",
        )


def _tag(ctx: Context, milestone: Milestone, commit: str | None, in_repo: bool, warnings: list[str]) -> str | None:
    """Tag the completion commit ``llmpath/M#``; a failure to tag is a warning, never a refusal."""
    from llmpath.workspace import evidence

    if not (in_repo and commit and milestone.tag):
        return None
    name = f"llmpath/{milestone.id}"
    try:
        if evidence.tag(ctx.root, name, f"llmpath: {milestone.id} ({milestone.title}) complete"):
            return name
        warnings.append(f"tag {name} already exists; left as it is")
    except LlmpathError as exc:  # e.g. no git identity: completing matters more than the tag
        warnings.append(f"could not tag the commit: {exc.message}")
    return None


def _record_completion(ctx: Context, mid: str, nxt: str | None, commit: str | None, tag: str | None) -> Progress:
    now = utc_now()

    def apply(p: Progress) -> None:
        state = p.milestones.setdefault(mid, p.state(mid))
        state.completed_at = now
        state.commit = commit
        state.tag = tag
        if nxt is not None:
            nstate = p.milestones.setdefault(nxt, p.state(nxt))
            nstate.unlocked_at = nstate.unlocked_at or now

    return ctx.store.update(apply)


def unlock(
    ctx: Context,
    target: str = "next",
    *,
    allow_dirty: bool = False,
    on_rerun: Callable[[int], None] | None = None,
    on_event: Callable[[str, str], None] | None = None,
) -> UnlockReport:
    """Complete the current milestone and unlock the next; raises GateError listing what is missing."""
    from llmpath.workspace import evidence
    from llmpath.workspace.scaffold import scaffold_milestone, update_checklist

    progress = ctx.progress()
    mid, nxt = _milestone_to_complete(ctx, progress, target)
    milestone = ctx.milestone(mid)
    folder = ctx.workspace.milestone_dir(mid)
    fp = milestone_fingerprint(ctx, mid)
    stale = stale_criteria(ctx, progress, mid, fp)
    # One git status serves both the re-run record and the dirty check: re-runs change only the
    # README checklist, which is llmpath's own writing (evidence.learner_changes).
    ev = evidence.current(ctx.root, [folder])
    rerun: list[CriterionResult] = []
    if stale:
        if on_rerun:
            on_rerun(sum(not is_doc_only(c) for c in stale))
        rerun = run_criteria(ctx, milestone, stale, on_event=on_event)
        progress = record(ctx, milestone, rerun, fp, ev.commit, None)
    missing = gates.missing_for_completion(ctx.roadmap, progress, mid, fp)
    if missing:
        raise GateError(
            f"{mid} ({milestone.title}) is not complete yet",
            missing=missing,
            hint=f"`llmpath check {mid}` shows each failing check in detail",
        )
    dirty_files = evidence.learner_changes(ev.dirty_files)
    _refuse_uncommitted(mid, dirty_files, allow_dirty)
    warnings: list[str] = []
    tag_name = _tag(ctx, milestone, ev.commit, ev.in_repo, warnings)
    scaffolded: list[str] = []
    phase = ctx.roadmap.phase_of(mid)
    phase_done = phase.milestones[-1].id == mid
    progress = _record_completion(ctx, mid, nxt, ev.commit, tag_name)
    update_checklist(milestone, folder, {c.id: True for c in milestone.criteria})
    if nxt is not None:
        if gates.blockers(ctx.roadmap, progress, nxt):  # cannot happen with the rules above; guard anyway
            raise UsageError(f"{nxt} is still blocked after completing {mid}: check roadmap.yaml")
        scaffolded = [
            ctx.workspace.rel(p) for p in scaffold_milestone(ctx.milestone(nxt), ctx.workspace.milestone_dir(nxt))
        ]
    return UnlockReport(
        mid,
        nxt,
        ev.commit,
        bool(dirty_files),
        tag_name,
        tuple(rerun),
        tuple(scaffolded),
        phase.id if phase_done else None,
        tuple(warnings),
    )
