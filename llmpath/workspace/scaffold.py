"""Starter files for a milestone, copied from the templates shipped in the package.

Never overwrites: a file the learner already has is left exactly as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from llmpath.templates import template_root
from llmpath.workspace import checklist
from llmpath.workspace.roadmap import Milestone


def copy_missing(source: Path, dest: Path) -> list[Path]:
    """Copy every file under ``source`` to the same place under ``dest`` unless it exists there."""
    created: list[Path] = []
    if not source.is_dir():
        return created
    for path in sorted(source.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        target = dest / path.relative_to(source)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        created.append(target)
    return created


def scaffold_milestone(milestone: Milestone, milestone_dir: Path, ticked: dict[str, bool] | None = None) -> list[Path]:
    """Copy the milestone's starter files into ``milestone_dir``; returns the files created."""
    milestone_dir.mkdir(parents=True, exist_ok=True)
    created = copy_missing(template_root() / "milestones" / milestone.id, milestone_dir)
    readme = milestone_dir / checklist.README
    if not readme.exists():
        readme.write_text(
            f"# {milestone.id} — {milestone.title}\n\n{milestone.summary}\n\n## Exit criteria\n\n"
            f"{checklist.BEGIN}\n{checklist.END}\n"
        )
        created.append(readme)
    update_checklist(milestone, milestone_dir, ticked or {})
    return created


def update_checklist(milestone: Milestone, milestone_dir: Path, ticked: dict[str, bool]) -> bool:
    """Tick the README's exit-criteria checklist (only between its markers)."""
    readme = milestone_dir / checklist.README
    if not readme.is_file():
        return False
    items = [(f"{c.text} (`{c.id}`)", bool(ticked.get(c.id))) for c in milestone.criteria]
    return checklist.update_readme(readme, items)
