"""``llmpath unlock next``: complete the current milestone and open the next one, if the gates allow."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from llmpath.commands.check import CriterionResult, is_doc_only, milestone_fingerprint, record, run_criteria
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


def unlock(
    ctx: Context,
    target: str = "next",
    *,
    allow_dirty: bool = False,
    on_rerun: Callable[[int], None] | None = None,
    on_event: Callable[[str, str], None] | None = None,
) -> UnlockReport:
    """Complete the current milestone and unlock the next; raises GateError listing what is missing.

    Every criterion is judged again, now, on the files as they are, with a seed drawn here (recorded
    with the completion, so that it can be reproduced): a pass recorded earlier, on another seed or by
    hand, never completes a milestone.
    """
    from llmpath.workspace import evidence
    from llmpath.workspace.roadmap_hash import roadmap_hash
    from llmpath.workspace.scaffold import scaffold_milestone, update_checklist

    progress = ctx.progress()
    refuse_changed_roadmap(ctx, progress)
    mid, nxt = _milestone_to_complete(ctx, progress, target)
    milestone = ctx.milestone(mid)
    folder = ctx.workspace.milestone_dir(mid)
    fp = milestone_fingerprint(ctx, mid)
    # One git status serves both the re-run record and the dirty check: re-runs change only the
    # README checklist, which is llmpath's own writing (evidence.learner_changes).
    ev = evidence.current(ctx.root, [folder])
    seed = draw_seed()
    if on_rerun:
        on_rerun(sum(not is_doc_only(c) for c in milestone.criteria))
    rerun = run_criteria(ctx, milestone, milestone.criteria, seed=seed, on_event=on_event)
    if milestone_fingerprint(ctx, mid) != fp:
        raise GateError(f"{mid}'s files changed while they were being checked", missing=[
            "the code that was judged is not the code in the folder now"], hint="run `llmpath unlock next` again")
    progress = record(ctx, milestone, rerun, fp, ev.commit, seed)
    if ctx.store.warnings:  # the code being judged wrote llmpath's state: no completion comes from that run
        raise GateError(f"{mid} cannot be completed from this run", missing=list(ctx.store.warnings),
                        hint="remove whatever in your code writes .llmpath/, then `llmpath unlock next` again")
    missing = gates.missing_for_completion(ctx.roadmap, progress, mid, fp)
    if missing:
        raise GateError(
            f"{mid} ({milestone.title}) is not complete yet (judged now, on seed {seed})",
            missing=missing,
            hint=f"`llmpath check {mid}` shows each failing check in detail (`--seed {seed}` reproduces this run)",
        )
    dirty_files = evidence.learner_changes(ev.dirty_files)
    _refuse_uncommitted(mid, dirty_files, allow_dirty)
    warnings: list[str] = []
    tag_name = _tag(ctx, milestone, ev.commit, ev.in_repo, warnings)
    scaffolded: list[str] = []
    phase = ctx.roadmap.phase_of(mid)
    phase_done = phase.milestones[-1].id == mid
    proof = {"commit": ev.commit, "tag": tag_name, "seed": seed, "roadmap": roadmap_hash(ctx.roadmap),
             "fingerprint": fp}
    progress = _record_completion(ctx, mid, nxt, proof)
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
        seed,
    )
