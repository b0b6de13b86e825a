"""What every command starts from: the workspace, its roadmap and its progress.

One ``Context`` serves both paths: ``open_context`` gives the validated pydantic roadmap and the
locked progress store; the instant ``status`` path (``llmpath.cli.fast``) gives plain views of the
same data (``llmpath.workspace.views``), so that it never imports pydantic, yaml or filelock. This
module's imports stay that light for the same reason.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmpath.workspace.locate import Workspace, find_workspace

if TYPE_CHECKING:
    from llmpath.workspace.progress import Progress, ProgressStore
    from llmpath.workspace.roadmap import Milestone, Roadmap


@dataclasses.dataclass(frozen=True)
class Context:
    workspace: Workspace
    roadmap: Roadmap  # or a RoadmapView on the instant path
    store: ProgressStore  # or a ProgressSnapshot on the instant path

    @property
    def root(self) -> Path:
        return self.workspace.root

    def progress(self) -> Progress:
        return self.store.load()

    def milestone(self, mid: str) -> Milestone:
        return self.roadmap.milestone(mid)


def open_context(explicit: Path | None = None) -> Context:
    from llmpath.workspace.progress import ProgressStore
    from llmpath.workspace.roadmap_yaml import load_roadmap
    from llmpath.workspace.views import read_cached_roadmap, write_cached_roadmap

    workspace = find_workspace(explicit=explicit)
    # a roadmap this llmpath validated before (the cache is keyed by its bytes and llmpath's version):
    # its built-in validators are not checked again, and the cache (0.4 s to write) stays as it is
    current = read_cached_roadmap(workspace.root) is not None
    roadmap = load_roadmap(workspace.roadmap_path, builtins_checked=current)
    if not current:
        write_cached_roadmap(workspace.root, roadmap)
    return Context(workspace, roadmap, ProgressStore(workspace.root))


def snapshot_context(workspace: Workspace, roadmap: Any, progress: Any) -> Context:
    """A read-only context over plain views (the instant ``status`` path)."""
    from llmpath.workspace.views import ProgressSnapshot

    return Context(workspace, roadmap, ProgressSnapshot(progress))  # type: ignore[arg-type]
