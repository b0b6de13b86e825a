"""What the learner is judged against, as a hash: the roadmap's criteria, checks and order.

Only what decides a verdict counts: phases and milestones in order, each criterion's checks (validator,
parameters, seed, timeout, memory cap) and the source of an instructor's own validator. Titles, texts
and hints can change freely. Each completion records the hash. A workspace of the built-in curriculum
is compared with llmpath's own copy of it; an instructor's workspace with the roadmap it was created
with; either with the roadmap accepted later (``llmpath roadmap accept``). Differences are named.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import TYPE_CHECKING, Any

from llmpath.workspace.state_doc import blake2b

if TYPE_CHECKING:
    from llmpath.workspace.progress import Progress, RoadmapRef
    from llmpath.workspace.roadmap import Roadmap


def _digest(obj: Any) -> str:
    data = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str).encode()
    return blake2b(data, digest_size=16).hexdigest()


def _source_digest(validator: str) -> str | None:
    from llmpath.validators.registry import source_file

    path = source_file(validator)
    if path is None:
        return None
    try:
        return blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return "unreadable"


def criteria_hashes(roadmap: Roadmap) -> dict[str, str]:
    """criterion id -> hash of the checks that decide it."""
    out = {}
    for milestone in roadmap.milestones():
        for criterion in milestone.criteria:
            checks = [
                {
                    "validator": c.validator,
                    "params": c.params,
                    "seed": c.seed,
                    "timeout": c.timeout,
                    "memory_mb": c.memory_mb,
                    "source": _source_digest(c.validator),
                }
                for c in criterion.checks
            ]
            out[criterion.id] = _digest({"milestone": milestone.id, "checks": checks})
    return out


def roadmap_hash(roadmap: Roadmap, criteria: dict[str, str] | None = None) -> str:
    """One hash for the order of phases and milestones and every criterion's checks."""
    criteria = criteria if criteria is not None else criteria_hashes(roadmap)
    order = [[p.id, [[m.id, [c.id for c in m.criteria]] for m in p.milestones]] for p in roadmap.phases]
    return _digest({"order": order, "criteria": criteria})


@dataclasses.dataclass(frozen=True)
class RoadmapDiff:
    """How the workspace's roadmap differs from the one its progress is judged against."""

    against: str  # "the roadmap this workspace accepted" / "llmpath's built-in curriculum"
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    new_hash: str

    def lines(self) -> list[str]:
        out = []
        if self.added:
            out.append("criteria added: " + ", ".join(self.added))
        if self.removed:
            out.append("criteria removed: " + ", ".join(self.removed))
        if self.changed:
            out.append("criteria whose checks changed: " + ", ".join(self.changed))
        return out or ["the order of the phases or milestones changed"]

    def to_json(self) -> dict[str, Any]:
        return {"against": self.against, "added": list(self.added), "removed": list(self.removed),
                "changed": list(self.changed)}


@functools.cache
def builtin_reference() -> RoadmapRef:
    """The built-in curriculum as a reference (workspaces that recorded none follow llmpath's own)."""
    from llmpath.templates import BUNDLED_ROADMAP
    from llmpath.workspace.progress import RoadmapRef
    from llmpath.workspace.roadmap_yaml import load_roadmap

    builtin = load_roadmap(BUNDLED_ROADMAP)
    criteria = criteria_hashes(builtin)
    return RoadmapRef(hash=roadmap_hash(builtin, criteria), criteria=criteria, origin="builtin")


def reference_for(roadmap: Roadmap, origin: str = "file") -> RoadmapRef:
    """A reference record for ``roadmap`` (what ``init`` and ``roadmap accept`` store)."""
    from llmpath.fsutil import utc_now
    from llmpath.workspace.progress import RoadmapRef

    criteria = criteria_hashes(roadmap)
    return RoadmapRef(hash=roadmap_hash(roadmap, criteria), criteria=criteria, origin=origin, at=utc_now())


def diff(roadmap: Roadmap, progress: Progress) -> RoadmapDiff | None:
    """None when ``roadmap`` is the one the progress is judged against; else what changed."""
    criteria = criteria_hashes(roadmap)
    current = roadmap_hash(roadmap, criteria)
    ref = progress.roadmap
    against = "the roadmap this workspace accepted"
    if ref is None:
        ref = builtin_reference()
        against = "llmpath's built-in curriculum"
    if ref.hash == current:
        return None
    added = tuple(c for c in criteria if c not in ref.criteria)
    removed = tuple(c for c in ref.criteria if c not in criteria)
    changed = tuple(c for c in criteria if c in ref.criteria and ref.criteria[c] != criteria[c])
    return RoadmapDiff(against, added, removed, changed, current)
