"""``llmpath hint M#``: the milestone's hints, revealed one at a time."""

from __future__ import annotations

import dataclasses

from llmpath.commands.context import Context
from llmpath.errors import GateError
from llmpath.workspace import gates
from llmpath.workspace.progress import Progress


@dataclasses.dataclass(frozen=True)
class HintReport:
    milestone: str
    revealed: tuple[str, ...]
    total: int
    new: bool  # whether this call revealed one more


def hint(ctx: Context, mid: str, *, reveal: bool = True) -> HintReport:
    milestone = ctx.milestone(mid)
    progress = ctx.progress()
    reasons = gates.blockers(ctx.roadmap, progress, milestone.id)
    if reasons:
        raise GateError(f"{milestone.id} is locked: its hints open with it", missing=reasons)
    total = len(milestone.hints)
    shown = progress.state(milestone.id).hints_revealed
    new = reveal and shown < total
    if new:

        def apply(p: Progress) -> None:
            state = p.milestones.setdefault(milestone.id, p.state(milestone.id))
            state.hints_revealed = min(total, state.hints_revealed + 1)

        progress = ctx.store.update(apply)
        shown = progress.state(milestone.id).hints_revealed
    return HintReport(milestone.id, tuple(milestone.hints[:shown]), total, new)
