"""``llmpath hint``: the hint for the first criterion still failing, revealed one at a time.

Hints belong to criteria (``criteria[].hints`` in roadmap.yaml); a milestone's own ``hints`` are
general ones, offered for a code criterion that has none of its own. A documentation criterion
without hints gets what its last check said instead: that is the most useful hint there is.
``--all`` shows every hint of the milestone at once.
"""

from __future__ import annotations

import dataclasses

from llmpath.commands.context import Context
from llmpath.errors import GateError, UsageError
from llmpath.workspace import gates
from llmpath.workspace.progress import Progress
from llmpath.workspace.roadmap import Criterion, Milestone

GENERAL = ""  # the key of a milestone's general hints


@dataclasses.dataclass(frozen=True)
class HintGroup:
    criterion: str | None  # None: the milestone's general hints
    text: str  # the criterion's checklist line ("" for general hints)
    hints: tuple[str, ...]  # the hints revealed so far (all of them with --all)
    total: int


@dataclasses.dataclass(frozen=True)
class HintReport:
    milestone: str
    target: str | None  # the criterion the hint is for (None when every criterion passed, or --all)
    groups: tuple[HintGroup, ...]
    new: bool  # this call revealed one more
    last_result: str | None = None  # "failed: what the last check said" for the target
    all_passed: bool = False
    advice: tuple[str, ...] = ()  # a documentation criterion without hints, judged afresh: what it needs

    @property
    def revealed(self) -> tuple[str, ...]:
        return tuple(h for g in self.groups for h in g.hints)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def split_target(ctx: Context, target: str | None) -> tuple[str, str | None]:
    """(milestone, criterion or None) from ``M3``, ``M3.variant`` or nothing (the milestone in progress)."""
    if target is None:
        mid = gates.current(ctx.roadmap, ctx.progress())
        if mid is None:
            raise UsageError("every milestone is complete; name one, e.g. `llmpath hint M3`")
        return mid, None
    if "." in target:
        criterion = ctx.roadmap.criterion(target)
        return criterion.id.split(".")[0], criterion.id
    return ctx.milestone(target).id, None


def first_failing(milestone: Milestone, progress: Progress) -> Criterion | None:
    """The first criterion without a recorded pass (never checked counts as not passed)."""
    records = progress.state(milestone.id).checks
    for criterion in milestone.criteria:
        rec = records.get(criterion.id)
        if rec is None or rec.status != "passed":
            return criterion
    return None


def _runs_code(criterion: Criterion) -> bool:
    from llmpath.validators.registry import resolve

    return any(resolve(c.validator).probe is not None for c in criterion.checks)


def _source(milestone: Milestone, criterion: Criterion) -> tuple[str, tuple[str, ...]]:
    """(key, hints) that serve ``criterion``: its own, else the general ones when it runs code."""
    if criterion.hints:
        return criterion.id, tuple(criterion.hints)
    if milestone.hints and _runs_code(criterion):
        return GENERAL, tuple(milestone.hints)
    return criterion.id, ()


def _shown(progress: Progress, mid: str, key: str) -> int:
    state = progress.state(mid)
    return state.hints_revealed if key == GENERAL else state.criterion_hints.get(key, 0)


def _reveal(ctx: Context, mid: str, counts: dict[str, int]) -> Progress:
    def apply(p: Progress) -> None:
        state = p.milestones.setdefault(mid, p.state(mid))
        for key, n in counts.items():
            if key == GENERAL:
                state.hints_revealed = max(state.hints_revealed, n)
            else:
                state.criterion_hints[key] = max(state.criterion_hints.get(key, 0), n)

    return ctx.store.update(apply)


def hint(ctx: Context, target: str | None = None, *, show_all: bool = False, reveal: bool = True) -> HintReport:
    """Reveal the next hint for the first failing criterion (or the one named); ``show_all``: every hint."""
    mid, named = split_target(ctx, target)
    milestone = ctx.milestone(mid)
    progress = ctx.progress()
    reasons = gates.blockers(ctx.roadmap, progress, milestone.id)
    if reasons:
        raise GateError(f"{milestone.id} is locked: its hints open with it", missing=reasons)
    if show_all:
        return _everything(ctx, milestone)
    criterion = ctx.roadmap.criterion(named) if named else first_failing(milestone, progress)
    if criterion is None:
        return HintReport(milestone.id, None, (), False, all_passed=True)
    key, hints = _source(milestone, criterion)
    shown = _shown(progress, mid, key)
    new = reveal and shown < len(hints)
    if new:
        shown = _shown(_reveal(ctx, mid, {key: shown + 1}), mid, key)
    rec = progress.state(mid).checks.get(criterion.id)
    last = f"{rec.status}: {rec.summary}" if rec else None
    advice = _advice(ctx, milestone, criterion) if not hints else ()
    group = HintGroup(criterion.id if key != GENERAL else None, criterion.text, hints[:shown], len(hints))
    return HintReport(milestone.id, criterion.id, (group,), new, None if advice else last, advice=advice)


def _advice(ctx: Context, milestone: Milestone, criterion: Criterion) -> tuple[str, ...]:
    """A documentation criterion judged now (in-process, no learner code runs): its message is the hint."""
    from llmpath.commands.check import is_doc_only, run_criteria

    if not is_doc_only(criterion):
        return ()
    (result,) = run_criteria(ctx, milestone, [criterion])
    if result.status == "passed":
        return (f"it passes now: `llmpath check {milestone.id}` records it",)
    lines: list[str] = []
    for c in result.checks:
        if c.status != "passed":
            lines += [c.summary, *c.details] + ([f"likely: {c.diagnosis}"] if c.diagnosis else [])
    return tuple(lines)


def _everything(ctx: Context, milestone: Milestone) -> HintReport:
    groups = [HintGroup(c.id, c.text, tuple(c.hints), len(c.hints)) for c in milestone.criteria if c.hints]
    if milestone.hints:
        groups.append(HintGroup(None, "", tuple(milestone.hints), len(milestone.hints)))
    counts = {c.id: len(c.hints) for c in milestone.criteria if c.hints}
    if milestone.hints:
        counts[GENERAL] = len(milestone.hints)
    before = ctx.progress()
    new = any(_shown(before, milestone.id, k) < n for k, n in counts.items())
    if new:
        _reveal(ctx, milestone.id, counts)
    return HintReport(milestone.id, None, tuple(groups), new)
