"""``llmpath status``: where the learner stands, and the exact next command. Fast: no numpy/torch/git."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmpath.workspace import gates

if TYPE_CHECKING:  # status also runs on a light context of plain views (llmpath.cli.fast)
    from llmpath.commands.context import Context

SCHEMA_VERSION = 1


def path_end(ctx: Context, mid: str) -> str | None:
    """Why ``mid`` is where the path ends for now (this version cannot judge it), or None."""
    from llmpath import __version__
    from llmpath.workspace.views import is_judged

    milestone = ctx.milestone(mid)
    if is_judged(milestone):
        return None
    return (
        f"{mid} ({milestone.title}) cannot be judged by llmpath {__version__} yet: the path ends here for now. "
        f"Upgrade llmpath when {mid}'s checks ship; until then, keep your completed work passing"
    )


def next_command(ctx: Context, progress: Any) -> tuple[str | None, str]:
    """(command, why) for the learner's next step."""
    mid = gates.current(ctx.roadmap, progress)
    if mid is None:
        return "llmpath check --all", "every milestone is complete: re-verify them all on your current code"
    end = path_end(ctx, mid)
    if end is not None:
        return "llmpath check --all", end
    milestone = ctx.milestone(mid)
    records = progress.state(mid).checks
    if not ctx.workspace.milestone_dir(mid).exists():
        return f"llmpath check {mid}", f"{mid}'s folder is missing; checking it lays out the starter files again"
    passed = [c for c in milestone.criteria if (r := records.get(c.id)) and r.status == "passed"]
    if len(passed) == len(milestone.criteria):
        return "llmpath unlock next", f"every criterion of {mid} passed: complete it and open the next milestone"
    if not records:
        return f"llmpath check {mid}", f"read milestones/{mid}/README.md, implement the starter files, then check"
    return f"llmpath check {mid}", f"{len(milestone.criteria) - len(passed)} criteria of {mid} still to pass"


def _latest(records: dict[str, Any]) -> str | None:
    """The newest time a result was recorded (a fresh clone has no cache of the last run)."""
    times = [r.at for r in records.values() if getattr(r, "at", None)]
    return max(times) if times else None


def papers_by_milestone(ctx: Context) -> dict[str, list[str]]:
    """Paper notes in papers_notes/, grouped by the milestone named in their front matter."""
    folder = ctx.root / "papers_notes"
    grouped: dict[str, list[str]] = {}
    if not folder.is_dir():
        return grouped
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        milestone = ""
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                for _ in range(12):
                    line = fh.readline()
                    if line.lower().startswith("milestone:"):
                        milestone = line.split(":", 1)[1].strip().upper()
                        break
        except OSError:
            continue
        grouped.setdefault(milestone or "-", []).append(ctx.workspace.rel(path))
    return grouped


def status(ctx: Context, roadmap_changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The status document (also what ``--json`` prints; schema in README.md).

    ``roadmap_changes``: how roadmap.yaml differs from the roadmap the progress is judged against
    (``llmpath.commands.check.roadmap_changes``; the instant path runs only when it does not).
    """
    from llmpath.workspace.views import is_judged, read_last_checks

    progress = ctx.progress()
    papers = papers_by_milestone(ctx)
    last_checks = read_last_checks(ctx.root)
    phases = []
    done = total = 0
    for phase in ctx.roadmap.phases:
        milestones = []
        for m in phase.milestones:
            st = progress.state(m.id)
            state = gates.state(ctx.roadmap, progress, m.id)
            passed = sum(1 for c in m.criteria if (r := st.checks.get(c.id)) and r.status == "passed")
            milestones.append(
                {
                    "id": m.id,
                    "title": m.title,
                    "state": state,
                    "criteria_passed": passed,
                    "criteria_total": len(m.criteria),
                    "last_check_at": last_checks.get(m.id) or st.last_check_at or _latest(st.checks),
                    "completed_at": st.completed_at,
                    "commit": st.commit,
                    "papers": papers.get(m.id, []),
                    "judged": is_judged(m),
                }
            )
            total += 1
            done += state == "complete"
        states = {m["state"] for m in milestones}
        phase_state = "complete" if states == {"complete"} else ("locked" if states == {"locked"} else "in_progress")
        phases.append(
            {
                "id": phase.id,
                "title": phase.title,
                "description": phase.description,
                "objectives": list(phase.objectives),
                "state": phase_state,
                "milestones": milestones,
            }
        )
    command, why = next_command(ctx, progress)
    if roadmap_changes is not None:
        command = "llmpath roadmap accept --reason '...'"
        why = (f"roadmap.yaml is not {roadmap_changes['against']} ({'; '.join(roadmap_changes['lines'])}): "
               "`llmpath unlock` refuses until you accept it, or restore it with `git checkout -- roadmap.yaml`")
    return {
        "schema": SCHEMA_VERSION,
        "workspace": str(ctx.root),
        "roadmap": ctx.roadmap.title,
        "current": gates.current(ctx.roadmap, progress),
        "completed": done,
        "total": total,
        "next": {"command": command, "why": why},
        "phases": phases,
        "papers": {k: v for k, v in papers.items()},
        "roadmap_changes": roadmap_changes,
    }


def filter_status(doc: dict[str, Any], *, phase: str | None = None, state: str | None = None) -> dict[str, Any]:
    """Keep only the phases / milestone states asked for (the totals and next step stay whole)."""
    from llmpath.errors import UsageError

    if state is not None and state not in ("locked", "in_progress", "complete"):
        raise UsageError(f"--state must be locked, in_progress or complete, not {state!r}")
    phases = doc["phases"]
    if phase is not None:
        ids = [p["id"] for p in phases]
        if phase not in ids:
            raise UsageError(f"unknown phase {phase!r}; the roadmap has {', '.join(ids)}")
        phases = [p for p in phases if p["id"] == phase]
    if state is not None:
        phases = [dict(p, milestones=[m for m in p["milestones"] if m["state"] == state]) for p in phases]
        phases = [p for p in phases if p["milestones"]]
    return dict(doc, phases=phases)
