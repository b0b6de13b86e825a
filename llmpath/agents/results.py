"""What an agent's ``run(task)`` returns: the answer, and the trace of the tool calls it made."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass
class ToolCall:
    """One execution of a tool function, as it happened.

    ``tool``: the tool's name. ``arguments``: the arguments the function was called with (after
    validation, exactly as passed). ``result``: what the function returned (None when it raised).
    ``error``: ``"ExceptionType: message"`` when the function raised, else None. A call the model
    asked for but that failed validation never ran, so it is not a ToolCall (its error went back to
    the model as an observation).
    """

    tool: str
    arguments: dict[str, Any]
    result: Any = None
    error: str | None = None


@dataclasses.dataclass
class Result:
    """The outcome of one ``run(task)``.

    ``answer``: the model's final answer text (the value of ``"answer"`` in its reply), or None when
    the run ended without one. ``calls``: every tool execution, in order. ``error``: None when the
    model answered; otherwise why the run stopped (``"max_steps (8) reached without an answer"``,
    ``"the model raised RuntimeError: ..."``).
    """

    answer: str | None
    calls: list[ToolCall] = dataclasses.field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the run ended with an answer."""
        return self.answer is not None and self.error is None
