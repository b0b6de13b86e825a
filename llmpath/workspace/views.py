"""Plain read-only views of the roadmap and the progress file, for the instant paths.

``llmpath status`` must answer in a few tens of milliseconds, before pydantic, yaml or filelock
could even be imported. It reads a cache of the *validated* roadmap (written by the full loader,
keyed by the roadmap file's hash and llmpath's version, sealed) and the progress JSON, checked by the
same rules as on the full path (``state_doc``). Any surprise (no cache, a changed roadmap, a roadmap
that differs from the accepted one, a progress file that does not pass) means "take the full path".
The gates and the status builder work on these views and on the pydantic models alike.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from llmpath import __version__
from llmpath.workspace.state_doc import blake2b

CACHE = Path(".llmpath") / "cache" / "roadmap.json"
_FORMAT = 2  # of the cached view: 2 added `judged` per milestone
# When each milestone was last checked: volatile, so kept out of the committed progress file
LAST_CHECKS = Path(".llmpath") / "cache" / "last_checks.json"


@dataclasses.dataclass(frozen=True)
class CriterionView:
    id: str
    text: str


@dataclasses.dataclass(frozen=True)
class MilestoneView:
    id: str
    title: str
    criteria: tuple[CriterionView, ...]
    judged: bool = True  # every check it needs exists in this version of llmpath


@dataclasses.dataclass(frozen=True)
class PhaseView:
    id: str
    title: str
    description: str
    objectives: tuple[str, ...]
    milestones: tuple[MilestoneView, ...]


@dataclasses.dataclass(frozen=True)
class RoadmapView:
    title: str
    phases: tuple[PhaseView, ...]

    def milestones(self) -> list[MilestoneView]:
        return [m for p in self.phases for m in p.milestones]

    def milestone(self, mid: str) -> MilestoneView:
        for m in self.milestones():
            if m.id == mid:
                return m
        raise KeyError(mid)

    def phase_of(self, mid: str) -> PhaseView:
        for p in self.phases:
            if any(m.id == mid for m in p.milestones):
                return p
        raise KeyError(mid)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RoadmapView:
        return cls(
            doc["title"],
            tuple(
                PhaseView(
                    p["id"],
                    p["title"],
                    p["description"],
                    tuple(p["objectives"]),
                    tuple(
                        MilestoneView(
                            m["id"],
                            m["title"],
                            tuple(CriterionView(c["id"], c["text"]) for c in m["criteria"]),
                            bool(m.get("judged", True)),
                        )
                        for m in p["milestones"]
                    ),
                )
                for p in doc["phases"]
            ),
        )

    @classmethod
    def from_model(cls, roadmap: Any) -> RoadmapView:
        """The view of a validated ``llmpath.workspace.roadmap.Roadmap`` (its dump has every field the view keeps)."""
        doc = roadmap.model_dump()
        for phase, p in zip(roadmap.phases, doc["phases"]):
            for milestone, m in zip(phase.milestones, p["milestones"]):
                m["judged"] = is_judged(milestone)
        return cls.from_json(doc)


def is_judged(milestone: Any) -> bool:
    """Whether this version of llmpath has every check the milestone needs (a view knows it already)."""
    known = getattr(milestone, "judged", None)
    if isinstance(known, bool):
        return known
    from llmpath.validators.registry import resolve

    return all(resolve(check.validator).available for c in milestone.criteria for check in c.checks)


@dataclasses.dataclass(frozen=True)
class RecordView:
    status: str
    summary: str
    fingerprint: str
    at: str | None = None


@dataclasses.dataclass(frozen=True)
class StateView:
    completed_at: str | None = None
    last_check_at: str | None = None
    commit: str | None = None
    checks: dict[str, RecordView] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ProgressView:
    milestones: dict[str, StateView]

    def state(self, mid: str) -> StateView:
        return self.milestones.get(mid) or StateView()

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ProgressView:
        out = {}
        for mid, st in doc.get("milestones", {}).items():
            checks = {
                cid: RecordView(str(r["status"]), str(r["summary"]), str(r["fingerprint"]), r.get("at"))
                for cid, r in st.get("checks", {}).items()
            }
            out[mid] = StateView(st.get("completed_at"), st.get("last_check_at"), st.get("commit"), checks)
        return cls(out)


@dataclasses.dataclass(frozen=True)
class ProgressSnapshot:
    """A progress "store" that only reads: what a command over plain views can ask of it."""

    view: ProgressView

    def load(self) -> ProgressView:
        return self.view


def cache_key(roadmap_bytes: bytes) -> str:
    # BLAKE2b from _blake2 loads in microseconds where hashlib's OpenSSL start-up costs ~5 ms of a
    # ~50 ms budget.
    return f"{_FORMAT}:{__version__}:{blake2b(roadmap_bytes, digest_size=16).hexdigest()}"


def _cache_seal(body: bytes) -> str:
    # Like the progress file's seal (state_doc): not a secret, but a cache written by anything other
    # than llmpath (the learner's code, by hand) is not believed: status then takes the full path.
    # It covers the file's bytes after its first line, so checking it costs one hash, no re-encoding.
    return blake2b(body, key=b"llmpath: roadmap cache", digest_size=16).hexdigest()


@dataclasses.dataclass(frozen=True)
class CachedRoadmap:
    view: RoadmapView
    hash: str  # llmpath.workspace.roadmap_hash.roadmap_hash of the validated roadmap
    builtin_hash: str | None  # the same of llmpath's built-in curriculum (None: it changed since)


_BUNDLED_ROADMAP = Path(__file__).resolve().parent.parent / "templates" / "roadmap.yaml"  # llmpath.templates'


def _builtin_key() -> str:
    return cache_key(_BUNDLED_ROADMAP.read_bytes())


def read_cached_roadmap(root: Path) -> CachedRoadmap | None:
    """The cached view of ``root/roadmap.yaml`` if it is current and llmpath wrote it, else None."""
    try:
        with open(root / "roadmap.yaml", "rb") as handle:
            data = handle.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            return None  # the full path refuses it (roadmap_yaml.MAX_BYTES)
        key = cache_key(data)
        seal, _, body = (root / CACHE).read_bytes().partition(b"\n")
        if seal.decode("ascii") != _cache_seal(body):
            return None  # not written by llmpath
        doc = json.loads(body)
        if doc.get("key") != key:
            return None  # stale
        for rel, digest in doc["sources"].items():  # an instructor's validator files beside roadmap.yaml
            if blake2b((root / rel).read_bytes(), digest_size=16).hexdigest() != digest:
                return None
        builtin = doc["builtin"]
        builtin_hash = str(builtin["hash"]) if builtin["key"] == _builtin_key() else None
        return CachedRoadmap(RoadmapView.from_json(doc["roadmap"]), str(doc["hash"]), builtin_hash)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _workspace_sources(root: Path, roadmap: Any) -> dict[str, str]:
    """Digests of the instructor's validator files that live in the workspace (the learner could edit them)."""
    from llmpath.validators.registry import source_file

    out = {}
    real_root = root.resolve()
    for m in roadmap.milestones():
        for criterion in m.criteria:
            for decl in criterion.checks:
                path = source_file(decl.validator)
                if path is not None and path.resolve().is_relative_to(real_root):
                    rel = path.resolve().relative_to(real_root).as_posix()
                    out[rel] = blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return out


def write_cached_roadmap(root: Path, roadmap: Any) -> None:
    """Remember a validated roadmap (best effort: a read-only workspace just stays on the slow path)."""
    from llmpath.workspace.roadmap_hash import builtin_reference, roadmap_hash

    try:
        if not (root / ".llmpath").is_dir() or not (root / CACHE).parent.resolve().is_relative_to(root.resolve()):
            return  # no state folder yet, or one that leads out of the workspace (never written through)
        key = cache_key((root / "roadmap.yaml").read_bytes())
        builtin = {"key": _builtin_key(), "hash": builtin_reference().hash}
        doc = {"key": key, "roadmap": RoadmapView.from_model(roadmap).to_json(), "hash": roadmap_hash(roadmap),
               "sources": _workspace_sources(root, roadmap), "builtin": builtin}
        body = json.dumps(doc).encode("utf-8")
        path = root / CACHE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".roadmap.{os.getpid()}.tmp")
        tmp.write_bytes(_cache_seal(body).encode("ascii") + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        pass


def read_last_checks(root: Path) -> dict[str, str]:
    """{milestone id: UTC time of its last recorded check} from the untracked cache (empty when absent)."""
    try:
        doc = json.loads((root / LAST_CHECKS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}


def note_last_check(root: Path, mid: str, when: str) -> None:
    """Remember when ``mid`` was last checked (best effort, like the roadmap cache)."""
    try:
        doc = read_last_checks(root)
        doc[mid] = when
        path = root / LAST_CHECKS
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".last_checks.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
