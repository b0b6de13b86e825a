"""m4.trace_doc: ``trace.md`` has enough words of the learner's own."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators import prose
from llmpath.validators.api import Verdict, VerdictContext


class TraceDocParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_words: int = Field(150, ge=0, description="words of the learner's own (the starter's do not count)")


def starter_text(milestone: str) -> str:
    """The packaged starter ``trace.md`` ("" when there is none)."""
    return prose.starter_text(milestone, "trace.md")


def verdict_trace_doc(raw: dict, ctx: VerdictContext) -> Verdict:
    p: TraceDocParams = ctx.params
    path = Path(ctx.milestone_dir) / "trace.md"
    shown = f"milestones/{ctx.milestone}/trace.md"
    if not path.is_file():
        return Verdict.failed(
            f"{shown} does not exist",
            "Write a trace of the computational graph of a small model: its nodes, what each computes "
            "forward and passes backward (see the milestone README).",
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    starter = starter_text(ctx.milestone)
    count = prose.own_words(text, starter)
    metrics = {"words": float(count)}
    if starter and " ".join(text.split()) == " ".join(starter.split()):
        return Verdict.failed(
            f"{shown} is still the starter file", "Replace its prompts with your trace.", metrics=metrics
        )
    if count < p.min_words:
        return Verdict.failed(
            f"{shown} has {count} words of your own; at least {p.min_words} are needed",
            "The starter's text and <!-- comments --> do not count.",
            metrics=metrics,
        )
    return Verdict.passed(f"{shown}: {count} words of your own", metrics=metrics)
