"""``llmpath plot M#``: draw the milestone's picture (M3 convergence, M7 loss curve, M9 scaling)."""

from __future__ import annotations

from pathlib import Path

from llmpath.commands.context import Context
from llmpath.errors import UsageError

PLOTTABLE = ("M3", "M7", "M9")


def plot(ctx: Context, mid: str, out: Path | None = None) -> Path:
    milestone = ctx.milestone(mid)
    if milestone.id == "M3":
        from llmpath.plotting.m3 import plot_m3

        return plot_m3(ctx.root, out)
    if milestone.id == "M7":
        from llmpath.plotting.m7 import plot_m7

        return plot_m7(ctx.root, out)
    if milestone.id == "M9":
        from llmpath.plotting.m9 import plot_m9

        return plot_m9(ctx.root, out)
    raise UsageError(f"{milestone.id} has no plot; llmpath draws {', '.join(PLOTTABLE)}")
