"""Finding the learner's workspace: the first folder upward that holds ``roadmap.yaml`` (like git)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from llmpath.errors import WorkspaceNotFound

ROADMAP_FILE = "roadmap.yaml"


@dataclasses.dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def roadmap_path(self) -> Path:
        return self.root / ROADMAP_FILE

    def milestone_dir(self, mid: str) -> Path:
        return self.root / "milestones" / mid

    @property
    def state_dir(self) -> Path:
        return self.root / ".llmpath"

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def find_workspace(start: Path | None = None, explicit: Path | None = None) -> Workspace:
    """The workspace containing ``start`` (default: the current directory), or ``explicit``."""
    if explicit is not None:
        root = explicit.expanduser().resolve()
        if not (root / ROADMAP_FILE).is_file():
            raise WorkspaceNotFound(
                f"{root} has no {ROADMAP_FILE}",
                hint="pass the folder that holds roadmap.yaml, or run `llmpath init DIR`",
            )
        return Workspace(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ROADMAP_FILE).is_file():
            return Workspace(folder)
    raise WorkspaceNotFound(
        f"no {ROADMAP_FILE} in {here} or any folder above it",
        hint="cd into your llmpath workspace, pass --workspace DIR, or create one with `llmpath init DIR`",
    )
