"""The course a record is verified against: the roadmaps accepted (by sha256) and, when known, its text.

The built-in curriculum by default; with ``--roadmap-sha256``, the pinned roadmaps, whose text is the
workspace's current ``roadmap.yaml`` if that is one of them, or is found at a completion commit.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from llmpath.commands.context import Context
from llmpath.errors import LlmpathError, UsageError
from llmpath.validators.api import Check, Verdict
from llmpath.workspace import history, roadmap_identity
from llmpath.workspace.locate import ROADMAP_FILE
from llmpath.workspace.progress import Progress
from llmpath.workspace.roadmap import Milestone, Roadmap

COMMIT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclasses.dataclass(frozen=True)
class Course:
    """The roadmaps a completion may have been made under, and the course's own when its text is known."""

    accepted: tuple[str, ...]
    pinned: bool
    roadmap: Roadmap | None

    def describe(self) -> str:
        return "a pinned one" if self.pinned else "the built-in curriculum"


def course_for(
    ctx: Context, repo: history.Repo, progress: Progress, completed: Sequence[str], pins: Sequence[str], tmp: Path
) -> Course:
    """The accepted sha256s and, where it can be found, the course roadmap's text."""
    if not pins:
        return Course((roadmap_identity.builtin_sha256(),), False, roadmap_identity.builtin_roadmap())
    accepted = tuple(dict.fromkeys(pin(p) for p in pins))
    if roadmap_identity.sha256(ctx.workspace.roadmap_path.read_bytes()) in accepted:
        return Course(accepted, True, ctx.roadmap)
    for mid in completed:  # the pinned roadmap may survive only in the commits it was used at
        commit = progress.state(mid).commit
        data = repo.show(commit, ROADMAP_FILE) if commit and COMMIT_ID.match(commit) else None
        if data is not None and roadmap_identity.sha256(data) in accepted:
            path = tmp / "course-roadmap" / ROADMAP_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            try:
                return Course(accepted, True, load(path))
            except LlmpathError:
                break
    return Course(accepted, True, None)


def pin(value: str) -> str:
    pin = value.strip().lower()
    if not roadmap_identity.SHA256.match(pin):
        raise UsageError(
            f"--roadmap-sha256 {value!r} is not a sha256 (64 hexadecimal digits)",
            hint="`sha256sum roadmap.yaml` prints the one of your course's roadmap",
        )
    return pin


def load(path: Path, *, trusted: bool = True) -> Roadmap:
    """A committed roadmap, validated.

    Untrusted (not the course's): the instructors' validators it names (``package.module:ATTR``) are
    not imported, since their code would come from the learner's commit; only their names are compared.
    """
    from llmpath.validators.registry import resolve
    from llmpath.workspace.roadmap_yaml import load_roadmap

    saved = list(sys.path)
    try:
        return load_roadmap(path, resolver=None if trusted else lambda name: _NOT_IMPORTED if ":" in name else
                            resolve(name))
    finally:
        sys.path[:] = saved


class _AnyParams(BaseModel):
    model_config = ConfigDict(extra="allow")


_NOT_IMPORTED = Check(
    name="(not imported)",
    description="an instructor's validator named by a roadmap that is not the course's",
    verdict=lambda raw, ctx: Verdict.error("not imported: the roadmap naming it is not the course's"),
    params=_AnyParams,
)


def course_milestone(course: Course, mid: str) -> Milestone | None:
    if course.roadmap is None or mid not in course.roadmap.milestone_ids():
        return None
    return course.roadmap.milestone(mid)
