"""A private copy of the workspace for one run of the capstone (its tests, a mutant, ``evaluate``).

The milestone folder is copied, so that a run never writes into the learner's files (the milestone's
fingerprint stays as it was) and a mutant can replace one file. Everything else in the workspace
(earlier milestones, the logs, data) is a symbolic link to the original, so that paths such as
``Path(__file__).parents[1] / "M8"`` or ``import milestones.M8.bpe`` resolve as they do in place.
Each run gets a stage of its own: nothing one run writes is seen by the next.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from llmpath.validators.m14_capstone.layout import ignore_for_copy


def make_stage(workspace: Path, milestone_dir: Path, root: Path) -> Path:
    """Lay out ``root/ws`` mirroring ``workspace``; returns the staged milestone folder."""
    workspace = Path(workspace).resolve()
    milestone_dir = Path(milestone_dir).resolve()
    stage_ws = Path(root) / "ws"
    stage_ws.mkdir(parents=True)
    try:
        inner = milestone_dir.relative_to(workspace)
    except ValueError:  # a milestone folder outside its workspace: stage it on its own
        inner = Path("milestones") / milestone_dir.name
    _mirror(workspace, stage_ws, inner.parts)
    target = stage_ws / inner
    shutil.copytree(milestone_dir, target, ignore=ignore_for_copy, symlinks=True)
    return target


def _mirror(source: Path, dest: Path, keep_out: tuple[str, ...]) -> None:
    """Link every entry of ``source`` into ``dest`` except the path ``keep_out`` (made as real folders)."""
    dest.mkdir(parents=True, exist_ok=True)
    if not keep_out or not source.is_dir():
        return
    head, rest = keep_out[0], keep_out[1:]
    for entry in source.iterdir():
        if entry.name == head or entry.name == ".git":
            continue
        try:
            os.symlink(entry, dest / entry.name, target_is_directory=entry.is_dir())
        except OSError:  # a name the platform refuses to link: the capstone cannot rely on it
            pass
    if rest:
        _mirror(source / head, dest / head, rest)
