"""The registry of built-in validators: a dict from name to ``Check``, built once.

Each module listed in ``MODULES`` exposes ``CHECKS: tuple[Check, ...]``. Names are checked for
duplicates when the registry is built, and ``roadmap.yaml`` is checked against it when it loads,
so an unknown validator or a wrong parameter is a load-time error, never a run-time surprise.
Instructors can name their own validator as ``package.module:ATTR`` where ATTR is a ``Check``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import sys
from pathlib import Path
from typing import Any

from llmpath.validators import __all__ as PUBLIC
from llmpath.validators.api import Check

# Every milestone's package is listed once, in the package's public surface (llmpath.validators.__all__);
# ``future`` holds the names a roadmap may use before their validators are written.
MODULES: tuple[str, ...] = (*(name for name in PUBLIC if name not in ("api", "registry")), "future")


class UnknownValidator(LookupError):
    """The name is neither a built-in validator nor an importable ``module:ATTR`` Check."""


@functools.cache
def builtin_checks() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for module_name in MODULES:
        module = importlib.import_module(f"llmpath.validators.{module_name}")
        for check in module.CHECKS:
            if check.name in checks:
                raise RuntimeError(f"validator {check.name!r} is registered twice")
            checks[check.name] = check
    return checks


def _module_of(name: str) -> str | None:
    """The package that defines built-in check ``name`` by its prefix ("m4.value" -> "m4_autograd")."""
    prefix = name.split(".", 1)[0]
    return next((m for m in MODULES if m == prefix or m.startswith(prefix + "_")), None)


@functools.cache
def _module_checks(module_name: str) -> dict[str, Check]:
    module = importlib.import_module(f"llmpath.validators.{module_name}")
    return {check.name: check for check in module.CHECKS}


class _BesideRoadmap(importlib.abc.MetaPathFinder):
    """Finds the instructors' validator packages that roadmaps name, in the folder of their roadmap.yaml.

    Only those top-level names are served from there, and only after every installed module: the
    workspace is never put on ``sys.path``, so no file in it can stand in for another module.
    """

    def __init__(self) -> None:
        self.roots: dict[str, str] = {}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if path is None and fullname in self.roots:
            return importlib.machinery.PathFinder.find_spec(fullname, [self.roots[fullname]])
        return None


_BESIDE = _BesideRoadmap()


def allow_beside(name: str, folder: Path) -> None:
    """Let the custom validator ``name`` (``package.module:ATTR``) be imported from ``folder``."""
    top = name.partition(":")[0].split(".")[0]
    _BESIDE.roots[top] = str(folder)  # the roadmap loaded last decides (one workspace per process in practice)
    if _BESIDE not in sys.meta_path:
        sys.meta_path.append(_BESIDE)


def source_file(name: str) -> Path | None:
    """The file defining a custom validator (None for built-in ones)."""
    if ":" not in name:
        return None
    module = sys.modules.get(name.partition(":")[0])
    filename = getattr(module, "__file__", None)
    return Path(filename) if filename else None


def resolve(name: str, root: Path | None = None) -> Check:
    """The Check called ``name``; raises UnknownValidator with a helpful message.

    ``root``: the workspace, where an instructor's ``package.module:ATTR`` may live beside roadmap.yaml.
    """
    if ":" in name:
        if root is not None:
            allow_beside(name, root)
        module_name, _, attr = name.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # an instructor's module may fail in any way
            raise UnknownValidator(f"cannot import custom validator module {module_name!r}: {exc}") from None
        check = getattr(module, attr, None)
        if not isinstance(check, Check):
            raise UnknownValidator(f"{name!r} is not a llmpath Check object")
        return check
    module_name = _module_of(name)
    if module_name is not None and (found := _module_checks(module_name).get(name)) is not None:
        return found  # only the milestone's own package is imported (the child needs no other)
    checks = builtin_checks()
    if name not in checks:
        import difflib

        close = difflib.get_close_matches(name, checks, n=3)
        also = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownValidator(f"unknown validator {name!r}{also}")
    return checks[name]
