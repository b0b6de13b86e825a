"""Validators a roadmap may name before they are written (none in this version: every milestone is judged).

They exist so that ``roadmap.yaml`` can name them today; each one reports an ``error`` result
("not implemented in this version of llmpath"), never a pass.
"""

from __future__ import annotations

from llmpath.validators.api import Check, Verdict, VerdictContext

_FUTURE: dict[str, str] = {}


def _not_yet(name: str, description: str) -> Check:
    def verdict(raw: dict, ctx: VerdictContext) -> Verdict:
        return Verdict.error(
            f"{name} is not implemented in this version of llmpath",
            f"({description}). Upgrade llmpath when it ships; nothing was judged, so this is not a pass.",
        )

    return Check(name=name, description=description, verdict=verdict, available=False)


CHECKS: tuple[Check, ...] = tuple(_not_yet(name, text) for name, text in _FUTURE.items())
