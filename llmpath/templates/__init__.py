"""The files llmpath ships for a workspace: the built-in roadmap, its JSON Schema, starter files.

``milestones/M#/`` holds each milestone's starter files (copied, never over the learner's own),
``workspace/`` the files of a fresh workspace, ``roadmap.yaml`` the built-in curriculum. Validators
read the starter files too, so that text the learner was given never counts as their own writing.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_ROADMAP", "BUNDLED_SCHEMA", "ROOT", "starter_dir", "template_root"]

ROOT = Path(__file__).resolve().parent
BUNDLED_ROADMAP = ROOT / "roadmap.yaml"
BUNDLED_SCHEMA = ROOT / "roadmap.schema.json"


def template_root() -> Path:
    """The templates shipped in the package: roadmap.yaml, workspace/ and milestones/M#/."""
    return ROOT


def starter_dir(milestone: str) -> Path:
    """The starter files of ``milestone`` (e.g. ``M4``) as llmpath ships them."""
    return ROOT / "milestones" / milestone
