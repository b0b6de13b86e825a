"""The curriculum as data: ``roadmap.yaml`` parsed once into frozen pydantic models.

``load_roadmap`` is the only way YAML becomes a ``Roadmap``; the YAML side (line numbers, safe
loading, error messages) lives in ``llmpath.workspace.roadmap_yaml``. This module holds the schema, the
consistency rules (duplicate ids, milestones out of order) and the JSON schema for editors.
Module-level imports stay light (stdlib, pydantic, llmpath.errors).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from llmpath.errors import UsageError

MILESTONE_ID = r"^M[1-9][0-9]*$"
CRITERION_ID = r"^M[1-9][0-9]*\.[A-Za-z0-9_][A-Za-z0-9_.-]*$"
PHASE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# Guards against hostile YAML: alias bombs and absurd nesting (the schema is ~10 levels deep).
MAX_NODES = 200_000
MAX_DEPTH = 64

NonEmpty = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class CheckDecl(_Frozen):
    """One run of a validator on the learner's code."""

    validator: NonEmpty = Field(
        description="A built-in validator name (e.g. 'm1.sigmoid', 'docs.journal') or 'package.module:ATTR' "
        "for a custom Check importable from the roadmap's folder."
    )
    params: dict[str, Any] = Field(
        default={}, description="The validator's parameters (checked when the roadmap loads)."
    )
    timeout: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        default=None, description="Seconds before the check is stopped; default: the validator's own."
    )
    memory_mb: Annotated[int, Field(gt=0)] | None = Field(
        default=None, description="Memory cap of the check's process in MiB; default: the validator's own."
    )
    seed: int = Field(default=0, description="Seed the validator derives its inputs from.")


class Criterion(_Frozen):
    """An exit criterion: a sentence for the checklist and the checks that prove it."""

    id: str = Field(pattern=CRITERION_ID, description="Unique id '<milestone>.<name>', e.g. 'M1.gradient'.")
    text: NonEmpty = Field(description="The checklist line shown in the milestone README.")
    hints: list[NonEmpty] = Field(
        default=[],
        description="Hints for this criterion, revealed one at a time by `llmpath hint` while it is the first "
        "one failing.",
    )
    checks: list[CheckDecl] = Field(min_length=1)


class Milestone(_Frozen):
    id: str = Field(pattern=MILESTONE_ID, description="'M<number>', numbered in the order they are taken.")
    title: NonEmpty
    summary: NonEmpty
    objectives: list[NonEmpty] = []
    hints: list[NonEmpty] = Field(
        default=[],
        description="General hints, for code criteria without hints of their own (tie hints to a criterion "
        "with its own `hints`).",
    )
    criteria: list[Criterion] = Field(min_length=1)
    tag: bool = Field(default=True, description="Tag the commit that completes this milestone.")

    @property
    def number(self) -> int:
        return int(self.id[1:])


class Phase(_Frozen):
    id: str = Field(pattern=PHASE_ID, description="A short slug, e.g. 'foundations' or 'P1'.")
    title: NonEmpty
    description: NonEmpty
    objectives: list[NonEmpty] = []
    milestones: list[Milestone] = Field(min_length=1)


class Roadmap(_Frozen):
    """The whole curriculum: phases, in order, each with its milestones in order."""

    version: Literal[1] = Field(description="Format version of this file; always 1.")
    title: NonEmpty
    description: str = ""
    phases: list[Phase] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Roadmap:
        # load_roadmap runs these checks itself, with paths and line numbers; a Roadmap built in
        # code gets them here.
        if not (info.context or {}).get("_llmpath_loader"):
            problems = list(consistency_problems(self))
            if problems:
                raise ValueError("; ".join(f"{dotted(loc)}: {msg}" for loc, msg in problems))
        return self

    def milestones(self) -> list[Milestone]:
        return [m for phase in self.phases for m in phase.milestones]

    def milestone_ids(self) -> list[str]:
        return [m.id for m in self.milestones()]

    def milestone(self, mid: str) -> Milestone:
        """The milestone called ``mid``; accepts 'M3', 'm3' or '3'."""
        wanted = normalize_milestone_id(mid)
        for m in self.milestones():
            if m.id == wanted:
                return m
        shown = wanted if wanted is not None else str(mid)
        raise UsageError(
            f"unknown milestone {shown!r}; the roadmap has {_describe_ids(self.milestone_ids())}",
            hint="`llmpath status` lists them",
        )

    def phase_of(self, mid: str) -> Phase:
        wanted = self.milestone(mid).id
        return next(p for p in self.phases if any(m.id == wanted for m in p.milestones))

    def index(self, mid: str) -> int:
        """Position of the milestone in the whole roadmap, from 0."""
        return self.milestone_ids().index(self.milestone(mid).id)

    def next_milestone(self, mid: str) -> Milestone | None:
        """The milestone after ``mid``, or None after the last one."""
        ms = self.milestones()
        i = self.index(mid)
        return ms[i + 1] if i + 1 < len(ms) else None

    def criterion(self, cid: str) -> Criterion:
        for m in self.milestones():
            for c in m.criteria:
                if c.id == cid:
                    return c
        raise UsageError(f"unknown criterion {cid!r}")


def normalize_milestone_id(mid: str) -> str | None:
    """'m3', 'M3', '3', ' M03 ' -> 'M3'; None when it cannot be a milestone id."""
    match = re.fullmatch(r"\s*[Mm]?0*([1-9][0-9]{0,5})\s*", str(mid))
    return f"M{match.group(1)}" if match else None


def json_schema() -> dict[str, Any]:
    """The JSON schema of roadmap.yaml (``llmpath schema``), for editors' completion."""
    schema = Roadmap.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "llmpath roadmap.yaml"
    return schema


Loc = tuple[Any, ...]

def consistency_problems(roadmap: Roadmap) -> Iterator[tuple[Loc, str]]:
    """Duplicate ids, milestones out of order, criteria filed under another milestone."""
    phase_ids: dict[str, Loc] = {}
    milestone_ids: dict[str, Loc] = {}
    criterion_ids: dict[str, Loc] = {}
    previous: Milestone | None = None
    for p, phase in enumerate(roadmap.phases):
        loc_p = ("phases", p)
        if phase.id in phase_ids:
            yield (*loc_p, "id"), f"duplicate phase id {phase.id!r} (also {dotted(phase_ids[phase.id])})"
        phase_ids.setdefault(phase.id, loc_p)
        for m, milestone in enumerate(phase.milestones):
            loc_m = (*loc_p, "milestones", m)
            if milestone.id in milestone_ids:
                yield (
                    (*loc_m, "id"),
                    f"duplicate milestone id {milestone.id!r} (also {dotted(milestone_ids[milestone.id])})",
                )
            elif previous is not None and milestone.number <= previous.number:
                yield (*loc_m, "id"), (
                    f"milestones out of order: {milestone.id} comes after {previous.id} "
                    "(number them in the order they are taken)"
                )
            milestone_ids.setdefault(milestone.id, loc_m)
            previous = milestone
            for c, criterion in enumerate(milestone.criteria):
                loc_c = (*loc_m, "criteria", c)
                if criterion.id in criterion_ids:
                    yield (
                        (*loc_c, "id"),
                        f"duplicate criterion id {criterion.id!r} (also {dotted(criterion_ids[criterion.id])})",
                    )
                elif not criterion.id.startswith(milestone.id + "."):
                    yield (
                        (*loc_c, "id"),
                        f"criterion {criterion.id!r} must be named '{milestone.id}.<name>' under {milestone.id}",
                    )
                criterion_ids.setdefault(criterion.id, loc_c)


def dotted(loc: Loc) -> str:
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        elif isinstance(step, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", step):
            out += f".{step}" if out else step
        else:
            out += f"[{step!r}]"
    return out or "(top level)"


def _describe_ids(ids: list[str]) -> str:
    if not ids:
        return "no milestones"
    numbers = [int(i[1:]) for i in ids]
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))) and len(ids) > 2:
        return f"{ids[0]}..{ids[-1]}"
    return ", ".join(ids)


if __name__ == "__main__":  # python -m llmpath.workspace.roadmap > llmpath/templates/roadmap.schema.json
    import json

    print(json.dumps(json_schema(), indent=2))
