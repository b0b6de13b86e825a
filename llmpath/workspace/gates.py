"""The roadmap's rules as pure functions: what is unlocked, and what blocks the next step.

1. A milestone is workable only when every earlier milestone of its phase is complete.
2. A phase opens only when the previous phase is complete.
3. Completing a milestone needs every criterion passed on the files as they are now, plus the
   documentation the roadmap asks for (documentation criteria are ordinary criteria here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the instant paths pass plain views (llmpath.workspace.views) with the same attributes
    from llmpath.workspace.progress import Progress
    from llmpath.workspace.roadmap import Roadmap

State = Literal["locked", "in_progress", "complete"]


def is_complete(progress: Progress, mid: str) -> bool:
    return progress.state(mid).completed_at is not None


def blockers(roadmap: Roadmap, progress: Progress, mid: str) -> list[str]:
    """Why ``mid`` is not workable yet (empty when it is)."""
    reasons: list[str] = []
    phases = roadmap.phases
    phase = roadmap.phase_of(mid)
    p_index = phases.index(phase)
    if p_index > 0:
        previous = phases[p_index - 1]
        missing = [m.id for m in previous.milestones if not is_complete(progress, m.id)]
        if missing:
            reasons.append(
                f"phase {phase.id} ({phase.title}) opens only when phase {previous.id} ({previous.title}) is "
                f"complete; still open: {', '.join(missing)}"
            )
    for m in phase.milestones:
        if m.id == mid:
            break
        if not is_complete(progress, m.id):
            reasons.append(f"{m.id} ({m.title}) is not complete yet")
    return reasons


def state(roadmap: Roadmap, progress: Progress, mid: str) -> State:
    if is_complete(progress, mid):
        return "complete"
    return "locked" if blockers(roadmap, progress, mid) else "in_progress"


def current(roadmap: Roadmap, progress: Progress) -> str | None:
    """The milestone to work on now: the first one not complete (None when all are)."""
    for m in roadmap.milestones():
        if not is_complete(progress, m.id):
            return m.id
    return None


def following(roadmap: Roadmap, mid: str) -> str | None:
    ids = [m.id for m in roadmap.milestones()]
    i = ids.index(mid)
    return ids[i + 1] if i + 1 < len(ids) else None


def missing_for_completion(roadmap: Roadmap, progress: Progress, mid: str, fingerprint: str) -> list[str]:
    """Criteria of ``mid`` without a pass recorded on the files as they are now (``fingerprint``)."""
    missing = []
    records = progress.state(mid).checks
    for criterion in roadmap.milestone(mid).criteria:
        record = records.get(criterion.id)
        if record is None:
            missing.append(f"{criterion.id}: {criterion.text} (never checked)")
        elif record.status != "passed":
            missing.append(f"{criterion.id}: {criterion.text} ({record.status}: {record.summary})")
        elif record.fingerprint != fingerprint:
            missing.append(f"{criterion.id}: {criterion.text} (passed, but the files changed since)")
    return missing
