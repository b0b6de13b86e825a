"""``llmpath log``: append experiment and journal entries (with commit evidence) and read them back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmpath.commands.context import Context
from llmpath.errors import UsageError
from llmpath.workspace import gates


def _evidence(ctx: Context) -> tuple[str | None, bool]:
    from llmpath.workspace import evidence

    ev = evidence.current(ctx.root)
    return ev.commit, bool(evidence.learner_changes(ev.dirty_files))


def resolve_milestone(ctx: Context, milestone: str | None) -> str:
    """The milestone an entry belongs to: the one named, else the one in progress."""
    if milestone:
        return ctx.milestone(milestone).id
    current = gates.current(ctx.roadmap, ctx.progress())
    if current is None:
        raise UsageError("every milestone is complete: name one with --milestone M#")
    return current


def locked_warning(ctx: Context, mid: str) -> str | None:
    """A warning when logging for a milestone that is not open yet (a typo in -m, most often)."""
    reasons = gates.blockers(ctx.roadmap, ctx.progress(), mid)
    if not reasons:
        return None
    current = gates.current(ctx.roadmap, ctx.progress())
    return (
        f"{mid} is locked: this entry will count for {mid} once it is unlocked"
        + (f" (the milestone in progress is {current}; `llmpath log retract ID --reason ...` withdraws an entry)"
           if current else "")
    )


def log_retract(ctx: Context, *, entry_id: str, reason: str) -> Any:
    """Withdraw a logged entry: appends a retraction; the checks and ``log list`` stop counting it."""
    from llmpath.notebook import logs

    commit, dirty = _evidence(ctx)
    return logs.append_retraction(ctx.root, entry_id=entry_id, reason=reason, commit=commit, dirty=dirty)


def log_experiment(
    ctx: Context,
    *,
    milestone: str | None,
    objective: str,
    setup: str,
    metrics: list[str],
    visualization: str | None,
    notes: str = "",
) -> Any:
    from llmpath.notebook import logs

    mid = resolve_milestone(ctx, milestone)
    if not objective.strip():
        raise UsageError("an experiment needs an objective (--objective 'what you wanted to find out')")
    if not setup.strip():
        raise UsageError("an experiment needs a setup (--setup 'data, model, hyper-parameters')")
    if not metrics:
        raise UsageError("an experiment needs at least one metric (--metric name=value, repeatable)")
    parsed: dict[str, float] = {}
    for text in metrics:
        name, value = logs.parse_metric(text)
        if name in parsed:
            raise UsageError(f"metric {name!r} given twice")
        parsed[name] = value
    commit, dirty = _evidence(ctx)
    # append_experiment checks the picture's path and creates the log files it needs, under its lock
    return logs.append_experiment(
        ctx.root,
        milestone=mid,
        objective=objective,
        setup=setup,
        metrics=parsed,
        visualization=visualization,
        notes=notes,
        commit=commit,
        dirty=dirty,
    )


def log_journal(ctx: Context, *, milestone: str | None, text: str) -> Any:
    from llmpath.notebook import logs

    mid = resolve_milestone(ctx, milestone)
    if not text.strip():
        raise UsageError("the reflection is empty: nothing was logged")
    commit, dirty = _evidence(ctx)
    return logs.append_journal(ctx.root, milestone=mid, text=text, commit=commit, dirty=dirty)


def log_list(ctx: Context, *, milestone: str | None, kind: str = "all") -> dict[str, list[dict[str, Any]]]:
    """The entries of the logs, and the damaged ones (not counted by any check), with their raw text."""
    import dataclasses

    from llmpath.notebook import logs

    mid = ctx.milestone(milestone).id if milestone else None
    out: dict[str, list[dict[str, Any]]] = {}
    if kind in ("all", "experiments"):
        out["experiments"] = [dataclasses.asdict(e) for e in logs.read_experiments(ctx.root, mid)]
    if kind in ("all", "journal"):
        out["journal"] = [dataclasses.asdict(e) for e in logs.read_journal(ctx.root, mid)]
    # never drop words: entries llmpath cannot read back are listed with their raw text and place
    out["damaged"] = [
        {"file": ctx.workspace.rel(Path(d.file)), "line": d.line, "why": d.why, "text": d.text}
        for d in logs.damaged_entries(ctx.root)
    ]
    out["retracted"] = [
        dataclasses.asdict(r) for r in logs.read_retractions(ctx.root) if mid is None or r.milestone == mid
    ]
    return out
