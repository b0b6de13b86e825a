"""``llmpath roadmap``: what the workspace is judged against, and the logged acceptance of a new roadmap.

Each completion is judged against the roadmap the workspace accepted (at ``init``, or here). A
changed ``roadmap.yaml`` (criteria added, removed or re-parameterised; milestones reordered) is shown
by ``status``, ``check --all`` and ``unlock``, and ``unlock`` refuses until ``roadmap accept`` records
the change, with a reason, the time and the commit, in ``.llmpath/progress.json`` (``roadmap_log``).
"""

from __future__ import annotations

from typing import Any

from llmpath.commands.context import Context
from llmpath.errors import UsageError
from llmpath.fsutil import utc_now
from llmpath.workspace.progress import Progress, RoadmapChange


def roadmap_doc(ctx: Context) -> dict[str, Any]:
    """The accepted roadmap, how roadmap.yaml differs from it, and the log of acceptances."""
    from llmpath.workspace.roadmap_hash import diff, roadmap_hash

    progress = ctx.progress()
    changes = diff(ctx.roadmap, progress)
    return {
        "hash": roadmap_hash(ctx.roadmap),
        "accepted": progress.roadmap.hash if progress.roadmap else None,
        "origin": progress.roadmap.origin if progress.roadmap else None,
        "changes": None if changes is None else changes.to_json() | {"lines": changes.lines()},
        "log": [entry.model_dump() for entry in progress.roadmap_log],
    }


def accept(ctx: Context, reason: str) -> RoadmapChange:
    """Judge this workspace against roadmap.yaml as it is now; the change is logged with ``reason``."""
    from llmpath.workspace import evidence
    from llmpath.workspace.roadmap_hash import diff, reference_for

    if not reason.strip():
        raise UsageError("say why the roadmap changed: `llmpath roadmap accept --reason '...'` (it is logged)")
    changes = diff(ctx.roadmap, ctx.progress())
    if changes is None:
        raise UsageError("roadmap.yaml is already the roadmap this workspace is judged against: nothing to accept")
    reference = reference_for(ctx.roadmap, "file")
    entry = RoadmapChange(
        at=utc_now(),
        commit=evidence.current(ctx.root).commit,
        reason=reason.strip()[:2000],
        hash=reference.hash,
        added=list(changes.added),
        removed=list(changes.removed),
        changed=list(changes.changed),
    )

    def apply(progress: Progress) -> None:
        progress.roadmap = reference
        progress.roadmap_log.append(entry)

    ctx.store.update(apply)
    return entry
