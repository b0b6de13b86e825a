"""M12: a tool-using agent, the loop around a language model.

Read milestones/M12/README.md first: it gives the contract, the reply format, the allowed actions
and how llmpath judges them. The model, the tools and the tasks come from `llmpath.agents`:

    from llmpath.agents import SimulatedModel, task_suite
    suite = task_suite(seed=1, n=20)
    agent = Agent(SimulatedModel(1, suite), suite.tools())
    result = agent.run(suite.tasks[0].text)      # Result(answer, calls, error)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmpath.agents import Result, Tool, ToolCall  # noqa: F401 - ToolCall: one record of result.calls


def find_action(reply: str) -> dict[str, Any] | None:
    """The first JSON object in `reply` that has the key "tool" or "answer", or None if there is none."""
    raise NotImplementedError("find_action: at each '{' try json.JSONDecoder().raw_decode; keep the first action")


def validate(tool: Tool, arguments: Any) -> list[str]:
    """Every way `arguments` break `tool.parameters` (a JSON Schema); [] when they are valid."""
    raise NotImplementedError("validate: check required, unexpected and ill-typed arguments; name each one")


class Agent:
    """Runs `model` in a loop with `tools`: parse, validate, run, observe, until an answer or max_steps."""

    def __init__(self, model: Callable[[list[dict]], str], tools: list[Tool], max_steps: int = 8) -> None:
        raise NotImplementedError("Agent.__init__: keep the model, the tools by name, and max_steps")

    def run(self, task: str) -> Result:
        """Solve `task`: Result(answer, calls, error). At most max_steps model calls; never raises."""
        raise NotImplementedError("Agent.run: system + user messages, then call the model, act, append, repeat")
