"""What every command starts from: the workspace, its roadmap and its progress."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from llmpath.workspace.locate import Workspace, find_workspace
from llmpath.workspace.progress import Progress, ProgressStore
from llmpath.workspace.roadmap import Milestone, Roadmap
from llmpath.workspace.roadmap_yaml import load_roadmap


@dataclasses.dataclass(frozen=True)
class Context:
    workspace: Workspace
    roadmap: Roadmap
    store: ProgressStore

    @property
    def root(self) -> Path:
        return self.workspace.root

    def progress(self) -> Progress:
        return self.store.load()

    def milestone(self, mid: str) -> Milestone:
        return self.roadmap.milestone(mid)


def open_context(explicit: Path | None = None) -> Context:
    from llmpath.workspace.views import write_cached_roadmap

    workspace = find_workspace(explicit=explicit)
    roadmap = load_roadmap(workspace.roadmap_path)
    write_cached_roadmap(workspace.root, roadmap)
    return Context(workspace, roadmap, ProgressStore(workspace.root))
