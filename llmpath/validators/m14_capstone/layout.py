"""Which files of ``milestones/M14`` are the capstone's code and which are its tests (static, no imports).

Tests are what pytest collects by default: ``test_*.py`` and ``*_test.py``, plus everything under a
folder named ``tests`` or ``test`` and every ``conftest.py``. The capstone's code is every other
``.py`` file. Caches, virtual environments and hidden folders are neither.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

TEST_DIRS = frozenset({"tests", "test"})
SKIP_DIRS = frozenset({"__pycache__", "venv", "env", "node_modules", "build", "dist", "site-packages"})
MAX_STAGE_MB = 100  # the capstone's folder is copied for every run; data belongs outside it (or seeded)


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(p in SKIP_DIRS or p.startswith(".") or p.endswith(".egg-info") for p in parts)


def is_test_file(rel: str) -> bool:
    """Whether ``rel`` (a posix path inside the milestone folder) is a test file, conftest included."""
    path = PurePosixPath(rel)
    name = path.name
    return (
        any(p in TEST_DIRS for p in path.parts[:-1])
        or name == "conftest.py"
        or (name.startswith("test_") or name.endswith("_test.py"))
    )


def python_files(milestone_dir: Path) -> list[str]:
    """Every ``.py`` file under the folder (posix paths relative to it), sorted, caches left out."""
    found = []
    for path in Path(milestone_dir).rglob("*.py"):
        rel = path.relative_to(milestone_dir)
        if path.is_file() and not _skipped(rel.parts[:-1]):
            found.append(rel.as_posix())
    return sorted(found)


def code_files(milestone_dir: Path) -> list[str]:
    """The capstone's own code: every ``.py`` file that is not a test."""
    return [f for f in python_files(milestone_dir) if not is_test_file(f)]


def test_files(milestone_dir: Path) -> list[str]:
    """Files pytest would collect tests from (``conftest.py`` and helpers under tests/ left out)."""
    out = []
    for rel in python_files(milestone_dir):
        name = PurePosixPath(rel).name
        if name.startswith("test_") or name.endswith("_test.py"):
            out.append(rel)
    return out


def folder_mb(folder: Path) -> float:
    """Size of the folder's files in MB (caches and hidden folders left out, as staging does)."""
    total = 0
    for path in Path(folder).rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not path.is_symlink() and not _skipped(rel.parts[:-1]):
            total += path.stat().st_size
    return total / 1e6


def ignore_for_copy(directory: str, names: list[str]) -> set[str]:
    """``shutil.copytree`` ignore function matching ``_skipped``."""
    return {n for n in names if (n in SKIP_DIRS or n.startswith(".") or n.endswith((".egg-info", ".pyc")))}
