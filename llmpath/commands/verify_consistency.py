"""The consistency checks ``llmpath verify`` runs besides re-judging: is the record whole and in order?

Each returns ``Finding``s: a *problem* makes verify fail, a *note* is shown (things that are legal
but explain a surprise, e.g. a completion recorded in a progress.json that was never committed).
"""

from __future__ import annotations

from collections.abc import Sequence

from llmpath.commands.context import Context
from llmpath.commands.verify_record import roadmap_notes
from llmpath.commands.verify_report import Finding
from llmpath.workspace import history, roadmap_identity
from llmpath.workspace.progress import PROGRESS_FILE, STATE_DIR, Progress
from llmpath.workspace.roadmap import Roadmap

_STATE = f"{STATE_DIR}/{PROGRESS_FILE}"


def consistency_findings(
    ctx: Context,
    repo: history.Repo,
    progress: Progress,
    accepted: Sequence[str],
    course: Roadmap | None,
    course_name: str,
) -> list[Finding]:
    completed = progress.completed()
    return [
        *_state(ctx, repo),
        *_order(course or ctx.roadmap, completed),
        *_roadmap(ctx, accepted, course, course_name),
        *roadmap_notes(ctx, progress),
        *_tags(repo, completed),
        *_history(repo, course or ctx.roadmap, progress),
    ]


def _state(ctx: Context, repo: history.Repo) -> list[Finding]:
    try:
        here = ctx.store.path.read_bytes()
    except OSError:
        here = None
    head = repo.head()
    committed = repo.show(head, _STATE) if head else None
    if here is not None and committed != here:
        return [
            Finding(
                "state",
                "note",
                f"{_STATE} has changes that are not committed: a CI run judges the committed record "
                f"(`git add {_STATE} && git commit` after `llmpath unlock next`)",
            )
        ]
    return []


def _order(roadmap: Roadmap, completed: set[str]) -> list[Finding]:
    ids = roadmap.milestone_ids()
    found = [
        Finding("order", "problem", f"{mid} is recorded complete, but the course has no {mid}", mid)
        for mid in sorted(completed - set(ids))
    ]
    for i, mid in enumerate(ids):
        if mid in completed:
            gaps = [m for m in ids[:i] if m not in completed]
            if gaps:
                found.append(
                    Finding(
                        "order",
                        "problem",
                        f"{mid} is recorded complete while {', '.join(gaps)} (before it) "
                        f"{'is' if len(gaps) == 1 else 'are'} not: milestones "
                        "complete strictly in order, so the record was edited or the roadmap changed",
                        mid,
                    )
                )
    return found


def _roadmap(ctx: Context, accepted: Sequence[str], course: Roadmap | None, course_name: str) -> list[Finding]:
    sha = roadmap_identity.sha256(ctx.workspace.roadmap_path.read_bytes())
    if sha in accepted:
        return []
    pin = "" if course_name != "the built-in curriculum" else (
        f" (if it is your course's roadmap, pin it: `llmpath verify --roadmap-sha256 {sha}`)"
    )
    if course is None:
        return [Finding("roadmap", "problem", f"roadmap.yaml (sha256 {sha[:12]}) is not {course_name}")]
    changes = roadmap_identity.roadmap_changes(course, ctx.roadmap)
    if not changes:
        return [
            Finding(
                "roadmap", "note", f"roadmap.yaml (sha256 {sha[:12]}) differs from {course_name} in wording only"
            )
        ]
    return [
        Finding(
            "roadmap",
            "problem",
            f"roadmap.yaml (sha256 {sha[:12]}) is not {course_name}: "
            f"{roadmap_identity.describe_changes(changes)}{pin}",
        )
    ]


def _tags(repo: history.Repo, completed: set[str]) -> list[Finding]:
    found = []
    for name in sorted(repo.tags("refs/tags/llmpath/")):
        mid = name.removeprefix("llmpath/")
        if mid not in completed:
            found.append(
                Finding(
                    "tags",
                    "note",
                    f"the tag {name} exists but {_STATE} does not record {mid} as complete (was the record "
                    "committed after `llmpath unlock next`?)",
                    mid,
                )
            )
    return found


def _history(repo: history.Repo, roadmap: Roadmap, progress: Progress) -> list[Finding]:
    """Completion commits in roadmap order should each descend from the one before, and HEAD from the last."""
    order = {mid: i for i, mid in enumerate(roadmap.milestone_ids())}
    chain = []
    for mid in sorted(progress.completed(), key=lambda m: order.get(m, len(order))):
        commit = progress.state(mid).commit
        if commit and repo.resolve(commit) == commit:
            chain.append((mid, commit))
    found = []
    for (a, ca), (b, cb) in zip(chain, chain[1:]):
        if ca != cb and not repo.is_ancestor(ca, cb):
            found.append(
                Finding(
                    "history",
                    "note",
                    f"{a}'s completion commit {ca[:12]} is not an ancestor of {b}'s {cb[:12]} (history rewritten "
                    "after completion? the tags keep the judged commits)",
                    b,
                )
            )
    head = repo.head()
    if chain and head and not repo.is_ancestor(chain[-1][1], head):
        mid, commit = chain[-1]
        found.append(
            Finding("history", "note", f"{mid}'s completion commit {commit[:12]} is not in the history of HEAD", mid)
        )
    return found
