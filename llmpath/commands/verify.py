"""``llmpath verify``: every completed milestone re-judged from git, on a fresh seed, in a throwaway folder.

For each milestone ``progress.json`` records as complete, the commit it was completed at (the
``llmpath/M#`` tag, cross-checked with the commit the record names) is written out into a
temporary folder, and every criterion of that milestone runs there: with the roadmap as committed
at that commit, the logs as committed there, and one seed drawn for the whole run (reported;
``--seed`` repeats it). The learner's working tree, index and record are only read. A milestone is
``verified``, ``failed`` (the criteria that fail now) or ``unverifiable`` (why), never passed by default.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from llmpath.commands.check import combine, run_criteria
from llmpath.commands.context import Context
from llmpath.commands.verify_consistency import consistency_findings
from llmpath.commands.verify_course import COMMIT_ID, Course, course_for, course_milestone, load
from llmpath.commands.verify_record import completion_notes, load_progress
from llmpath.commands.verify_report import Finding, MilestoneVerdict, VerifyReport
from llmpath.errors import LlmpathError, UsageError
from llmpath.workspace import history, roadmap_identity
from llmpath.workspace.locate import ROADMAP_FILE, Workspace
from llmpath.workspace.progress import Progress, ProgressStore
from llmpath.workspace.roadmap import Milestone

# (what, milestone, detail): "milestone" when one starts ("M3", "2/8"), then the judge's own events
ProgressFn = Callable[[str, str, str], None]
_PUSH_HINT = "push your tags (`git push --tags`); in CI, check out with `fetch-depth: 0`"


def verify(
    ctx: Context,
    *,
    seed: int | None = None,
    pins: Sequence[str] = (),
    only: Sequence[str] = (),
    on_progress: ProgressFn | None = None,
) -> VerifyReport:
    """Re-judge every completed milestone (or those in ``only``) from git; see the module docstring."""
    started = time.perf_counter()
    repo = history.open_repo(ctx.root)
    if repo is None:
        raise UsageError(
            f"{ctx.root} is not inside a git repository: `llmpath verify` re-judges each milestone at its commit",
            hint="`git init`, commit your work, and complete milestones with `llmpath unlock next`",
        )
    before = _read_state(ctx)
    progress, record_findings = load_progress(ctx)
    seed = secrets.randbelow(2**31) if seed is None else seed
    wanted = [ctx.milestone(m).id for m in only]
    completed = sorted(progress.completed(), key=_number)
    todo = [m for m in completed if not wanted or m in wanted]
    with tempfile.TemporaryDirectory(prefix="llmpath-verify-") as tmp:
        course = course_for(ctx, repo, progress, completed, pins, Path(tmp))
        verdicts = []
        for i, mid in enumerate(todo, 1):
            position = f"{i}/{len(todo)}"
            verdicts.append(_timed(ctx, repo, course, progress, mid, seed, Path(tmp) / mid, position, on_progress))
    verdicts += [_not_complete(ctx, course, mid) for mid in wanted if mid not in completed]
    findings = record_findings + consistency_findings(
        ctx, repo, progress, course.accepted, course.roadmap, course.describe()
    )
    if _read_state(ctx) != before:
        findings.append(
            Finding(
                "state",
                "problem",
                ".llmpath/progress.json changed while verify ran your code: something your code started writes "
                "llmpath's record; nothing verify reports about it can be trusted",
            )
        )
    course_roadmap = course.roadmap or ctx.roadmap
    return VerifyReport(
        workspace=str(ctx.root),
        seed=seed,
        roadmap_sha256=roadmap_identity.sha256(ctx.workspace.roadmap_path.read_bytes()),
        accepted=course.accepted,
        pinned=course.pinned,
        completed=len(completed),
        total=len(course_roadmap.milestones()),
        milestones=tuple(sorted(verdicts, key=lambda v: _number(v.id))),
        findings=tuple(findings),
        elapsed_s=time.perf_counter() - started,
    )


def _number(mid: str) -> int:
    return int(mid[1:]) if mid[1:].isdigit() else sys.maxsize


def _read_state(ctx: Context) -> bytes | None:
    try:
        return ctx.store.path.read_bytes()
    except OSError:
        return None


def _timed(
    ctx: Context,
    repo: history.Repo,
    course: Course,
    progress: Progress,
    mid: str,
    seed: int,
    folder: Path,
    position: str,
    on_progress: ProgressFn | None,
) -> MilestoneVerdict:
    if on_progress:
        on_progress("milestone", mid, position)
    started = time.perf_counter()
    try:
        verdict = _verify_one(ctx, repo, course, progress, mid, seed, folder, on_progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return dataclasses.replace(verdict, elapsed_s=time.perf_counter() - started)


def _title(ctx: Context, course: Course, mid: str) -> str:
    for roadmap in (ctx.roadmap, course.roadmap):
        if roadmap is not None and mid in roadmap.milestone_ids():
            return roadmap.milestone(mid).title
    return mid


def _expected(ctx: Context, course: Course, mid: str) -> tuple[tuple[str, str], ...]:
    """The criteria the course asks of ``mid`` (what a junit report lists when nothing could run)."""
    for roadmap in (course.roadmap, ctx.roadmap):
        if roadmap is not None and mid in roadmap.milestone_ids():
            return tuple((c.id, c.text) for c in roadmap.milestone(mid).criteria)
    return ()


def _not_complete(ctx: Context, course: Course, mid: str) -> MilestoneVerdict:
    return MilestoneVerdict(
        mid, _title(ctx, course, mid), "unverifiable", f"{mid} is not recorded as complete", None, None, None,
        expected=_expected(ctx, course, mid),
    )


def _completion_commit(
    repo: history.Repo, progress: Progress, mid: str
) -> tuple[str | None, str | None, str | None, list[str]]:
    """(commit, tag, why it cannot be verified, notes) from the tag and the record, cross-checked."""
    state = progress.state(mid)
    name = f"llmpath/{mid}"
    tagged = repo.tag_commit(name)
    tag = name if tagged else None
    recorded = state.commit
    if state.tag and tagged is None:
        return None, None, f"the tag {state.tag} recorded at completion is missing: {_PUSH_HINT}", []
    if recorded is None:
        why = f"progress.json records no commit for {mid} (completed outside git, or the record was edited)"
        return tagged, tag, why, []
    if not COMMIT_ID.match(recorded):
        return tagged, tag, f"progress.json's commit for {mid} ({recorded[:40]!r}) is not a commit id", []
    if repo.resolve(recorded) != recorded:
        why = f"commit {recorded[:12]}, recorded at completion, is not in this repository: {_PUSH_HINT}"
        return recorded, tag, why, []
    if tagged is not None and tagged != recorded and repo.records_on(tagged, recorded, mid):
        # unlock judged `recorded`, then committed its records (progress, logs, checklist) on top and tagged
        # that: lay out the tagged commit, whose milestone files are the judged ones and whose logs are there
        return tagged, tag, None, []
    if tagged is not None and tagged != recorded:
        why = (
            f"the tag {name} points at {tagged[:12]} but progress.json records {recorded[:12]}: the tag was moved "
            f"or the record edited (if the record is right: `git tag -f {name} {recorded[:12]}`)"
        )
        return recorded, tag, why, []
    notes = [] if tagged else [f"no tag {name} was made at completion; judged at the commit progress.json records"]
    return recorded, tag, None, notes


def _verify_one(
    ctx: Context,
    repo: history.Repo,
    course: Course,
    progress: Progress,
    mid: str,
    seed: int,
    folder: Path,
    on_progress: ProgressFn | None,
) -> MilestoneVerdict:
    title, expected = _title(ctx, course, mid), _expected(ctx, course, mid)
    commit, tag, why, notes = _completion_commit(repo, progress, mid)

    def unverifiable(reason: str, sha: str | None = None) -> MilestoneVerdict:
        return MilestoneVerdict(mid, title, "unverifiable", reason, commit, tag, sha, (), expected, tuple(notes))

    if why is not None or commit is None:
        return unverifiable(why or "no commit")
    short = commit[:12]
    try:
        tree = history.materialise(repo, commit, folder / "workspace")
    except history.GitFailed as exc:
        return unverifiable(f"cannot read commit {short}: {exc}")
    notes += [f"not laid out from {short}: {s}" for s in tree.skipped]
    roadmap_path = tree.root / ROADMAP_FILE
    if not roadmap_path.is_file():
        return unverifiable(f"files missing: {ROADMAP_FILE} is not in commit {short}")
    sha = roadmap_identity.sha256(roadmap_path.read_bytes())
    try:
        roadmap = load(roadmap_path, trusted=sha in course.accepted)
    except LlmpathError as exc:
        return unverifiable(f"{ROADMAP_FILE} at {short} cannot be read: {exc.message.splitlines()[0]}", sha)
    if mid not in roadmap.milestone_ids():
        return unverifiable(f"{mid} is not in the roadmap committed at {short}", sha)
    milestone = roadmap.milestone(mid)
    if sha not in course.accepted:
        changes = roadmap_identity.milestone_changes(course_milestone(course, mid), milestone)
        if course.roadmap is None or changes:
            what = roadmap_identity.describe_changes(changes) if course.roadmap else "no pinned roadmap here to compare"
            reason = f"completed under another roadmap (sha256 {sha[:12]}, not {course.describe()}): {what}"
            return unverifiable(reason, sha)
        notes.append(f"{ROADMAP_FILE} at {short} differs from {course.describe()}, but not in {mid}'s criteria")
        roadmap = load(roadmap_path)  # the validators it names for this milestone are the course's
        milestone = roadmap.milestone(mid)
    if not (tree.root / "milestones" / mid).is_dir():
        return unverifiable(f"files missing: milestones/{mid}/ is not in commit {short}", sha)
    judged = Context(Workspace(tree.root), roadmap, ProgressStore(tree.root))
    notes += completion_notes(progress, mid, judged, roadmap, short)
    results = _run(judged, milestone, seed, on_progress)
    status = combine([r.status for r in results])
    failing = [r for r in results if r.status != "passed"]
    reason = None
    if status != "passed":
        reason = "failed now: " + "; ".join(f"{r.id} ({r.status}: {_first_summary(r)})" for r in failing)
    return MilestoneVerdict(
        mid, title, "verified" if status == "passed" else "failed", reason, commit, tag, sha, tuple(results),
        expected, tuple(notes),
    )


def _run(tree: Context, milestone: Milestone, seed: int, on_progress: ProgressFn | None) -> list:
    """Every criterion of ``milestone`` in the laid-out tree (nothing is recorded there)."""
    def on_event(kind: str, check_id: str, *detail: str) -> None:  # plan / start / progress / done
        if on_progress is not None and kind in ("start", "done"):
            on_progress(kind, milestone.id, check_id)

    saved = list(sys.path)
    try:
        return run_criteria(tree, milestone, milestone.criteria, seed=seed, on_event=on_event)
    finally:
        sys.path[:] = saved


def _first_summary(result) -> str:  # noqa: ANN001 - a CriterionResult
    bad = [c for c in result.checks if c.status != "passed"] or list(result.checks)
    text = bad[0].summary if bad else "no check ran"
    return text if len(text) <= 160 else text[:157] + "..."
