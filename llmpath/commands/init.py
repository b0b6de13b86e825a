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
    git: bool  # a repository was created
    first: str
    commit: str | None = None  # the commit holding the fresh workspace (with --git)
    warnings: tuple[str, ...] = ()


def enclosing_workspace(root: Path) -> Path | None:
    """The workspace that ``root`` would be nested in: a folder above it holding roadmap.yaml and the
    ``.llmpath/`` state folder (a lone roadmap.yaml, e.g. an instructor's to pass with --roadmap, is not
    a workspace)."""
    for folder in root.parents:
        if (folder / ROADMAP_FILE).is_file() and (folder / ".llmpath").is_dir():
            return folder
    return None


def init(target: Path, *, git: bool = False, roadmap_file: Path | None = None, force: bool = False) -> InitReport:
    """Create a workspace in ``target`` (created if needed). Never overwrites a file.

    ``roadmap_file`` replaces the built-in curriculum (an instructor's adapted roadmap). A folder
    inside another workspace is refused unless ``force``: every command run there would find the
    inner one, and the outer one's progress would silently stop counting. With ``git``, the fresh
    workspace is committed, so that the first completion has a clean history to point at.
    """
    from llmpath.notebook import logs
    from llmpath.templates import template_root
    from llmpath.workspace.scaffold import copy_missing, scaffold_milestone

    root = target.expanduser().resolve()
    if (root / ROADMAP_FILE).exists():
        raise UsageError(
            f"{root} is already an llmpath workspace (it has {ROADMAP_FILE})", hint="cd there and run `llmpath status`"
        )
    outer = enclosing_workspace(root)
    if outer is not None and not force:
        raise UsageError(
            f"{root} is inside the llmpath workspace {outer}: a workspace there would hide that one from "
            "every command run inside it",
            hint=f"pick a folder outside {outer}, or pass --force to nest a workspace anyway",
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
    did_git, commit, warnings = _git(root, first.id) if git else (False, None, [])
    rel = tuple(sorted(p.relative_to(root).as_posix() for p in created))
    return InitReport(root, rel, did_git, first.id, commit, tuple(warnings))


def _git(root: Path, first: str) -> tuple[bool, str | None, list[str]]:
    """``git init`` (unless inside a repository already) and commit the workspace's files."""
    from llmpath.errors import LlmpathError
    from llmpath.workspace import evidence

    created = not evidence.is_repo(root)
    if created:
        evidence.init_repo(root)
    try:
        commit = evidence.commit_paths(root, None, f"llmpath init: a fresh workspace, {first} in progress")
    except LlmpathError as exc:
        why = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return created, None, [f"the workspace was not committed: {why}"]
    return created, commit, []
