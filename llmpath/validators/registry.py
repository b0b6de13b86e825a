"""The registry of built-in validators: a dict from name to ``Check``, built once.

Each module listed in ``MODULES`` exposes ``CHECKS: tuple[Check, ...]``. Names are checked for
duplicates when the registry is built, and ``roadmap.yaml`` is checked against it when it loads,
so an unknown validator or a wrong parameter is a load-time error, never a run-time surprise.
Instructors can name their own validator as ``package.module:ATTR`` where ATTR is a ``Check``.
"""

from __future__ import annotations

import functools
import importlib

from llmpath.validators.api import Check

MODULES: tuple[str, ...] = (
    "docs",
    "m1_logreg",
    "m2_mlp",
    "m3_optim",
    "m4_autograd",
    "m5_attention",
    "m6_transformer",
    "m7_gpt",
    "m8_bpe",
    "m11_rag",
    "m12_agent",
    "m14_capstone",
    "future",
)


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


def resolve(name: str) -> Check:
    """The Check called ``name``; raises UnknownValidator with a helpful message."""
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # an instructor's module may fail in any way
            raise UnknownValidator(f"cannot import custom validator module {module_name!r}: {exc}") from None
        check = getattr(module, attr, None)
        if not isinstance(check, Check):
            raise UnknownValidator(f"{name!r} is not a llmpath Check object")
        return check
    checks = builtin_checks()
    if name not in checks:
        import difflib

        close = difflib.get_close_matches(name, checks, n=3)
        also = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownValidator(f"unknown validator {name!r}{also}")
    return checks[name]
