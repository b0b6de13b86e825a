"""M12: an agent that parses a task's intent, selects tools, and uses their outputs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class ToolCall:
    """One step of the trace: which tool, with which arguments, and what it returned."""

    tool: str
    args: dict[str, Any]
    result: Any


class Agent:
    """Solves tasks with the tools it is given.

    tools: name -> callable taking keyword arguments. `run` returns the answer and the trace of
    tool calls that produced it, in order.
    """

    def __init__(self, tools: dict[str, Callable[..., Any]], max_steps: int = 8) -> None:
        raise NotImplementedError("Agent.__init__: keep the tools and the step limit")

    def parse_intent(self, task: str) -> tuple[str, dict[str, Any]]:
        """The intent of `task` and its arguments, e.g. ("convert", {"amount": 3, "unit": "km"})."""
        raise NotImplementedError("Agent.parse_intent: turn the task text into an intent and arguments")

    def select_tool(self, intent: str, args: dict[str, Any]) -> str:
        """The name of the tool to call next for this intent."""
        raise NotImplementedError("Agent.select_tool: choose one of self.tools for the intent")

    def run(self, task: str) -> tuple[str, list[ToolCall]]:
        """Solve `task`: (answer, trace of tool calls). Stops after max_steps at the latest."""
        raise NotImplementedError("Agent.run: parse, select, call, observe, repeat until done; return answer and trace")
