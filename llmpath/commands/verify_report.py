"""What ``llmpath verify`` found, as data: one verdict per completed milestone and the consistency findings."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from llmpath.commands.check import CriterionResult

SCHEMA_VERSION = 1

MilestoneStatus = Literal["verified", "failed", "unverifiable"]

# The consistency checks, always reported in this order (a check without a problem passed).
CONSISTENCY = {
    "state": "progress.json is llmpath's own record and stayed unchanged while your code ran",
    "order": "completed milestones are the roadmap's first ones, in order",
    "roadmap": "roadmap.yaml is the course's (the built-in one, or one whose sha256 is pinned)",
    "tags": "every llmpath/M# tag belongs to a milestone recorded complete",
    "history": "completion commits follow one another in the history of HEAD",
}


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str  # a key of CONSISTENCY
    level: Literal["problem", "note"]  # a problem fails verify; a note is shown
    message: str
    milestone: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class MilestoneVerdict:
    id: str
    title: str
    status: MilestoneStatus
    reason: str | None  # one line: why it is not verified (None when verified)
    commit: str | None  # the commit judged (or the one that could not be)
    tag: str | None
    roadmap_sha256: str | None  # of roadmap.yaml as committed there
    criteria: tuple[CriterionResult, ...] = ()  # what was re-run (empty when not verifiable)
    expected: tuple[tuple[str, str], ...] = ()  # (id, text) of the criteria that should have run
    notes: tuple[str, ...] = ()
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "commit": self.commit,
            "tag": self.tag,
            "roadmap_sha256": self.roadmap_sha256,
            "criteria": [c.to_json() for c in self.criteria],
            "expected_criteria": [{"id": cid, "text": text} for cid, text in self.expected],
            "notes": list(self.notes),
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclasses.dataclass(frozen=True)
class VerifyReport:
    workspace: str
    seed: int
    roadmap_sha256: str  # the current roadmap.yaml's
    accepted: tuple[str, ...]  # the sha256s a roadmap may have
    pinned: bool  # accepted came from --roadmap-sha256 (else: the built-in curriculum)
    completed: int  # milestones recorded complete (``milestones`` holds those judged)
    total: int  # milestones in the course
    milestones: tuple[MilestoneVerdict, ...]
    findings: tuple[Finding, ...]
    elapsed_s: float

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]

    @property
    def status(self) -> str:
        """``verified`` only when every completed milestone is verified and nothing is inconsistent."""
        if any(m.status == "failed" for m in self.milestones) or self.problems:
            return "failed"
        if any(m.status == "unverifiable" for m in self.milestones):
            return "unverifiable"
        return "verified"

    def counts(self) -> dict[str, int]:
        return {s: sum(m.status == s for m in self.milestones) for s in ("verified", "failed", "unverifiable")}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "workspace": self.workspace,
            "status": self.status,
            "seed": self.seed,
            "roadmap": {"sha256": self.roadmap_sha256, "accepted": list(self.accepted), "pinned": self.pinned},
            "completed": self.completed,
            "total": self.total,
            "counts": self.counts(),
            "milestones": [m.to_json() for m in self.milestones],
            "consistency": [
                {
                    "check": key,
                    "text": text,
                    "status": "failed" if any(f.check == key and f.level == "problem" for f in self.findings)
                    else "passed",
                    "findings": [f.to_json() for f in self.findings if f.check == key],
                }
                for key, text in CONSISTENCY.items()
            ],
            "elapsed_s": round(self.elapsed_s, 3),
        }
