"""Which roadmap is this? Its sha256, the built-in curriculum's, and what differs between two.

A roadmap is identified by the sha256 of its bytes (as committed, for a commit's roadmap). Two
milestones "judge the same way" when their criteria have the same ids and the same checks
(validator, parameters, timeout, memory cap, seed); the checklist wording may differ.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

from llmpath.workspace.roadmap import Milestone, Roadmap

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def builtin_sha256() -> str:
    """The sha256 of the built-in curriculum shipped with this llmpath."""
    from llmpath.templates import BUNDLED_ROADMAP

    return sha256(BUNDLED_ROADMAP.read_bytes())


def builtin_roadmap() -> Roadmap:
    from llmpath.templates import BUNDLED_ROADMAP
    from llmpath.workspace.roadmap_yaml import load_roadmap

    return load_roadmap(BUNDLED_ROADMAP)


def milestone_changes(reference: Milestone | None, other: Milestone | None) -> list[str]:
    """How ``other``'s criteria differ from ``reference``'s: "removed M1.gradient", "changed M1.journal"."""
    if reference is None and other is None:
        return []
    if reference is None:
        return [f"added {other.id}"] if other is not None else []
    if other is None:
        return [f"removed {reference.id}"]
    ref = {c.id: c.checks for c in reference.criteria}
    got = {c.id: c.checks for c in other.criteria}
    changes = [f"removed {cid}" for cid in ref if cid not in got]
    changes += [f"added {cid}" for cid in got if cid not in ref]
    changes += [f"changed {cid}" for cid in ref if cid in got and ref[cid] != got[cid]]
    return changes


def roadmap_changes(reference: Roadmap, other: Roadmap) -> list[str]:
    """``milestone_changes`` over every milestone of either roadmap, in milestone order."""
    ids = sorted(set(reference.milestone_ids()) | set(other.milestone_ids()), key=lambda m: int(m[1:]))
    ref = {m.id: m for m in reference.milestones()}
    got = {m.id: m for m in other.milestones()}
    return [change for mid in ids for change in milestone_changes(ref.get(mid), got.get(mid))]


def describe_changes(changes: list[str], limit: int = 6) -> str:
    shown = ", ".join(changes[:limit])
    return shown + (f" and {len(changes) - limit} more" if len(changes) > limit else "")
