"""``llmpath plot M#``: draw the milestone's picture (M3 convergence, M7 loss curve, M9 scaling) and say how
to log it."""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path

from llmpath.commands.context import Context
from llmpath.errors import UsageError

PLOTTABLE = ("M3", "M7", "M9")


@dataclasses.dataclass(frozen=True)
class PlotReport:
    milestone: str
    path: str  # workspace-relative
    metrics: dict[str, float]  # what the picture shows, measured by llmpath
    log_command: str  # the exact `llmpath log experiment ...` that records it


def plot(ctx: Context, mid: str, out: Path | None = None) -> PlotReport:
    milestone = ctx.milestone(mid)
    if milestone.id == "M3":
        from llmpath.plotting.m3 import draw_m3 as draw
    elif milestone.id == "M7":
        from llmpath.plotting.m7 import draw_m7 as draw
    elif milestone.id == "M9":
        # drawn from the M9 entries themselves: there is nothing new to log
        from llmpath.plotting.m9 import plot_m9

        return PlotReport(milestone.id, ctx.workspace.rel(plot_m9(ctx.root, out)), {}, "")
    else:
        raise UsageError(f"{milestone.id} has no plot; llmpath draws {', '.join(PLOTTABLE)}")
    picture = draw(ctx.root, out)
    rel = ctx.workspace.rel(picture.path)
    parts = [
        "llmpath log experiment",
        f"-m {milestone.id}",
        f"--objective {shlex.quote(picture.objective)}",
        f"--setup {shlex.quote(picture.setup)}",
        *(f"--metric {name}={value:.6g}" for name, value in picture.metrics.items()),
        f"--visualization {shlex.quote(rel)}",
    ]
    return PlotReport(milestone.id, rel, dict(picture.metrics), " ".join(parts))
