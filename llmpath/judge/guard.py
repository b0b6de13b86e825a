"""What the learner's code may see of llmpath inside the judge's child: its public modules, nothing else.

The child runs llmpath's probes next to the learner's code, in one interpreter, so llmpath's own
reference implementations are a few imports away. The guard makes the learner's view of llmpath the
documented public surface (``llmpath.datasets``, ``llmpath.agents``) and records every attempt to
reach further, so that the job ends in ``error`` even when the learner's code catches the refusal:

* ``builtins.__import__`` and ``importlib.import_module`` look at the *importer*: llmpath's own files
  import what they need; anyone else (the learner's files, ``exec``'d strings) gets a facade of
  ``llmpath`` and ``llmpath.datasets`` that shows only their public names, and an ImportError for
  anything internal.
* llmpath's internals are taken out of ``sys.modules`` before the learner's code runs (the probes
  keep the functions they already hold), so reading ``sys.modules`` finds nothing either.
* After each probe, ``findings()`` lists llmpath modules that appeared in the interpreter without
  llmpath importing them (loaded by file path, under another name, or through ``sys.modules``).

A determined attacker who copies llmpath's source text into their own file is not detected: see the
threat model in README.md.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../llmpath
_IMPORTLIB_DIR = os.path.dirname(os.path.abspath(importlib.__file__))
_THIS = os.path.abspath(__file__)

# What the learner may import: the package (as a facade), the data sets (public names only), and the
# agents API with its documented submodules (llmpath.agents' docstring lists them as the reference).
PUBLIC_MODULES = ("llmpath", "llmpath.datasets", "llmpath.agents")
_PUBLIC_PREFIXES = ("llmpath.agents.",)
# What stays in sys.modules while the learner's code runs: the public modules and the child's machinery.
_KEEP_PREFIXES = ("llmpath.datasets", "llmpath.agents", "llmpath.judge", "llmpath.validators.api", "llmpath.errors")

REFUSAL = "your code imports llmpath's own reference implementation"


def is_llmpath_file(filename: str | None) -> bool:
    if not filename or filename.startswith("<"):
        return False
    return os.path.abspath(filename).startswith(PACKAGE_DIR + os.sep)


def _is_public(name: str) -> bool:
    return name in PUBLIC_MODULES or name.startswith(_PUBLIC_PREFIXES)


def _importer_file(depth: int = 1) -> str | None:
    """The file of the first frame above this one that is not import machinery (nor this module)."""
    frame = sys._getframe(depth)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (
            name.startswith("<frozen importlib")
            or os.path.abspath(name) == _THIS
            or (not name.startswith("<") and os.path.dirname(os.path.abspath(name)) == _IMPORTLIB_DIR)
        ):
            return name
        frame = frame.f_back
    return None


def _public_names(module: types.ModuleType) -> tuple[str, ...]:
    if module.__name__ == "llmpath":
        return ("datasets", "agents", "__version__")
    return tuple(getattr(module, "__all__", ()))


class _Facade(types.ModuleType):
    """A read-only view of a module that shows only ``names``."""

    def __init__(self, real: types.ModuleType, names: Sequence[str]) -> None:
        super().__init__(real.__name__, real.__doc__)
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_names", frozenset(names))
        object.__setattr__(self, "__all__", sorted(n for n in names if not n.startswith("_")))

    def __getattr__(self, name: str) -> Any:
        if name in object.__getattribute__(self, "_names"):
            return getattr(object.__getattribute__(self, "_real"), name)
        raise AttributeError(f"module {self.__name__!r} has no public attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"llmpath's modules are read-only for your code ({self.__name__}.{name})")


class Guard(importlib.abc.MetaPathFinder):
    """Installed once in the child, before the learner's first file is loaded."""

    def __init__(self) -> None:
        self.attempts: list[str] = []  # internal modules the learner's code tried to import
        self.legit: set[str] = set()  # llmpath modules (re)loaded by llmpath's own code
        self._facades: dict[str, types.ModuleType] = {}
        self._import = builtins.__import__
        self._import_module = importlib.import_module

    # -- installation ------------------------------------------------------------------------
    def install(self) -> None:
        builtins.__import__ = self._guarded_import
        importlib.import_module = self._guarded_import_module
        sys.meta_path.insert(0, self)

    def hide_internals(self) -> None:
        """Take llmpath's internals out of ``sys.modules``; functions already bound keep working."""
        for name in list(sys.modules):
            if name.startswith("llmpath.") and not name.startswith(_KEEP_PREFIXES):
                del sys.modules[name]
        self.baseline = set(sys.modules)

    # -- the hooks ---------------------------------------------------------------------------
    def _guarded_import(
        self, name: str, globals: Any = None, locals: Any = None, fromlist: Sequence[str] | None = (), level: int = 0
    ) -> Any:
        if level == 0 and (name == "llmpath" or name.startswith("llmpath.")):
            importer = _importer_file(2)
            if not is_llmpath_file(importer):
                return self._learner_import(name, globals, locals, fromlist or (), importer)
        return self._import(name, globals, locals, fromlist, level)

    def _guarded_import_module(self, name: str, package: str | None = None) -> Any:
        if not name.startswith(".") and (name == "llmpath" or name.startswith("llmpath.")):
            importer = _importer_file(2)
            if not is_llmpath_file(importer):
                self._refuse_internal(name)
                self._import(name)
                return self._view(sys.modules[name])
        return self._import_module(name, package)

    def _learner_import(
        self, name: str, globals: Any, locals: Any, fromlist: Sequence[str], importer: str | None
    ) -> Any:
        self._refuse_internal(name)
        module = self._import(name, globals, locals, fromlist, 0)
        if fromlist:
            shown = _public_names(module) if name in ("llmpath", "llmpath.datasets") else None
            for attr in fromlist:
                if shown is not None and attr != "*" and attr not in shown:
                    self.attempts.append(f"{name}.{attr}")
                    raise ImportError(f"{REFUSAL} ({name}.{attr}): write your own; only the public names of "
                                      "llmpath.datasets and llmpath.agents are yours to import", name=name)
            return self._view(module)
        return self._view(sys.modules["llmpath"])

    def _refuse_internal(self, name: str) -> None:
        if not _is_public(name):
            self.attempts.append(name)
            raise ImportError(f"{REFUSAL} ({name}): write your own; only llmpath.datasets and llmpath.agents "
                              "are yours to import", name=name)

    def _view(self, module: types.ModuleType) -> types.ModuleType:
        """The facade the learner sees of ``llmpath`` and ``llmpath.datasets``; other public modules as they are."""
        name = module.__name__
        if name not in ("llmpath", "llmpath.datasets"):
            return module
        if name not in self._facades:
            self._facades[name] = _Facade(module, _public_names(module))
        return self._facades[name]

    # -- the finder: who loads llmpath modules afresh ----------------------------------------
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.startswith("llmpath."):
            if is_llmpath_file(_importer_file(2)):
                self.legit.add(fullname)
            elif not _is_public(fullname):
                self.attempts.append(fullname)
        return None  # the ordinary finders load it

    # -- after a probe -----------------------------------------------------------------------
    def findings(self) -> list[str]:
        """llmpath modules the learner's code reached, by any route this guard can see."""
        found = list(dict.fromkeys(self.attempts))
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            own = is_llmpath_file(filename)
            if name.startswith("llmpath.") and not _is_public(name) and name not in self.baseline:
                if name not in self.legit and name not in found:
                    found.append(name)
            elif own and not name.startswith("llmpath"):
                found.append(f"{name} (loaded from {os.path.relpath(filename, PACKAGE_DIR)})")  # type: ignore[arg-type]
        return found


def install(prepare: Callable[[], None] | None = None) -> Guard:
    """Install the guard (after ``prepare`` imported what the child needs) and hide llmpath's internals."""
    if prepare is not None:
        prepare()
    guard = Guard()
    guard.install()
    guard.hide_internals()
    return guard
