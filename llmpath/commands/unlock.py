"""``llmpath unlock next``: complete the current milestone and open the next one, if the gates allow."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from llmpath.commands.check import (
    CriterionResult,
    EventFn,
    is_doc_only,
    milestone_fingerprint,
    record,
    run_criteria,
)
from llmpath.commands.context import Context
from llmpath.commands.status import path_end
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
    records_commit: str | None = None  # the commit of llmpath's records on top of the judged one (tagged)
    path_ends: str | None = None  # the milestone unlocked cannot be judged by this version: why
    seed: int | None = None  # the seed the completion was judged on

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
            "records_commit": self.records_commit,
            "path_ends": self.path_ends,
            "seed": self.seed,
        }


def draw_seed() -> int:
    """The seed a completion is judged on: drawn afresh at unlock, so that no memorised answer passes."""
    import secrets

    return 1 + secrets.randbelow(2**31 - 1)


def refuse_changed_roadmap(ctx: Context, progress: Progress) -> None:
    """Unlock judges against the roadmap the workspace accepted; a changed one must be accepted first."""
    from llmpath.workspace.roadmap_hash import diff

    changes = diff(ctx.roadmap, progress)
    if changes is not None:
        raise GateError(
            f"roadmap.yaml is not {changes.against}: completing a milestone against it needs your explicit "
            "acceptance first",
            missing=changes.lines(),
            hint="`llmpath roadmap accept --reason '...'` accepts it (recorded in .llmpath/progress.json), or "
            "`git checkout -- roadmap.yaml` restores it",
        )


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


def _refuse_uncommitted(milestone: Milestone, ev: Any, allow_dirty: bool) -> list[str]:
    """The learner's uncommitted files the completion rests on; refuses when there are any."""
    from llmpath.workspace import evidence

    mine = (f"milestones/{milestone.id}/", "visualizations/")
    dirty_files = [f for f in evidence.learner_changes(ev.dirty_files) if f.startswith(mine)]
    if dirty_files and not allow_dirty:
        listed = ", ".join(dirty_files[:8]) + (" ..." if len(dirty_files) > 8 else "")
        command = evidence.commit_command(milestone.id, milestone.title, ev.dirty_files)
        raise GateError(
            f"{milestone.id} has uncommitted changes: {listed}",
            missing=["commit your work, its logs and its record, so that the evidence points at them"],
            hint=f"{command} && llmpath unlock next  (or pass --allow-dirty)",
        )
    return dirty_files


def _planned_tag(ctx: Context, milestone: Milestone, ev: Any, warnings: list[str]) -> str | None:
    """The tag ``llmpath/M#`` the completion will get (None without a commit, or when it exists)."""
    from llmpath.workspace import evidence

    if not (ev.in_repo and ev.commit and milestone.tag):
        return None
    name = f"llmpath/{milestone.id}"
    if evidence.has_tag(ctx.root, name):
        warnings.append(f"tag {name} already exists; left as it is")
        return None
    return name


def _commit_records(ctx: Context, mid: str, nxt: str | None, ev: Any, warnings: list[str]) -> str | None:
    """Commit what completing wrote (progress, logs, the ticked checklist, the next starter files)."""
    from llmpath.workspace import evidence

    if not (ev.in_repo and ev.commit):
        return None
    paths = [".llmpath/progress.json", "experiments_log.md", "learning_journal.md", f"milestones/{mid}/README.md"]
    if nxt is not None:
        paths.append(f"milestones/{nxt}")
    message = f"llmpath: {mid} complete" + (f", {nxt} unlocked" if nxt else "")
    try:
        return evidence.commit_paths(ctx.root, [ctx.root / p for p in paths], message)
    except LlmpathError as exc:
        warnings.append(f"llmpath's records were not committed: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        return None


def _tag(ctx: Context, milestone: Milestone, name: str | None, warnings: list[str]) -> str | None:
    """Tag HEAD ``name``; a failure to tag is a warning, never a refusal."""
    from llmpath.workspace import evidence

    if name is None:
        return None
    try:
        if evidence.tag(ctx.root, name, f"llmpath: {milestone.id} ({milestone.title}) complete"):
            return name
        warnings.append(f"tag {name} already exists; left as it is")
    except LlmpathError as exc:  # e.g. no git identity: completing matters more than the tag
        warnings.append(f"could not tag the commit: {exc.message}")
    return None


def _record_completion(ctx: Context, mid: str, nxt: str | None, proof: dict[str, Any]) -> Progress:
    now = utc_now()

    def apply(p: Progress) -> None:
        state = p.milestones.setdefault(mid, p.state(mid))
        state.completed_at = now
        for key, value in proof.items():  # commit, tag, seed, roadmap, fingerprint
            setattr(state, key, value)
        if nxt is not None:
            nstate = p.milestones.setdefault(nxt, p.state(nxt))
            nstate.unlocked_at = nstate.unlocked_at or now

    return ctx.store.update(apply)


def _judge_now(
    ctx: Context, milestone: Milestone, fp: str, commit: str | None, seed: int,
    on_rerun: Callable[[int], None] | None, on_event: EventFn | None,
) -> tuple[list[CriterionResult], Progress]:
    """Every criterion judged again on ``seed`` and recorded; refuses a run whose files or state moved."""
    mid = milestone.id
    if on_rerun:
        on_rerun(sum(not is_doc_only(c) for c in milestone.criteria))
    rerun = run_criteria(ctx, milestone, milestone.criteria, seed=seed, on_event=on_event)
    if milestone_fingerprint(ctx, mid) != fp:
        raise GateError(f"{mid}'s files changed while they were being checked", missing=[
            "the code that was judged is not the code in the folder now"], hint="run `llmpath unlock next` again")
    progress = record(ctx, milestone, rerun, fp, commit, seed)
    if ctx.store.warnings:  # the code being judged wrote llmpath's state: no completion comes from that run
        raise GateError(f"{mid} cannot be completed from this run", missing=list(ctx.store.warnings),
                        hint="remove whatever in your code writes .llmpath/, then `llmpath unlock next` again")
    return rerun, progress


def unlock(
    ctx: Context,
    target: str = "next",
    *,
    allow_dirty: bool = False,
    commit: bool = True,
    on_rerun: Callable[[int], None] | None = None,
    on_event: EventFn | None = None,
) -> UnlockReport:
    """Complete the current milestone and unlock the next; raises GateError listing what is missing.

    Every criterion is judged again, now, on the files as they are, with a seed drawn here (recorded
    with the completion, so that it can be reproduced): a pass recorded earlier, on another seed or by
    hand, never completes a milestone.

    In a git repository the judged commit is HEAD; what completing writes (the progress record, the
    ticked checklist, the next starter files, with the logs) is committed on top of it unless
    ``commit`` is False, and that commit is tagged ``llmpath/M#``: the tag holds the learner's
    work and the records that prove it, and the work tree is left as clean as it was.
    """
    from llmpath.workspace import evidence
    from llmpath.workspace.roadmap_hash import roadmap_hash
    from llmpath.workspace.scaffold import scaffold_milestone, update_checklist

    progress = ctx.progress()
    refuse_changed_roadmap(ctx, progress)
    mid, nxt = _milestone_to_complete(ctx, progress, target)
    milestone = ctx.milestone(mid)
    fp = milestone_fingerprint(ctx, mid)
    # One git status serves both the re-run record and the dirty check: re-runs change only
    # llmpath's own files (evidence.learner_changes).
    ev = evidence.current(ctx.root)
    seed = draw_seed()
    rerun, progress = _judge_now(ctx, milestone, fp, ev.commit, seed, on_rerun, on_event)
    missing = gates.missing_for_completion(ctx.roadmap, progress, mid, fp)
    if missing:
        raise GateError(
            f"{mid} ({milestone.title}) is not complete yet (judged now, on seed {seed})",
            missing=missing,
            hint=path_end(ctx, mid)
            or f"`llmpath check {mid}` shows each failing check in detail (`--seed {seed}` reproduces this run)",
        )
    dirty_files = _refuse_uncommitted(milestone, ev, allow_dirty)
    warnings: list[str] = []
    tag_name = _planned_tag(ctx, milestone, ev, warnings)
    scaffolded: list[str] = []
    phase = ctx.roadmap.phase_of(mid)
    proof = {"commit": ev.commit, "tag": tag_name, "seed": seed, "roadmap": roadmap_hash(ctx.roadmap),
             "fingerprint": fp}
    progress = _record_completion(ctx, mid, nxt, proof)
    update_checklist(milestone, ctx.workspace.milestone_dir(mid), {c.id: True for c in milestone.criteria})
    if nxt is not None:
        if gates.blockers(ctx.roadmap, progress, nxt):  # cannot happen with the rules above; guard anyway
            raise UsageError(f"{nxt} is still blocked after completing {mid}: check roadmap.yaml")
        scaffolded = [
            ctx.workspace.rel(p) for p in scaffold_milestone(ctx.milestone(nxt), ctx.workspace.milestone_dir(nxt))
        ]
    records = _commit_records(ctx, mid, nxt, ev, warnings) if commit else None
    return UnlockReport(
        mid,
        nxt,
        ev.commit,
        bool(dirty_files),
        _tag(ctx, milestone, tag_name, warnings),
        tuple(rerun),
        tuple(scaffolded),
        phase.id if phase.milestones[-1].id == mid else None,
        tuple(warnings),
        records,
        path_end(ctx, nxt) if nxt is not None else None,
        seed,
    )
