"""How a validator is written: a probe that runs the learner's code, a verdict that judges it.

A *check* is one registered validator. It has two halves that never share a process:

* ``probe(ctx: ProbeContext) -> dict`` runs in a sandboxed child process next to the learner's
  code. It imports the learner's module (``ctx.load("file.py")``), calls it on inputs chosen from
  ``ctx.seed`` and ``ctx.params``, and returns the *raw* results: numbers, strings, numpy arrays
  (torch tensors are converted), lists and dicts of those. It never compares or decides anything,
  because the learner's code shares its interpreter and may have monkeypatched numpy.
* ``verdict(raw: dict, ctx: VerdictContext) -> Verdict`` runs in llmpath's own process. It
  regenerates the inputs itself from the same seed (never trusting inputs echoed back by the
  child), computes its own reference, and decides ``passed`` or ``failed`` with a message that
  says what was checked, on which input, expected vs got, and the likely bug.

A check with ``probe=None`` runs only its verdict, in-process (documentation checks do this).

Validator modules must not import numpy or torch at module level: the registry imports every
validator module when ``roadmap.yaml`` is loaded (to validate parameters), and ``llmpath status``
must stay free of heavy imports. Import them inside the probe and verdict functions.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["passed", "failed", "error"]


class NoParams(BaseModel):
    """Parameters of a check that takes none."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The judged result of one check. ``metrics`` are figures worth recording (accuracy, ...)."""

    status: Status
    summary: str
    details: tuple[str, ...] = ()
    diagnosis: str | None = None
    metrics: Mapping[str, float] = dataclasses.field(default_factory=dict)

    @classmethod
    def passed(cls, summary: str, *details: str, metrics: Mapping[str, float] | None = None) -> Verdict:
        return cls("passed", summary, tuple(details), None, dict(metrics or {}))

    @classmethod
    def failed(
        cls,
        summary: str,
        *details: str,
        diagnosis: str | None = None,
        metrics: Mapping[str, float] | None = None,
    ) -> Verdict:
        return cls("failed", summary, tuple(details), diagnosis, dict(metrics or {}))

    @classmethod
    def error(cls, summary: str, *details: str) -> Verdict:
        return cls("error", summary, tuple(details))


class ContractError(Exception):
    """The learner's module does not expose what the milestone's contract requires.

    Raised in the probe (missing file, missing function); reported as an ``error`` result.
    """


class BadOutput(Exception):
    """The learner's code returned something of the wrong type or shape.

    Raise it from a verdict; the judge reports it as ``failed`` with this message.
    """


@dataclasses.dataclass(frozen=True)
class ProbeContext:
    """What a probe gets in the child process."""

    milestone: str
    milestone_dir: Path
    workspace: Path
    params: Mapping[str, Any]
    seed: int
    report: Callable[[str], None] | None = None  # set by the child: shows the learner what the check does

    def progress(self, text: str) -> None:
        """Say what the check is doing now ("sampling 32 continuations"): shown while a long check runs."""
        if self.report is not None:
            self.report(text)

    def load(self, filename: str) -> ModuleType:
        """Import ``milestone_dir/filename`` afresh (a new module object on every call)."""
        path = self.milestone_dir / filename
        if not path.is_file():
            raise ContractError(
                f"{self.milestone}: {_rel(path, self.workspace)} does not exist; "
                f"see the contract in milestones/{self.milestone}/README.md"
            )
        name = f"_llmpath_learner_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and pickling look modules up here
        spec.loader.exec_module(module)
        return module

    def traced(self, fn: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
        """``fn`` whose errors name the call that failed and its arguments (see ``traced`` below)."""
        return traced(fn, name)

    def get(self, module: ModuleType, attr: str) -> Any:
        """``getattr`` that reports a missing contract name as a ContractError.

        A plain function comes back ``traced``: an error inside it names the call that failed.
        """
        try:
            found = getattr(module, attr)
            return traced(found, attr) if inspect.isfunction(found) else found
        except AttributeError:
            path = Path(module.__file__ or "?")
            raise ContractError(
                f"{self.milestone}: {_rel(path, self.workspace)} defines no `{attr}`; "
                f"see the contract in milestones/{self.milestone}/README.md"
            ) from None


def attempt(fn: Callable[[], Any]) -> dict:
    """Run one call of the learner's code: ``{"value": ...}``, or ``{"error": "Type: message"}`` when it raised.

    An exception on one of the judge's inputs is a finding for the verdict, not a crash of the check;
    ``NotImplementedError`` still propagates, so a starter stub reads as "not implemented".
    """
    try:
        return {"value": fn()}
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any exception on an adversarial input is a finding
        return {"error": f"{type(exc).__name__}: {exc}"}


def describe_value(value: Any) -> str:
    """A short picture of an argument: arrays and tensors by dtype and shape, the rest by a short repr."""
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        kind = "tensor" if type(value).__module__.startswith("torch") else "array"
        return f"{kind} {str(dtype).replace('torch.', '')} {tuple(shape)}"
    if isinstance(value, (list, tuple, dict)) and len(value) > 4:
        return f"{type(value).__name__} of {len(value)}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    """``generate(tensor int64 (2, 6), 20, temperature=1.0, top_k=1)``."""
    shown = [describe_value(a) for a in args] + [f"{k}={describe_value(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def traced(fn: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """``fn`` such that an exception escaping it names the call and its arguments (innermost call wins).

    The child adds ``(in the call ...)`` to the error's message: "which call failed" is the first
    question after a crash deep inside torch.
    """
    label = name or getattr(fn, "__qualname__", None) or type(fn).__name__

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if not hasattr(exc, "_llmpath_call"):
                try:
                    exc._llmpath_call = describe_call(label, args, kwargs)  # type: ignore[attr-defined]
                except Exception:  # an exception type that refuses attributes: nothing to add
                    pass
            raise

    # a function keeps its name and signature; a module or other callable object is left undisturbed
    return functools.wraps(fn)(call) if inspect.isfunction(fn) or inspect.ismethod(fn) else call


@dataclasses.dataclass(frozen=True)
class VerdictContext:
    """What a verdict gets in llmpath's process. ``params`` is the validated parameter model."""

    milestone: str
    milestone_dir: Path
    workspace: Path
    params: Any
    seed: int


Probe = Callable[[ProbeContext], dict]
VerdictFn = Callable[[dict, VerdictContext], Verdict]


@dataclasses.dataclass(frozen=True)
class Check:
    """A registered validator. ``params`` is a pydantic model (extra keys forbidden)."""

    name: str
    description: str
    verdict: VerdictFn
    probe: Probe | None = None
    params: type[BaseModel] = NoParams
    timeout_s: float = 60.0
    memory_mb: int = 2048
    # False for a check that a roadmap may name but this version cannot judge yet (it never passes):
    # `status` and `unlock` say that the path ends before a milestone that needs one.
    available: bool = True


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
