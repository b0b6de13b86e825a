"""``llmpath init DIR``: lay out a fresh workspace from the templates shipped in the package."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from llmpath.errors import UsageError
from llmpath.fsutil import utc_now
from llmpath.workspace.locate import ROADMAP_FILE
from llmpath.workspace.progress import Progress, ProgressStore
from llmpath.workspace.roadmap_hash import reference_for
from llmpath.workspace.roadmap_yaml import load_roadmap


@dataclasses.dataclass(frozen=True)
class InitReport:
    root: Path
    created: tuple[str, ...]
    git: bool
    first: str


def init(target: Path, *, git: bool = False, roadmap_file: Path | None = None) -> InitReport:
    """Create a workspace in ``target`` (created if needed). Never overwrites a file.

    ``roadmap_file`` replaces the built-in curriculum (an instructor's adapted roadmap).
    """
    from llmpath.notebook import logs
    from llmpath.templates import template_root
    from llmpath.workspace.scaffold import copy_missing, scaffold_milestone

    root = target.expanduser().resolve()
    if (root / ROADMAP_FILE).exists():
        raise UsageError(
            f"{root} is already an llmpath workspace (it has {ROADMAP_FILE})", hint="cd there and run `llmpath status`"
        )
    if roadmap_file is not None and not roadmap_file.is_file():
        raise UsageError(f"{roadmap_file} does not exist")
    templates = template_root()
    source = roadmap_file or templates / ROADMAP_FILE
    roadmap = load_roadmap(source)  # validate before writing anything
    root.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    shutil.copyfile(source, root / ROADMAP_FILE)
    created.append(root / ROADMAP_FILE)
    created += copy_missing(templates / "workspace", root)
    for folder in ("visualizations", "papers_notes", "milestones"):
        (root / folder).mkdir(exist_ok=True)
    before = {p for p in (root / logs.EXPERIMENTS_FILE, root / logs.JOURNAL_FILE) if p.exists()}
    logs.ensure_log_files(root)
    created += [p for p in (root / logs.EXPERIMENTS_FILE, root / logs.JOURNAL_FILE) if p not in before]
    first = roadmap.milestones()[0]
    store = ProgressStore(root)
    if not store.path.exists():
        now = utc_now()

        def apply(p: Progress) -> None:
            p.milestones.setdefault(first.id, p.state(first.id)).unlocked_at = now
            # what this workspace is judged against: an instructor's roadmap as it is now (the built-in
            # curriculum needs no record: it is compared with llmpath's own); `roadmap accept` changes it
            p.roadmap = None if roadmap_file is None else reference_for(roadmap, "file")

        store.update(apply)
        created.append(store.path)
    created += scaffold_milestone(first, root / "milestones" / first.id)
    did_git = False
    if git:
        from llmpath.workspace import evidence

        if not evidence.is_repo(root):
            evidence.init_repo(root)
            did_git = True
    rel = tuple(sorted(p.relative_to(root).as_posix() for p in created))
    return InitReport(root, rel, did_git, first.id)
