"""``llmpath reset M#``: put a milestone's starter files back, keeping a backup of the learner's."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from llmpath.commands.context import Context
from llmpath.errors import GateError
from llmpath.fsutil import refuse_outside, utc_now
from llmpath.workspace import gates
from llmpath.workspace.progress import Progress


@dataclasses.dataclass(frozen=True)
class ResetReport:
    milestone: str
    backup: Path | None
    restored: tuple[str, ...]


def reset(ctx: Context, mid: str) -> ResetReport:
    """Move milestones/M#/ to .llmpath/backups/, lay out fresh starter files, forget its check results.

    A completed milestone stays completed (its commit and tag are history); only unlocked ones can be reset.
    """
    from llmpath.workspace.scaffold import scaffold_milestone

    milestone = ctx.milestone(mid)
    progress = ctx.progress()
    if gates.state(ctx.roadmap, progress, milestone.id) == "locked":
        raise GateError(f"{milestone.id} is locked: there is nothing to reset")
    folder = ctx.workspace.milestone_dir(milestone.id)
    backup = None
    if folder.exists():
        stamp = utc_now().replace(":", "").replace("-", "")
        backup = ctx.workspace.state_dir / "backups" / f"{milestone.id}-{stamp}"
        refuse_outside(ctx.root, backup.parent, backup)
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(backup))

    def apply(p: Progress) -> None:
        if milestone.id in p.milestones:
            p.milestones[milestone.id].checks.clear()

    ctx.store.update(apply)
    created = scaffold_milestone(milestone, folder)
    return ResetReport(milestone.id, backup, tuple(ctx.workspace.rel(p) for p in created))
